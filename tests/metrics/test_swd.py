import pytest
import torch

from inrvid.base.errors import DataError
from inrvid.runtime.scoring.swd import laplacian_pyramid, swd_of_descriptors, video_swd


def _videos(seed, n=6, t=4, size=32):
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 1, 3, size, size, generator=g) * 1.6 - 0.8
    drift = torch.linspace(0, 0.2, t).view(1, t, 1, 1, 1)
    return (base + drift + 0.05 * torch.randn(n, t, 3, size, size, generator=g)).clamp(-1, 1)


def test_swd_of_a_set_against_itself_is_zero():
    x = _videos(0)
    out = video_swd(x, x, directions=128, repeats=2)
    assert out["swd"] == 0.0 and out["swd_motion"] == 0.0


def test_swd_grows_with_a_distribution_shift():
    real, other = _videos(0), _videos(1)
    same_law = video_swd(other, real, directions=128, repeats=2)["swd"]
    shifted = video_swd((other + 0.4).clamp(-1, 1), real, directions=128, repeats=2)["swd"]
    more_shifted = video_swd((other + 0.8).clamp(-1, 1), real, directions=128, repeats=2)["swd"]
    assert 0 < same_law < shifted < more_shifted


def test_motion_swd_grows_far_more_than_frame_swd_when_videos_freeze():
    real, other = _videos(0, t=6), _videos(1, t=6)
    frozen = other[:, :1].expand_as(other)
    same_law = video_swd(other, real, directions=128, repeats=2)
    still = video_swd(frozen, real, directions=128, repeats=2)
    assert still["swd_motion"] > 5 * same_law["swd_motion"]
    assert still["swd_motion"] / same_law["swd_motion"] > 2 * still["swd"] / same_law["swd"]


def test_pyramid_has_band_levels_down_to_the_minimum_size():
    levels = laplacian_pyramid(torch.zeros(2, 3, 64, 64), min_size=16)
    assert [lv.shape[-1] for lv in levels] == [64, 32, 16]


def test_videos_of_different_sizes_are_a_clear_error_naming_the_resolution_option():
    fake = {16: torch.zeros(4, 3 * 49), 32: torch.zeros(4, 3 * 49)}
    real = {**fake, 18: torch.zeros(4, 3 * 49)}
    with pytest.raises(DataError, match=r"differ in size\n.*swd.resolution="):
        swd_of_descriptors(fake, real, channels=3)
