"""Cost per training video of DIGAN's 2D discriminators against a 3D-convolution video D.

DIGAN (Yu et al., ICLR 2022) claims its motion discriminator (a 2D StyleGAN2 D on two frames
plus a Δt plane) is far cheaper than a 3D-convolution discriminator over the whole clip. On the
same training videos (16-frame 128x128 clips, the DIGAN UCF-101 configuration) this measures:

- `digan_motion_d`: the 2D Δt D on the sampled pair of each video (release widths);
- `digan_image_d + digan_motion_d`: DIGAN's whole discriminator cost (its image D scores the
  same two frames one by one);
- `conv3d_video_d`: the TGAN-style 3D D (recipes/ablations/digan_ucf_3d_d.yaml) on all 16
  frames, at TGAN's widths (64, 128, 256, 512) and at the widths DIGAN's 2D D has at the same
  resolutions (min(32768 / r, 512) for the output resolution r of each layer).

Per video: forward FLOPs and forward+backward FLOPs (gradients for the parameters and the
input, as an R1 step needs the input's; counted by `torch.utils.flop_counter`), CPU time of one
forward+backward (median over interleaved repeats, so a loaded machine slows all alike), and
the activation memory autograd keeps for the backward pass (bytes of saved tensors, a device-
independent proxy of training memory) next to the parameter bytes. CUDA time and peak memory
are measured when a GPU is present, otherwise reported as not measured.

    python benchmarks/discriminator_cost.py [--batch 2] [--repeats 3] [--resolution 128]
        [--frames 16] [--width-divisor 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
from torch.utils.flop_counter import FlopCounterMode

from inrvid.components.discriminator import Discriminator
from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.runtime.build import count_parameters
from inrvid.testing import build_component

NOT_MEASURED = "not measured (no GPU in this session)"


@dataclass
class Candidate:
    """A discriminator setup: its networks and how a training video becomes their input."""

    name: str
    networks: list[Discriminator]
    frames_seen: int

    def score(self, clips: torch.Tensor, times: torch.Tensor) -> torch.Tensor:
        """Sum of the logits of every network on the frames it sees."""
        if self.frames_seen == clips.shape[1]:
            frames, t = clips, times
        else:   # a sorted pair, as DIGAN's sampler gives (the cost does not depend on which)
            pair = [clips.shape[1] // 4, 3 * clips.shape[1] // 4]
            frames, t = clips[:, pair], times[:, pair]
        return sum((d(frames, t).sum() for d in self.networks), torch.zeros(()))


def candidates(video: VideoSpec, device: torch.device, divisor: int = 1) -> list[Candidate]:
    """DIGAN's discriminators at the release widths; the 3D D at TGAN's and at DIGAN's widths.

    `divisor` divides every width (for quick smoke runs; 1 is the release).
    """
    ctx = BuildContext(video=video, device=device)
    torch.manual_seed(0)
    base, top = 32768 // divisor, 512 // divisor
    widths = [min(base // (video.height >> k), top) for k in range(1, 5)]   # DIGAN's rule
    digan = {"channel_base": base, "channel_max": top}
    tgan = {"channels": [c // divisor for c in (64, 128, 256, 512)]}
    with torch.device(device):
        image = build_component("discriminator", "digan_image_d", digan, ctx)
        motion = build_component("discriminator", "digan_motion_d", digan, ctx)
        video_d = build_component("discriminator", "conv3d_video_d", tgan, ctx)
        wide = build_component("discriminator", "conv3d_video_d", {"channels": widths}, ctx)
    return [
        Candidate("digan_motion_d (2D, pair + Δt)", [motion], 2),
        Candidate("digan_image_d + digan_motion_d", [image, motion], 2),
        Candidate("conv3d_video_d, TGAN widths", [video_d], video.frames),
        Candidate("conv3d_video_d, DIGAN's widths", [wide], video.frames),
    ]


def flops(candidate: Candidate, clips: torch.Tensor, times: torch.Tensor) -> tuple[int, int]:
    """(forward, forward + backward) FLOPs for the batch (counted on meta tensors: no compute)."""
    x = clips.to("meta").requires_grad_(True)
    times = times.to("meta")
    with FlopCounterMode(display=False) as forward:
        out = candidate.score(x, times)
    with FlopCounterMode(display=False) as backward:
        out.backward()
    return forward.get_total_flops(), forward.get_total_flops() + backward.get_total_flops()


def saved_bytes(candidate: Candidate, clips: torch.Tensor, times: torch.Tensor) -> int:
    """Bytes of the distinct tensors autograd saves for the backward pass of the batch."""
    seen: dict[tuple[int, int], int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = (t.untyped_storage().data_ptr(), t.untyped_storage().nbytes())
        seen[key] = t.untyped_storage().nbytes()
        return t

    x = clips.clone().requires_grad_(True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = candidate.score(x, times)
    out.backward()                                 # a full step: also the timing's warm-up
    params = {p.untyped_storage().data_ptr() for d in candidate.networks for p in d.parameters()}
    return sum(n for (ptr, _), n in seen.items() if ptr not in params)


def step_seconds(candidate: Candidate, clips: torch.Tensor, times: torch.Tensor) -> float:
    """Wall time of one forward + backward (parameters and input)."""
    for d in candidate.networks:
        d.zero_grad(set_to_none=True)
    x = clips.clone().requires_grad_(True)
    start = time.perf_counter()
    candidate.score(x, times).backward()
    return time.perf_counter() - start


def interleaved(fns: list[Callable[[], float]], repeats: int) -> list[float]:
    """Median of `repeats` rounds, each calling every fn once in turn."""
    results: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            results[i].append(fn())
    return [statistics.median(r) for r in results]


def cuda_figures(cands: list[Candidate], clips: torch.Tensor,
                 times: torch.Tensor) -> list[dict[str, float | str]]:
    """Per video CUDA seconds and peak memory of forward + backward, or 'not measured'."""
    if not torch.cuda.is_available():
        return [{"seconds": NOT_MEASURED, "peak_bytes": NOT_MEASURED} for _ in cands]
    out: list[dict[str, float | str]] = []
    b = clips.shape[0]
    for cand in cands:
        for d in cand.networks:
            d.cuda()
        x, t = clips.cuda(), times.cuda()
        step_seconds(cand, x, t)                                   # warm-up
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        step_seconds(cand, x, t)
        torch.cuda.synchronize()
        out.append({"seconds": (time.perf_counter() - start) / b,
                    "peak_bytes": torch.cuda.max_memory_allocated() / b})
        for d in cand.networks:
            d.cpu()
    return out


def main() -> None:
    """Measure, then print the table and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=2, help="videos per measured batch")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved timing rounds")
    parser.add_argument("--resolution", type=int, default=128)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--width-divisor", type=int, default=1,
                        help="divide every width (smoke runs; 1: the release widths)")
    args = parser.parse_args()
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    video = VideoSpec(frames=args.frames, height=args.resolution, width=args.resolution)
    cands = candidates(video, torch.device("cpu"), args.width_divisor)
    meta = candidates(video, torch.device("meta"), args.width_divisor)
    gen = torch.Generator().manual_seed(0)
    clips = torch.rand(args.batch, args.frames, 3, args.resolution, args.resolution,
                       generator=gen) * 2 - 1
    times = (torch.arange(args.frames) / (args.frames - 1)).expand(args.batch, -1).clone()
    b = args.batch
    rows = []
    saved = [saved_bytes(cand, clips, times) for cand in cands]   # doubles as the warm-up
    seconds = interleaved([partial(step_seconds, c, clips, times) for c in cands], args.repeats)
    cuda = cuda_figures(cands, clips, times)
    for cand, meta_cand, secs, mem, gpu in zip(cands, meta, seconds, saved, cuda, strict=True):
        fwd, total = flops(meta_cand, clips, times)
        rows.append({
            "discriminator": cand.name,
            "frames_per_video": cand.frames_seen,
            "parameters": sum(count_parameters(d) for d in cand.networks),
            "gflops_forward_per_video": fwd / b / 1e9,
            "gflops_train_per_video": total / b / 1e9,
            "cpu_seconds_per_video": secs / b,
            "saved_activation_mb_per_video": mem / b / 2**20,
            "cuda_seconds_per_video": gpu["seconds"],
            "cuda_peak_mb_per_video": gpu["peak_bytes"] if isinstance(gpu["peak_bytes"], str)
            else gpu["peak_bytes"] / 2**20,
        })
    base = rows[0]
    header = (f"{'discriminator':34} {'frames':>6} {'params':>11} {'GFLOP fwd':>10} "
              f"{'GFLOP f+b':>10} {'CPU s':>8} {'saved MB':>9} {'x motion D (f+b FLOP)':>22}")
    lines = [f"per training video, {args.frames} frames at {args.resolution}x{args.resolution}, "
             f"batch {b}, median of {args.repeats} interleaved rounds (CPU, "
             f"{torch.get_num_threads()} threads)", header]
    for r in rows:
        ratio = r["gflops_train_per_video"] / base["gflops_train_per_video"]
        lines.append(
            f"{r['discriminator']:34} {r['frames_per_video']:>6} {r['parameters']:>11,} "
            f"{r['gflops_forward_per_video']:>10.2f} {r['gflops_train_per_video']:>10.2f} "
            f"{r['cpu_seconds_per_video']:>8.3f} {r['saved_activation_mb_per_video']:>9.1f} "
            f"{ratio:>22.2f}")
    lines.append(f"CUDA: {rows[0]['cuda_seconds_per_video']}" if isinstance(
        rows[0]["cuda_seconds_per_video"], str) else "CUDA figures are in the JSON line")
    print("\n".join(lines))
    print(json.dumps({"benchmark": "discriminator_cost", "batch": b, "frames": args.frames,
                      "width_divisor": args.width_divisor,
                      "resolution": args.resolution, "repeats": args.repeats,
                      "threads": torch.get_num_threads(), "rows": rows}))


if __name__ == "__main__":
    main()
