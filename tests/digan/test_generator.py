"""The DIGAN generator: shapes, time invariances, chunking, grids, scales (docs/reference/digan.md §9)."""

from __future__ import annotations

import re

import pytest
import torch
from inrvid_digan.generator import body_layout
from inrvid_digan.grid import coordinate_grid

from inrvid.base.errors import ShapeError
from inrvid.components.registry import VideoSpec
from tests.digan.helpers import TINY_GENERATOR, tiny_generator


def latents(gen: torch.nn.Module, batch: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    z_content, z_motion = gen.sample_latents(batch, torch.Generator().manual_seed(seed))
    assert z_motion is not None
    return z_content, z_motion


def test_output_is_b_t_c_h_w_for_any_number_of_frames() -> None:
    gen = tiny_generator()
    z_content, z_motion = latents(gen, 3)
    times = torch.linspace(0, 1, 5).repeat(3, 1)
    with torch.no_grad():
        assert gen(z_content, z_motion, times).shape == (3, 5, 3, 16, 16)
        assert gen(z_content, z_motion, times[:, :2]).shape == (3, 2, 3, 16, 16)


def test_frame_at_t0_is_bit_identical_for_two_motion_latents_and_differs_at_half() -> None:
    gen = tiny_generator()
    z_content, z_motion = latents(gen, 2, seed=1)
    other_motion = torch.randn(2, 8, generator=torch.Generator().manual_seed(7))
    times = torch.tensor([[0.0, 0.5], [0.0, 0.5]])
    with torch.no_grad():
        a = gen(z_content, z_motion, times)
        b = gen(z_content, other_motion, times)
    assert torch.equal(a[:, 0], b[:, 0])
    assert (a[:, 1] - b[:, 1]).abs().max() > 1e-3


def test_times_outside_the_unit_interval_give_finite_frames() -> None:
    gen = tiny_generator(chunk_frames=16)
    z_content, z_motion = latents(gen, 1)
    times = torch.linspace(0, 4, 64)[None]
    with torch.no_grad():
        frames = gen(z_content, z_motion, times)
    assert frames.shape == (1, 64, 3, 16, 16)
    assert torch.isfinite(frames).all()
    assert (frames[:, -1] - frames[:, 15]).abs().max() > 0   # t = 4 is a different frame


def test_sixty_four_frames_in_one_call_equal_four_calls_of_sixteen() -> None:
    gen = tiny_generator(chunk_frames=64)
    z_content, z_motion = latents(gen, 2)
    times = (torch.arange(64) / 15.0).repeat(2, 1)              # t_k = k / 15, 4x extrapolation
    with torch.no_grad():
        whole = gen(z_content, z_motion, times)
        parts = torch.cat([gen(z_content, z_motion, times[:, i : i + 16])
                           for i in range(0, 64, 16)], dim=1)
    torch.testing.assert_close(whole, parts, rtol=0, atol=1e-6)


def test_chunk_size_does_not_change_the_frames() -> None:
    z = None
    outputs = []
    for chunk in (1, 3, 64):
        gen = tiny_generator(chunk_frames=chunk)
        if z is None:
            z = latents(gen, 2)
        with torch.no_grad():
            outputs.append(gen(*z, torch.rand(2, 7)))
    # Equal up to float32 reassociation: a chunk of 64 frames takes other matmul kernels
    # (blocking) than chunks of 1 or 3, which moves values by a few 1e-6.
    torch.testing.assert_close(outputs[0], outputs[1], rtol=0, atol=2e-5)
    torch.testing.assert_close(outputs[0], outputs[2], rtol=0, atol=2e-5)


def test_a_video_does_not_depend_on_the_other_videos_of_the_batch() -> None:
    gen = tiny_generator()
    z_content, z_motion = latents(gen, 3)
    times = torch.rand(3, 4)
    with torch.no_grad():
        batch = gen(z_content, z_motion, times)
        alone = gen(z_content[1:2], z_motion[1:2], times[1:2])
    torch.testing.assert_close(batch[1:2], alone, rtol=1e-4, atol=1e-4)   # BLAS rounding only


def test_grid_columns_are_minus_one_plus_2j_over_n_and_rows_run_from_top_1_minus_2_over_n() -> None:
    n = 8
    grid = coordinate_grid(n).reshape(n, n, 2)                 # h w (x, y)
    j = torch.arange(n, dtype=torch.float32)
    for row in range(n):
        assert torch.equal(grid[row, :, 0], -1 + 2 * j / n)
    assert torch.allclose(grid[0, :, 1], torch.full((n,), 1 - 2 / n))
    assert torch.equal(grid[-1, :, 1], torch.full((n,), -1.0))
    assert grid.min() == -1 and grid.max() == 1 - 2 / n


def test_a_coarse_grid_is_a_subset_of_the_next_finer_grid() -> None:
    coarse = {tuple(p) for p in coordinate_grid(16).tolist()}
    fine = {tuple(p) for p in coordinate_grid(32).tolist()}
    assert coarse <= fine
    assert len(fine) == 4 * len(coarse)


def test_the_release_layout_embeds_at_32_64_128_with_the_reference_widths() -> None:
    layout = body_layout(resolution=128, input_resolution=32, channel_base=32768,
                         channel_max=512, extra_layers=1)
    assert [s.working for s in layout] == [32, 32, 32, 32, 64, 128]
    assert [s.working for s in layout if s.embeds] == [32, 64, 128]
    assert [s.num_layers for s in layout] == [1, 2, 2, 2, 2, 3]
    assert [s.out_channels for s in layout] == [512, 512, 512, 512, 512, 256]
    assert [s.upsample for s in layout] == [False, False, False, False, True, True]


def test_a_small_video_starts_at_its_own_resolution() -> None:
    layout = body_layout(resolution=16, input_resolution=32, channel_base=32768,
                         channel_max=512, extra_layers=1)
    assert [s.working for s in layout] == [16, 16, 16]
    assert [s.embeds for s in layout] == [True, False, False]


@pytest.mark.parametrize("scale", [2, 4])
def test_scale_renders_denser_grids_over_the_same_view(scale: int) -> None:
    gen = tiny_generator()
    z_content, z_motion = latents(gen, 1)
    times = torch.tensor([[0.0, 0.7]])
    with torch.no_grad():
        dense = gen(z_content, z_motion, times, scale=scale)
    assert dense.shape == (1, 2, 3, 16 * scale, 16 * scale)
    assert torch.isfinite(dense).all()


@pytest.mark.parametrize("scale", [2, 3])
def test_a_single_grid_body_at_scale_s_contains_the_base_frame_at_the_shared_points(
    scale: int,
) -> None:
    # With one grid (input_resolution = video side) each pixel is a function of (x, y, t)
    # alone; base pixel (i, j) has x = -1 + 2j/n, y = 1 - 2(i + 1)/n, which the dense grid
    # of side s·n holds at row s(i + 1) - 1 and column s·j.
    gen = tiny_generator(input_resolution=16)
    z_content, z_motion = latents(gen, 1)
    times = torch.tensor([[0.3]])
    with torch.no_grad():
        base = gen(z_content, z_motion, times)
        dense = gen(z_content, z_motion, times, scale=scale)
    torch.testing.assert_close(dense[..., scale - 1 :: scale, ::scale], base,
                               rtol=1e-4, atol=1e-4)


def test_a_128_generator_renders_256_and_512_frames_at_scale_2_and_4() -> None:
    video = VideoSpec(frames=16, height=128, width=128)
    gen = tiny_generator(video=video, input_resolution=32)
    z_content, z_motion = latents(gen, 1)
    times = torch.tensor([[0.25]])
    with torch.no_grad():
        assert gen(z_content, z_motion, times).shape == (1, 1, 3, 128, 128)
        frames_256 = gen(z_content, z_motion, times, scale=2)
        frames_512 = gen(z_content, z_motion, times, scale=4)
    assert frames_256.shape == (1, 1, 3, 256, 256)
    assert frames_512.shape == (1, 1, 3, 512, 512)
    assert torch.isfinite(frames_512).all()


def test_generator_without_z_motion_is_refused_with_the_expected_shape() -> None:
    gen = tiny_generator()
    z_content, _ = latents(gen, 2)
    with pytest.raises(ShapeError, match="z_motion is None, expected `b 8`"):
        gen(z_content, None, torch.zeros(2, 1))


def test_a_non_integer_scale_is_refused() -> None:
    gen = tiny_generator()
    z_content, z_motion = latents(gen, 1)
    with pytest.raises(ValueError, match=re.escape("scale: expected an integer >= 1, got 1.5")):
        gen(z_content, z_motion, torch.zeros(1, 1), scale=1.5)


def test_output_at_init_is_unbounded_not_squashed_to_minus_one_one() -> None:
    gen = tiny_generator()
    z_content, z_motion = latents(gen, 4)
    with torch.no_grad():
        frames = gen(z_content, z_motion, torch.rand(4, 4))
    assert frames.abs().max() > 1.0


def test_tiny_config_is_the_one_the_tests_share() -> None:
    # Guard: the tiny generator really has three scales, so multi-scale paths are tested.
    gen = tiny_generator()
    assert TINY_GENERATOR["input_resolution"] == 4
    assert [b.working_resolution for b in gen.blocks if b.encoder is not None] == [4, 8, 16]
