"""PSNR and SSIM against closed forms."""

from __future__ import annotations

import math

import pytest
import torch

from inrvid.generation.quality import gaussian_window, mean_finite, psnr, ssim


def test_ssim_of_identical_images_is_one():
    x = torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(ssim(x, x), torch.ones(3))


def test_ssim_of_two_constant_images_is_the_luminance_term():
    # constant images: zero variances and covariance, so SSIM = (2ab + C1) / (a^2 + b^2 + C1)
    a, b = 0.2, 0.7
    c1 = (0.01 * 1.0) ** 2
    expected = (2 * a * b + c1) / (a * a + b * b + c1)
    got = ssim(torch.full((1, 3, 16, 16), a), torch.full((1, 3, 16, 16), b))
    assert float(got[0]) == pytest.approx(expected, rel=1e-6)


def test_ssim_is_symmetric_and_falls_with_noise():
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(1, 3, 24, 24, generator=gen)
    noise = torch.randn(1, 3, 24, 24, generator=gen)
    slight, heavy = (x + 0.02 * noise).clamp(0, 1), (x + 0.3 * noise).clamp(0, 1)
    assert float(ssim(x, slight)[0]) == pytest.approx(float(ssim(slight, x)[0]), abs=1e-6)
    assert 1 > float(ssim(x, slight)[0]) > float(ssim(x, heavy)[0])


def test_gaussian_window_is_normalised_with_sigma_1_5():
    g = gaussian_window()
    assert g.shape == (11, 11) and float(g.sum()) == pytest.approx(1.0)
    # ratio of the centre to its neighbour: exp(1 / (2 sigma^2)) per axis
    assert float(g[5, 5] / g[5, 6]) == pytest.approx(math.exp(1 / (2 * 1.5**2)))


def test_psnr_of_a_uniform_error_is_ten_log_of_one_over_its_square():
    x = torch.full((2, 3, 8, 8), 0.5)
    got = psnr(x + 0.1, x)
    torch.testing.assert_close(got, torch.full((2,), 10 * math.log10(1 / 0.01)))
    assert math.isinf(float(psnr(x, x)[0]))
    assert mean_finite(torch.tensor([math.inf, 20.0, 30.0])) == 25.0
