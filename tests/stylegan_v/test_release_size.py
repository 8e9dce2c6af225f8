"""Parameter counts and block shapes at the release configuration equal the official code's.

The numbers were obtained by instantiating the official `Generator` and `Discriminator`
(universome/stylegan-v, `src/training/networks.py`) on CPU with the arguments `src/train.py`
derives for 256x256 UCF-101 and SkyTimelapse (cfg auto, 4 GPUs, batch 64, c_dim 0) and summing
`numel` over parameters; docs/stylegan_v.md gives the procedure. The networks here are built
on the meta device: shapes and sizes without memory or arithmetic.
"""

from __future__ import annotations

import pytest
import torch

from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.runtime.build import count_parameters
from inrvid.testing import build_component

RELEASE_VIDEO = VideoSpec(frames=33, height=256, width=256)
SKY = {"code_spacing_frames": 256, "min_period_frames": 256}   # README: min_period_len=256

# Official counts, per module (src/training/networks.py names in the comments).
GENERATOR_TOTAL = 32_105_941
GENERATOR_PARTS = {
    "mapping": 525_312,            # mapping: 2 FC 512 -> 512
    "motion": 6_292_480,           # synthesis.motion_encoder: 2 conv1d (k 11) + P, Phi, A
    "b4": 5_516_803,               # const 512x4x4, conv1 1024 -> 512, ToRGB
}
GENERATOR_BLOCKS = [5_509_123, 5_509_123, 5_509_123, 2_296_067, 705_667, 242_243]  # b8..b256
DISCRIMINATOR_TOTAL = 25_333_568
DISCRIMINATOR_BLOCKS = [119_232, 475_520, 1_901_312, 3_670_784, 6_292_480, 4_981_760]  # b256..b8
DISCRIMINATOR_PARTS = {"epilogue": 6_821_888, "mapping": 808_448, "gaps": 262_144}


def release_models(generator_overrides: dict[str, int] | None = None) -> tuple[object, object]:
    ctx = BuildContext(video=RELEASE_VIDEO, device=torch.device("meta"))
    with torch.device("meta"):
        g = build_component("generator", "stylegan_v", generator_overrides or {}, ctx)
        d = build_component("discriminator", "stylegan_v_d", {}, ctx)
    return g, d


@pytest.mark.parametrize("overrides", [{}, SKY], ids=["ucf101", "sky"])
def test_generator_parameters_equal_the_official_count_block_by_block(overrides) -> None:
    g, _ = release_models(overrides)
    assert count_parameters(g) == GENERATOR_TOTAL
    assert {
        "mapping": count_parameters(g.mapping),
        "motion": count_parameters(g.motion),
        "b4": count_parameters(g.first),
    } == GENERATOR_PARTS
    assert [count_parameters(b) for b in g.blocks] == GENERATOR_BLOCKS


def test_discriminator_parameters_equal_the_official_count_block_by_block() -> None:
    _, d = release_models()
    assert count_parameters(d) == DISCRIMINATOR_TOTAL
    assert [count_parameters(b) for b in d.blocks] == DISCRIMINATOR_BLOCKS
    assert {
        "epilogue": count_parameters(d.epilogue),
        "mapping": count_parameters(d.mapping),
        "gaps": count_parameters(d.gaps),
    } == DISCRIMINATOR_PARTS


def test_the_motion_noise_has_86_vectors_for_66_codes_ucf_and_26_for_6_sky() -> None:
    g, _ = release_models()
    assert (g.motion.noise_vectors, g.motion.knots, g.motion_dim) == (86, 66, 86 * 512)
    sky, _ = release_models(SKY)
    assert (sky.motion.noise_vectors, sky.motion.knots) == (26, 6)


def test_time_buffers_span_periods_1024_to_16_ucf_and_to_256_sky() -> None:
    torch.manual_seed(0)
    ctx = BuildContext(video=VideoSpec(frames=33, height=16, width=16))
    for overrides, shortest in (({}, 16.0), (SKY, 256.0)):
        encoder = build_component("generator", "stylegan_v", {**overrides, "channel_max": 8,
                                                              "channel_base": 64},
                                  ctx).motion.time_encoder
        omega = encoder.omega
        assert omega.shape == (256,)
        assert torch.allclose(omega[0], torch.tensor(2 * torch.pi / 1024))
        assert torch.allclose(omega[-1], torch.tensor(2 * torch.pi / shortest))
        assert bool((omega.diff() > 0).all())                       # periods descending
        assert torch.allclose(encoder.phase_scale[[0, -1]], torch.tensor([1.0, 1024 / shortest]))


def test_generator_block_outputs_have_the_release_shapes_at_256() -> None:
    g, _ = release_models()
    b, t = 2, 3
    w = torch.zeros(b, 512, device="meta")
    v = torch.zeros(b, t, g.motion.out_features, device="meta")          # v(t): 512
    x, rgb = g.first(v, w)
    shapes = [(tuple(x.shape), tuple(rgb.shape))]
    for block in g.blocks:
        x, rgb = block(x, rgb, w)
        shapes.append((tuple(x.shape), tuple(rgb.shape)))
    expected_features = [(512, 4), (512, 8), (512, 16), (512, 32), (256, 64), (128, 128),
                         (64, 256)]
    assert shapes == [((b, t, c, r, r), (b, t, 3, r, r)) for c, r in expected_features]
    assert g.first.conv1.in_channels == 1024                            # [const 512 ; v 512]


def test_discriminator_fuses_three_frames_into_768_channels_at_16_and_embeds_gaps_in_552() -> None:
    _, d = release_models()
    b = 2
    x = torch.zeros(b * 3, 3, 256, 256, device="meta")
    widths = []
    for block in d.frame_blocks:
        x = block(x)
        widths.append(tuple(x.shape[1:]))
    assert widths == [(128, 128, 128), (256, 64, 64), (512, 32, 32), (256, 16, 16)]
    fused = x.reshape(b, 3 * 256, 16, 16)
    assert d.video_blocks[0].conv0.in_channels == 768
    for block in d.video_blocks:
        fused = block(fused)
    assert tuple(fused.shape) == (b, 512, 4, 4)
    assert d.gaps.gap_features * 2 == 552                                # (256 + 20) per gap
    assert d.mapping.embed.in_features == 552
