"""Fréchet distance between Gaussians fitted to feature sets (FVD, FID), in float64.

FD = ‖μ_r − μ_g‖² + tr Σ_r + tr Σ_g − 2·tr((Σ_r Σ_g)^{1/2}) (docs/reference/metrics.md §1.5).
Only the trace of the matrix root is needed; three equivalent ways to get it are offered:

- `"eigh"` (primary): S = Σ_r^{1/2} from a symmetric eigendecomposition, M = S Σ_g S, and the
  trace is Σ sqrt(λ_i(M)). Symmetric matrices throughout, so no complex round-off.
- `"sqrtm"`: `scipy.linalg.sqrtm(Σ_r Σ_g)` with the TTUR guard (ε·I on a non-finite result,
  an error if the root has a large imaginary diagonal). The cross-check path.
- `"eigvals"`: the square roots of the eigenvalues of the non-symmetric product.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
CovarianceDivisor = Literal["n-1", "n"]
TraceSqrtMethod = Literal["eigh", "sqrtm", "eigvals"]


def ddof_of(divisor: CovarianceDivisor) -> int:
    """Delta degrees of freedom of a covariance divisor name: "n-1" -> 1, "n" -> 0."""
    if divisor not in ("n-1", "n"):
        raise ValueError(f"covariance divisor: got {divisor!r}, expected 'n-1' or 'n'")
    return 1 if divisor == "n-1" else 0


def feature_statistics(
    features: ArrayLike, divisor: CovarianceDivisor = "n-1"
) -> tuple[Array, Array]:
    """Mean `d` and covariance `d d` of features `n d`, in float64; the input is not modified.

    `divisor` is "n-1" (np.cov, DIGAN, TATS, torch-fidelity) or "n" (StyleGAN-V).
    """
    x = np.array(features, dtype=np.float64, copy=True)                  # n d
    if x.ndim != 2:
        raise ValueError(f"features: got shape {x.shape}, expected 'n d'")
    ddof = ddof_of(divisor)
    if x.shape[0] - ddof <= 0:
        raise ValueError(
            f"features: got {x.shape[0]} samples, expected more than {ddof} for divisor {divisor}"
        )
    mu = x.mean(axis=0)                                                  # d
    centred = x - mu                                                     # n d
    sigma = centred.T @ centred / (x.shape[0] - ddof)                    # d d
    return mu, sigma


def _psd_sqrt(sigma: Array) -> Array:
    """Symmetric square root of a symmetric PSD matrix; negative eigenvalues count as 0."""
    eigvals, eigvecs = np.linalg.eigh((sigma + sigma.T) / 2)
    root = np.sqrt(np.clip(eigvals, 0.0, None))
    return (eigvecs * root) @ eigvecs.T


def trace_sqrt_product_eigh(sigma1: Array, sigma2: Array) -> float:
    """tr((Σ1 Σ2)^{1/2}) as Σ sqrt(λ(S Σ2 S)) with S = Σ1^{1/2} (symmetric path)."""
    s = _psd_sqrt(sigma1)
    m = s @ sigma2 @ s
    eigvals = np.linalg.eigvalsh((m + m.T) / 2)
    return float(np.sqrt(np.clip(eigvals, 0.0, None)).sum())


def trace_sqrt_product_sqrtm(sigma1: Array, sigma2: Array, eps: float = 1e-6) -> float:
    """tr((Σ1 Σ2)^{1/2}) with `scipy.linalg.sqrtm`, guarded as in the TTUR reference code.

    A non-finite root is retried with ε·I added to both covariances; an imaginary diagonal
    larger than 1e-3 is an error (the product is then far from PSD).
    """
    import scipy.linalg  # here, not at the top: `inrvid plugins` loads this module, not scipy

    root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(root).all():
        offset = np.eye(sigma1.shape[0]) * eps
        root = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(root):
        imaginary = np.abs(np.diagonal(root).imag).max()
        if imaginary > 1e-3:
            raise ValueError(
                f"sqrtm of the covariance product has an imaginary diagonal of {imaginary:.3g}, "
                "expected < 1e-3; the covariances are not positive semi-definite"
            )
        root = root.real
    return float(np.trace(root))


def trace_sqrt_product_eigvals(sigma1: Array, sigma2: Array) -> float:
    """tr((Σ1 Σ2)^{1/2}) as the sum of the real parts of sqrt(eigenvalues of Σ1 Σ2)."""
    eigvals = np.linalg.eigvals(sigma1 @ sigma2).astype(np.complex128)
    return float(np.sqrt(eigvals).real.sum())


_TRACE_SQRT = {
    "eigh": trace_sqrt_product_eigh,
    "sqrtm": trace_sqrt_product_sqrtm,
    "eigvals": trace_sqrt_product_eigvals,
}


def frechet_distance(
    mu1: ArrayLike,
    sigma1: ArrayLike,
    mu2: ArrayLike,
    sigma2: ArrayLike,
    method: TraceSqrtMethod = "eigh",
) -> float:
    """Fréchet distance between N(μ1, Σ1) and N(μ2, Σ2); `method` picks the trace-root path.

    Negative values of round-off size are returned as they are, never clipped (§6 F6).
    """
    m1, m2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)       # d, d
    s1, s2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)  # d d, d d
    if m1.ndim != 1 or m1.shape != m2.shape:
        raise ValueError(f"means: got shapes {m1.shape} and {m2.shape}, expected equal 'd'")
    d = m1.shape[0]
    if s1.shape != (d, d) or s2.shape != (d, d):
        raise ValueError(f"covariances: got {s1.shape} and {s2.shape}, expected ({d}, {d})")
    if method not in _TRACE_SQRT:
        raise ValueError(f"method: got {method!r}, expected one of {sorted(_TRACE_SQRT)}")
    diff = m1 - m2
    trace_root = _TRACE_SQRT[method](s1, s2)
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_root)


def frechet_distance_of_features(
    features1: ArrayLike,
    features2: ArrayLike,
    divisor: CovarianceDivisor = "n-1",
    method: TraceSqrtMethod = "eigh",
) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets `n1 d` and `n2 d`."""
    mu1, sigma1 = feature_statistics(features1, divisor)
    mu2, sigma2 = feature_statistics(features2, divisor)
    return frechet_distance(mu1, sigma1, mu2, sigma2, method)
