"""What the video metrics share: protocol-aware configs, clip reading, trials and caching."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import torch
from einops import rearrange
from numpy.typing import NDArray
from pydantic import Field, field_validator
from torch import Tensor

from inrvid.base.errors import DataError
from inrvid.base.pixels import centre_crop_resize
from inrvid.base.tensor import expect_shape
from inrvid.components.metric import Metric, MetricConfig, VideoSource
from inrvid.components.registry import BuildContext
from inrvid.runtime.scoring.cache import FeatureCache, feature_key
from inrvid.runtime.scoring.protocols import EvalProtocol, get_protocol, protocol_names
from inrvid_metrics.extractors import FeatureExtractor
from inrvid_metrics.weights import WeightSpec, resolve_weights

Features = NDArray[np.float64]
# Protocol fields that decide which real clips are read and how they reach the network.
REAL_FIELDS = (
    "real_selection", "real_split", "real_stride", "real_videos", "frames", "resolution",
    "feature_resize", "uint8_cast", "trials", "seed",
)


class VideoMetricConfig(MetricConfig):
    """A protocol preset by name, with optional overrides of its counts."""

    protocol: str = Field(
        "digan",
        description="evaluation protocol preset (digan, stylegan_v_fvd2048_16f, "
        "stylegan_v_fvd2048_128f, stylegan_v_is2048, tgan2, proxy); docs/metrics.md lists them",
    )
    fake_videos: int | None = Field(
        None, gt=0, description="generated videos per trial; None: the protocol's count"
    )
    real_videos: int | None = Field(
        None, gt=0, description="real clips per trial; None: the protocol's count"
    )
    frames: int | None = Field(None, gt=0, description="frames per clip; None: the protocol's")
    trials: int | None = Field(None, gt=0, description="repeats; None: the protocol's count")
    resolution: int | Literal["native"] | None = Field(
        None,
        description="frame size the clips are brought to; 'native': as generated (no resize); "
        "None: the protocol's",
    )
    batch_size: int = Field(8, gt=0, description="videos per forward pass of the network")

    @field_validator("protocol")
    @classmethod
    def _known_protocol(cls, name: str) -> str:
        if name not in protocol_names():
            get_protocol(name)                                           # raises, naming matches
        return name

    def protocol_overrides(self) -> dict[str, Any]:
        """Protocol fields this config changes (None values are left out)."""
        changes = {
            "fake_videos": self.fake_videos,
            "real_videos": self.real_videos,
            "frames": self.frames,
            "trials": self.trials,
            "resolution": None if self.resolution == "native" else self.resolution,
        }
        keep_none = {"resolution"} if self.resolution == "native" else set()
        return {k: v for k, v in changes.items() if v is not None or k in keep_none}

    def resolved_protocol(self) -> EvalProtocol:
        """The preset with this config's overrides applied."""
        protocol = get_protocol(self.protocol, **self.protocol_overrides())
        if self.resolution == "native":
            protocol = protocol.model_copy(update={"resolution": None})
        return protocol


def read_clips(
    source: VideoSource, count: int, protocol: EvalProtocol, batch_size: int
) -> Iterator[Tensor]:
    """uint8 clips `b t c h w` from `source`, checked and brought to the protocol's size."""
    given = 0
    for batch in source.iter_videos(count, protocol.frames, batch_size):
        if not isinstance(batch, Tensor) or batch.dtype != torch.uint8:
            raise DataError(
                f"{source.name}: yielded {type(batch).__name__} "
                f"{getattr(batch, 'dtype', '')}, expected uint8 tensors 'b t c h w'"
            )
        expect_shape(batch, "b t c h w", t=protocol.frames)
        batch = batch[: count - given]
        if protocol.resolution is not None:
            frames = rearrange(batch, "b t c h w -> (b t) c h w")
            frames = centre_crop_resize(
                frames, protocol.resolution, truncate=protocol.uint8_cast == "truncate"
            )
            batch = rearrange(frames, "(b t) c h w -> b t c h w", b=batch.shape[0])
        given += batch.shape[0]
        yield batch
        if given >= count:
            return


def aggregate_trials(per_trial: list[dict[str, float]]) -> dict[str, float]:
    """Mean of every value over trials, with `<key>_std` beside it.

    The std is the population std over trials; with one trial, the std the trial reported
    itself (over IS splits or KVD subsets), else 0.
    """
    out: dict[str, float] = {}
    for key in (k for k in per_trial[0] if not k.endswith("_std")):
        values = [t[key] for t in per_trial]
        out[key] = float(np.mean(values))
        if len(values) > 1:
            out[f"{key}_std"] = float(np.std(values))
        else:
            out[f"{key}_std"] = float(per_trial[0].get(f"{key}_std", 0.0))
    return out


class FeatureMetric(Metric):
    """A metric on the features of a pretrained network, repeated over protocol trials.

    Subclasses set `metric_name`, `spec` and `extractor_type`, and implement `make_extractor`
    and `score`. Building resolves the weight file (a missing one fails here, not at the
    first evaluation); the network loads on first use. Real features are cached under
    `$INRVID_CACHE` when the real source has a `cache_key`.
    """

    metric_name: str
    spec: WeightSpec
    extractor_type: type[FeatureExtractor]

    def __init__(self, cfg: Any, ctx: BuildContext) -> None:
        self.cfg = cfg
        self.protocol = cfg.resolved_protocol()
        self.device = ctx.device
        self.weights = resolve_weights(self.spec, cfg.weights_path, self.metric_name)
        self._extractor: FeatureExtractor | None = None
        self.videos_used: dict[str, int] = {}
        self.real_cache: str | None = None

    @property
    def extractor(self) -> FeatureExtractor:
        """The feature network, loaded on first use."""
        if self._extractor is None:
            self._extractor = self.make_extractor()
        return self._extractor

    def make_extractor(self) -> FeatureExtractor:
        """Load the feature network from `self.weights`."""
        return self.extractor_type(self.weights, self.device)

    def score(self, fake: Features, real: Features | None, trial: int) -> dict[str, float]:
        """Values of one trial from fake (and real) features."""
        raise NotImplementedError

    def features(self, source: VideoSource, count: int, role: str) -> Features:
        """Features `n d` of up to `count` clips of `source`."""
        parts = [
            self.extractor(batch)
            for batch in read_clips(source, count, self.protocol, self.cfg.batch_size)
        ]
        if not parts:
            raise DataError(f"{source.name}: yielded no videos\n  check the {role} source")
        self.videos_used[role] = sum(p.shape[0] for p in parts)
        return torch.cat(parts).numpy()

    def real_features(self, real: VideoSource) -> list[Features]:
        """Real features of every trial, from the cache when the same clips were seen before."""
        source_key = getattr(real, "cache_key", None)
        cache = FeatureCache() if self.cfg.cache_real and source_key else None
        key = ""
        if cache is not None:
            fields = self.protocol.model_dump(include=set(REAL_FIELDS))
            key = feature_key(str(source_key), fields, self.weights.sha256,
                              self.extractor_type.name)
            hit = cache.load(key)
            if hit is not None and hit[0].shape[0] == self.protocol.trials:
                self.real_cache = str(cache.path(key))
                features, meta = hit
                self.videos_used["real"] = int(meta.get("videos") or len(features[0]))
                return list(features)
        feats = [self.features(real, self.protocol.real_videos, "real")
                 for _ in range(self.protocol.trials)]
        if cache is not None and len({f.shape for f in feats}) == 1:
            meta = {"source": str(source_key), "videos": self.videos_used["real"],
                    "protocol": self.protocol.name, "weights_sha256": self.weights.sha256}
            self.real_cache = str(cache.save(key, np.stack(feats), meta))
        return feats

    def compute(self, fake: VideoSource, real: VideoSource | None) -> dict[str, float]:
        """Run every trial: fresh fake clips (and the trial's real clips), then `score`."""
        if self.needs_real and real is None:
            raise DataError(f"{self.metric_name}: needs real videos, got none")
        reals: list[Features | None] = [None] * self.protocol.trials
        if self.needs_real and real is not None:
            reals = list(self.real_features(real))
        per_trial = [
            self.score(self.features(fake, self.protocol.fake_videos, "fake"), reals[t], t)
            for t in range(self.protocol.trials)
        ]
        return aggregate_trials(per_trial)

    def provenance(self) -> dict[str, object]:
        """Protocol (with overrides), weight file record, feature layer, clip counts, cache."""
        return {
            "protocol": self.protocol.model_dump(),
            "protocol_overrides": self.cfg.protocol_overrides(),
            "weights": self.weights.record(),
            "features": self.extractor_type.name,
            "videos_used": dict(self.videos_used),
            "real_cache": self.real_cache,
        }
