"""Training throughput of a recipe: s/kimg, videos per second and peak memory, eager and compiled.

Usage (the defaults run the quickstart recipe on a 2-core CPU in about a minute):

    python benchmarks/train_step.py                                   # quickstart, eager + compiled
    python benchmarks/train_step.py recipes/digan_ucf.yaml data.kind=moving_shapes \\
        data.resolution=128 --batch 16 --device cuda                  # the reference model on a GPU

Each mode builds the recipe's trainer (`inrvid.train.loop.Trainer`: all phases, lazy
regularisation and the EMA, exactly as `inrvid run` steps), feeds it real clips from the
recipe's dataset, runs `--warmup` steps, then times `--steps` steps. s/kimg counts one
thousand training videos (one frame pair each for DIGAN). Compiled mode sets
`train.compile=true` (torch.compile of G and the discriminators); its warm-up includes the
compilation, reported separately. Peak memory uses `model_step.PeakMemory` (CUDA: max
allocated; CPU: peak RSS growth). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model_step import PeakMemory

from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.train import distributed as ddp
from inrvid.train.loop import Trainer

REPO = Path(__file__).resolve().parents[1]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe", nargs="?", default=str(REPO / "recipes" / "quickstart.yaml"))
    parser.add_argument("overrides", nargs="*", help="key=value recipe overrides")
    parser.add_argument("--batch", type=int, help="global batch (default: the recipe's)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--steps", type=int, default=10, help="timed steps per mode")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps per mode")
    parser.add_argument("--modes", default="eager,compiled", help="eager and/or compiled")
    parser.add_argument("--numerics", help="train.numerics: release, fp32 or fast (default: the "
                        "recipe's)")
    return parser.parse_args()


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(args: argparse.Namespace, mode: str) -> dict[str, float | str]:
    overrides = [
        *args.overrides,
        f"train.device={args.device}",
        "eval.every_kimg=null",
        f"train.compile={'true' if mode == 'compiled' else 'false'}",
    ]
    if args.batch:
        overrides.append(f"train.batch_size={args.batch}")
    if args.numerics:
        overrides.append(f"train.numerics={args.numerics}")
    plugins = load_plugins()
    recipe = load_recipe(args.recipe, overrides, plugins=plugins)
    info = ddp.setup(recipe.train.device)
    torch.manual_seed(0)
    trainer = Trainer(recipe, info, plugins)
    batch = recipe.train.batch_size
    clips = torch.stack([trainer.dataset[i % len(trainer.dataset)]["video"] for i in range(batch)])
    start = time.perf_counter()
    for _ in range(args.warmup):
        trainer.step(clips)
    sync(info.device)
    warmup_s = time.perf_counter() - start
    with PeakMemory(info.device) as peak:
        start = time.perf_counter()
        for _ in range(args.steps):
            trainer.step(clips)
        sync(info.device)
        elapsed = time.perf_counter() - start
    per_step = elapsed / args.steps
    return {
        "mode": mode,
        "device": str(info.device),
        "batch": batch,
        "s_per_step": per_step,
        "s_per_kimg": per_step * 1000 / batch,
        "videos_per_s": batch / per_step,
        "warmup_s": warmup_s,
        "peak_memory_mib": peak.mib,
        "memory_method": peak.method,
    }


def main() -> None:
    args = parse_args()
    results = []
    for mode in args.modes.split(","):
        try:
            results.append(measure(args, mode))
        except Exception as exc:  # noqa: BLE001 - report a failing mode, keep the others
            sys.stderr.write(f"{mode}: failed: {type(exc).__name__}: {exc}\n")
    if not results:
        raise SystemExit("every mode failed")
    header = (
        f"{'mode':9} {'device':7} {'batch':>5} {'s/step':>8} {'s/kimg':>8} {'videos/s':>9} "
        f"{'warm-up s':>9} {'peak MiB':>9}"
    )
    out = [f"recipe {args.recipe} {' '.join(args.overrides)}", header]
    for r in results:
        out.append(
            f"{r['mode']:9} {r['device']:7} {r['batch']:>5} {r['s_per_step']:>8.3f} "
            f"{r['s_per_kimg']:>8.1f} {r['videos_per_s']:>9.1f} {r['warmup_s']:>9.1f} "
            f"{r['peak_memory_mib']:>9.1f}"
        )
    out.append(f"peak memory: {results[0]['memory_method']}")
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.write(
        json.dumps(
            {
                "benchmark": "train_step",
                "recipe": args.recipe,
                "overrides": args.overrides,
                "results": results,
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
