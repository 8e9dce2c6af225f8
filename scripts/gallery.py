"""Render the docs gallery (docs/gallery.md and docs/img/gallery/*) from a real training run.

Trains the quickstart recipe (or takes a finished run with --run), then renders with the
project's own code (`inrvid.load`, `tile_grid`, `write_gif`, `inrvid compare`):

    reals.gif, samples.gif       real clips of the dataset beside generated ones
    mode-*.gif                   the generation modes (long, same content, interpolation,
                                 slow motion, resolution)
    extrapolation.gif/.png       the model fitted to a clip (t in [0, 1]) and continued to
                                 t = 2, beside the true moving_shapes frames
    predict.gif                  `inrvid predict`: 8 frames observed, 24 rendered, the truth
    compare.png                  `inrvid compare` of the run and an ablation run (--ablation)

Every panel is at least 256 px per side (nearest-neighbour upscaling of the model's frames,
so no detail is invented). The page says what was trained, for how long and on what:

    python scripts/gallery.py                      # trains the quickstart, ~5-10 min on 2 cores
    python scripts/gallery.py --run runs/quickstart/<time> [--ablation-run RUN]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from inrvid.base.pixels import to_uint8

REPO = Path(__file__).resolve().parents[1]
PANEL = 256  # minimum pixels per side of every panel
ABLATION = ["generator.kind=digan_no_motion", "generator.motion_dim=0", "name=quickstart-no-motion"]


# ---------------------------------------------------------------- training
def train(recipe: str, out: Path, overrides: list[str]) -> tuple[Path, float]:
    """Run `inrvid run` with plain progress; the run folder and the wall time in seconds."""
    command = [sys.executable, "-m", "inrvid", "--progress", "plain", "run", recipe,
               f"output.dir={out}", *overrides]
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=REPO)
    seconds = time.monotonic() - started
    runs = sorted(p.parent.parent for p in out.glob("*/*/checkpoints/*.pt"))
    if not runs:
        raise SystemExit(f"no checkpoint under {out}: the training wrote none")
    return runs[-1], seconds


def training_minutes(log: Path) -> float | None:
    """Training time of a run from its metrics.jsonl: the sum of s/kimg times kimg per line."""
    seconds, last = 0.0, 0.0
    for line in log.read_text().splitlines():
        record = json.loads(line)
        if "s_per_kimg" in record:
            seconds += record["s_per_kimg"] * (record["kimg"] - last)
            last = record["kimg"]
    return seconds / 60 if seconds else None


# ---------------------------------------------------------------- pictures
def upscale(videos: Tensor, size: int = PANEL) -> Tensor:
    """Nearest-neighbour upscaling of uint8 `... h w` by an integer factor to >= `size`."""
    factor = max(1, math.ceil(size / videos.shape[-1]))
    return videos.repeat_interleave(factor, -1).repeat_interleave(factor, -2)


def fewer_colours(videos: Tensor, colours: int) -> Tensor:
    """uint8 `... c h w` videos mapped onto one median-cut palette of `colours` colours.

    Fewer distinct colours make the GIF's LZW codes shorter: a few hundred KB per picture.
    """
    from einops import rearrange

    from inrvid.video.writer import median_cut_palette, quantise

    frames = videos.reshape(-1, *videos.shape[-3:])                                # n c h w
    pixels = rearrange(frames, "n c h w -> (n h w) c")
    if len(pixels) > 65536:
        pixels = pixels[torch.linspace(0, len(pixels) - 1, 65536).long()]
    palette = median_cut_palette(pixels, colours)                                  # k c
    mapped = torch.stack([palette[quantise(f, palette).long()] for f in frames])   # n h w c
    return rearrange(mapped, "n h w c -> n c h w").reshape(videos.shape)


def save_gif(path: Path, videos: Tensor, fps: float, columns: int | None = None,
             colours: int = 64) -> None:
    """Tile uint8 `b t c h w` videos (each upscaled) and write one GIF of few colours."""
    from inrvid.video.writer import tile_grid, write_gif

    small = fewer_colours(videos, colours)
    write_gif(path, tile_grid(upscale(small), columns=columns, padding=4), fps)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)", flush=True)


def render_modes(model: Any, out: Path, fps: float) -> dict[str, Any]:
    """The generation modes of `inrvid generate`, one GIF each."""
    from inrvid.generation import latents as lat

    frames = model.video.frames
    save_gif(out / "samples.gif", model.sample(4, seed=0), fps, columns=4)
    save_gif(out / "mode-long.gif", model.sample(2, frames=2 * frames, seed=1), fps, columns=2)
    save_gif(out / "mode-same-content.gif", model.sample(3, seed=2, same_content=True), fps)
    path = lat.interpolation(model.generator, paths=1, steps=4, seed=3, target="content")
    times = model.times(frames)
    interpolated = model.render(path.z_content, path.z_motion, times, uint8=True)
    save_gif(out / "mode-interpolate.gif", interpolated, fps, columns=4)
    slow = model.sample(2, frames=(frames - 1) * 4 + 1, end=1.0, seed=4)
    save_gif(out / "mode-slowmo.gif", slow, fps, columns=2)
    z = model.latents(1, seed=5)
    native = model.render(z.z_content, z.z_motion, times, uint8=True)
    fine = model.render(z.z_content, z.z_motion, times, scale=4, uint8=True)
    save_gif(out / "mode-scale.gif", torch.cat([upscale(native, fine.shape[-1]), fine]), fps)
    return {"resolution": model.video.height, "frames": frames}


def render_extrapolation(model: Any, dataset: Any, out: Path, fps: float, steps: int) -> dict:
    """Fit latents to 3 clips' frames (t in [0, 1]); render to t = 2 beside the truth."""
    from inrvid.generation.quality import psnr

    videos = [0, 1, 2]
    frames = model.video.frames
    fit_times = model.times(frames).double()
    truth_fit = torch.stack([dataset.render(v, fit_times) for v in videos])       # b t c h w
    fit = model.invert(truth_fit * 2 - 1, fit_times.float(), steps=steps, seed=0)
    long_times = model.times(2 * frames - 1).double()                               # t in [0, 2]
    truth = torch.stack([dataset.render(v, long_times) for v in videos])
    predicted = model.render(fit.z_content, fit.z_motion, long_times.float(), w=fit.w)
    predicted01 = ((predicted + 1) / 2).clamp(0, 1)
    inside = long_times <= 1.0
    scores = {
        "psnr_fitted_db": float(psnr(predicted01[:, inside].flatten(0, 1),
                                     truth[:, inside].flatten(0, 1)).mean()),
        "psnr_extrapolated_db": float(psnr(predicted01[:, ~inside].flatten(0, 1),
                                           truth[:, ~inside].flatten(0, 1)).mean()),
    }
    truth8, pred8 = to_uint8(truth, value_range=(0.0, 1.0)), to_uint8(predicted)
    pairs = torch.stack([truth8, pred8], dim=1).flatten(0, 1)                       # (b 2) t c h w
    save_gif(out / "extrapolation.gif", pairs, fps, columns=2)
    strip(out / "extrapolation.png", truth8[0], pred8[0], long_times)
    return scores | {"videos": len(videos), "inversion_steps": steps}


def render_predict(model: Any, dataset: Any, out: Path, fps: float, steps: int) -> None:
    """As `inrvid predict --observe 0-7 --render 0-23`: observed | predicted | true frames."""
    frames = model.video.frames
    observed_k, render_k = torch.arange(frames // 2), torch.arange(frames + frames // 2)
    last = frames - 1
    truth = dataset.render(3, render_k.double() / last)                            # t c h w
    fit = model.invert(truth[observed_k] * 2 - 1, observed_k.float() / last, steps=steps)
    predicted = to_uint8(model.render(fit.z_content, fit.z_motion, render_k.float() / last,
                                      w=fit.w)[0])
    truth8 = to_uint8(truth, value_range=(0.0, 1.0))
    shown = torch.zeros_like(truth8)
    shown[observed_k] = truth8[observed_k]                    # black where nothing was observed
    save_gif(out / "predict.gif", torch.stack([shown, predicted, truth8]), fps, columns=3)


def strip(path: Path, truth: Tensor, predicted: Tensor, times: Tensor) -> None:
    """A labelled PNG: true frames above model frames at a few times in [0, 2]."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    picks = torch.linspace(0, len(times) - 1, 6).round().long()
    figure = Figure(figsize=(6 * 2.9, 2 * 3.1), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, len(picks))
    for column, k in enumerate(picks.tolist()):
        for row, (label, video) in enumerate((("truth", truth), ("model", predicted))):
            ax = axes[row, column]
            ax.imshow(video[k].permute(1, 2, 0).numpy(), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                fitted = "fitted" if float(times[k]) <= 1.0 else "extrapolated"
                ax.set_title(f"t = {float(times[k]):.2f} ({fitted})")
            if column == 0:
                ax.set_ylabel(label, fontsize=13)
    figure.savefig(path)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)", flush=True)


def compare_plot(runs: list[Path], out: Path) -> str:
    """`inrvid compare RUN ... --plot out/compare.png` (the command itself); its Markdown table."""
    with tempfile.TemporaryDirectory() as scratch:
        table = Path(scratch) / "compare.md"
        command = [sys.executable, "-m", "inrvid", "--progress", "none", "compare",
                   *map(str, runs), "--plot", str(out / "compare.png"), "--markdown", str(table)]
        subprocess.run(command, check=True, cwd=REPO)
        return table.read_text().strip()


# ---------------------------------------------------------------- the page
# Overrides that change how long a run trains and how often it writes, not the model: the
# page states the kimg trained instead (benchmarks/convergence.py sets them per stretch).
BOOKKEEPING = ("output.", "train.duration_kimg=", "train.checkpoint_every_kimg=",
               "train.sample_every_kimg=", "eval.every_kimg=")


def model_overrides(overrides: list[str]) -> list[str]:
    """The overrides that shape the model and its training, for the page."""
    return [o for o in overrides if not o.startswith(BOOKKEEPING)]


def public_table(table: str) -> str:
    """`inrvid compare`'s table without `output.*` overrides: paths of the machine it ran on."""
    lines = []
    for line in table.splitlines():
        head, _, listed = line.partition(": ")
        if head == "Overrides of every run":
            kept = [o for o in listed.split(", ") if not o.strip("`").startswith("output.")]
            if not kept:
                continue
            line = f"{head}: {', '.join(kept)}"
        lines.append(line)
    return "\n".join(lines).strip()


def write_page(page: Path, facts: dict[str, Any]) -> None:
    """docs/gallery.md from the facts of this build (no figure is typed by hand)."""
    table = facts["compare_table"]
    training = facts["training"]
    overrides = model_overrides(training["overrides"])
    by = "by `scripts/gallery.py` " if training.get("trained_by") == "script" else ""
    how = (
        f"trained {by}in {training['minutes']:.1f} minutes on {training['machine']}"
        if training.get("minutes") is not None
        else "a run given to `scripts/gallery.py --run`"
    )
    extra = facts["extrapolation"]
    side = facts["modes"]["resolution"]
    long_frames = 2 * facts["modes"]["frames"]
    text = f"""# Gallery

Every picture on this page was rendered by `scripts/gallery.py` from one real run, with the
project's own code (`inrvid.load`, `inrvid generate`'s renderer, `inrvid compare`), and not
retouched. What was trained: `{training['recipe']}` (at commit `{training['commit'] or "?"}`)
{' '.join(f'`{o}`' for o in overrides) or '(no model overrides)'}: a scaled-down DIGAN
on the procedural `moving_shapes` dataset at {side}×{side},
{facts['modes']['frames']} frames a clip, for {training['kimg']:g} kimg (thousands of videos
shown to the discriminators); {how}. A model this small and this short is what a CPU affords:
it shows what each mode does, not what a trained DIGAN looks like. Frames are enlarged with
nearest-neighbour upscaling to at least {PANEL} pixels a side, so every block is one pixel
the model rendered. To rebuild the page (for example on a GPU, with a larger configuration):

```bash
python scripts/gallery.py                            # trains the quickstart, then renders
python scripts/gallery.py --run runs/quickstart/<time> \\
    --ablation-run runs/quickstart-no-motion/<time>
```

## Real clips and samples

Every run writes a grid of real clips beside its sample grids (`samples/reals.mp4`), so the two
compare at a glance. Real clips of the training data, then samples of the model, 16 frames:

![real moving_shapes clips](img/gallery/reals.gif)

![samples of the model](img/gallery/samples.gif)

## Generation modes

`inrvid generate` renders a trained INR at any time and on any grid. Each row below is one
mode; the commands are those of [Generation](generation.md).

**Longer than a clip** (`--frames {long_frames}`): the clip spans t in [0, 1]; these
videos continue to t ≈ 2.

![two samples of two clip lengths](img/gallery/mode-long.gif)

**Motion diversity** (`--same-content 3`): one content latent, three motion latents; the
first frames are identical.

![one content, three motions](img/gallery/mode-same-content.gif)

**Latent interpolation** (`--interpolate content --steps 4`): four videos on a path between two
content latents, motion held.

![interpolation between two content latents](img/gallery/mode-interpolate.gif)

**Slow motion** (`--slowmo 4`): four times as many frames over the same span.

![four times the frames](img/gallery/mode-slowmo.gif)

**Resolution** (`--scale 4`): the same video rendered on the training grid (left, enlarged)
and on a grid four times as dense (right): each extra pixel is a new evaluation of the network.

![the training grid and a four times denser one](img/gallery/mode-scale.gif)

## Extrapolation in time against the truth

`moving_shapes` can render its true frame at any real time, so a model's continuation of a
clip can be checked. The latents were fitted ({extra['inversion_steps']} Adam steps, as
`inrvid predict`) to {extra['videos']} clips' frames for t in [0, 1], then the model rendered
t in [0, 2]. In each pair, the truth is on the left and the model on the right. Mean PSNR:
{extra['psnr_fitted_db']:.1f} dB on the fitted span, {extra['psnr_extrapolated_db']:.1f} dB
past it.

![truth and model, t from 0 to 2](img/gallery/extrapolation.gif)

![truth above, model below, at six times](img/gallery/extrapolation.png)

**Frame prediction** (`inrvid predict --observe 0-7 --render 0-23`): latents fitted to the first
half of a clip, then frames rendered past it. Left: what was observed (black: not observed);
middle: the model; right: the truth.

![observed, predicted, true](img/gallery/predict.gif)

## Comparing runs

`inrvid compare` on the run{'s' if len(facts['compared']) > 1 else ''} above
({', '.join(f'`{c}`' for c in facts['compared'])}): the metric curves it plots, and its table.
SWD (sliced Wasserstein distance on frame patches, lower is better) is the quickstart's
in-training metric; it needs no downloaded weights.

![inrvid compare plot](img/gallery/compare.png)

{table}
"""
    page.write_text(text)
    print(f"wrote {page}", flush=True)


def recipe_label(path: Path) -> str:
    """A recipe's path as the repository names it (`recipes/quickstart.yaml`)."""
    parts = path.parts
    return "/".join(parts[parts.index("recipes"):]) if "recipes" in parts else str(path)


def default_machine() -> str:
    """`a GPU` or `a 2-core CPU (x86_64)`."""
    if torch.cuda.is_available():
        return f"a GPU ({torch.cuda.get_device_name()})"
    return f"a {os.cpu_count()}-core CPU ({platform.machine()})"


def main(argv: list[str] | None = None) -> None:
    """Train (or take) a run and render the gallery."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="a finished run folder (skips training)")
    parser.add_argument("--ablation-run", type=Path, help="a second run for the compare plot")
    parser.add_argument("--recipe", default="recipes/quickstart.yaml")
    parser.add_argument("--ablation", action="store_true",
                        help="also train the no-motion ablation for the compare plot")
    parser.add_argument("--work", type=Path, default=REPO / "runs" / "gallery",
                        help="where trained runs go")
    parser.add_argument("--inversion-steps", type=int, default=200)
    parser.add_argument("--machine", default=default_machine(),
                        help="what the run trained on, for the page")
    parser.add_argument("--page-only", action="store_true",
                        help="rewrite docs/gallery.md from the saved gallery.json")
    parser.add_argument("overrides", nargs="*", help="key=value overrides of the recipe")
    args = parser.parse_args(argv)
    if args.page_only:
        facts = json.loads((REPO / "docs" / "img" / "gallery" / "gallery.json").read_text())
        facts["training"]["recipe"] = recipe_label(Path(facts["training"]["recipe"]))
        facts["run"] = "/".join(Path(facts["run"]).parts[-2:])
        facts["compare_table"] = public_table(facts["compare_table"])
        if facts["training"].get("minutes") is not None:
            facts["training"]["machine"] = args.machine
        (REPO / "docs" / "img" / "gallery" / "gallery.json").write_text(
            json.dumps(facts, indent=2) + "\n")
        write_page(REPO / "docs" / "gallery.md", facts)
        return

    out = REPO / "docs" / "img" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    training: dict[str, Any] = {"recipe": args.recipe, "overrides": args.overrides}
    if args.run is None:
        run, seconds = train(args.recipe, args.work, args.overrides)
        training |= {"minutes": seconds / 60, "machine": args.machine, "trained_by": "script"}
    else:
        run = args.run
        minutes = training_minutes(run / "metrics.jsonl")
        if minutes is not None:
            training |= {"minutes": minutes, "machine": args.machine}
    runs = [run]
    if args.ablation_run is not None:
        runs.append(args.ablation_run)
    elif args.ablation and args.run is None:
        runs.append(train(args.recipe, args.work, [*args.overrides, *ABLATION])[0])

    info = json.loads((run / "run-info.json").read_text())
    recipe = Path(info["recipe_chain"][0]) if info.get("recipe_chain") else Path(args.recipe)
    training["recipe"] = recipe_label(recipe)
    training["overrides"] = model_overrides(info.get("overrides", []))
    training["commit"] = (info.get("git_commit") or "")[:10]

    import inrvid
    from inrvid.runtime.build import build_dataset_of

    torch.manual_seed(0)
    model = inrvid.load(run)
    training["kimg"] = model.info["images_seen"] / 1000
    dataset = build_dataset_of(model.recipe, model.plugins)
    fps = model.video.fps
    clips = torch.stack([dataset.render_uint8(v, model.times(model.video.frames).double())
                         for v in range(4)])
    save_gif(out / "reals.gif", clips, fps, columns=4)
    facts: dict[str, Any] = {"training": training, "run": f"{run.parent.name}/{run.name}"}
    facts["modes"] = render_modes(model, out, fps)
    facts["extrapolation"] = render_extrapolation(model, dataset, out, fps, args.inversion_steps)
    render_predict(model, dataset, out, fps, args.inversion_steps)
    facts["compare_table"] = public_table(compare_plot(runs, out))
    facts["compared"] = [f"{r.parent.name}/{r.name}" for r in runs]
    (out / "gallery.json").write_text(json.dumps(facts, indent=2) + "\n")
    write_page(REPO / "docs" / "gallery.md", facts)


if __name__ == "__main__":
    main()
