"""How fast a recipe learns its data: frame and motion SWD over the real floor, per kimg.

    python benchmarks/convergence.py RECIPE [key=value ...] --budget-minutes N \\
        [--points-kimg 1 2 4 ...] --out DIR

Trains RECIPE with `inrvid run` (a subprocess; an ordinary run folder under DIR/runs/) in
stretches that end at fixed kimg points (default 1, 2, 3, 4, 6, 8, 12, 16, ... kimg). Each
stretch ends with the run's own in-training evaluation and a checkpoint; the benchmark then
reads the recipe's SWD metric (frames and frame differences, `inrvid.runtime.scoring.swd`) from the
run's metrics.jsonl, divides it by the real-vs-real floor of the same protocol
(`common.real_floor`, as `sample_quality.py`) and renders the EMA generator's sample grid
beside the real clips. It stops after the last point, or when the training time reaches
`--budget-minutes`: the last stretch is then cut to end at the budget, at the rate of the
stretch before. Budget and "train min" count the training loop's wall clock (metrics.jsonl's
s_per_kimg); "wall min" also counts start-ups, evaluations and grids.

DIR receives results.json (rewritten after each point), curves.png, grids/grid-<images>.png,
train.log (the runs' output); stdout, at the end, a table and one JSON line. Stopped, the same
command continues: on Ctrl-C or SIGTERM (to the benchmark or to the training) the training
finishes its step and checkpoints, and the rerun goes on from there, counting the time of both
parts; killed outright (SIGKILL), the rerun trains the stretch under way again from its start,
and the time lost is not counted.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convergence_report as report
from common import real_floor, run_lines

from inrvid.base import files, threads
from inrvid.base.errors import InrvidError
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import Recipe, load_recipe
from inrvid.runtime import checkpoint as ckpt
from inrvid.runtime.build import build_dataset_of
from inrvid.train.samples import SampleWriter
from inrvid.train.stopping import STOPPED_EXIT

# the benchmark sets these itself: duration per stretch, checkpoints and evaluations at the
# stretch ends only (so each point's checkpoint is where the next stretch starts)
OWNED = ("train.duration_kimg", "train.checkpoint_every_kimg", "eval.every_kimg", "output.dir")
NEVER_KIMG = 1e9
# exit statuses of a training quit at once (a second Ctrl-C, a signal's default action)
INTERRUPTED = (130, -signal.SIGINT, -signal.SIGTERM, -signal.SIGKILL)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe", help="recipe YAML")
    parser.add_argument("overrides", nargs="*", help="key.sub=value recipe overrides")
    parser.add_argument("--budget-minutes", type=float, default=None,
                        help="stop when the training time reaches this many minutes")
    parser.add_argument("--points-kimg", type=float, nargs="+", default=None,
                        help="kimg points to score at (default 1 2 3 4 6 8 12 16 ...)")
    parser.add_argument("--metric", default=None,
                        help="the eval.metrics role of the SWD metric (default: the only one)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    if args.budget_minutes is None and args.points_kimg is None:
        parser.error("give --budget-minutes, --points-kimg, or both")
    if args.budget_minutes is not None and args.budget_minutes <= 0:
        parser.error(f"--budget-minutes: got {args.budget_minutes}, expected minutes > 0")
    for override in args.overrides:
        key = override.split("=", 1)[0]
        if key in OWNED:
            parser.error(f"override {override!r}: convergence.py sets {key} itself; "
                         "use --points-kimg and --budget-minutes")
    return args


def swd_metric(recipe: Recipe, name: str | None, where: str) -> str:
    """The role of the recipe's SWD metric (`name` if given): its keys are `<role>/swd...`."""
    roles = [role for role, section in recipe.eval.metrics.items() if section.get("kind") == "swd"]
    if name is not None and name not in roles:
        raise SystemExit(f"{where}: eval.metrics.{name}: not an swd metric; swd metrics: {roles}")
    if name is None and len(roles) != 1:
        raise SystemExit(
            f"{where}: eval.metrics: got {len(roles)} swd metrics {roles}, expected one\n"
            "  add eval.metrics.swd={kind: swd, protocol: proxy} or pick one with --metric")
    return name or roles[0]


def machine(recipe: Recipe) -> dict[str, Any]:
    """What the figures were measured on: CPUs, threads, priority, versions.

    The torch threads are chosen here as `inrvid run` chooses them for the training (the
    recipe's `train.threads`, else OMP_NUM_THREADS, never over the CPUs available).
    """
    return {"cpu_count": os.cpu_count(), "cpus_usable": threads.available_cpus(),
            "torch_threads": threads.apply(None, recipe.train.threads),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "nice": os.nice(0),
            "python": platform.python_version(), "torch": torch.__version__}


def find_run(out: Path) -> Path | None:
    """The newest run folder under DIR/runs/ that has a checkpoint (one a kill left without
    a checkpoint cannot be resumed, and is left as it is)."""
    runs = sorted((p for p in (out / "runs").glob("*/*") if ckpt.latest(p / "checkpoints")),
                  key=lambda p: p.name)
    return runs[-1] if runs else None


def train_stretch(args: argparse.Namespace, run: Path | None, target: int) -> None:
    """`inrvid run` (or `--resume`) until `target` images; its output appended to train.log.

    A stop signal makes the training finish its step and checkpoint (`inrvid.train.stopping`);
    the benchmark then exits, and the same command resumes from that checkpoint.
    """
    inrvid = [sys.executable, "-m", "inrvid", "run"]
    duration = f"train.duration_kimg={target / 1000}"
    if run is None:
        command = [*inrvid, args.recipe, *args.overrides, duration,
                   f"train.checkpoint_every_kimg={NEVER_KIMG}", f"eval.every_kimg={NEVER_KIMG}",
                   f"output.dir={args.out / 'runs'}", "--quiet"]
    else:
        command = [*inrvid, "--resume", str(run), duration, "--quiet"]
    log_path = args.out / "train.log"
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ {shlex.join(command)}\n")
        log.flush()
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                 preexec_fn=die_with_parent)
        try:
            code = child.wait()
        except KeyboardInterrupt:  # the terminal's Ctrl-C reached the training too
            code = child.wait()    # it finishes its step and checkpoints (a 2nd Ctrl-C: at once)
    if code == STOPPED_EXIT:
        raise SystemExit(f"the training stopped on a signal after a checkpoint (the end of "
                         f"{log_path} says where)\n  run the same command again to continue")
    if code in INTERRUPTED:
        raise SystemExit("the training was interrupted before a checkpoint\n  run the same "
                         "command again: the stretch under way starts again from its beginning")
    if code:
        raise SystemExit(f"{shlex.join(command)}\n  exited with {code}; "
                         f"its output is at the end of {log_path}")


def die_with_parent() -> None:
    """In the training child (Linux): SIGTERM when the benchmark dies, so a killed benchmark
    leaves no training behind that a rerun would race with; the training checkpoints first."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


class Grids:
    """The EMA generator's sample grid at a checkpoint beside the run's real clips, as PNG."""

    def __init__(self, out: Path) -> None:
        self.folder = out / "grids"
        self.reals: torch.Tensor | None = None

    def write(self, checkpoint: ckpt.Checkpoint, title: str) -> Path:
        plugins = load_plugins()
        recipe = checkpoint.validated_recipe(plugins)
        writer = SampleWriter(ckpt.load_generator(checkpoint, plugins), checkpoint.run_dir,
                              videos=recipe.train.sample_videos,
                              frames=recipe.train.sample_frames, seed=recipe.seed,
                              fps=checkpoint.video.fps)
        if self.reals is None:
            self.reals = writer.real_videos(build_dataset_of(recipe, plugins))
        path = self.folder / f"grid-{checkpoint.images_seen:09d}.png"
        return report.grid_image(path, writer.render(), self.reals, title=title)


def score(run: Path, images: int, starts: list[int], reason: str, results: dict[str, Any],
          wall_minutes: float) -> dict[str, Any]:
    """The point at `images` from the run's metrics.jsonl: SWD, its ratios, training time.

    `starts`: where the stretch that ended here began, and where it resumed if stopped.
    """
    metric, lines = results["metric"], run_lines(run)
    evals = [r for r in lines if r.get("images_seen") == images and f"eval/{metric}/swd" in r]
    if not evals:
        raise SystemExit(f"{run / 'metrics.jsonl'}: no eval/{metric}/swd line at {images} "
                         "images seen, expected the evaluation that ends each stretch")
    previous = results["points"][-1] if results["points"] else None
    minutes, rate = 0.0, None
    if previous is not None:
        try:
            stretch = report.stretch_minutes(lines, [previous["images_seen"], *starts], images)
        except ValueError as exc:
            raise SystemExit(f"{run}/{exc}") from None
        minutes = previous["train_minutes"] + stretch
        rate = stretch * 6e4 / (images - previous["images_seen"])
    point = {"kimg": images / 1000, "images_seen": images, "step": evals[-1].get("step"),
             "train_minutes": minutes, "wall_minutes": wall_minutes, "s_per_kimg": rate,
             "load_1min": os.getloadavg()[0], "reason": reason, "grid": None,
             **{m: evals[-1][f"eval/{metric}/{m}"] for m in report.METRICS}}
    return report.with_ratios(point, results["floor"])


def has_evaluation(run: Path, images: int, metric: str) -> bool:
    """Whether a stretch ended at `images` (a checkpoint of a stopped stretch has no eval line)."""
    return any(r.get("images_seen") == images and f"eval/{metric}/swd" in r
               for r in run_lines(run))


def start(args: argparse.Namespace, recipe: Recipe, results_path: Path) -> dict[str, Any]:
    """The results so far (a rerun of the same recipe and overrides), else new ones."""
    recipe_path = str(Path(args.recipe).resolve())
    if results_path.exists():
        results: dict[str, Any] = json.loads(results_path.read_text(encoding="utf-8"))
        if (results["recipe_path"], results["overrides"]) != (recipe_path, args.overrides):
            raise SystemExit(
                f"{results_path}: holds {results['recipe_path']} {results['overrides']}, not "
                f"{recipe_path} {args.overrides}\n  give another --out, or the same recipe")
    else:
        results = {"benchmark": "convergence", "recipe": args.recipe, "recipe_path": recipe_path,
                   "overrides": args.overrides, "points": [], "sessions": [], "pending": None}
    results |= {"budget_minutes": args.budget_minutes, "machine": machine(recipe),
                "stopped": None}
    return results


def save(results: dict[str, Any], out: Path) -> None:
    files.write_json(out / "results.json", results)
    if results["points"]:
        report.plot_curves(results, out / "curves.png")


def catch_up(run: Path, results: dict[str, Any], grids: Grids, out: Path,
             wall_minutes: float) -> int:
    """Score what the run has that the results lack (0 kimg, a finished stretch); return
    the images seen at its newest checkpoint (where training goes on)."""
    results["run"] = str(run)
    if results.get("floor") is None:
        floor = real_floor(run)
        results["floor"] = {m: floor[f"eval/{results['metric']}/{m}"] for m in report.METRICS}
    newest = ckpt.load(run)
    done = {p["images_seen"] for p in results["points"]}
    pending = results["pending"] or {"reason": "point", "starts": []}
    for images in (0, newest.images_seen):
        if images in done or not has_evaluation(run, images, results["metric"]):
            continue
        first = images == 0
        point = score(run, images, [] if first else pending["starts"],
                      "start" if first else pending["reason"], results,
                      0.0 if first else wall_minutes)
        if not first:
            results["pending"] = None
            grid = grids.write(newest, f"generated, {point['kimg']:.3f} kimg: frames "
                               f"{point['swd_over_floor']:.2f}×, motion "
                               f"{point['swd_motion_over_floor']:.2f}× floor")
            point["grid"] = str(grid.relative_to(out))
        results["points"].append(point)
        done.add(images)
        print(f"{point['kimg']:8.3f} kimg  frames {point['swd_over_floor']:6.2f}× "
              f"motion {point['swd_motion_over_floor']:6.2f}× floor  train "
              f"{point['train_minutes']:6.2f} min  wall {point['wall_minutes']:6.2f} min",
              file=sys.stderr, flush=True)
    return newest.images_seen


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    recipe = load_recipe(args.recipe, args.overrides, plugins=load_plugins())
    points = report.point_images(args.points_kimg or report.geometric_points())
    args.out.mkdir(parents=True, exist_ok=True)
    results = start(args, recipe, args.out / "results.json")
    results["metric"] = swd_metric(recipe, args.metric, args.recipe)
    results["points_kimg"] = [p / 1000 for p in points] if args.points_kimg else "geometric"
    session = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "load_start": list(os.getloadavg()), "load_end": None}
    results["sessions"].append(session)
    began = time.monotonic()
    wall_base = results["points"][-1]["wall_minutes"] if results["points"] else 0.0
    grids = Grids(args.out)
    run = find_run(args.out)
    while True:
        current = 0
        if run is not None:
            wall = wall_base + (time.monotonic() - began) / 60
            current = catch_up(run, results, grids, args.out, wall)
            save(results, args.out)
        pending = results["pending"]
        if pending is not None and pending["target_images"] > current:
            segment, why = report.Segment(pending["target_images"], pending["reason"]), ""
        else:
            pending, last = None, results["points"][-1] if results["points"] else None
            segment, why = report.next_segment(
                points, current, batch=recipe.train.batch_size,
                train_minutes=last["train_minutes"] if last else 0.0,
                budget_minutes=args.budget_minutes,
                s_per_kimg=last["s_per_kimg"] if last else None)
        if segment is None:
            results["stopped"] = why
            break
        results["pending"] = {"target_images": segment.target_images, "reason": segment.reason,
                              "starts": [*(pending["starts"] if pending else []), current]}
        save(results, args.out)
        train_stretch(args, run, segment.target_images)
        run = run or find_run(args.out)
    session["ended"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    session["load_end"] = list(os.getloadavg())
    session["wall_minutes"] = (time.monotonic() - began) / 60
    save(results, args.out)
    print(report.table(results))
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    try:
        main()
    except InrvidError as exc:  # a bad recipe, override, checkpoint or file: its message only
        raise SystemExit(f"error: {exc}") from None
