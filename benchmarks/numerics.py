"""The precision of DIGAN's discriminators under each `train.numerics` mode, on a fixed batch.

For the release-size image and motion discriminators (channel_base 32768, channel_max 512)
this builds one set of weights, applies each mode's policy (`inrvid.train.numerics`) on the
chosen device, and reports:

- the dtype each block of each discriminator computes in (forward hooks on the blocks) and
  the dtype of the logits;
- the difference of the logits from the `fp32` mode's on the same batch: max |Δ| and max |Δ|
  relative to max |logit|.

On CUDA `release` runs b128 ... b16 in float16 (clamped to ±256, epilogue in float32) with TF32
off, `fast` in bfloat16 with TF32 on. On a CPU every block runs in float32 whatever the mode
(the policy's rule), so the modes agree exactly; `--force-dtype bfloat16` then puts the
reduced-precision blocks in bfloat16 anyway, to show the code path. Prints a table and one JSON
line.

    python benchmarks/numerics.py [--device auto] [--batch 4] [--resolution 128]
        [--channel-base 32768] [--force-dtype bfloat16]
"""

from __future__ import annotations

import argparse
import json

import torch
from torch import Tensor, nn

from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.testing import build_component
from inrvid.train.numerics import Numerics, NumericsPolicy

MODES: tuple[Numerics, ...] = ("fp32", "release", "fast")


def build_discriminators(resolution: int, channel_base: int, device: torch.device
                         ) -> dict[str, nn.Module]:
    """Release-width image and motion Ds with fixed weights."""
    ctx = BuildContext(video=VideoSpec(frames=2, height=resolution, width=resolution),
                       device=device)
    discs = {}
    for role, kind in (("image", "digan_image_d"), ("motion", "digan_motion_d")):
        torch.manual_seed(0)
        discs[role] = build_component("discriminator", kind, {"channel_base": channel_base},
                                      ctx).to(device)
    return discs


def scored(disc: nn.Module, frames: Tensor, times: Tensor) -> tuple[list[str], str, Tensor]:
    """Each block's output dtype, the logits' dtype and the logits (float64 on the CPU)."""
    dtypes: list[str] = []
    hooks = [block.register_forward_hook(
        lambda _m, _i, out: dtypes.append(str(out.dtype).removeprefix("torch.")))
        for block in disc.trunk.blocks]
    with torch.no_grad():
        logits = disc(frames, times)
    for hook in hooks:
        hook.remove()
    return dtypes, str(logits.dtype).removeprefix("torch."), logits.double().cpu()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--batch", type=int, default=4, help="videos in the fixed batch")
    parser.add_argument("--resolution", type=int, default=128)
    parser.add_argument("--channel-base", type=int, default=32768)
    parser.add_argument("--force-dtype", choices=("bfloat16", "float16"),
                        help="put the reduced blocks in this dtype whatever the device")
    args = parser.parse_args()
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device("cuda" if use_cuda else "cpu")
    discs = build_discriminators(args.resolution, args.channel_base, device)
    gen = torch.Generator().manual_seed(1)
    size = args.resolution
    frames = (torch.rand(args.batch, 2, 3, size, size, generator=gen) * 2 - 1).to(device)
    times = torch.tensor([[0.2, 0.7]] * args.batch, device=device)

    rows = []
    reference: dict[str, Tensor] = {}
    for mode in MODES:
        policy = NumericsPolicy.for_run(mode, device)
        policy.apply_flags()
        policy.prepare(discs)
        if args.force_dtype and mode != "fp32":
            for disc in discs.values():
                disc.set_reduced_precision(getattr(torch, args.force_dtype))
        for role, disc in discs.items():
            dtypes, logits_dtype, logits = scored(disc, frames, times)
            if mode == "fp32":
                reference[role] = logits
            delta = (logits - reference[role]).abs().max().item()
            scale = reference[role].abs().max().item()
            rows.append({
                "mode": mode, "discriminator": role,
                "blocks": dict(zip([f"b{r}" for r in disc.trunk.block_resolutions], dtypes,
                                   strict=True)),
                "logits_dtype": logits_dtype,
                "tf32": bool(torch.backends.cuda.matmul.allow_tf32),
                "max_abs_diff_vs_fp32": delta,
                "max_rel_diff_vs_fp32": delta / max(scale, 1e-12),
            })

    print(f"device: {device}; batch {args.batch} at {size}x{size}; channel_base "
          f"{args.channel_base}" + (f"; forced {args.force_dtype}" if args.force_dtype else ""))
    print(f"{'mode':<8} {'D':<7} {'tf32':<5} {'blocks (dtype)':<64} {'logits':<8} "
          f"{'max|Δ|':>10} {'rel':>9}")
    for row in rows:
        blocks = " ".join(f"{b}:{d.replace('float', 'f')}" for b, d in row["blocks"].items())
        print(f"{row['mode']:<8} {row['discriminator']:<7} {row['tf32']!s:<5} {blocks:<64} "
              f"{row['logits_dtype']:<8} "
              f"{row['max_abs_diff_vs_fp32']:>10.3g} {row['max_rel_diff_vs_fp32']:>9.3g}")
    print(json.dumps({"benchmark": "numerics", "device": str(device), "batch": args.batch,
                      "resolution": size, "force_dtype": args.force_dtype, "rows": rows}))


if __name__ == "__main__":
    main()
