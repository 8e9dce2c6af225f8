"""Video Inception Score with the UCF-101 C3D classifier."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from inrvid.components.registry import BuildContext
from inrvid.runtime.scoring.inception_score import inception_score
from inrvid_metrics.base import FeatureMetric, Features, VideoMetricConfig
from inrvid_metrics.c3d import C3D_FRAMES
from inrvid_metrics.extractors import C3DProbabilities
from inrvid_metrics.weights import C3D_WEIGHTS


class InceptionScoreConfig(VideoMetricConfig):
    """Inception Score options (16-frame clips: the C3D needs exactly 16)."""

    weights_path: str | None = Field(
        None,
        description="C3D weight file (c3d_ucf101_state_dict.pt or StyleGAN-V's c3d_ucf101.pt); "
        "None: $INRVID_C3D_WEIGHTS, then the file in $INRVID_WEIGHTS_DIR or "
        "~/.cache/inrvid/weights",
    )
    splits: int | None = Field(
        None, gt=0, description="splits per trial; None: the protocol's (TGANv2 1, StyleGAN-V 10)"
    )

    @model_validator(mode="after")
    def _sixteen_frames(self) -> InceptionScoreConfig:
        frames = self.resolved_protocol().frames
        if frames != C3D_FRAMES:
            raise ValueError(
                f"the C3D classifier takes {C3D_FRAMES}-frame clips, got frames={frames}"
            )
        return self

    def protocol_overrides(self) -> dict[str, Any]:
        """Counts and splits."""
        changes = super().protocol_overrides()
        if self.splits is not None:
            changes["is_splits"] = self.splits
        return changes


class InceptionScore(FeatureMetric):
    """IS = exp(E KL(p(y|x) ‖ p(y))) of generated clips under the UCF-101 C3D; needs no real."""

    metric_name = "inception_score"
    spec = C3D_WEIGHTS
    extractor_type = C3DProbabilities
    higher_is_better = True
    needs_real = False

    def __init__(self, cfg: InceptionScoreConfig, ctx: BuildContext) -> None:
        super().__init__(cfg, ctx)
        self.cfg = cfg

    def score(self, fake: Features, real: Features | None, trial: int) -> dict[str, float]:
        """`is` of one trial (mean over splits) and its std over splits."""
        mean, std = inception_score(fake, self.protocol.is_splits)
        return {"is": mean, "is_std": std}
