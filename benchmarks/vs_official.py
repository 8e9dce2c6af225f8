"""inrvid's DIGAN side by side with the official code: outputs agree, then interleaved timings.

Usage (a CPU-sized configuration; `--official` is a checkout of the official repository,
https://github.com/sihyun-yu/digan, anywhere outside this one):

    python benchmarks/vs_official.py --official ~/src/digan                       # CPU, 1 thread
    python benchmarks/vs_official.py --official ~/src/digan --device cuda \\
        --resolution 128 --channel-max 512 --features 128 --batch 16               # the release

Nothing of the official code is copied into inrvid: it is imported from PATH at run time, with
the shims it needs on a current software stack (benchmarks/official_digan.py). Both sides are
built at the same configuration (docs/reference/digan.md §1-§2: w_dim = z_dim = z_M = 512,
mapping 2 layers, FMM rank 10, one extra layer at the last scale, coordinate embeddings per
scale from 32 on, residual discriminators with minibatch-std groups of 4 and conv_clamp 256);
the official weights are copied into inrvid's networks, the outputs are compared, then each
measurement alternates the two sides (official, inrvid, official, inrvid, ...) and reports
medians and their ratio:

G       the generator's forward and backward (a scalar of the frames), batch b, 2 frames
D_I     the image discriminator's forward and backward on the b·2 frames
D_M     the motion discriminator's forward and backward on the b pairs (7 channels)
R1      the R1 phase: both discriminators on reals, gradient penalty, double backward
step    a whole step without R1: G phase, D phase, optimiser steps, EMA (each side's loop:
        the official `OurStyleGAN2Loss` phases as its training loop runs them; inrvid's
        `Trainer.step`), with DiffAugment color,translation on both sides

On CUDA the official side runs as its authors run it: float16 discriminator blocks (the 4
highest resolutions) with clamped activations, cuDNN benchmark on, its conv2d_gradfix enabled,
and its custom CUDA ops (bias_act, upfirdn2d) where they build; the script prints which ops
ran as custom kernels and which fell back to the reference implementation (a fallback
flatters inrvid's ratio). inrvid runs with `train.numerics` = `--numerics` (default: fast on
CUDA, fp32 on CPU). On a CPU both sides run in float32 (PyTorch's CPU float16 convolutions
are not what the release ran). Prints a table and one JSON line. Exits 2 without --official.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from einops import rearrange

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, batch_of_clips, device_name, interleaved, make_trainer, median, pick_device
from official_digan import (
    construct,
    discriminator_kwargs,
    extra_layers,
    generator_kwargs,
    how_to_get,
    import_official,
    load_official_weights,
    release_adam,
)

HOW_TO_GET = how_to_get("vs_official.py")


def build_official(off: types.SimpleNamespace, args: argparse.Namespace,
                   device: torch.device) -> types.SimpleNamespace:
    """G, its EMA, D (both discriminators), loss and Adam optimisers as train.py sets them up."""
    torch.manual_seed(0)
    cuda = device.type == "cuda"
    generator = construct(off, generator_kwargs(
        resolution=args.resolution, features=args.features, channel_max=args.channel_max,
    ), args.resolution).train().to(device)
    discriminator = construct(off, discriminator_kwargs(
        channel_max=args.channel_max, num_fp16_res=4 if cuda else 0,
    ), args.resolution).train().to(device)
    loss = off.loss.OurStyleGAN2Loss(
        device, generator.mapping, generator.synthesis, discriminator,
        diffaugment="color,translation", r1_gamma=1.0, style_mixing_prob=0.0, pl_weight=0,
    )
    return types.SimpleNamespace(
        G=generator, G_ema=copy.deepcopy(generator).eval(), D=discriminator, loss=loss,
        g_opt=release_adam(generator.parameters(), 0.0025, (0.0, 0.99), 4),
        d_opt=release_adam(discriminator.parameters(), 0.0025, (0.0, 0.99), 16),
    )


# ---------------------------------------------------------------------------------------------
# Measurements


def agreement(off: Any, ours: Any, args: argparse.Namespace,
              device: torch.device) -> dict[str, float]:
    """Max |official - inrvid| of G's frames and both discriminators' logits (eval inputs)."""
    b = args.batch
    gen = torch.Generator().manual_seed(1)
    z = torch.randn(b, 512, generator=gen).to(device)
    z_motion = torch.randn(b, 512, generator=gen).to(device)
    times = torch.sort(torch.rand(b, 2, generator=gen), dim=1).values.to(device)
    no_class = torch.zeros(b, 0, device=device)
    m = ours.models
    with torch.no_grad():
        ws = off.G.mapping(z, no_class)
        theirs = off.G.synthesis(ws, rearrange(times, "b t -> (b t) 1 1 1"), z_motion)
        mine = rearrange(m.generator(z, z_motion, times), "b t c h w -> (b t) c h w")
        frames = torch.rand(b, 2, 3, args.resolution, args.resolution, generator=gen) * 2 - 1
        frames = frames.to(device)
        dt = (times[:, 1] - times[:, 0]).view(b, 1, 1, 1).expand(b, 1, *frames.shape[-2:])
        vid = torch.cat([rearrange(frames, "b t c h w -> b (t c) h w"), dt], dim=1)
        d_m = (off.D.videoD(vid, no_class, force_fp32=True).float().flatten()
               - m.discriminators["motion"](frames, times).flatten())
        d_i = (off.D.imageD(rearrange(frames, "b t c h w -> (b t) c h w"),
                            torch.zeros(2 * b, 0, device=device), force_fp32=True)
               .float().flatten()
               - m.discriminators["image"](frames, times).flatten())
    return {"G_frames_max_abs_diff": float((theirs.float() - mine).abs().max()),
            "G_frames_max_abs": float(theirs.abs().max()),
            "D_I_logits_max_abs_diff": float(d_i.abs().max()),
            "D_M_logits_max_abs_diff": float(d_m.abs().max())}


def component_cases(off: Any, ours: Any, args: argparse.Namespace,
                    device: torch.device) -> dict[str, dict[str, Callable[[], object]]]:
    """For each measurement, the official and the inrvid closure (forward + backward)."""
    from inrvid.components.loss import PhaseInputs

    b, r = args.batch, args.resolution
    m = ours.models
    z, z_motion = torch.randn(b, 512, device=device), torch.randn(b, 512, device=device)
    times = torch.sort(torch.rand(b, 2, device=device), dim=1).values
    ts = rearrange(times, "b t -> (b t) 1 1 1")
    no_class = torch.zeros(b, 0, device=device)
    frames = torch.rand(b, 2, 3, r, r, device=device) * 2 - 1
    dt = (times[:, 1] - times[:, 0]).view(b, 1, 1, 1).expand(b, 1, r, r)
    vid = torch.cat([rearrange(frames, "b t c h w -> b (t c) h w"), dt], dim=1)
    flat = rearrange(frames, "b t c h w -> (b t) c h w")
    image, motion = m.discriminators["image"], m.discriminators["motion"]
    r1 = m.losses["r1"]

    def backward(x: torch.Tensor) -> None:
        x.float().square().mean().backward()

    def official_r1() -> None:
        off.D.zero_grad(set_to_none=True)
        off.loss.accumulate_gradients("Dreg", vid, no_class, z, no_class, sync=True, gain=16)

    def ours_r1() -> None:
        inputs = PhaseInputs(network="discriminator", step=0, fake_frames=None, fake_times=None,
                             real_frames=frames, real_times=times,
                             discriminators=m.discriminators, augment=m.augment)
        sum(r1.discriminator_terms(inputs).values()).backward()

    return {
        "G": {"official": lambda: backward(off.G.synthesis(off.G.mapping(z, no_class), ts,
                                                            z_motion)),
              "inrvid": lambda: backward(m.generator(z, z_motion, times))},
        "D_I": {"official": lambda: backward(off.D.imageD(flat, torch.zeros(2 * b, 0,
                                                                             device=device))),
                "inrvid": lambda: backward(image(frames, times))},
        "D_M": {"official": lambda: backward(off.D.videoD(vid, no_class)),
                "inrvid": lambda: backward(motion(frames, times))},
        "R1": {"official": official_r1, "inrvid": ours_r1},
    }


def official_step(off: Any, real_vid: torch.Tensor, batch: int, device: torch.device) -> None:
    """G main and D main as the official training loop runs them, then its EMA update."""
    no_class = torch.zeros(batch, 0, device=device)
    for phase, module, opt in (("Gmain", off.G, off.g_opt), ("Dmain", off.D, off.d_opt)):
        z = torch.randn(batch, 512, device=device)
        opt.zero_grad(set_to_none=True)
        module.requires_grad_(True)
        off.loss.accumulate_gradients(phase, real_vid, no_class, z, no_class, sync=True, gain=1)
        module.requires_grad_(False)
        for param in module.parameters():
            if param.grad is not None:
                torch.nan_to_num(param.grad, nan=0, posinf=1e5, neginf=-1e5, out=param.grad)
        opt.step()
    beta = 0.5 ** (batch / 10_000)
    with torch.no_grad():
        for p_ema, p in zip(off.G_ema.parameters(), off.G.parameters(), strict=True):
            p_ema.copy_(p.lerp(p_ema, beta))
        for b_ema, b in zip(off.G_ema.buffers(), off.G.buffers(), strict=True):
            b_ema.copy_(b)


def custom_op_report(off: Any, device: torch.device) -> dict[str, str]:
    """Which of the official ops ran as custom CUDA kernels, which as reference code."""
    if device.type != "cuda":
        return {"bias_act": "reference (CPU)", "upfirdn2d": "reference (CPU)",
                "conv2d_gradfix": "reference (CPU)"}
    probe = torch.zeros(1, device=device)
    gradfix = off.conv2d_gradfix._should_use_custom_op(probe)
    return {
        "bias_act": "custom CUDA kernel" if off.bias_act._plugin is not None
        else "reference (plug-in did not build)",
        "upfirdn2d": "custom CUDA kernel" if off.upfirdn2d._plugin is not None
        else "reference (plug-in did not build)",
        "conv2d_gradfix": "custom op" if gradfix
        else "reference (its custom op supports torch 1.7-1.8 only)",
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--official", type=Path, help="checkout of github.com/sihyun-yu/digan")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (torch)")
    parser.add_argument("--resolution", type=int, default=64, help="video side (release: 128)")
    parser.add_argument("--channel-max", type=int, default=64, help="G and D (release: 512)")
    parser.add_argument("--features", type=int, default=32, help="encoder K (release: 128)")
    parser.add_argument("--batch", type=int, default=4, help="videos per step (multiple of 4)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--numerics", help="inrvid's train.numerics (default: fast on CUDA, "
                        "fp32 on CPU)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.official is None:
        sys.stderr.write(HOW_TO_GET + "\n")
        raise SystemExit(2)
    device = pick_device(args.device)
    torch.set_num_threads(args.threads)
    numerics = args.numerics or ("fast" if device.type == "cuda" else "fp32")
    off_modules = import_official(args.official.expanduser().resolve(), "vs_official.py")
    if device.type == "cuda":            # as the official training loop sets them
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        off_modules.conv2d_gradfix.enabled = True
    off = build_official(off_modules, args, device)
    side = [
        "data.kind=moving_shapes", f"data.resolution={args.resolution}",
        f"encoder.features={args.features}",
        f"generator.channel_max={args.channel_max}", f"train.batch_size={args.batch}",
        f"discriminators.image.channel_max={args.channel_max}",
        f"discriminators.motion.channel_max={args.channel_max}",
        f"train.numerics={numerics}", "generator.chunk_frames=2",
        f"generator.extra_layers={extra_layers(args.resolution)}",
    ]
    ours = make_trainer(REPO / "recipes" / "digan_ucf.yaml", side, device)
    load_official_weights(ours.models, off.G, off.D, args.resolution)
    ours.ema.model.load_state_dict(ours.models.generator.state_dict())
    if device.type == "cuda":   # agreement in float32 on both sides, then back as configured
        fp32 = ours.numerics.__class__.for_run("fp32", device)
        fp32.apply_flags()
        fp32.prepare(ours.models.discriminators)
    agree = agreement(off, ours, args, device)
    if device.type == "cuda":
        ours.numerics.prepare(ours.models.discriminators)

    def with_flags(side: str, run: Callable[[], object]) -> Callable[[], object]:
        """`run` under its side's TF32 switches (process-wide; official: off, as it sets)."""
        def flagged() -> object:
            if side == "official":
                torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
            else:
                ours.numerics.apply_flags()
            return run()
        return flagged

    timings = {}
    for name, cases in component_cases(off, ours, args, device).items():
        flagged = {side: with_flags(side, run) for side, run in cases.items()}
        timings[name] = interleaved(flagged, device, args.repeats)
    clips = batch_of_clips(ours)
    real, real_t = ours.real_frames(clips)
    dt = (real_t[:, 1] - real_t[:, 0]).view(-1, 1, 1, 1).expand(-1, 1, *real.shape[-2:])
    real_vid = torch.cat([rearrange(real, "b t c h w -> b (t c) h w"), dt], dim=1)

    def ours_step() -> None:
        ours.counters.step = 1                   # not an R1 step (those are timed above)
        ours.step(clips)

    timings["step"] = interleaved(
        {"official": with_flags("official",
                                lambda: official_step(off, real_vid, args.batch, device)),
         "inrvid": with_flags("inrvid", ours_step)}, device, args.repeats)
    report(args, device, numerics, agree, timings, custom_op_report(off_modules, device))


def report(args: argparse.Namespace, device: torch.device, numerics: str,
           agree: dict[str, float], timings: dict[str, dict[str, list[float]]],
           ops: dict[str, str]) -> None:
    """The table (stdout) and the JSON line."""
    rows = {name: {"official_s": median(t["official"]), "inrvid_s": median(t["inrvid"])}
            for name, t in timings.items()}
    for row in rows.values():
        row["inrvid_over_official"] = row["inrvid_s"] / row["official_s"]
    scale = max(agree["G_frames_max_abs"], 1.0)
    agrees = (agree["G_frames_max_abs_diff"] <= 1e-3 * scale
              and agree["D_I_logits_max_abs_diff"] <= 1e-3
              and agree["D_M_logits_max_abs_diff"] <= 1e-3)
    print(f"inrvid vs official DIGAN on {device_name(device)}: {args.resolution}², channel_max "
          f"{args.channel_max}, K {args.features}, batch {args.batch}, {args.repeats} "
          f"interleaved rounds (medians); inrvid numerics {numerics}")
    print(f"outputs {'agree' if agrees else 'DISAGREE'}: G frames max |Δ| "
          f"{agree['G_frames_max_abs_diff']:.2e} (frames up to {agree['G_frames_max_abs']:.2f}),"
          f" D_I logits {agree['D_I_logits_max_abs_diff']:.2e}, "
          f"D_M logits {agree['D_M_logits_max_abs_diff']:.2e}")
    print(f"{'part':6} {'official s':>11} {'inrvid s':>10} {'inrvid/official':>16} "
          f"{'speed-up':>9}")
    for name, row in rows.items():
        print(f"{name:6} {row['official_s']:>11.4f} {row['inrvid_s']:>10.4f} "
              f"{row['inrvid_over_official']:>16.2f} {1 / row['inrvid_over_official']:>8.2f}x")
    print("official ops: " + ", ".join(f"{k}: {v}" for k, v in ops.items()))
    print(json.dumps({"benchmark": "vs_official", "device": device_name(device),
                      "config": {"resolution": args.resolution, "channel_max": args.channel_max,
                                 "features": args.features, "batch": args.batch,
                                 "repeats": args.repeats, "threads": args.threads,
                                 "inrvid_numerics": numerics},
                      "agree": agrees, "agreement": agree, "official_ops": ops,
                      "results": rows}))


if __name__ == "__main__":
    main()
