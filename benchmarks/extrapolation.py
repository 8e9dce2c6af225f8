"""Interpolation and extrapolation in time of a trained checkpoint, scored against the truth.

On `moving_shapes` every frame exists at every real t, so a model's frames between and beyond
the training clip can be compared with the true ones. For each of --videos dataset videos:
fit the latents (inversion, `inrvid.evaluation.prediction.score_bands`, the scorer of
`inrvid study`'s prediction score) to the even frames of its clip
(t = k / (F - 1), k = 0, 2, ..., all in [0, 1]), then render and score

    observed       the fitted frames themselves (how well the inversion fits)
    interpolation  the odd clip frames, never seen by the fit (t in (0, 1))
    extrap (1,2]   frames continuing the clip's step past its end, band by band up to --max-t
    ...

with PSNR (dB) and SSIM (Gaussian window 11, sigma 1.5) on [0, 1] frames. Prints a table and
one JSON line. A tiny checkpoint and the defaults finish in about a minute on 2 CPU cores:

    python benchmarks/extrapolation.py runs/quickstart/<time> [--videos 4] [--steps 300]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import torch

from inrvid.evaluation.prediction import PredictionConfig, ground_truth_of, score_bands
from inrvid.generation.api import load
from inrvid.runtime.build import build_dataset_of


def bands(clip_frames: int, max_t: float) -> dict[str, torch.Tensor]:
    """Frame indices (in clip steps) of each scored band; k stands at t = k / (F - 1)."""
    last = clip_frames - 1
    out = {
        "observed": torch.arange(0, clip_frames, 2),
        "interpolation": torch.arange(1, clip_frames, 2),
    }
    for lo in range(1, math.ceil(max_t)):
        hi = min(lo + 1, max_t)
        k = torch.arange(lo * last + 1, int(hi * last) + 1)
        out[f"extrap ({lo},{hi:g}]"] = k
    return out


def score(args: argparse.Namespace) -> dict[str, Any]:
    """Fit each video on its even clip frames and score every band; plain data."""
    model = load(args.checkpoint, device=args.device)
    truth = ground_truth_of(build_dataset_of(model.recipe, model.plugins), args.checkpoint)
    last = model.video.frames - 1
    groups = {name: k.double() / last for name, k in bands(model.video.frames, args.max_t).items()}
    cfg = PredictionConfig(videos=args.videos, optimize=tuple(args.optimize.split(",")),
                           steps=args.steps, lr=args.lr, restarts=args.restarts, seed=args.seed)
    started = time.monotonic()
    result = score_bands(model.generator, model.video, truth, list(range(args.videos)),
                         groups["observed"], groups, cfg)
    return {
        "benchmark": "extrapolation",
        "checkpoint": model.info["path"],
        "images_seen": model.info["images_seen"],
        "videos": args.videos,
        "optimize": args.optimize,
        "steps": args.steps,
        "loss_initial": result.loss_initial,
        "loss_final": result.loss_final,
        "fit_s": round(time.monotonic() - started, 2),  # fitting and scoring
        "bands": result.bands,
    }


def report(results: dict[str, Any]) -> None:
    """A table per band, then the JSON line."""
    from rich.table import Table

    from inrvid.base.console import out

    table = Table(title=f"time interpolation / extrapolation, {results['videos']} videos, "
                        f"{results['images_seen']} images seen", header_style="bold")
    for column in ("band", "t", "frames", "PSNR dB", "SSIM"):
        table.add_column(column, justify="left" if column == "band" else "right")
    for name, band in results["bands"].items():
        table.add_row(name, f"{band['t'][0]:.3f}..{band['t'][1]:.3f}", str(band["frames"]),
                      f"{band['psnr']:.2f}", f"{band['ssim']:.3f}")
    out.print(table)
    out.print(f"inversion loss {results['loss_initial']:.4g} -> {results['loss_final']:.4g} "
              f"in {results['fit_s']} s")
    print(json.dumps(results))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Parse arguments, score, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="run folder or checkpoint of a moving_shapes run")
    parser.add_argument("--videos", type=int, default=4, help="dataset videos to score")
    parser.add_argument("--max-t", type=float, default=4.0, help="extrapolate up to this t")
    parser.add_argument("--optimize", default="content,motion", help="latents to fit")
    parser.add_argument("--steps", type=int, default=300, help="inversion Adam steps")
    parser.add_argument("--lr", type=float, default=0.1, help="inversion learning rate")
    parser.add_argument("--restarts", type=int, default=1, help="random starts per video")
    parser.add_argument("--seed", type=int, default=0, help="seed of the starts")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args(argv)
    results = score(args)
    report(results)
    return results


if __name__ == "__main__":
    main()
