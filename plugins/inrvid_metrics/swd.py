"""SWD metric: multi-scale patch sliced Wasserstein distance on frames and on motion."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from inrvid.base.errors import DataError
from inrvid.components.metric import Metric, VideoSource
from inrvid.components.registry import BuildContext
from inrvid.runtime.scoring.preprocess import to_unit_range
from inrvid.runtime.scoring.swd import VideoDescriptors, video_swd_of_descriptors
from inrvid_metrics.base import VideoMetricConfig, aggregate_trials, read_clips


class SWDConfig(VideoMetricConfig):
    """SWD options; the construction is documented in `inrvid.runtime.scoring.swd`."""

    patches_per_frame: int = Field(8, gt=0, description="random patches per frame and level")
    patch_size: int = Field(7, gt=0, description="side of the square patches, in pixels")
    min_size: int = Field(16, gt=0, description="smallest pyramid level, in pixels")
    directions: int = Field(512, gt=0, description="random projection directions per repeat")
    repeats: int = Field(4, gt=0, description="repeats of the random directions")


class SWD(Metric):
    """SWD ×1e3 of frames (`swd`) and frame differences (`swd_motion`); no weights needed."""

    def __init__(self, cfg: SWDConfig, ctx: BuildContext) -> None:
        self.cfg = cfg
        self.protocol = cfg.resolved_protocol()
        self.device = ctx.device
        self.videos_used: dict[str, int] = {}

    def _descriptors(
        self, source: VideoSource, count: int, seed: int, role: str
    ) -> VideoDescriptors:
        """Patch descriptors of up to `count` clips of `source`."""
        desc = VideoDescriptors(
            self.cfg.patches_per_frame, self.cfg.patch_size, self.cfg.min_size, seed
        )
        used = 0
        for batch in read_clips(source, count, self.protocol, self.cfg.batch_size):
            desc.add(to_unit_range(batch.to(self.device)))               # b t c h w in [-1, 1]
            used += batch.shape[0]
        if used == 0:
            raise DataError(f"{source.name}: yielded no videos\n  check the {role} source")
        self.videos_used[role] = used
        return desc

    def compute(self, fake: VideoSource, real: VideoSource | None) -> dict[str, float]:
        """Per trial: descriptors of fake and real clips with the same patch seed, then SWD."""
        if real is None:
            raise DataError("swd: needs real videos, got none")
        per_trial = []
        for trial in range(self.protocol.trials):
            seed = self.protocol.seed + trial
            real_desc = self._descriptors(real, self.protocol.real_videos, seed, "real")
            fake_desc = self._descriptors(fake, self.protocol.fake_videos, seed, "fake")
            per_trial.append(video_swd_of_descriptors(
                fake_desc, real_desc, self.cfg.directions, self.cfg.repeats, seed
            ))
        return {k: v for k, v in aggregate_trials(per_trial).items() if np.isfinite(v)}

    def provenance(self) -> dict[str, object]:
        """Protocol (with overrides), SWD settings and clip counts; no weights."""
        return {
            "protocol": self.protocol.model_dump(),
            "protocol_overrides": self.cfg.protocol_overrides(),
            "swd": self.cfg.model_dump(include={"patches_per_frame", "patch_size", "min_size",
                                                "directions", "repeats"}),
            "weights": None,
            "videos_used": dict(self.videos_used),
        }
