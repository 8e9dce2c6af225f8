"""One arithmetic for uint8 casts, crop-and-resize, clip times and device choice."""

from __future__ import annotations

import torch

from inrvid.base.pixels import centre_crop_resize, to_uint8
from inrvid.base.tensor import pick_device
from inrvid.base.time_axis import clip_times, index_times


def test_the_uint8_cast_rounds_half_up_in_any_value_range_and_truncates_on_request():
    unit = torch.tensor([0.0, 0.5, 1.0, 0.1 / 255, 1.5 / 255])
    assert to_uint8(unit, value_range=(0.0, 1.0)).tolist() == [0, 128, 255, 0, 2]
    assert to_uint8(unit, value_range=(0.0, 1.0), truncate=True).tolist() == [0, 127, 255, 0, 1]
    # StyleGAN-V's floor(127.5 x + 128) and DIGAN's floor(127.5 (x + 1)), to the bit
    x = torch.linspace(-1, 1, 10_001)
    assert torch.equal(to_uint8(x), (127.5 * x + 128).floor().clamp(0, 255).to(torch.uint8))
    assert torch.equal(to_uint8(x, truncate=True), (127.5 * (x + 1)).floor().to(torch.uint8))
    frames = torch.randint(0, 256, (2, 3, 4, 4), dtype=torch.uint8)
    assert to_uint8(frames) is frames


def test_halving_a_square_averages_each_2x2_block_rounded_half_up():
    block = torch.tensor([[0, 1], [4, 5]], dtype=torch.uint8)          # mean 2.5
    frames = block.repeat(3, 3).expand(1, 3, 6, 6)                     # 1 c 6 6, blocks of 2x2
    half = centre_crop_resize(frames, 3)
    assert half.dtype == torch.uint8 and half.shape == (1, 3, 3, 3)
    assert half.unique().tolist() == [3]                                # 2.5 rounds up
    assert centre_crop_resize(frames, 3, truncate=True).unique().tolist() == [2]


def test_crop_takes_the_centred_square_of_wide_and_tall_frames():
    wide = torch.arange(4 * 8, dtype=torch.uint8).view(1, 1, 4, 8).expand(1, 3, 4, 8)
    assert torch.equal(centre_crop_resize(wide, 4), wide[..., 2:6])
    tall = wide.transpose(-1, -2)
    assert torch.equal(centre_crop_resize(tall, 4), tall[..., 2:6, :])


def test_clip_times_are_k_over_f_minus_1_in_the_dtype_asked():
    assert clip_times(5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert clip_times(16, torch.float64).dtype == torch.float64
    assert float(index_times([30], 16)) == 2.0                         # past the clip: t > 1
    assert index_times(torch.tensor([[0, 3]]), 4).tolist() == [[0.0, 1.0]]


def test_auto_device_is_cuda_only_when_available_and_named_devices_are_kept():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device("auto").type == expected
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("cuda:1") == torch.device("cuda", 1)
