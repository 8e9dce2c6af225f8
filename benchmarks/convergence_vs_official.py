"""The control: the release's DIGAN training loop and inrvid's on the same clips, scored alike.

    python benchmarks/convergence_vs_official.py --official ~/src/digan --kimg 20 --every 2 \\
        --out /tmp/control

Both codes train on the CPU at the configuration of a recipe (default recipes/quickstart.yaml:
32², 16-frame moving_shapes clips, batch 8, its widths, learning rates, R1, EMA, augmentation),
for the same kimg, `--seeds` each:
- inrvid through `inrvid.train.loop.train`, with the recipe's SWD evaluated every `--every`
  kimg on the EMA generator (the in-training evaluation, as `inrvid run` does);
- the release through its own `training_loop.training_loop` (imported from --official with the
  shims of benchmarks/official_digan.py; its reference ops run in plain PyTorch on a CPU), on
  the recipe's clips exported as PNG frame folders in its dataset layout (flips: its x-flip
  doubling, as inrvid's per-epoch flips), one tick and one snapshot every `--every` kimg. Each
  snapshot's EMA generator renders the protocol's number of 16-frame videos at t = k/15, which
  are scored with the same metric objects, the same real clips and the same cast.
One change to the recipe on both sides: w_dim = z_M = 512 (the release draws z_M with 512
entries and concatenates it with w, so it needs w_dim = 512). The release's G and D at these
kwargs are checked to have exactly inrvid's parameters and shapes. The real-vs-real floor is that of
benchmarks/sample_quality.py. Prints a table and one JSON line; writes `<out>/control.png` (both
codes' curves) and `<out>/control.json`. Exits 2 without --official. `--only inrvid|official`
trains one code; `--merge A.json B.json run/metrics.jsonl` reports runs made separately (e.g.
one process per code and seed, on more cores) together, without training.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pickle
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from einops import rearrange

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO
from official_digan import (
    RELEASE_FOLDER,
    construct,
    discriminator_kwargs,
    export_frame_folders,
    generator_kwargs,
    how_to_get,
    import_official,
    import_training,
    load_official_weights,
    release_dataset_kwargs,
)

SCRIPT = "convergence_vs_official.py"
WIDE = ["generator.w_dim=512", "generator.motion_dim=512"]
KEYS = {"frames": "swd", "motion": "swd_motion"}


def control_recipe(args: argparse.Namespace, seed: int, out: Path, *more: str) -> Any:
    """The recipe both codes train at, for one seed (inrvid's run folder under `out`)."""
    from inrvid.loading.plugins import load_plugins
    from inrvid.recipe import load_recipe

    return load_recipe(args.recipe, plugins=load_plugins(), overrides=[*more,
        *WIDE, f"seed={seed}", f"train.duration_kimg={args.kimg}", f"eval.every_kimg={args.every}",
        f"train.checkpoint_every_kimg={args.kimg}", f"train.sample_every_kimg={args.kimg}",
        "train.num_workers=0", "train.device=cpu", f"output.dir={out}"])


def swd_metric(recipe: Any) -> tuple[str, Any]:
    """The recipe's SWD metric (role, config): the one both codes are scored with."""
    for role, section in recipe.metrics.items():
        if section.component.name == "swd":
            return role, section.config
    raise SystemExit(f"{SCRIPT}: {args_recipe(recipe)}: no `swd` metric under eval.metrics")


def args_recipe(recipe: Any) -> str:
    return f"recipe '{recipe.name}'"


# ---------------------------------------------------------------------------------------------
# inrvid


def train_inrvid(args: argparse.Namespace, seed: int, out: Path) -> tuple[Path, list[dict]]:
    """Train inrvid; its run folder and the SWD curve from its in-training evaluations."""
    from inrvid.loading.plugins import load_plugins
    from inrvid.train.loop import train

    recipe = control_recipe(args, seed, out / f"inrvid-seed{seed}")
    role = swd_metric(recipe)[0]
    for metrics in sorted((out / f"inrvid-seed{seed}").glob("*/*/metrics.jsonl")):
        curve = inrvid_curve(metrics, role)      # a run of an earlier call that went the distance
        if curve and curve[-1]["kimg"] >= args.kimg:
            return metrics.parent, curve
    torch.manual_seed(seed)
    start = time.monotonic()
    run = train(recipe, load_plugins(), argv=[SCRIPT], quiet=True)
    record_seconds(out / f"inrvid-seed{seed}", (time.monotonic() - start) / args.kimg)
    return run, inrvid_curve(run / "metrics.jsonl", role)


def inrvid_curve(metrics: Path, role: str) -> list[dict]:
    """kimg, frame and motion SWD of each evaluation line of an inrvid run's metrics.jsonl."""
    curve = []
    for line in metrics.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if f"eval/{role}/swd" in record:
            curve.append({"kimg": record["kimg"], **{name: record[f"eval/{role}/{key}"]
                                                     for name, key in KEYS.items()}})
    return curve


# ---------------------------------------------------------------------------------------------
# The release


def official_kwargs(args: argparse.Namespace, recipe: Any, data: Path, seed: int,
                    run_dir: Path) -> dict[str, Any]:
    """`training_loop` kwargs matching the recipe (train.py's, at the recipe's values)."""
    g, d, t = recipe.generator.config, recipe.discriminators, recipe.train
    video = recipe.data.config
    r1 = next(s.config for s in recipe.losses.values() if s.component.name == "r1_penalty")
    augment = [s.component.name for s in recipe.augment]
    policy = ",".join(p for p, name in (("color", "diffaug_color"),
                                       ("translation", "diffaug_translation"))
                      if name in augment)
    dims = {(s.config.channel_base, s.config.channel_max) for s in d.values()}
    if len(dims) != 1 or len(augment) != len(policy.split(",") if policy else []):
        raise SystemExit(f"{SCRIPT}: {args_recipe(recipe)}: the release has one D width for both "
                         "discriminators and DiffAugment color/translation only")
    (d_base, d_max), = dims
    return dict(
        run_dir=str(run_dir),
        training_set_kwargs=release_dataset_kwargs(data, resolution=video.resolution,
                                                   frames=video.clip_frames,
                                                   xflip=video.hflip, seed=seed),
        data_loader_kwargs={"pin_memory": False, "num_workers": 0},
        G_kwargs=generator_kwargs(
            resolution=video.resolution, features=recipe.encoder.config.features,
            channel_max=g.channel_max, channel_base=g.channel_base, z_dim=g.content_dim,
            w_dim=g.w_dim, input_resolution=g.input_resolution, extra=g.extra_layers),
        D_kwargs=discriminator_kwargs(channel_max=d_max, channel_base=d_base),
        G_opt_kwargs={"class_name": "torch.optim.Adam", "lr": t.g_lr, "betas": list(t.betas),
                      "eps": t.eps},
        D_opt_kwargs={"class_name": "torch.optim.Adam", "lr": t.d_lr, "betas": list(t.betas),
                      "eps": t.eps},
        loss_kwargs={"class_name": "training.loss.OurStyleGAN2Loss", "r1_gamma": r1.gamma,
                     "diffaugment": policy, "style_mixing_prob": 0.0, "pl_weight": 0},
        metrics=[], random_seed=seed, num_gpus=1, rank=0, batch_size=t.batch_size,
        batch_gpu=t.batch_size, ema_kimg=t.ema_kimg, ema_rampup=t.ema_rampup,
        G_reg_interval=t.g_reg_interval, D_reg_interval=r1.every, total_kimg=args.kimg,
        kimg_per_tick=args.every, image_snapshot_ticks=None, network_snapshot_ticks=1,
        cudnn_benchmark=False)


def train_official(off: Any, args: argparse.Namespace, recipe: Any, data: Path, seed: int,
                   out: Path) -> list[tuple[float, Path]]:
    """Train the release; its snapshots (kimg, pickle), one per tick."""
    run_dir = out / f"official-seed{seed}"
    done = finished_official(run_dir, args.kimg)
    if done:
        return done
    run_dir.mkdir(parents=True, exist_ok=True)
    for old in run_dir.glob("tick-*.pkl"):      # an unfinished earlier call: start it again
        old.unlink()
    ticks: list[Path] = []

    def keep_snapshot(kimg: int, total: float) -> None:
        """progress_fn, called after each tick's snapshot: give it a name of its own (two
        ticks within one kimg would write the same `network-snapshot-<kimg>.pkl`)."""
        del total
        snapshot = run_dir / f"network-snapshot-{kimg:06d}.pkl"
        if snapshot.exists():
            ticks.append(snapshot.rename(run_dir / f"tick-{len(ticks):04d}.pkl"))

    random.seed(seed)       # its dataset shuffles with Python's global generator
    start = time.monotonic()
    with open(run_dir / "log.txt", "w", encoding="utf-8") as log, \
            contextlib.redirect_stdout(log):
        off.training_loop.training_loop(**official_kwargs(args, recipe, data, seed, run_dir),
                                        progress_fn=keep_snapshot)
    record_seconds(run_dir, (time.monotonic() - start) / args.kimg)
    stats = [json.loads(line) for line in (run_dir / "stats.jsonl").read_text().splitlines()]
    return [(float(s["Progress/kimg"]["mean"]), path) for s, path in zip(stats, ticks,
                                                                           strict=True)]


def finished_official(run_dir: Path, kimg: float) -> list[tuple[float, Path]]:
    """The snapshots of an earlier call's release run that reached `kimg` (else none)."""
    stats_file = run_dir / "stats.jsonl"
    if not stats_file.is_file():
        return []
    stats = [json.loads(line) for line in stats_file.read_text().splitlines() if line.strip()]
    ticks = sorted(run_dir.glob("tick-*.pkl"))
    if not stats or len(ticks) != len(stats) or stats[-1]["Progress/kimg"]["mean"] < kimg:
        return []
    return [(float(s["Progress/kimg"]["mean"]), path) for s, path in zip(stats, ticks,
                                                                           strict=True)]


@torch.no_grad()
def render_official(g_ema: Any, count: int, frames: int, seed: int) -> torch.Tensor:
    """`count` videos of `frames` frames at t = k/(F-1) from the release's generator, as its
    `Generator.forward(timesteps=F)` renders them (networks.py:642-668), [-1, 1] `b t c h w`."""
    gen = torch.Generator().manual_seed(seed)
    videos = []
    for start in range(0, count, 8):
        b = min(8, count - start)
        z = torch.randn(b, g_ema.z_dim, generator=gen)
        z_motion = torch.randn(b, 512, generator=gen)
        ts = torch.linspace(0, 1, frames).view(1, frames, 1, 1, 1).repeat(b, 1, 1, 1, 1)
        ws = g_ema.mapping(z, torch.zeros(b, 0))
        img = g_ema.synthesis(ws, rearrange(ts, "b t c h w -> (b t) c h w"), z_motion)
        videos.append(rearrange(img, "(b t) c h w -> b t c h w", t=frames).clamp(-1, 1))
    return torch.cat(videos)


def score_official(snapshots: list[tuple[float, Path]], recipe: Any,
                   seed: int) -> list[dict[str, float]]:
    """The recipe's SWD of each snapshot's EMA generator, as inrvid's in-training evaluation."""
    from inrvid.base.pixels import to_uint8
    from inrvid.loading.plugins import load_plugins
    from inrvid.runtime.build import build_metrics, context_for, video_spec_of
    from inrvid.runtime.scoring.runner import (
        evaluate,
        group_by_sources,
        merge_results,
        training_fake_seed,
    )
    from inrvid.runtime.scoring.sources import RealClips, TensorVideoSource

    plugins = load_plugins()
    video = video_spec_of(recipe, plugins)
    metrics = build_metrics(recipe, video, torch.device("cpu"), plugins)
    real = RealClips(recipe.data, context_for(recipe, None, torch.device("cpu"), plugins))
    role, _ = swd_metric(recipe)
    curve = []
    for kimg, path in snapshots:
        with open(path, "rb") as f:
            g_ema = pickle.load(f)["G_ema"]
        results = []
        for protocol, group in group_by_sources({role: metrics[role]}):
            assert protocol is not None
            videos = render_official(g_ema, protocol.fake_videos, video.frames,
                                     training_fake_seed(seed))
            fake = TensorVideoSource(to_uint8(videos, truncate=protocol.uint8_cast == "truncate"),
                                     name="release G_ema")
            results.append(evaluate(group, fake, real.source(protocol.seed), progress=False))
        flat = merge_results(results).flat()
        curve.append({"kimg": kimg, **{name: flat[f"{role}/{key}"] for name, key in KEYS.items()}})
    return curve


def check_same_architecture(off: Any, recipe: Any, args: argparse.Namespace) -> None:
    """The release's networks at these kwargs have exactly inrvid's parameters and shapes."""
    from inrvid.loading.plugins import load_plugins
    from inrvid.runtime.build import build_models, video_spec_of

    kwargs = official_kwargs(args, recipe, Path("."), 0, Path("."))
    resolution = recipe.data.config.resolution
    plugins = load_plugins()
    models = build_models(recipe, video_spec_of(recipe, plugins), torch.device("cpu"), plugins)
    load_official_weights(models, construct(off, kwargs["G_kwargs"], resolution),
                          construct(off, kwargs["D_kwargs"], resolution), resolution)


# ---------------------------------------------------------------------------------------------
# Report


def report(args: argparse.Namespace, curves: dict[str, list[dict]], floor: dict[str, float],
           seconds: dict[str, float], out: Path) -> dict[str, Any]:
    """Table, JSON line, plot and control.json."""
    from inrvid.base import files

    print(f"control: {args.recipe.name} (w_dim = z_M = 512 on both sides), {args.kimg} kimg, "
          f"SWD every {args.every} kimg, CPU {args.threads} thread(s); real-vs-real floor: "
          f"frames {floor['frames']:.1f}, motion {floor['motion']:.1f}")
    print(f"{'run':<16} {'kimg':>7} {'frame SWD':>10} {'/floor':>7} {'motion SWD':>11} "
          f"{'/floor':>7}")
    for run, curve in curves.items():
        for point in curve:
            print(f"{run:<16} {point['kimg']:>7.2f} {point['frames']:>10.1f} "
                  f"{point['frames'] / floor['frames']:>7.2f} {point['motion']:>11.1f} "
                  f"{point['motion'] / floor['motion']:>7.2f}")
    print("wall seconds per kimg (inrvid: with its evaluations; release: with its snapshots): "
          + ", ".join(
        f"{run} {s:.1f}" for run, s in seconds.items()))
    result = {"benchmark": "convergence_vs_official", "recipe": str(args.recipe),
              "overrides": WIDE, "kimg": args.kimg, "every_kimg": args.every,
              "seeds": args.seeds, "threads": args.threads, "floor": floor,
              "s_per_kimg": seconds, "curves": curves}
    files.write_json(out / "control.json", result)
    plot(curves, floor, out / "control.png", args)
    print(json.dumps(result))
    return result


def plot(curves: dict[str, list[dict]], floor: dict[str, float], path: Path,
         args: argparse.Namespace) -> None:
    """Frame and motion SWD against kimg, both codes, each seed, with the floor."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from inrvid.base import files

    figure = Figure(figsize=(10, 3.8), layout="constrained")
    FigureCanvasAgg(figure)
    for ax, name in zip(figure.subplots(1, 2), KEYS, strict=True):
        for index, (run, curve) in enumerate(sorted(curves.items())):
            inrvid = run.startswith("inrvid")       # a colour per code, a marker per seed
            ax.plot([p["kimg"] for p in curve], [p[name] for p in curve],
                    "-" if inrvid else "--", color="tab:blue" if inrvid else "tab:orange",
                    marker="osD^v<>"[index % 7], markersize=4, label=run)
        ax.axhline(floor[name], color="grey", linestyle=":", label="real-vs-real floor")
        ax.set_yscale("log")
        ax.set_title(f"{name} SWD ({args.recipe.stem}, w_dim = z_M = 512)")
        ax.set_xlabel("kimg")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    with files.atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--official", type=Path, help="checkout of github.com/sihyun-yu/digan")
    parser.add_argument("--recipe", type=Path, default=REPO / "recipes" / "quickstart.yaml",
                        help="the configuration both codes train at")
    parser.add_argument("--kimg", type=float, default=20.0, help="training length of each run")
    parser.add_argument("--every", type=float, default=2.0, help="kimg between SWD points")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="seeds per code")
    parser.add_argument("--out", type=Path, default=Path("control-runs"),
                        help="folder for the exported clips, both codes' runs and the plot")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (torch)")
    parser.add_argument("--only", choices=["both", "inrvid", "official"], default="both",
                        help="train one code only (e.g. one process per code and seed)")
    parser.add_argument("--merge", type=Path, nargs="+", help="report these control.json / "
                        "control.partial.json files and inrvid metrics.jsonl files together "
                        "(no training; --out: where)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.merge:
        return merge(args)
    if args.official is None:
        sys.stderr.write(how_to_get(SCRIPT) + "\n")
        raise SystemExit(2)
    torch.set_num_threads(args.threads)
    from inrvid.base import files
    from inrvid.loading.plugins import load_plugins
    from inrvid.runtime.build import build_dataset_of

    out = args.out.expanduser().resolve()
    off = import_training(import_official(args.official.expanduser().resolve(), SCRIPT))
    recipe = control_recipe(args, args.seeds[0], out)
    check_same_architecture(off, recipe, args)
    data = out / RELEASE_FOLDER
    if not (data / "train").is_dir():        # the clips themselves: flips are each code's own
        export_frame_folders(build_dataset_of(control_recipe(args, 0, out, "data.hflip=false"),
                                              load_plugins()), data)
    curves: dict[str, list[dict]] = {}
    seconds: dict[str, float] = {}
    run = None
    for seed in args.seeds:
        if args.only != "official":
            run, curves[f"inrvid s{seed}"] = train_inrvid(args, seed, out)
            recorded_seconds(out / f"inrvid-seed{seed}", seconds, f"inrvid s{seed}")
        if args.only != "inrvid":
            np.random.seed(seed)
            snapshots = train_official(off, args, control_recipe(args, seed, out), data, seed,
                                       out)
            recorded_seconds(out / f"official-seed{seed}", seconds, f"official s{seed}")
            curves[f"official s{seed}"] = score_official(
                snapshots, control_recipe(args, seed, out), seed)
        files.write_json(out / "control.partial.json", {"curves": curves, "s_per_kimg": seconds})
    if run is None:          # the release alone: no inrvid run to take the floor from
        print(json.dumps({"benchmark": "convergence_vs_official", "partial": True,
                          "curves": curves, "s_per_kimg": seconds}))
        return {"curves": curves, "s_per_kimg": seconds}
    return report(args, curves, floor_of(run, recipe), seconds, out)


def record_seconds(folder: Path, s_per_kimg: float) -> None:
    """Keep a training's wall s/kimg beside it, for a later call that reuses the run."""
    from inrvid.base import files

    files.write_json(folder / "seconds.json", {"s_per_kimg": s_per_kimg})


def recorded_seconds(folder: Path, seconds: dict[str, float], name: str) -> None:
    """`seconds[name]`: the wall s/kimg the run's training recorded (absent if it did not)."""
    record = folder / "seconds.json"
    if record.is_file():
        seconds[name] = json.loads(record.read_text())["s_per_kimg"]


def floor_of(run: Path, recipe: Any) -> dict[str, float]:
    """benchmarks/sample_quality.py's real-vs-real floor of an inrvid run's SWD."""
    from sample_quality import real_floor

    role, _ = swd_metric(recipe)
    flat = real_floor(run)
    return {name: flat[f"eval/{role}/{key}"] for name, key in KEYS.items()}


def merge(args: argparse.Namespace) -> dict[str, Any]:
    """One report of several runs of this script (e.g. one process per seed, on more cores):
    their `control.json` or `control.partial.json`, at the same --kimg and --every."""
    curves: dict[str, list[dict]] = {}
    seconds: dict[str, float] = {}
    out = args.out.expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    recipe = control_recipe(args, 0, out)
    runs = []
    for path in args.merge:
        if path.suffix == ".jsonl":       # an inrvid run of this script: inrvid-seed<S>/.../
            seed = int(next(p for p in path.parts if p.startswith("inrvid-seed"))[11:])
            curves[f"inrvid s{seed}"] = inrvid_curve(path, swd_metric(recipe)[0])
            lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
            seconds[f"inrvid s{seed}"] = [r for r in lines if "s_per_kimg" in r][-1]["s_per_kimg"]
            runs.append(path.parent)
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        curves |= record["curves"]
        seconds |= record["s_per_kimg"]
        runs += [p.parent for p in path.parent.glob("inrvid-seed*/*/*/metrics.jsonl")]
    if not runs:
        raise SystemExit(f"{SCRIPT}: --merge: no inrvid run among {args.merge}")
    args.seeds = sorted({int(run_name.rsplit("s", 1)[1]) for run_name in curves})
    floor = floor_of(runs[0], recipe)
    return report(args, curves, floor, seconds, out)


if __name__ == "__main__":
    main()
