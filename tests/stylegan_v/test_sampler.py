"""StyleGAN-V's sampler: 3 sorted frames, span uniform on the allowed powers of two."""

from __future__ import annotations

import pytest
import torch

from inrvid.base.errors import DataError
from inrvid.components.registry import VideoSpec
from inrvid.testing import build_component, tiny_context

CLIP = VideoSpec(frames=40, height=16, width=16)


def sampler(video: VideoSpec = CLIP, **config):
    return build_component("sampler", "stylegan_v_sparse", config, tiny_context(video))


def test_real_spans_are_uniform_on_2_to_32_and_the_middle_frame_lies_strictly_inside() -> None:
    idx = sampler().sample_real(20000, 40, torch.Generator().manual_seed(0))
    span = idx[:, 2] - idx[:, 0]
    values, counts = span.unique(return_counts=True)
    assert values.tolist() == [2, 4, 8, 16, 32]
    assert torch.allclose(counts / 20000, torch.full((5,), 0.2), atol=0.015)
    assert bool(((idx[:, 1] > idx[:, 0]) & (idx[:, 1] < idx[:, 2])).all())
    assert int(idx.min()) == 0 and int(idx.max()) == 39


def test_short_clips_allow_only_the_spans_that_fit() -> None:
    idx = sampler().sample_real(4000, 9, torch.Generator().manual_seed(0))
    assert (idx[:, 2] - idx[:, 0]).unique().tolist() == [2, 4, 8]


def test_fake_first_frames_are_continuous_and_spread_over_the_fake_video_length() -> None:
    s = sampler(fake_video_frames=1024)
    tau = s.sample_fake(5000, torch.Generator().manual_seed(0)) * (CLIP.frames - 1)   # frames
    gaps = tau.diff(dim=1)
    assert torch.allclose(gaps, gaps.round(), atol=1e-3)          # gaps are whole frames
    assert (tau[:, 0] - tau[:, 0].floor()).std() > 0.2             # first frames are not
    assert float(tau[:, 0].max()) > 900 and float(tau[:, 2].max()) < 1023


def test_a_clip_too_short_for_three_frames_is_refused_naming_the_fix() -> None:
    with pytest.raises(DataError, match=r"(?s)no allowed span for 2-frame clips.*data.clip_frames"):
        sampler().sample_real(4, 2, torch.Generator().manual_seed(0))


def test_a_fake_video_shorter_than_the_clip_is_refused() -> None:
    with pytest.raises(DataError, match=r"fake_video_frames: got 8, expected at least .* 40"):
        sampler(fake_video_frames=8)
