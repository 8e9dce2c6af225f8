"""Every performance figure of one machine in one table: eager fp32 beside the fast path.

Usage:

    python benchmarks/run_all.py                  # CPU: the quickstart recipe, CI-sized (~3 min)
    python benchmarks/run_all.py --device cuda    # GPU: DIGAN-128 (digan_ucf.yaml) at batch 64

Rows, each for `train.numerics: fp32` (eager) and `fast` (docs/performance.md says what it
changes; `--fast-compile` adds torch.compile to the fast column):

training   s/kimg and videos/s of whole training steps (`Trainer.step`: G, D, lazy R1, EMA),
           the two modes alternating step by step, medians; R1 steps are as frequent as in
           training (every 16th). Model FLOPs per video are counted with the per-op formulas
           of `torch.utils.flop_counter.FlopCounterMode` over one step without R1 and one with it
           (R1 amortised over its interval) and printed; model-FLOP utilisation divides the
           achieved FLOP/s by the device's dense bf16 peak where it is known (a table below,
           or --peak-tflops), else it is not given.
memory     peak memory of one training step (benchmarks/model_step.PeakMemory).
generation frames/s of the EMA generator rendering 16-frame videos to uint8 at 128² and 256²
           (`inrvid.generation.render_uint8`; on CPU the quickstart's 32² generator at grid
           scales 4 and 8).
FVD        seconds of one FVD2048-16f evaluation end to end (`digan` protocol, 1 trial: render,
           real clips, I3D features, Fréchet distance) with a RANDOMLY INITIALISED I3D (timing
           only; benchmarks/eval.py); on CPU the video counts are scaled down (--fvd-videos).
loader     clips/s of the training loader (the recipe's workers) against the clips/s the
           fast step consumes.

Prints the table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, batch_of_clips, device_name, interleaved, make_trainer, median, sync
from eval import fvd_end_to_end, save_random_i3d
from model_step import PeakMemory, _return_freed_memory_to_the_os

# Dense bf16 tensor-core peaks (TFLOP/s), from the vendors' data sheets.
PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L40S": 362.0}

CPU_RECIPE = (REPO / "recipes" / "quickstart.yaml", [])
CUDA_RECIPE = (
    REPO / "recipes" / "digan_ucf.yaml",
    ["data.kind=moving_shapes", "data.resolution=128", "data.videos=256",
     "train.batch_size=64", "train.num_workers=16"],
)
MODES = {"fp32": ["train.numerics=fp32"], "fast": ["train.numerics=fast"]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--steps", type=int, help="timed steps per mode (CPU 3, CUDA 32)")
    parser.add_argument("--fvd-videos", type=int, help="fake = real videos (CPU 4, CUDA 2048)")
    parser.add_argument("--gen-videos", type=int, help="videos per generation timing (CPU 1)")
    parser.add_argument("--fast-compile", action="store_true", help="torch.compile in `fast`")
    parser.add_argument("--peak-tflops", type=float, help="the device's dense peak, TFLOP/s")
    parser.add_argument("overrides", nargs="*", help="key=value overrides of the recipe")
    return parser.parse_args()


class OpFlops(TorchDispatchMode):
    """FLOPs of every op, by `torch.utils.flop_counter.FlopCounterMode`'s per-op formulas.

    FlopCounterMode itself tracks modules with backward hooks, which refuse R1's
    `autograd.grad` of a leaf input; this mode applies the same formulas without the tracker.
    """

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        count = flop_registry.get(func._overloadpacket)
        if count is not None:
            self.total += count(*args, **kwargs, out_val=out)
        return out


def step_flops(trainer: Any) -> dict[str, float]:
    """Model FLOPs of a step without R1 and of one with it, and their amortised mean."""
    clips = batch_of_clips(trainer)
    every = trainer.d_reg_every or 0
    counted = {}
    for name, step in (("plain", 1), ("with_r1", 0)):
        trainer.counters.step = step
        with OpFlops() as counter:
            trainer.step(clips)
        counted[name] = float(counter.total)
    amortised = counted["plain"]
    if every > 1:
        amortised += (counted["with_r1"] - counted["plain"]) / every
    return {**counted, "amortised": amortised}


def training(trainers: dict[str, Any], steps: int, device: torch.device) -> dict[str, Any]:
    """Seconds per step of each mode, alternating, R1 every `d_reg_every` steps as in training."""
    clips = {mode: batch_of_clips(t) for mode, t in trainers.items()}
    for t in trainers.values():
        t.counters.step = 1

    def step_of(mode: str) -> Any:
        def run() -> None:
            trainers[mode].numerics.apply_flags()        # TF32 switches are process-wide
            trainers[mode].step(clips[mode])
        return run

    seconds = interleaved({mode: step_of(mode) for mode in trainers}, device, steps)
    memory = {}
    for mode, t in trainers.items():
        t.counters.step = 1
        t.numerics.apply_flags()
        with PeakMemory(device) as peak:
            t.step(clips[mode])
        memory[mode] = {"peak_mib": round(peak.mib, 1), "method": peak.method}
    return {"seconds": seconds, "memory": memory}


def generation(trainer: Any, mode: str, device: torch.device, videos: int,
               scales: dict[int, int]) -> dict[int, float]:
    """Frames/s of the EMA generator at each output side (side -> grid scale)."""
    from inrvid.runtime.render import Chunking, render_uint8
    from inrvid.train.numerics import NumericsPolicy

    NumericsPolicy.for_run(mode, device).apply_flags()   # type: ignore[arg-type]
    g = trainer.ema.model.eval()
    z_content = torch.randn(videos, g.content_dim, device=device)
    z_motion = torch.randn(videos, g.motion_dim, device=device) if g.motion_dim else None
    times = torch.linspace(0, 1, 16, device=device)
    chunk = Chunking(videos=min(videos, 16), frames=16)
    rates = {}
    for side, scale in scales.items():
        render_uint8(g, z_content[:1], None if z_motion is None else z_motion[:1], times,
                     scale=scale, chunking=chunk)                              # warm-up
        sync(device)
        start = time.perf_counter()
        render_uint8(g, z_content, z_motion, times, scale=scale, chunking=chunk)
        sync(device)
        rates[side] = videos * 16 / (time.perf_counter() - start)
    return rates


def loader_rate(trainer: Any, batches: int) -> float:
    """Clips per second out of the run's training loader (its recipe's workers)."""
    from inrvid.train.loader import TrainingLoader

    cfg = trainer.recipe.train
    loader = TrainingLoader(trainer.dataset, global_batch=cfg.batch_size, seed=0, rank=0,
                            world_size=1, num_workers=cfg.num_workers, pin_memory=False,
                            state=None)
    it = iter(loader)
    next(it)                                                                   # workers start
    start = time.perf_counter()
    for _ in range(batches):
        next(it)
    return batches * cfg.batch_size / (time.perf_counter() - start)


def fvd_seconds(trainer: Any, device: torch.device, videos: int) -> dict[str, Any]:
    """One FVD evaluation end to end with a random-weight I3D (cold and warm real cache)."""
    from inrvid.runtime.build import context_for
    from inrvid.runtime.scoring.sources import RealClips

    recipe = trainer.recipe
    ctx = context_for(recipe, None, torch.device("cpu"), trainer.plugins)
    real = RealClips(recipe.data, ctx).source(0)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["INRVID_CACHE"] = str(Path(tmp) / "cache")          # never the user's cache
        weights = save_random_i3d(Path(tmp))
        return fvd_end_to_end(weights, None, device, "digan", videos,
                              models=(trainer.ema.model.eval(), real, "EMA generator, untrained"))


def peak_tflops(device: torch.device, given: float | None) -> float | None:
    """The dense bf16 peak of the device: given, or looked up by name (None on CPU)."""
    if given is not None or device.type != "cuda":
        return given
    name = torch.cuda.get_device_name(device)
    return next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)


def main() -> None:
    args = parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available()
                          else ("cpu" if args.device == "auto" else args.device))
    cuda = device.type == "cuda"
    _return_freed_memory_to_the_os()
    recipe, base = CUDA_RECIPE if cuda else CPU_RECIPE
    steps = args.steps or (32 if cuda else 3)
    fvd_videos = args.fvd_videos or (2048 if cuda else 4)
    gen_videos = args.gen_videos or (64 if cuda else 1)
    started = time.perf_counter()

    trainers = {}
    for mode, extra in MODES.items():
        compile_ = ["train.compile=true"] if mode == "fast" and args.fast_compile else []
        trainers[mode] = make_trainer(recipe, [*base, *args.overrides, *extra, *compile_], device)
    batch = trainers["fp32"].recipe.train.batch_size
    flops = step_flops(trainers["fp32"])
    trained = training(trainers, steps, device)
    resolution = trainers["fp32"].dataset.video_spec.height
    scales = {128: max(128 // resolution, 1), 256: max(256 // resolution, 1)}
    peak = peak_tflops(device, args.peak_tflops)

    results: dict[str, Any] = {}
    for mode, t in trainers.items():
        per_step = median(trained["seconds"][mode])
        achieved = flops["amortised"] / per_step / 1e12
        results[mode] = {
            "s_per_step": per_step, "s_per_kimg": per_step * 1000 / batch,
            "videos_per_s": batch / per_step, "model_tflops_per_s": achieved,
            "mfu": None if peak is None else achieved / peak,
            "peak_memory_mib": trained["memory"][mode]["peak_mib"],
            "generation_frames_per_s": generation(t, mode, device, gen_videos, scales),
        }
    results["fast"]["loader_clips_per_s"] = loader_rate(trainers["fast"], 4 if not cuda else 32)
    results["fast"]["consumed_clips_per_s"] = results["fast"]["videos_per_s"]
    fvd = fvd_seconds(trainers["fp32"], device, fvd_videos)
    total = time.perf_counter() - started
    report(args, device, recipe, batch, flops, results, fvd, peak, scales, steps, total,
           trained["memory"]["fp32"]["method"])


def report(args: argparse.Namespace, device: torch.device, recipe: Path, batch: int,
           flops: dict[str, float], results: dict[str, Any], fvd: dict[str, Any],
           peak: float | None, scales: dict[int, int], steps: int, total: float,
           memory_method: str) -> None:
    """The table and the JSON line."""
    fp32, fast = results["fp32"], results["fast"]
    per_video = flops["amortised"] / batch

    def mfu(r: dict[str, Any]) -> str:
        return "n/a (no peak)" if r["mfu"] is None else f"{100 * r['mfu']:.1f} %"

    rows = [
        ("training s/kimg", f"{fp32['s_per_kimg']:.1f}", f"{fast['s_per_kimg']:.1f}"),
        ("training videos/s", f"{fp32['videos_per_s']:.2f}", f"{fast['videos_per_s']:.2f}"),
        ("model TFLOP/s", f"{fp32['model_tflops_per_s']:.4f}",
         f"{fast['model_tflops_per_s']:.4f}"),
        ("model-FLOP utilisation", mfu(fp32), mfu(fast)),
        ("peak memory MiB (1 step)", f"{fp32['peak_memory_mib']:.0f}",
         f"{fast['peak_memory_mib']:.0f}"),
    ]
    for side, scale in scales.items():
        rows.append((f"generation frames/s {side}² (x{scale})",
                     f"{fp32['generation_frames_per_s'][side]:.1f}",
                     f"{fast['generation_frames_per_s'][side]:.1f}"))
    print(f"run_all on {device_name(device)}: {recipe.name} {' '.join(args.overrides)}, batch "
          f"{batch}, {steps} alternating timed steps per mode (medians); {total:.0f} s in all")
    print(f"model FLOPs (FlopCounterMode): {flops['plain'] / 1e9:.2f} GFLOP per step without "
          f"R1, {flops['with_r1'] / 1e9:.2f} with R1; {per_video / 1e9:.3f} GFLOP per video "
          "amortised")
    print(f"{'':34} {'eager fp32':>14} {'fast':>14} {'fast/fp32':>10}")
    for name, a, b in rows:
        try:
            ratio = f"{float(b.split()[0]) / float(a.split()[0]):.2f}"
        except (ValueError, ZeroDivisionError):
            ratio = ""
        print(f"{name:34} {a:>14} {b:>14} {ratio:>10}")
    scaled = " (CPU: video counts scaled down)" if device.type == "cpu" else ""
    print(f"FVD2048-16f end to end ({fvd['fake_videos']} fake + {fvd['real_videos']} real"
          f"{scaled}, random-weight I3D, timing only): {fvd['seconds_cold_cache']:.1f} s, "
          f"{fvd['seconds_warm_cache']:.1f} s with real features cached")
    ahead = fast["loader_clips_per_s"] / fast["consumed_clips_per_s"]
    print(f"loader: {fast['loader_clips_per_s']:.1f} clips/s vs "
          f"{fast['consumed_clips_per_s']:.1f} consumed by the fast step ({ahead:.1f}x ahead)")
    print(f"peak memory: {memory_method}")
    print(json.dumps({"benchmark": "run_all", "device": device_name(device),
                      "recipe": str(recipe.relative_to(REPO)), "overrides": args.overrides,
                      "batch": batch, "steps": steps, "flops": flops,
                      "flops_per_video": per_video, "peak_tflops": peak, "results": results,
                      "fvd": fvd, "seconds_total": total}))


if __name__ == "__main__":
    main()
