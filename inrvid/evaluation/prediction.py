"""The prediction score: how well a model continues held-out real clips, against the truth.

On a dataset that knows its true frames at every real time (`GroundTruthVideos` of
`inrvid.components.dataset`, e.g. `moving_shapes`), for each of `videos` held-out videos:
fit the latents (inversion, `inrvid.generation.inversion`) to the clip's first
`fitted_frames` frames, render the video from t = 0 to t = `horizon` (clip durations; frame k
of the clip stands at k / (F - 1)) and compare with the true frames. PSNR (dB) and SSIM
(Gaussian window 11, sigma 1.5) on [0, 1] frames, averaged over frames and videos, are
reported separately for

    fitted        the frames the inversion saw (k = 0 .. fitted_frames - 1)
    interpolated  half-way between fitted frames (k + 1/2): times no clip frame stands at
    extrapolated  every frame after the fitted ones, up to t = horizon
    past_end      the extrapolated frames past the clip's end (t > 1), never in training
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from pydantic import Field, field_validator
from torch import Tensor

from inrvid.base.errors import DataError
from inrvid.base.limits import MAX_STEPS
from inrvid.components.dataset import GroundTruthVideos
from inrvid.components.generator import Generator
from inrvid.components.registry import RecipeModel, VideoSpec
from inrvid.generation.api import load
from inrvid.generation.inversion import LATENTS, invert
from inrvid.generation.quality import mean_finite, psnr, ssim
from inrvid.runtime.build import build_dataset_of
from inrvid.runtime.render import render

BANDS = ("fitted", "interpolated", "extrapolated", "past_end")
QUALITIES = ("psnr", "ssim")
PREFIX = "prediction"


class PredictionConfig(RecipeModel):
    """Options of the prediction score (the `prediction:` section of a study's metrics)."""

    videos: int = Field(8, gt=0, le=1024, description="held-out videos scored")
    fitted_frames: int = Field(
        8, ge=2, description="first frames of each clip the latents are fitted to"
    )
    horizon: float = Field(
        2.0, ge=2.0, le=64.0, description="render up to this time, in clip durations (>= 2)"
    )
    steps: int = Field(200, gt=0, le=MAX_STEPS, description="inversion Adam steps")
    lr: float = Field(0.1, gt=0, description="inversion learning rate")
    restarts: int = Field(1, gt=0, le=64, description="random starts per video; the best kept")
    optimize: tuple[str, ...] = Field(
        ("content", "motion"),
        description="latents fitted (content, motion, w); motion is skipped for a generator "
        "without a motion latent",
    )
    seed: int = Field(0, ge=0, description="seed of the inversion's random starts")

    @field_validator("optimize")
    @classmethod
    def _known_latents(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in LATENTS]
        if unknown or not value:
            raise ValueError(f"expected some of {', '.join(LATENTS)}, got {list(value)}")
        return value


def band_times(clip_frames: int, fitted_frames: int, horizon: float) -> dict[str, Tensor]:
    """The times (float64 `t`) of each band for clips of `clip_frames` frames."""
    if not 2 <= fitted_frames < clip_frames:
        raise DataError(
            f"prediction.fitted_frames: got {fitted_frames}, expected 2 .. {clip_frames - 1} "
            f"(the clips have {clip_frames} frames)\n  fit fewer frames than a clip has"
        )
    last = clip_frames - 1
    end = math.floor(horizon * last + 1e-9)  # the last frame index at or before the horizon
    steps = torch.arange(end + 1, dtype=torch.float64)
    return {
        "fitted": steps[:fitted_frames] / last,
        "interpolated": (steps[: fitted_frames - 1] + 0.5) / last,
        "extrapolated": steps[fitted_frames:] / last,
        "past_end": steps[clip_frames:] / last,
    }


@dataclass
class PredictionScore:
    """Per band: PSNR and SSIM (means over frames and videos), the times and frame counts."""

    bands: dict[str, dict[str, Any]]
    videos: list[int]
    loss_initial: float
    loss_final: float

    def flat(self) -> dict[str, float]:
        """`prediction/psnr_fitted`-style keys -> values."""
        return {
            f"{PREFIX}/{quality}_{band}": float(values[quality])
            for quality in QUALITIES
            for band, values in self.bands.items()
        }

    def to_json(self) -> dict[str, Any]:
        """Plain data for prediction.json."""
        return {"bands": self.bands, "videos": self.videos, "loss_initial": self.loss_initial,
                "loss_final": self.loss_final, "values": self.flat()}


def ground_truth_of(dataset: object, where: str) -> GroundTruthVideos:
    """The dataset as a `GroundTruthVideos`, or a clear error naming it."""
    if not isinstance(dataset, GroundTruthVideos):
        raise DataError(
            f"{where}: dataset {type(dataset).__name__} has no ground truth at every time, "
            "expected one such as moving_shapes (render and held_out_videos)\n"
            "  score a moving_shapes run, or leave the prediction score out"
        )
    return dataset


def score_bands(
    generator: Generator,
    video: VideoSpec,
    truth: GroundTruthVideos,
    videos: list[int],
    fit_times: Tensor,
    bands: dict[str, Tensor],
    cfg: PredictionConfig,
) -> PredictionScore:
    """Fit each video's true frames at `fit_times`, render every band's times, score them.

    `generator` renders clips of `video`'s frame count and size; its weights stay fixed. The
    inversion's options (latents, steps, lr, restarts, seed) come from `cfg`.
    """
    def true_frames(at: Tensor) -> Tensor:                                       # b t c h w
        return torch.stack([truth.render(v, at, video.height).float() for v in videos])

    optimize = [n for n in cfg.optimize if n != "motion" or generator.motion_dim > 0]
    fitted = fit_times.float()
    fit = invert(generator, true_frames(fit_times) * 2 - 1,
                 fitted[None].expand(len(videos), -1), optimize=optimize, steps=cfg.steps,
                 lr=cfg.lr, restarts=cfg.restarts, seed=cfg.seed)
    scored: dict[str, dict[str, Any]] = {}
    for name, at in bands.items():
        with torch.no_grad():
            frames = render(generator, fit.z_content, fit.z_motion, at.float(), w=fit.w)
        prediction = ((frames.cpu().float() + 1) / 2).clamp(0, 1).flatten(0, 1)  # (b t) c h w
        target = true_frames(at).flatten(0, 1)
        scored[name] = {
            "t": [float(at[0]), float(at[-1])],
            "frames": int(at.numel()),
            "psnr": mean_finite(psnr(prediction, target)),
            "ssim": float(ssim(prediction, target).mean()),
        }
    return PredictionScore(scored, videos, float(fit.initial_loss.mean()),
                           float(fit.final_loss.mean()))


def score_prediction(
    generator: Generator, video: VideoSpec, truth: GroundTruthVideos, cfg: PredictionConfig
) -> PredictionScore:
    """The prediction score: held-out videos fitted on their first frames, the four bands."""
    times = band_times(video.frames, cfg.fitted_frames, cfg.horizon)
    videos = truth.held_out_videos(cfg.videos)
    return score_bands(generator, video, truth, videos, times["fitted"], times, cfg)


def hold_last_fitted(
    video: VideoSpec, truth: GroundTruthVideos, cfg: PredictionConfig
) -> dict[str, float]:
    """The score of predicting without a model: each time shows the latest fitted frame.

    Interpolated times hold the fitted frame before them, extrapolated ones the last fitted
    frame (its `fitted` band would be exact, so it is left out). A model that extrapolates
    should beat it; `prediction/...` keys like `PredictionScore.flat`.
    """
    times = band_times(video.frames, cfg.fitted_frames, cfg.horizon)
    fitted = times["fitted"]
    videos = truth.held_out_videos(cfg.videos)
    out: dict[str, float] = {}
    for band in BANDS[1:]:
        at = times[band]
        held = fitted[(torch.searchsorted(fitted, at, right=True) - 1).clamp(min=0)]
        prediction = torch.cat([truth.render(v, held, video.height) for v in videos]).float()
        target = torch.cat([truth.render(v, at, video.height) for v in videos]).float()
        out[f"{PREFIX}/psnr_{band}"] = mean_finite(psnr(prediction, target))
        out[f"{PREFIX}/ssim_{band}"] = float(ssim(prediction, target).mean())
    return out


def score_checkpoint(
    path: str | Path, cfg: PredictionConfig, device: str | torch.device = "cpu"
) -> PredictionScore:
    """The prediction score of a checkpoint (EMA weights) on its own recipe's dataset."""
    model = load(path, device=device)
    truth = ground_truth_of(build_dataset_of(model.recipe, model.plugins), model.info["path"])
    return score_prediction(model.generator, model.video, truth, cfg)
