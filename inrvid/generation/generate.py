"""`inrvid generate <checkpoint>`: videos of any length, frame rate and resolution.

Modes: independent samples (default), `--same-content K` (one content latent, K motions),
`--interpolate content|motion|both --steps M` (paths between random latents), and
`--slowmo k` (k times as many frames over the same time span) with any of them.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from inrvid.base import limits, threads
from inrvid.base.console import counted, err
from inrvid.base.errors import InrvidError
from inrvid.base.progress import bar
from inrvid.base.tensor import pick_device
from inrvid.components.generator import class_index, draw_classes
from inrvid.generation import latents as lat
from inrvid.generation.api import VideoModel, load
from inrvid.generation.manifest import check_output, remove_generation, write_manifest
from inrvid.generation.output import set_names, write_set
from inrvid.runtime.render import Chunking, check_scale


def plan_latents(model: VideoModel, args: argparse.Namespace) -> tuple[lat.Latents, int]:
    """The latents of the chosen mode and the grid's columns."""
    g = model.generator
    if args.same_content is not None:
        if args.same_content < 1:
            raise InrvidError(f"--same-content: got {args.same_content}, expected K >= 1")
        return lat.same_content(g, args.same_content, args.seed), math.ceil(
            math.sqrt(args.same_content))
    if args.num < 1:
        raise InrvidError(f"--num: got {args.num}, expected at least 1")
    if args.interpolate is not None:
        z = lat.interpolation(g, args.num, args.steps, args.seed, args.interpolate, args.method)
        return z, args.steps
    return lat.gaussian(g, args.num, args.seed), math.ceil(math.sqrt(args.num))


def plan_times(model: VideoModel, args: argparse.Namespace) -> tuple[Any, float]:
    """The frame times and the file frame rate (`--slowmo` multiplies frames, not the rate)."""
    if args.slowmo < 1:
        raise InrvidError(f"--slowmo: got {args.slowmo}, expected an integer k >= 1")
    if args.scale < 1:
        raise InrvidError(f"--scale: got {args.scale}, expected an integer >= 1")
    frames = args.frames or model.video.frames
    span = model.times(frames, args.time_start, args.time_end)
    end = float(span[-1])
    times = model.times((frames - 1) * args.slowmo + 1, args.time_start, end)
    return times, args.fps or model.video.fps


def plan_classes(model: VideoModel, args: argparse.Namespace, videos: int) -> Tensor | None:
    """Each video's class: `--class` for all, else random (seeded); None if unconditional."""
    g = model.generator
    if args.class_name is not None:
        return torch.full((videos,), class_index(g, args.class_name), dtype=torch.long)
    return draw_classes(g, videos, torch.Generator().manual_seed(args.seed))


def _class_record(model: VideoModel, classes: Tensor | None) -> dict[str, Any]:
    if classes is None:
        return {}
    names = model.generator.class_names
    return {"classes": [names[i] if names else i for i in classes.tolist()]}


def check_size(model: VideoModel, args: argparse.Namespace) -> None:
    """Refuse up front a set of videos that would not fit in memory (`inrvid.base.limits`)."""
    if args.same_content is not None:
        videos = args.same_content
    else:
        videos = args.num * (args.steps if args.interpolate is not None else 1)
    frames = ((args.frames or model.video.frames) - 1) * args.slowmo + 1
    height, width = model.video.height * args.scale, model.video.width * args.scale
    limits.check_fits(
        videos * frames * 3 * height * width,
        f"{videos} videos of {frames} frames at {height}x{width}",
        "lower --num, --steps, --frames, --slowmo or --scale",
    )


def run(args: argparse.Namespace) -> int:
    """Render the videos of the chosen mode and write them with a grid and a manifest."""
    out = Path(args.out)
    earlier = check_output(out, args.replace)  # refused before anything loads
    threads.apply(args.threads)
    model = load(args.checkpoint, device=pick_device(args.device), ema=not args.no_ema,
                 plugins=args.plugins)
    check_scale(model.generator, args.scale, "--scale")
    check_size(model, args)
    z, columns = plan_latents(model, args)
    times, fps = plan_times(model, args)
    classes = plan_classes(model, args, len(z))
    chunking = Chunking(videos=args.chunk_videos, frames=args.chunk_frames)
    if earlier is not None:
        remove_generation(earlier)
    names, grid = set_names(len(z), args.format)
    record = {
        "checkpoint": model.info["path"],
        "images_seen": model.info["images_seen"],
        "ema": model.ema,
        "videos": len(z),
        "frames": len(times),
        "times": [float(times[0]), float(times[-1])],
        "fps": fps,
        "scale": args.scale,
        "size": [model.video.height * args.scale, model.video.width * args.scale],
        "seed": args.seed,
        "mode": _mode(args),
        **_class_record(model, classes),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out, record, names, grid, complete=False)  # a cut-short run still lists them
    total = len(z) * len(times)
    with bar("rendering frames", total, enabled=not args.quiet) as advance:
        videos = model.render(z.z_content, z.z_motion, times, scale=args.scale,
                              chunking=chunking, uint8=True, on_chunk=advance,
                              classes=classes)                          # b t c h w
    write_set(out, videos, fps, args.format, columns=columns)
    write_manifest(out, record | {"size": list(videos.shape[-2:])}, names, grid, complete=True)
    err.print(f"wrote {counted(len(z), 'video')} of {counted(len(times), 'frame')} "
              f"({videos.shape[-2]}x{videos.shape[-1]}) and a grid to {out}")
    return 0


def _mode(args: argparse.Namespace) -> dict[str, Any]:
    if args.same_content is not None:
        return {"same_content": args.same_content, "slowmo": args.slowmo}
    if args.interpolate is not None:
        return {"interpolate": args.interpolate, "steps": args.steps, "method": args.method,
                "slowmo": args.slowmo}
    return {"samples": args.num, "slowmo": args.slowmo}
