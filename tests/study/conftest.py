"""Tiny studies: the quickstart at 16x16 with 16-channel networks, a few steps per run."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "recipes" / "quickstart.yaml"
ABLATIONS = REPO / "recipes" / "ablations"
# Eight steps of batch 8; a checkpoint every two steps, SWD at the start, half-way and the end.
TINY_OVERRIDES = [
    "train.batch_size=8",
    "train.sample_videos=1",
    "train.sample_frames=2",
    "train.log_every_kimg=0.016",
    "train.checkpoint_every_kimg=0.016",
    "train.sample_every_kimg=1",
    "data.resolution=16",
    "generator.channel_max=16",
    "discriminators.image.channel_max=16",
    "discriminators.motion.channel_max=16",
]
TINY_METRICS = {
    "every_kimg": 0.032,
    "eval": {"swd": {"kind": "swd", "protocol": "proxy", "resolution": "native",
                     "fake_videos": 4, "real_videos": 4, "directions": 32, "repeats": 1}},
    "prediction": {"videos": 2, "fitted_frames": 8, "steps": 5},
}


def write_study(folder: Path, name: str = "tiny", **fields: object) -> Path:
    """A study file of the tiny quickstart: base and a no-Δt variant, 2 seeds (overridable)."""
    study = {
        "name": name,
        "base": str(QUICKSTART),
        "overrides": TINY_OVERRIDES,
        "seeds": [0, 1],
        "budget_kimg": 0.064,
        "metrics": TINY_METRICS,
        "variants": {"no-dt": {"ablation": str(ABLATIONS / "digan_ucf_no_dt.yaml")}},
        **fields,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    return path
