"""Frame fidelity against the truth: PSNR and SSIM (Gaussian window 11, sigma 1.5).

Both take float frames `n c h w` in [0, 1] (`data_range` otherwise) and return one value per
frame `n`. SSIM follows Wang et al. 2004: local means, variances and covariance under a
normalised Gaussian window (valid positions only), constants C1 = (0.01 L)^2 and
C2 = (0.03 L)^2, the SSIM map averaged over positions and channels.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange, repeat
from torch import Tensor

from inrvid.base.tensor import expect_shape

SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def psnr(prediction: Tensor, truth: Tensor, data_range: float = 1.0) -> Tensor:
    """Peak signal-to-noise ratio in dB per frame: `n c h w` twice -> `n` (inf where equal)."""
    expect_shape(truth, "n c h w", **_sizes(prediction))
    mse = (prediction.double() - truth.double()).square().flatten(1).mean(dim=1)  # n
    return (10 * torch.log10(data_range**2 / mse)).float()


def gaussian_window(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> Tensor:
    """A normalised 2-D Gaussian window `size size` (float64)."""
    x = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    g = g / g.sum()
    return g[:, None] * g[None, :]


def ssim(
    prediction: Tensor,
    truth: Tensor,
    data_range: float = 1.0,
    window: int = SSIM_WINDOW,
    sigma: float = SSIM_SIGMA,
) -> Tensor:
    """Structural similarity per frame: `n c h w` twice -> `n` (1 for identical frames).

    Frames smaller than the window are compared with a window as large as the frame.
    """
    sizes = expect_shape(prediction, "n c h w")
    expect_shape(truth, "n c h w", **sizes)
    size = min(window, sizes["h"], sizes["w"])
    kernel = repeat(gaussian_window(size, sigma), "h w -> c 1 h w", c=sizes["c"])  # c 1 k k
    x, y = prediction.double(), truth.double()

    def blur(image: Tensor) -> Tensor:
        return F.conv2d(image, kernel, groups=sizes["c"])                           # n c h' w'

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    luminance = (2 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1)
    structure = (2 * cov + c2) / (var_x + var_y + c2)
    ssim_map = luminance * structure                                                 # n c h' w'
    return rearrange(ssim_map, "n c h w -> n (c h w)").mean(dim=1).float()           # n


def mean_finite(values: Tensor) -> float:
    """The mean of the finite entries (identical frames give PSNR inf); nan if none."""
    finite = values[torch.isfinite(values)]
    return float(finite.mean()) if finite.numel() else math.nan


def _sizes(x: Tensor) -> dict[str, int]:
    return expect_shape(x, "n c h w")
