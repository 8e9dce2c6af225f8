"""FVD and KVD: Fréchet distance and polynomial-kernel MMD on I3D Kinetics-400 logits."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from inrvid.runtime.scoring.frechet import CovarianceDivisor, frechet_distance_of_features
from inrvid.runtime.scoring.mmd import kernel_distance
from inrvid_metrics.base import FeatureMetric, Features, VideoMetricConfig
from inrvid_metrics.extractors import FeatureExtractor, I3DFeatures
from inrvid_metrics.weights import I3D_WEIGHTS

_I3D_WEIGHTS_HELP = (
    "I3D weight file (i3d_pretrained_400.pt state dict or i3d_torchscript.pt); None: "
    "$INRVID_I3D_WEIGHTS, then the file in $INRVID_WEIGHTS_DIR or ~/.cache/inrvid/weights"
)
_CACHE_HELP = "reuse real features cached in $INRVID_CACHE (default ~/.cache/inrvid/features)"


class I3DMetric(FeatureMetric):
    """A metric on I3D logits, fed as the protocol's `feature_resize` says."""

    spec = I3D_WEIGHTS
    extractor_type = I3DFeatures

    def make_extractor(self) -> FeatureExtractor:
        """The I3D with the protocol's resize to 224."""
        return I3DFeatures(self.weights, self.device, self.protocol.feature_resize)


class FVDConfig(VideoMetricConfig):
    """Fréchet Video Distance options."""

    weights_path: str | None = Field(None, description=_I3D_WEIGHTS_HELP)
    cache_real: bool = Field(True, description=_CACHE_HELP)
    covariance_divisor: CovarianceDivisor | None = Field(
        None, description="covariance normalisation, n-1 or n; None: the protocol's"
    )
    report_kvd: bool = Field(
        False, description="also report KVD on the same embeddings (as DIGAN prints both)"
    )

    def protocol_overrides(self) -> dict[str, Any]:
        """Counts and the covariance divisor."""
        changes = super().protocol_overrides()
        if self.covariance_divisor is not None:
            changes["covariance_divisor"] = self.covariance_divisor
        return changes


class FVD(I3DMetric):
    """FVD: Fréchet distance between Gaussians fitted to real and fake I3D logits."""

    metric_name = "fvd"

    def score(self, fake: Features, real: Features | None, trial: int) -> dict[str, float]:
        """`fvd` (and `kvd` with `report_kvd`) of one trial."""
        assert real is not None
        out = {"fvd": frechet_distance_of_features(fake, real, self.protocol.covariance_divisor)}
        if self.cfg.report_kvd:
            out["kvd"], _ = kernel_distance(
                fake, real, self.protocol.kvd_subsets, self.protocol.kvd_subset_size,
                seed=self.protocol.seed + trial,
            )
        return out


class KVDConfig(VideoMetricConfig):
    """Kernel Video Distance options."""

    weights_path: str | None = Field(None, description=_I3D_WEIGHTS_HELP)
    cache_real: bool = Field(True, description=_CACHE_HELP)
    subsets: int | None = Field(
        None, ge=0, description="random subsets to average; 0: whole sets; None: the protocol's"
    )
    subset_size: int | None = Field(
        None, gt=1, description="samples per subset; None: the protocol's"
    )

    def protocol_overrides(self) -> dict[str, Any]:
        """Counts and the subset scheme."""
        changes = super().protocol_overrides()
        if self.subsets is not None:
            changes["kvd_subsets"] = self.subsets
        if self.subset_size is not None:
            changes["kvd_subset_size"] = self.subset_size
        return changes


class KVD(I3DMetric):
    """KVD: unbiased cubic-polynomial-kernel MMD² between real and fake I3D logits (raw, ×1)."""

    metric_name = "kvd"

    def score(self, fake: Features, real: Features | None, trial: int) -> dict[str, float]:
        """`kvd` of one trial, with the std over subsets when subsets are used."""
        assert real is not None
        mean, std = kernel_distance(
            fake, real, self.protocol.kvd_subsets, self.protocol.kvd_subset_size,
            seed=self.protocol.seed + trial,
        )
        return {"kvd": mean, "kvd_std": std}
