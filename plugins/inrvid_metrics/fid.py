"""Frame FID: Fréchet distance on Inception-v3 pool features of every frame of the clips."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from inrvid.runtime.scoring.frechet import CovarianceDivisor, frechet_distance_of_features
from inrvid_metrics.base import FeatureMetric, Features, VideoMetricConfig
from inrvid_metrics.extractors import InceptionFeatures
from inrvid_metrics.weights import INCEPTION_WEIGHTS


class FIDConfig(VideoMetricConfig):
    """Frame FID options."""

    weights_path: str | None = Field(
        None,
        description="Inception weight file (pt_inception-2015-12-05-6726825d.pth state dict or "
        "inception-2015-12-05.pt TorchScript); None: $INRVID_INCEPTION_WEIGHTS, then the file "
        "in $INRVID_WEIGHTS_DIR or ~/.cache/inrvid/weights",
    )
    cache_real: bool = Field(
        True, description="reuse real features cached in $INRVID_CACHE"
    )
    covariance_divisor: CovarianceDivisor | None = Field(
        None, description="covariance normalisation, n-1 or n; None: the protocol's"
    )

    def protocol_overrides(self) -> dict[str, Any]:
        """Counts and the covariance divisor."""
        changes = super().protocol_overrides()
        if self.covariance_divisor is not None:
            changes["covariance_divisor"] = self.covariance_divisor
        return changes


class FID(FeatureMetric):
    """FID over frames: every frame of every clip is one image; an image-quality diagnostic."""

    metric_name = "fid"
    spec = INCEPTION_WEIGHTS
    extractor_type = InceptionFeatures

    def score(self, fake: Features, real: Features | None, trial: int) -> dict[str, float]:
        """`fid` of one trial."""
        assert real is not None
        return {"fid": frechet_distance_of_features(fake, real, self.protocol.covariance_divisor)}
