"""Inception Score of class probabilities: exp(E_x KL(p(y|x) ‖ p(y))), per split.

p(y) is the mean of p(y|x) over the split. 0·log 0 is taken as 0 explicitly, so exact zeros
(one-hot rows) give finite scores (docs/reference/metrics.md §3).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def inception_score(probs: ArrayLike, splits: int = 1) -> tuple[float, float]:
    """(mean, population std) of the score over `splits` consecutive splits of `probs n k`.

    Rows must be probability vectors (non-negative, summing to 1 within 1e-3). Split i holds
    rows i·n//splits up to (i+1)·n//splits.
    """
    p = np.asarray(probs, dtype=np.float64)                              # n k
    if p.ndim != 2:
        raise ValueError(f"probs: got shape {p.shape}, expected 'n k'")
    n = p.shape[0]
    if not 1 <= splits <= n:
        raise ValueError(f"splits: got {splits}, expected between 1 and the {n} rows")
    if (p < 0).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probs: rows must be non-negative and sum to 1 (softmax outputs)")
    scores = []
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]                # n_i k
        marginal = part.mean(axis=0, keepdims=True)                      # 1 k
        ratio = np.divide(part, marginal, out=np.ones_like(part), where=part > 0)
        kl = (part * np.log(ratio)).sum(axis=1)                          # n_i; 0 log 0 = 0
        scores.append(float(np.exp(kl.mean())))
    return float(np.mean(scores)), float(np.std(scores))
