"""Forward/backward time, peak memory and multiply-adds of DIGAN's generator and discriminators.

Usage (defaults run on a 2-core CPU in well under a minute):

    python benchmarks/model_step.py                          # half widths, 32x32, batch 2
    python benchmarks/model_step.py --channel-max 512 --resolution 128 --batch 8  # release

One training-shaped step per network: G renders `--frames` frames per video (DIGAN trains on
pairs) and backpropagates a scalar; D_I scores the b·t frames, D_M the b pairs, and both
backpropagate to their parameters. Times are medians over `--repeats` after one warm-up; the
peak memory is that of the last timed step.

Peak memory: on CUDA, `torch.cuda.max_memory_allocated` minus the allocation before the step.
On CPU (Linux), the peak resident set size during the step: VmHWM of /proc/self/status after
resetting it through /proc/self/clear_refs, minus the resident size before the step; where that
reset is not allowed, the growth of `resource.getrusage().ru_maxrss` (a lower bound). Tensors
of 1 MiB or more are served by mmap so that freed ones leave the RSS. The method is printed.

Multiply-adds (MACs) are counted analytically per video from the built layer shapes: every
matrix product of G (mapping, style heads, FMM modulation, 1x1 layers, ToRGB, the encoders'
heads, spatial products and f_M) and every convolution of D (including the FIR blur, 16 per
output value) and its FC layers; element-wise work is not counted. The same products are
also counted by `torch.utils.flop_counter.FlopCounterMode` (FLOPs / 2) as a cross-check.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import re
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from inrvid.components.encoder import EncoderContext
from inrvid.components.generator import GeneratorContext
from inrvid.components.registry import VideoSpec
from inrvid.loading.plugins import Plugins, load_plugins

# ---------------------------------------------------------------------------------------------
# Analytic multiply-adds


def generator_macs(gen: Any, frames: int, scale: int = 1) -> int:
    """MACs of one video with `frames` frames rendered at `scale` (digan generator family)."""
    macs = sum(layer.in_features * layer.out_features for layer in gen.mapping.layers)
    for block in gen.blocks:
        pixels = (block.working_resolution * scale) ** 2
        for layer in block.layers:
            macs += layer.style.in_features * layer.style.out_features           # style head
            macs += layer.out_channels * layer.rank * layer.in_channels            # L R
            macs += frames * pixels * layer.in_channels * layer.out_channels       # 1x1 layer
        rgb = block.to_rgb
        macs += rgb.style.in_features * rgb.style.out_features
        macs += frames * pixels * rgb.in_channels * rgb.weight.shape[0]
        encoder = block.encoder
        if encoder is not None:
            k = encoder.features
            macs += encoder.spatial_head.in_features * 3 * k                       # A, b
            macs += encoder.time_head.in_features * k                              # u
            macs += pixels * k * 2                                                 # A (x, y)
            if encoder.motion_mlp is not None:
                macs += frames * 2 * k * k                                         # f_M
    return macs


def _conv_macs(conv: Any, height: int) -> tuple[int, int]:
    """MACs of a Conv2dLayer on a `height`² input, and its output height."""
    out = height // 2 if conv.down else height
    macs = conv.in_channels * conv.out_channels * conv.kernel_size ** 2 * out * out
    if conv.down and conv.kernel_size == 1:
        macs += 16 * conv.in_channels * out * out                                  # blur, stride 2
    elif conv.down:
        macs += 16 * conv.in_channels * (height + 1) ** 2                          # blur at h + 1
    return macs, out


def trunk_macs(trunk: Any, resolution: int) -> int:
    """MACs of one input through the residual discriminator trunk."""
    macs, h = 0, resolution
    for block in trunk.blocks:
        if block.from_rgb is not None:
            macs += _conv_macs(block.from_rgb, h)[0]
        macs += _conv_macs(block.skip, h)[0] + _conv_macs(block.conv0, h)[0]
        m, h = _conv_macs(block.conv1, h)
        macs += m
    epilogue = trunk.epilogue
    macs += _conv_macs(epilogue.conv, h)[0]
    macs += epilogue.fc.in_features * epilogue.fc.out_features
    macs += epilogue.out.in_features * epilogue.out.out_features
    return macs


# ---------------------------------------------------------------------------------------------
# Measurements


def _return_freed_memory_to_the_os() -> None:
    """Serve allocations >= 1 MiB with mmap (glibc), so freeing a tensor lowers the RSS.

    glibc otherwise raises its mmap threshold after the first large frees and keeps freed
    tensors in the heap, and the peak RSS of a later step would not show its own activations.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)                   # M_MMAP_THRESHOLD, fixed at 1 MiB
    except (OSError, AttributeError):
        pass


def _rss_kib() -> int | None:
    try:
        return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))
    except (OSError, AttributeError):
        return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_kib() -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", text).group(1))


class PeakMemory:
    """Peak memory of a block of work, in MiB, on CUDA or CPU (see the module docstring)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.method = ""
        self.mib = 0.0

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.before = torch.cuda.memory_allocated()
            self.method = "torch.cuda.max_memory_allocated"
        elif _rss_kib() is not None and _reset_peak():
            self.before = _rss_kib()
            self.method = "peak RSS (VmHWM reset via /proc/self/clear_refs)"
        else:
            self.before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.method = "ru_maxrss growth (lower bound)"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            self.mib = (torch.cuda.max_memory_allocated() - self.before) / 2**20
        elif self.method.startswith("peak RSS"):
            self.mib = (_peak_kib() - self.before) / 1024
        else:
            self.mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self.before) / 1024


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_step(
    forward: Callable[[], torch.Tensor], device: torch.device, repeats: int, module: torch.nn.Module
) -> dict[str, Any]:
    """Median forward and backward seconds, peak memory of the last step, counted MACs."""
    fwd, bwd = [], []
    peak = PeakMemory(device)
    for i in range(repeats + 1):                    # the first run warms up
        module.zero_grad(set_to_none=True)
        _sync(device)
        with peak if i == repeats else contextlib.nullcontext():
            start = time.perf_counter()
            loss = forward().square().mean()
            _sync(device)
            middle = time.perf_counter()
            loss.backward()
            _sync(device)
            end = time.perf_counter()
        if i:
            fwd.append(middle - start)
            bwd.append(end - middle)
    module.zero_grad(set_to_none=True)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        forward()
    return {
        "forward_s": statistics.median(fwd), "backward_s": statistics.median(bwd),
        "peak_mib": round(peak.mib, 1), "memory_method": peak.method,
        "flop_counter_macs": counter.get_total_flops() // 2,
    }


def build(plugins: Plugins, registry: str, name: str, config: dict[str, Any], video: VideoSpec,
          encoder: dict[str, Any]) -> Any:
    """Build one component on CPU with `config`; the generator's encoders from `encoder`."""
    enc = plugins.registry("encoder").get("digan_fourier_xyt")
    enc_cfg = enc.config.model_validate(encoder)

    def make_encoder(ctx: EncoderContext) -> Any:
        return enc.build(enc_cfg, ctx)

    comp = plugins.registry(registry).get(name)
    ctx = GeneratorContext(video=video, encoder=make_encoder)
    return comp.build(comp.config.model_validate(config), ctx)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=2, help="videos per step")
    parser.add_argument("--frames", type=int, default=2, help="frames per video (DIGAN: 2)")
    parser.add_argument("--resolution", type=int, default=32, help="video side (power of two)")
    parser.add_argument("--scale", type=int, default=1, help="generator grid density")
    parser.add_argument("--channel-base", type=int, default=32768, help="G and D channel_base")
    parser.add_argument("--channel-max", type=int, default=256,
                        help="G and D channel_max (release: 512)")
    parser.add_argument("--features", type=int, default=128, help="encoder K")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs after one warm-up")
    parser.add_argument("--device", default="auto", help="'auto', 'cpu' or 'cuda'")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available()
                          else ("cpu" if args.device == "auto" else args.device))
    _return_freed_memory_to_the_os()
    torch.manual_seed(0)
    video = VideoSpec(frames=16, height=args.resolution, width=args.resolution)
    widths = {"channel_base": args.channel_base, "channel_max": args.channel_max}
    b, t, res = args.batch, args.frames, args.resolution
    results: dict[str, Any] = {
        "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        "threads": torch.get_num_threads(), "batch": b, "frames": t, "resolution": res,
        "scale": args.scale, **widths, "features": args.features,
    }

    plugins = load_plugins()
    gen = build(plugins, "generator", "digan", widths, video, {"features": args.features})
    gen = gen.to(device)
    z_content, z_motion = gen.sample_latents(b)
    times = torch.sort(torch.rand(b, t, device=device), dim=1).values
    step = time_step(lambda g=gen: g(z_content, z_motion, times, scale=args.scale), device,
                     args.repeats, gen)
    counted = step.pop("flop_counter_macs") // b
    results["generator"] = {"params": sum(p.numel() for p in gen.parameters()),
                            "macs_per_video": generator_macs(gen, t, args.scale),
                            "flop_counter_macs_per_video": counted, **step}
    del gen

    side = res * args.scale
    frames = torch.rand(b, t, 3, side, side, device=device) * 2 - 1
    for role, name, seen in (("image_d", "digan_image_d", t), ("motion_d", "digan_motion_d", 2)):
        disc = build(plugins, "discriminator", name, widths, VideoSpec(16, side, side), {})
        disc = disc.to(device)
        clip, clip_times = frames[:, :seen], times[:, :seen]
        step = time_step(lambda d=disc, c=clip, ct=clip_times: d(c, ct), device, args.repeats, disc)
        inputs_per_video = seen if role == "image_d" else 1
        counted = step.pop("flop_counter_macs") // b
        results[role] = {"params": sum(p.numel() for p in disc.parameters()),
                         "macs_per_video": inputs_per_video * trunk_macs(disc.trunk, side),
                         "flop_counter_macs_per_video": counted, **step}
        del disc

    print(f"DIGAN model step on {results['device']} ({results['threads']} threads): batch {b}, "
          f"{t} frames per video, {res}x{res} x{args.scale}, channel_base {args.channel_base}, "
          f"channel_max {args.channel_max}, K {args.features}")
    for key in ("generator", "image_d", "motion_d"):
        r = results[key]
        print(f"  {key:9s} params {r['params']:>11,}  forward {r['forward_s'] * 1e3:8.1f} ms  "
              f"backward {r['backward_s'] * 1e3:8.1f} ms  peak {r['peak_mib']:8.1f} MiB  "
              f"MACs/video {r['macs_per_video'] / 1e9:8.3f} G "
              f"(FlopCounterMode: {r['flop_counter_macs_per_video'] / 1e9:.3f} G)")
    print(f"  memory: {results['generator']['memory_method']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
