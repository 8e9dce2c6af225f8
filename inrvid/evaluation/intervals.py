"""Means over seeds with Student-t confidence intervals, and differences of two means (Welch).

With n values the interval of the mean is mean ± t(1 - α/2, n - 1) · s / √n (s the sample
standard deviation); one value has no interval (its bounds are nan). The difference of two
means uses Welch's standard error and Welch–Satterthwaite degrees of freedom, so the two
groups need not share a variance. Two seeds give t(0.975, 1) ≈ 12.7: wide intervals are the
honest answer to few repeats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean (or difference of means) with its confidence bounds and the counts behind it."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width (nan without an interval)."""
        return (self.high - self.low) / 2

    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of 0 (False without an interval)."""
        return self.low > 0 or self.high < 0


def _quantile(df: float, level: float) -> float:
    return float(stats.t.ppf(0.5 + level / 2, df))


def mean_interval(values: Sequence[float], level: float = LEVEL) -> Interval:
    """The mean of `values` and its t-interval (nan bounds for fewer than two values)."""
    n = len(values)
    if n == 0:
        raise ValueError("mean_interval needs at least one value")
    mean = math.fsum(values) / n
    if n < 2:
        return Interval(mean, math.nan, math.nan, n)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = _quantile(n - 1, level) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def difference_interval(
    values: Sequence[float], reference: Sequence[float], level: float = LEVEL
) -> Interval:
    """mean(values) - mean(reference) with Welch's t-interval (nan bounds if either n < 2)."""
    a, b = mean_interval(values, level), mean_interval(reference, level)
    diff = a.mean - b.mean
    n = min(a.n, b.n)
    if a.n < 2 or b.n < 2:
        return Interval(diff, math.nan, math.nan, n)
    va = math.fsum((v - a.mean) ** 2 for v in values) / (a.n - 1) / a.n
    vb = math.fsum((v - b.mean) ** 2 for v in reference) / (b.n - 1) / b.n
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(diff, diff, diff, n)
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    half = _quantile(df, level) * se
    return Interval(diff, diff - half, diff + half, n)
