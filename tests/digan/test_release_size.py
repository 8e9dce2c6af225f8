"""The 128x128 release configuration: parameter counts (docs/reference/digan.md §2.4, §9.1-2), a render."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from inrvid.components.registry import VideoSpec
from inrvid.testing import build_component
from tests.digan.helpers import context, n_params

VIDEO_128 = VideoSpec(frames=16, height=128, width=128)


@pytest.fixture(scope="module")
def release_generator() -> Iterator[Any]:
    torch.manual_seed(0)
    yield build_component("generator", "digan", {}, context(VIDEO_128, encoder_config={}))
    gc.collect()


def test_default_generator_at_128_has_the_release_parameter_count(release_generator: Any) -> None:
    gen = release_generator
    assert n_params(gen) == 63_538_706
    assert n_params(gen.mapping) == 525_312
    assert [b.working_resolution for b in gen.blocks] == [32, 32, 32, 32, 64, 128]
    assert [n_params(b) for b in gen.blocks] == [
        4_696_835, 11_295_747, 11_295_747, 11_295_747, 13_101_315, 11_328_003,
    ]


def test_each_of_the_three_embedders_has_361216_parameters(release_generator: Any) -> None:
    embedders = release_generator.embedders
    assert [n_params(e) for e in embedders] == [361_216] * 3
    for embedder in embedders:
        assert n_params(embedder.spatial_head) == 196_992
        assert n_params(embedder.time_head) == 131_200
        assert n_params(embedder.motion_mlp) == 33_024


def test_generated_numbers_per_video_are_112640_fmm_entries_and_2816_torgb_scales(
    release_generator: Any,
) -> None:
    assert release_generator.generated_numbers() == {"fmm": 112_640, "to_rgb": 2_816}
    per_layer = [
        (layer.in_channels, layer.out_channels, layer.style.out_features)
        for block in release_generator.blocks for layer in block.layers
    ]
    expected = {(256, 512): 7_680, (512, 512): 10_240, (768, 512): 12_800,
                (768, 256): 10_240, (256, 256): 5_120}
    assert len(per_layer) == 12
    assert all(expected[(i, o)] == n for i, o, n in per_layer)


@pytest.mark.parametrize(
    ("name", "expected", "first_block"),
    [("digan_motion_d", 28_390_145, 1_903_360), ("digan_image_d", 28_389_121, 1_902_336)],
)
def test_default_discriminators_at_128_have_the_release_parameter_counts(
    name: str, expected: int, first_block: int
) -> None:
    torch.manual_seed(0)
    disc = build_component("discriminator", name, {}, context(VIDEO_128))
    assert n_params(disc) == expected
    assert [n_params(b) for b in disc.trunk.blocks] == [first_block] + [4_981_760] * 4
    assert n_params(disc.trunk.epilogue) == 6_559_745
    del disc
    gc.collect()


def test_release_generator_renders_a_pair_and_a_256_frame_at_scale_2(release_generator: Any) -> None:
    gen = release_generator
    z_content, z_motion = gen.sample_latents(1, torch.Generator().manual_seed(0))
    other_motion = torch.randn(1, 512, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        pair = gen(z_content, z_motion, torch.tensor([[0.0, 0.5]]))
        other = gen(z_content, other_motion, torch.tensor([[0.0, 0.5]]))
        frame_256 = gen(z_content, z_motion, torch.tensor([[0.0]]), scale=2)
    assert pair.shape == (1, 2, 3, 128, 128)
    assert torch.equal(pair[:, 0], other[:, 0])                 # t = 0 ignores z_M, exactly
    assert (pair[:, 1] - other[:, 1]).abs().max() > 1e-2        # t = 0.5 does not
    assert pair.std() > 1.0                                     # unbounded at init (§9.8)
    assert frame_256.shape == (1, 1, 3, 256, 256)
    assert torch.isfinite(frame_256).all()
