import torch

from inrvid.base.pixels import centre_crop_resize, to_uint8
from inrvid.runtime.scoring.preprocess import (
    resize_short_side_crop,
    resize_tf1_legacy,
    to_unit_range,
)


def test_uint8_cast_rounds_half_up_by_default_and_truncates_for_digan():
    x = torch.tensor([-1.0, 0.0, 1.0, 2 / 255 - 1 + 1e-4, 3.0])
    assert to_uint8(x).tolist() == [0, 128, 255, 1, 255]
    assert to_uint8(x, truncate=True).tolist() == [0, 127, 255, 1, 255]


def test_unit_range_maps_0_and_255_to_minus_one_and_one():
    assert to_unit_range(torch.tensor([0, 255], dtype=torch.uint8)).tolist() == [-1.0, 1.0]


def test_short_side_resize_keeps_aspect_and_crops_the_centre():
    frames = torch.rand(2, 3, 240, 320)
    assert resize_short_side_crop(frames, 224).shape == (2, 3, 224, 224)
    assert resize_short_side_crop(torch.rand(1, 3, 128, 128), 224).shape == (1, 3, 224, 224)


def test_tf1_legacy_resize_maps_output_i_to_input_i_times_scale():
    row = torch.arange(4.0).view(1, 1, 1, 4).expand(1, 1, 4, 4)
    out = resize_tf1_legacy(row, 4, 8)
    assert out[0, 0, 0].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.0]


def test_bring_to_resolution_crops_square_and_resizes():
    frames = torch.randint(0, 256, (3, 3, 60, 80), dtype=torch.uint8)
    out = centre_crop_resize(frames, 32, truncate=True)
    assert out.shape == (3, 3, 32, 32) and out.dtype == torch.uint8
    assert centre_crop_resize(out, 32) is out
