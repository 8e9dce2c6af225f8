"""DIGAN's discriminators: shapes, the 7-channel motion input, strided minibatch std (docs/reference/digan.md §2)."""

from __future__ import annotations

import pytest
import torch
from inrvid_stylegan2.layers import Conv2dLayer, fir_filter, minibatch_std

from inrvid.base.errors import ShapeError
from tests.digan.helpers import tiny_discriminator


def pairs(batch: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    frames = torch.rand(batch, 2, 3, 16, 16) * 2 - 1
    times = torch.sort(torch.rand(batch, 2), dim=1).values
    return frames, times


def test_image_discriminator_scores_each_frame_into_b_t_logits() -> None:
    disc = tiny_discriminator("digan_image_d")
    frames, times = pairs()
    logits = disc(frames, times)
    assert logits.shape == (4, 2)
    assert disc.trunk.blocks[0].from_rgb.in_channels == 3


def test_image_logits_of_a_frame_match_scoring_the_frames_flattened_b_t() -> None:
    disc = tiny_discriminator("digan_image_d", mbstd_group=0)   # no batch coupling
    frames, times = pairs()
    logits = disc(frames, times)
    flat = disc.trunk(frames.reshape(8, 3, 16, 16)).reshape(4, 2)
    torch.testing.assert_close(logits, flat)


def test_motion_discriminator_input_is_two_frames_then_a_constant_dt_plane() -> None:
    disc = tiny_discriminator("digan_motion_d")
    frames, times = pairs()
    x = disc.build_input(frames, times)
    assert x.shape == (4, 7, 16, 16)
    torch.testing.assert_close(x[:, :3], frames[:, 0])
    torch.testing.assert_close(x[:, 3:6], frames[:, 1])
    dt = times[:, 1] - times[:, 0]
    torch.testing.assert_close(x[:, 6], dt[:, None, None].expand(4, 16, 16))
    assert disc.trunk.blocks[0].from_rgb.in_channels == 7
    assert disc(frames, times).shape == (4, 1)


def test_motion_discriminator_sees_the_time_gap() -> None:
    disc = tiny_discriminator("digan_motion_d")
    frames, _ = pairs()
    near = disc(frames, torch.tensor([[0.0, 0.1]] * 4))
    far = disc(frames, torch.tensor([[0.0, 0.9]] * 4))
    same_gap = disc(frames, torch.tensor([[0.5, 0.6]] * 4))
    assert (near - far).abs().max() > 0
    torch.testing.assert_close(near, same_gap)                 # only Δt matters, not t1


def test_motion_discriminator_without_dt_has_six_input_channels_and_ignores_times() -> None:
    disc = tiny_discriminator("digan_motion_d_no_dt")
    frames, _ = pairs()
    assert disc.build_input(frames, torch.zeros(4, 2)).shape == (4, 6, 16, 16)
    assert disc.trunk.blocks[0].from_rgb.in_channels == 6
    a = disc(frames, torch.tensor([[0.0, 0.1]] * 4))
    b = disc(frames, torch.tensor([[0.0, 0.9]] * 4))
    assert torch.equal(a, b)


def test_motion_discriminator_refuses_anything_but_pairs() -> None:
    disc = tiny_discriminator("digan_motion_d")
    frames = torch.zeros(2, 3, 3, 16, 16)
    with pytest.raises(ShapeError, match="axis 'two' is 3, expected 2"):
        disc(frames, torch.zeros(2, 3))


def test_minibatch_std_groups_are_strided_sample_i_in_group_i_mod_n() -> None:
    x = torch.randn(8, 2, 4, 4)
    out = minibatch_std(x, group_size=4, num_channels=1)
    assert out.shape == (8, 3, 4, 4)
    for group in range(2):                                       # n = 8 / 4 = 2 groups
        members = x[group::2]                                    # samples group, group+2, ...
        expected = (members.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
        torch.testing.assert_close(out[group::2, 2], expected.expand(4, 4, 4))


def test_minibatch_std_uses_the_largest_group_that_divides_the_batch() -> None:
    x = torch.randn(6, 2, 4, 4)
    out = minibatch_std(x, group_size=4, num_channels=1)       # group size 3: 2 groups
    members = x[0::2]
    expected = (members.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
    torch.testing.assert_close(out[0, 2], expected.expand(4, 4))


def test_fir_down_sampling_keeps_a_constant_image_constant_away_from_the_border() -> None:
    torch.manual_seed(0)
    assert torch.equal(fir_filter(), torch.outer(torch.tensor([1., 3, 3, 1]),
                                                 torch.tensor([1., 3, 3, 1])) / 64)
    skip = Conv2dLayer(in_channels=1, out_channels=1, kernel_size=1, bias=False, down=True)
    conv = Conv2dLayer(in_channels=1, out_channels=1, kernel_size=3, bias=False, down=True)
    x = torch.ones(1, 1, 16, 16)
    y = skip(x)
    assert y.shape == conv(x).shape == (1, 1, 8, 8)
    torch.testing.assert_close(y[..., 1:-1, 1:-1], torch.full((1, 1, 6, 6), skip.weight.detach().item()))
