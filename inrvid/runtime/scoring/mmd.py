"""Unbiased squared MMD with the polynomial kernel: KVD on I3D logits, KID on Inception features.

k(x, y) = (γ·⟨x, y⟩ + c)^p with p = 3, γ = 1/d, c = 1 (scikit-learn's defaults, which DIGAN and
TATS use). The estimator (docs/reference/metrics.md §2), X = fake (m), Y = real (n):

    MMD²_u = [ΣK_XX − tr K_XX] / (m(m−1)) + [ΣK_YY − tr K_YY] / (n(n−1)) − 2·ΣK_XY / (m·n)

It can be negative. DIGAN/TATS use the whole sets once; the image KID convention averages
the estimator over random subsets.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def _as_features(x: ArrayLike, what: str) -> Array:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{what}: got shape {arr.shape}, expected 'n d'")
    if arr.shape[0] < 2:
        raise ValueError(f"{what}: got {arr.shape[0]} samples, expected at least 2")
    return arr


def polynomial_kernel(
    x: ArrayLike,
    y: ArrayLike,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
) -> Array:
    """Kernel matrix `n m` of (γ·⟨x, y⟩ + c)^p for `x n d`, `y m d`; γ = 1/d when None."""
    xa, ya = np.asarray(x, np.float64), np.asarray(y, np.float64)
    scale = 1.0 / xa.shape[1] if gamma is None else gamma
    return (xa @ ya.T * scale + coef0) ** degree                          # n m


def mmd2_unbiased(
    x: ArrayLike, y: ArrayLike, degree: int = 3, gamma: float | None = None, coef0: float = 1.0
) -> float:
    """Unbiased MMD² between feature sets `x m d` (fake) and `y n d` (real); may be negative."""
    xa, ya = _as_features(x, "x"), _as_features(y, "y")
    if xa.shape[1] != ya.shape[1]:
        raise ValueError(f"features: got {xa.shape[1]} and {ya.shape[1]} dims, expected equal")
    m, n = xa.shape[0], ya.shape[0]
    k_xx = polynomial_kernel(xa, xa, degree, gamma, coef0)               # m m
    k_yy = polynomial_kernel(ya, ya, degree, gamma, coef0)               # n n
    k_xy = polynomial_kernel(xa, ya, degree, gamma, coef0)               # m n
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * k_xy.sum() / (m * n))


def kernel_distance(
    x: ArrayLike,
    y: ArrayLike,
    subsets: int = 0,
    subset_size: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """(mean, std) of the unbiased MMD² over `subsets` random subsets; 0 subsets: whole sets.

    Each subset takes min(subset_size, m) fake and min(subset_size, n) real samples without
    replacement (Bińkowski et al.; torch-fidelity's KID). With 0 subsets the std is 0.
    """
    xa, ya = _as_features(x, "x"), _as_features(y, "y")
    if subsets < 0:
        raise ValueError(f"subsets: got {subsets}, expected >= 0")
    if subsets == 0:
        return mmd2_unbiased(xa, ya), 0.0
    rng = np.random.default_rng(seed)
    size_x, size_y = min(subset_size, xa.shape[0]), min(subset_size, ya.shape[0])
    values = [
        mmd2_unbiased(
            xa[rng.choice(xa.shape[0], size_x, replace=False)],
            ya[rng.choice(ya.shape[0], size_y, replace=False)],
        )
        for _ in range(subsets)
    ]
    return float(np.mean(values)), float(np.std(values))
