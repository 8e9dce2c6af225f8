"""StyleGAN-V's discriminator: sparse frames fused across time and projected on their gaps."""

from __future__ import annotations

import pytest
import torch

from inrvid.base.errors import ShapeError
from tests.stylegan_v.helpers import TINY_VIDEO, tiny_discriminator

FRAME = 1 / (TINY_VIDEO.frames - 1)


def frames(seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(4, 3, 3, 16, 16, generator=gen) * 2 - 1


def test_logits_depend_on_the_gaps_between_times_not_on_where_they_start() -> None:
    d = tiny_discriminator()
    x = frames()
    times = torch.tensor([[0.0, 2.0, 6.0]] * 4) * FRAME
    with torch.no_grad():
        logits = d(x, times)
        shifted = d(x, times + 5 * FRAME)
        other_gap = d(x, torch.tensor([[0.0, 1.0, 6.0]] * 4) * FRAME)
    assert logits.shape == (4, 1)
    assert torch.allclose(logits, shifted, atol=1e-6)
    assert not torch.allclose(logits, other_gap, atol=1e-4)


def test_the_frames_are_fused_in_time_order() -> None:
    d = tiny_discriminator()
    x = frames()
    times = torch.tensor([[0.0, 2.0, 4.0]] * 4) * FRAME
    with torch.no_grad():
        assert not torch.allclose(d(x, times), d(x.flip(1), times), atol=1e-4)


def test_a_gap_beyond_the_table_is_refused_naming_the_option() -> None:
    d = tiny_discriminator(max_gap_frames=4)
    times = torch.tensor([[0.0, 1.0, 9.0]] * 4) * FRAME
    with pytest.raises(ShapeError, match=r"(?s)gaps from 1 to 8, expected .* \[0, 4\).*max_gap_frames"):
        d(frames(), times)


def test_a_fusion_resolution_at_the_input_size_is_refused() -> None:
    with pytest.raises(ShapeError, match=r"fuse_resolution: got 16, expected a power of two in"):
        tiny_discriminator(fuse_resolution=16)


def test_the_four_highest_resolution_blocks_may_run_in_reduced_precision() -> None:
    d = tiny_discriminator(reduced_precision_blocks=1)
    assert d.reduced_precision_blocks() == ["b16"]
    x, times = frames(), torch.tensor([[0.0, 2.0, 6.0]] * 4) * FRAME
    with torch.no_grad():
        full = d(x, times)
        d.set_reduced_precision(torch.bfloat16)
        reduced = d(x, times)
    assert d.frame_blocks[0].compute_dtype == torch.bfloat16
    assert reduced.dtype == torch.float32
    assert not torch.equal(full, reduced)
    assert torch.allclose(full, reduced, atol=0.05 * float(full.abs().max()) + 1e-3)
