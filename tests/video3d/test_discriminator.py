"""The 3D-convolution video discriminator: contract, TGAN's layout and size, whole clips."""

from __future__ import annotations

import itertools

import pytest
import torch

from inrvid.base.errors import ShapeError
from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.runtime.build import count_parameters
from inrvid.testing import build_component, check_component

CLIP = VideoSpec(frames=16, height=128, width=128)


def test_component_passes_check_component() -> None:
    check_component("discriminator", "conv3d_video_d", {"channels": [8, 8]})


def test_tgan_widths_on_16_frames_at_128_end_at_1x8x8_with_the_closed_form_size() -> None:
    with torch.device("meta"):
        d = build_component("discriminator", "conv3d_video_d", {},
                            BuildContext(video=CLIP, device=torch.device("meta")))
    x = torch.zeros(2, 3, 16, 128, 128, device="meta")                  # b c t h w
    for layer in d.layers:
        x = layer(x)
    assert tuple(x.shape) == (2, 512, 1, 8, 8)
    widths = [3, 64, 128, 256, 512]
    convs = sum(a * b * 4**3 + b for a, b in itertools.pairwise(widths))
    assert count_parameters(d) == convs + 512 * 8 * 8 + 1 == 11_056_065
    assert d.frames_seen == 16


def test_time_stops_being_halved_at_one_frame() -> None:
    d = build_component("discriminator", "conv3d_video_d", {"channels": [4, 4, 4]},
                        BuildContext(video=VideoSpec(frames=2, height=16, width=16)))
    frames = torch.rand(3, 2, 3, 16, 16) * 2 - 1
    assert d(frames, torch.zeros(3, 2)).shape == (3, 1)
    assert [layer.stride for layer in d.layers] == [(2, 2, 2), (1, 2, 2), (1, 2, 2)]


def test_too_many_layers_for_the_resolution_are_refused_naming_the_fix() -> None:
    with pytest.raises(ShapeError, match=r"(?s)expected even sizes at each layer.*fewer `channels`"):
        build_component("discriminator", "conv3d_video_d", {"channels": [4, 4, 4, 4]},
                        BuildContext(video=VideoSpec(frames=4, height=8, width=8)))
