"""Pure metric math and evaluation plumbing: no feature networks, no plug-in imports.

Fréchet distance (`frechet`), polynomial-kernel MMD (`mmd`), Inception Score
(`inception_score`), patch SWD (`swd`), pixel conventions (`preprocess`), protocol presets
(`protocols`), the real-feature cache (`cache`) and video sources (`sources`).
"""

from __future__ import annotations

from inrvid.runtime.scoring.cache import FeatureCache, feature_key
from inrvid.runtime.scoring.frechet import (
    feature_statistics,
    frechet_distance,
    frechet_distance_of_features,
)
from inrvid.runtime.scoring.inception_score import inception_score
from inrvid.runtime.scoring.mmd import kernel_distance, mmd2_unbiased, polynomial_kernel
from inrvid.runtime.scoring.protocols import PROTOCOLS, EvalProtocol, get_protocol
from inrvid.runtime.scoring.swd import video_swd

__all__ = [
    "PROTOCOLS",
    "EvalProtocol",
    "FeatureCache",
    "feature_key",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_of_features",
    "get_protocol",
    "inception_score",
    "kernel_distance",
    "mmd2_unbiased",
    "polynomial_kernel",
    "video_swd",
]
