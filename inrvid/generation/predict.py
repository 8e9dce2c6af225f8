"""`inrvid predict <checkpoint> --video FILE --observe 6,7,8 --render 3-11`: frames by inversion.

The latents are fitted to the observed frames (at t = i / (clip_frames - 1)), then the
requested past and future frames are rendered. The comparison video shows, per frame, the
observed frame (black when not observed), the prediction and the input's true frame (black
past the clip's end). PSNR and SSIM are reported on the frames that were not observed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch
from rich.markup import escape
from rich.table import Table
from torch import Tensor

from inrvid.base import console, files, limits, threads
from inrvid.base.progress import bar
from inrvid.base.tensor import pick_device
from inrvid.base.time_axis import index_times
from inrvid.generation.api import VideoModel, load
from inrvid.generation.clips import parse_frames, read_frames, require_observed
from inrvid.generation.inversion import Inversion
from inrvid.generation.quality import mean_finite, psnr, ssim
from inrvid.video import tile_grid, write_video


def run(args: argparse.Namespace) -> int:
    """Fit, render, compare, report."""
    threads.apply(args.threads)
    model = load(args.checkpoint, device=pick_device(args.device), ema=not args.no_ema,
                 plugins=args.plugins)
    observed = parse_frames(args.observe, "--observe")
    rendered = parse_frames(args.render, "--render")
    shown = sorted(set(observed) | set(rendered))
    video = model.video
    limits.check_fits(
        len(shown) * 3 * video.height * video.width * 4 * 4,  # float frames, 3 panels and fit
        f"{len(shown)} frames at {video.height}x{video.width}",
        "observe and render fewer frames",
    )
    clip = read_frames(args.video, shown, model.video.height, model.plugins)
    note = clip.resize_note(args.video, model.video.height)
    if note is not None:
        console.err.print(escape(note), soft_wrap=True)
    found = clip.frames                                                            # i -> c h w
    require_observed(observed, found, args.video)
    clip_frames = model.video.frames
    target = torch.stack([found[i] for i in observed])                             # t c h w
    with bar("fitting latents", args.steps, enabled=not args.quiet) as advance:
        fit = invert_frames(model, target, index_times(observed, clip_frames), args,
                            on_step=lambda _step, _loss: advance(1))
    predicted = model.render(fit.z_content, fit.z_motion, index_times(shown, clip_frames)[None],
                             w=fit.w, uint8=True)[0]                               # t c h w
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"predict.{args.format}"
    write_video(path, comparison(shown, observed, predicted, found),
                args.fps or model.video.fps)
    report = build_report(shown, observed, rendered, predicted, found, fit, clip_frames)
    report.update({"checkpoint": model.info["path"], "video": str(args.video),
                   "video_size": [clip.height, clip.width], "comparison": str(path)})
    files.write_json(out / "predict.json", report)
    print_report(report)
    if args.json:
        console.out.print_json(json.dumps(report))
    return 0


def invert_frames(
    model: VideoModel, target: Tensor, times: Tensor, args: argparse.Namespace, on_step: Any
) -> Inversion:
    """The inversion of `predict` (uint8 `t c h w` at `t` times) with the command's options."""
    from inrvid.generation.inversion import invert

    frames = target.float()[None] / 127.5 - 1                                      # 1 t c h w
    return invert(model.generator, frames, times[None], optimize=args.optimize.split(","),
                  steps=args.steps, lr=args.lr, restarts=args.restarts, seed=args.seed,
                  on_step=on_step)


def comparison(
    shown: list[int], observed: list[int], predicted: Tensor, found: dict[int, Tensor]
) -> Tensor:
    """Observed | predicted | true, side by side for each shown frame: uint8 `t c h w'`."""
    blank = torch.zeros_like(predicted[0])                                         # c h w
    observed_panel = torch.stack([found[i] if i in observed else blank for i in shown])
    true_panel = torch.stack([found.get(i, blank) for i in shown])                 # t c h w
    return tile_grid(torch.stack([observed_panel, predicted, true_panel]), columns=3)


def build_report(
    shown: list[int],
    observed: list[int],
    rendered: list[int],
    predicted: Tensor,
    found: dict[int, Tensor],
    fit: Inversion,
    clip_frames: int,
) -> dict[str, Any]:
    """Per-frame PSNR/SSIM and the loss drop, as plain data."""
    frames: list[dict[str, Any]] = []
    for k, i in enumerate(shown):
        row: dict[str, Any] = {"index": i, "t": i / (clip_frames - 1),
                               "role": "observed" if i in observed else "predicted",
                               "psnr": None, "ssim": None}
        if i in found:
            pred, true = predicted[k : k + 1].float() / 255, found[i][None].float() / 255
            row["psnr"], row["ssim"] = float(psnr(pred, true)[0]), float(ssim(pred, true)[0])
        frames.append(row)
    held_out = [r for r in frames if r["role"] == "predicted" and r["index"] in rendered
                and r["psnr"] is not None]
    seen = [r for r in frames if r["role"] == "observed"]
    initial, final = float(fit.initial_loss[0]), float(fit.final_loss[0])
    return {
        "optimized": list(fit.optimized),
        "loss_initial": initial,
        "loss_final": final,
        "loss_drop": initial / max(final, 1e-12),
        "psnr_held_out": mean_finite(torch.tensor([r["psnr"] for r in held_out]))
        if held_out else None,
        "ssim_held_out": sum(r["ssim"] for r in held_out) / len(held_out) if held_out else None,
        "psnr_observed": mean_finite(torch.tensor([r["psnr"] for r in seen])),
        "frames": frames,
    }


def print_report(report: dict[str, Any]) -> None:
    """A rich table of the frames, then the summary lines."""
    table = Table(title="inrvid predict", header_style="bold")
    for column in ("frame", "t", "role", "PSNR dB", "SSIM"):
        table.add_column(column, justify="right" if column != "role" else "left")
    for row in report["frames"]:
        has_truth = row["psnr"] is not None
        table.add_row(str(row["index"]), f"{row['t']:.3f}", row["role"],
                      f"{row['psnr']:.2f}" if has_truth else "-",
                      f"{row['ssim']:.3f}" if has_truth else "-")
    console.out.print(table)
    console.out.print(
        f"loss on the observed frames: {report['loss_initial']:.4g} -> "
        f"{report['loss_final']:.4g} ({report['loss_drop']:.1f}-fold)"
    )
    if report["psnr_held_out"] is not None:
        console.out.print(f"PSNR on the frames not observed: {report['psnr_held_out']:.2f} dB, "
                          f"SSIM {report['ssim_held_out']:.3f}")
    console.out.print(f"comparison video: {report['comparison']}")
