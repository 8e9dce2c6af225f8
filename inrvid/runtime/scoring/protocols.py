"""Evaluation protocols as data: which clips, how many, at what size, how often.

A protocol fixes everything that moves a video metric besides the model
(docs/reference/metrics.md §1.4, §5, §8): real-clip selection, frame count, resolution, resize,
uint8 cast, sample counts, trials, covariance divisor and the KVD/IS variants. Metrics take a
protocol by name and may override the counts; the protocol travels with every result.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from inrvid.components.registry import close_matches
from inrvid.runtime.scoring.frechet import CovarianceDivisor

RealSelection = Literal["random_windows", "first_videos", "random_videos"]


class EvalProtocol(BaseModel):
    """One evaluation protocol; see `PROTOCOLS` for the presets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="preset name, recorded with every result")
    description: str = Field("", description="what the preset reproduces")
    real_selection: RealSelection = Field(
        "random_windows",
        description="random_windows: uniform over every clip window of every real video, fresh "
        "per trial (DIGAN); first_videos: the first videos in sorted order, one clip each from a "
        "random start, shorter videos dropped (StyleGAN-V); random_videos: random videos, one "
        "random clip each (Latte)",
    )
    real_split: str = Field(
        "train+test", description="which split is 'real' (recorded; the data source applies it)"
    )
    real_stride: int = Field(1, ge=1, description="temporal stride of real clips (fake: 1)")
    fake_videos: int = Field(2048, gt=0, description="generated videos per trial")
    real_videos: int = Field(
        2048, gt=0, description="real clips per trial (fewer if the data has fewer)"
    )
    frames: int = Field(16, gt=0, description="frames per clip")
    resolution: int | None = Field(
        128,
        gt=0,
        description="frames are centre-cropped square and resized to this before any feature "
        "network; None: fed at the size they come in",
    )
    feature_resize: Literal["short_side_crop", "stretch"] = Field(
        "short_side_crop",
        description="how clips reach the I3D's 224²: shorter side then centre crop (DIGAN), "
        "or straight to 224×224 (TATS, StyleGAN-V)",
    )
    uint8_cast: Literal["round", "truncate"] = Field(
        "round",
        description="generator output to uint8: round half up (StyleGAN-V) or truncate (DIGAN)",
    )
    trials: int = Field(1, gt=0, description="independent repeats; mean ± population std")
    covariance_divisor: CovarianceDivisor = Field(
        "n-1", description="covariance normalisation of the Fréchet distance: n-1 or n"
    )
    kvd_subsets: int = Field(
        0, ge=0, description="KVD/KID over this many random subsets; 0: whole sets once (DIGAN)"
    )
    kvd_subset_size: int = Field(1000, gt=1, description="samples per KVD subset")
    is_splits: int = Field(1, gt=0, description="Inception Score splits per trial")
    seed: int = Field(42, description="seed of real-clip selection, subsets and projections")


PROTOCOLS: dict[str, EvalProtocol] = {
    p.name: p
    for p in (
        EvalProtocol(
            name="digan",
            description="DIGAN's compute_fvd_kvd (docs/reference/metrics.md §8): 2048 vs 2048 "
            "random 16-frame windows at 128², truncating casts, shorter side to 224, 10 trials, "
            "N-1 covariance, KVD on whole sets; IS as TGANv2 (1 split per trial)",
            real_selection="random_windows",
            fake_videos=2048, real_videos=2048, frames=16, resolution=128,
            feature_resize="short_side_crop", uint8_cast="truncate", trials=10,
            covariance_divisor="n-1", kvd_subsets=0, is_splits=1, seed=42,
        ),
        EvalProtocol(
            name="stylegan_v_fvd2048_16f",
            description="StyleGAN-V FVD16 (docs/reference/metrics.md §1.4): 2048 fake (t=0..15), "
            "the first ≤2048 training videos in sorted order with one random 16-frame clip each, "
            "256², straight resize to 224, N covariance, 1 trial",
            real_selection="first_videos", real_split="train (UCF-101: train+test)",
            fake_videos=2048, real_videos=2048, frames=16, resolution=256,
            feature_resize="stretch", uint8_cast="round", trials=1,
            covariance_divisor="n", kvd_subsets=100, is_splits=10, seed=0,
        ),
        EvalProtocol(
            name="stylegan_v_fvd2048_128f",
            description="StyleGAN-V FVD128: as stylegan_v_fvd2048_16f with 128-frame clips",
            real_selection="first_videos", real_split="train (UCF-101: train+test)",
            fake_videos=2048, real_videos=2048, frames=128, resolution=256,
            feature_resize="stretch", uint8_cast="round", trials=1,
            covariance_divisor="n", kvd_subsets=100, is_splits=10, seed=0,
        ),
        EvalProtocol(
            name="stylegan_v_is2048",
            description="StyleGAN-V isv2048_ucf (docs/reference/metrics.md §3): 2048 videos at "
            "256², 10 splits, seed 42",
            real_selection="first_videos", fake_videos=2048, real_videos=2048, frames=16,
            resolution=256, feature_resize="stretch", uint8_cast="round", trials=1,
            covariance_divisor="n", is_splits=10, seed=42,
        ),
        EvalProtocol(
            name="tgan2",
            description="TGANv2 Inception Score (docs/reference/metrics.md §3): 2048 videos, "
            "1 split, 10 loops with fresh samples, mean ± std over loops",
            fake_videos=2048, real_videos=2048, frames=16, resolution=None,
            uint8_cast="round", trials=10, is_splits=1, seed=0,
        ),
        EvalProtocol(
            name="proxy",
            description="training-time proxy: DIGAN's pipeline with 512 vs 512 clips and one "
            "trial; tracks progress within a run, not comparable with published numbers",
            real_selection="random_windows",
            fake_videos=512, real_videos=512, frames=16, resolution=128,
            feature_resize="short_side_crop", uint8_cast="truncate", trials=1,
            covariance_divisor="n-1", kvd_subsets=0, is_splits=1, seed=42,
        ),
    )
}

ALIASES: dict[str, str] = {
    "digan128": "digan",
    "styleganv256_16f": "stylegan_v_fvd2048_16f",
    "stylegan_v": "stylegan_v_fvd2048_16f",     # the paper's headline FVD16
    "styleganv256_128f": "stylegan_v_fvd2048_128f",
}


def protocol_names() -> list[str]:
    """Every preset name and alias, sorted."""
    return sorted([*PROTOCOLS, *ALIASES])


def get_protocol(name: str, **overrides: Any) -> EvalProtocol:
    """The preset `name` (or an alias), with `overrides` that are not None applied and checked.

    An unknown name raises ValueError naming the close matches and every preset.
    """
    key = ALIASES.get(name, name)
    if key not in PROTOCOLS:
        matches = close_matches(name, protocol_names())
        hint = f"did you mean {' or '.join(repr(m) for m in matches)}? " if matches else ""
        raise ValueError(
            f"unknown protocol '{name}'; {hint}presets are: {', '.join(protocol_names())}"
        )
    base = PROTOCOLS[key]
    changes = {k: v for k, v in overrides.items() if v is not None}
    if not changes:
        return base
    return EvalProtocol.model_validate({**base.model_dump(), **changes})
