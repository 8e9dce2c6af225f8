"""Check inrvid's StyleGAN-V against the official classes (universome/stylegan-v), on CPU.

Not part of the test suite: it needs a checkout of the official code and `omegaconf` (install
both outside the project, e.g. in a throwaway virtual environment created with
--system-site-packages). Two checks, printed as one JSON line:

1. parameter counts of the official `Generator` and `Discriminator` built with the arguments
   `src/train.py` derives for 256x256 UCF-101 and SkyTimelapse (cfg auto, 4 GPUs, batch 64,
   c_dim 0), next to inrvid's at the same configuration (tests/stylegan_v pins them);
2. numerical equivalence at a small configuration: the official weights (biases perturbed)
   are copied into inrvid's modules by name, and both render the same latents, motion noise
   and times, and score the frames.

    python scripts/stylegan_v_official_check.py --official /path/to/stylegan-v
"""

from __future__ import annotations

import argparse
import json
import sys
import types
from typing import Any

import torch
from inrvid_stylegan_v.official_names import discriminator_names, generator_names

from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.runtime.build import count_parameters
from inrvid.testing import build_component


def official_classes(root: str) -> tuple[Any, Any, Any]:
    """The official Generator, Discriminator and OmegaConf (`requests` is stubbed: unused)."""
    sys.path[:0] = [root, f"{root}/src"]
    sys.modules.setdefault("requests", types.ModuleType("requests"))
    from omegaconf import OmegaConf
    from src.training.networks import Discriminator, Generator
    return Generator, Discriminator, OmegaConf


def configs(omega: Any, *, sampling: dict[str, Any], generator: dict[str, Any],
            discriminator: dict[str, Any]) -> tuple[Any, Any]:
    """The hydra groups of configs/model/stylegan-v.yaml, composed by hand."""
    g = {"source": "networks", "use_noise": False, "c_dim": 0, "input": {"type": "temporal"},
         "sampling": sampling, **generator}
    d = {"source": "networks", "mbstd_group_size": 4, "sampling": sampling, "dummy_c": False,
         **discriminator}
    return omega.create(g), omega.create(d)


def release_counts(classes: tuple[Any, Any, Any]) -> dict[str, Any]:
    """Official and inrvid parameter counts at the 256x256 release configuration."""
    generator_cls, discriminator_cls, omega = classes
    out: dict[str, Any] = {}
    sampling = {"name": "random3_max32", "fps": 25, "max_num_frames": 1024,
                "num_frames_per_video": 3, "type": "random",
                "total_dists": [2**k for k in range(12)], "max_dist": 32}
    for name, period in (("ucf101", 16), ("sky", 256)):
        g_cfg, d_cfg = configs(omega, sampling=sampling, generator={
            "w_dim": 512, "z_dim": 512,
            "motion": {"z_dim": 512, "v_dim": 512, "motion_z_distance": period,
                       "gen_strategy": "conv", "kernel_size": 11, "use_fractional_t": True,
                       "fourier": True},
            "time_enc": {"cond_type": "concat_const", "dim": 256, "min_period_len": period,
                         "max_period_len": 1024}},
            discriminator={"concat_res": 16, "num_frames_div_factor": 2})
        official_g = generator_cls(
            c_dim=0, w_dim=512, img_resolution=256, img_channels=3,
            mapping_kwargs={"num_layers": 2, "cfg": g_cfg},
            synthesis_kwargs={"channel_base": 16384, "channel_max": 512, "num_fp16_res": 4,
                              "conv_clamp": 256}, cfg=g_cfg)
        official_d = discriminator_cls(
            c_dim=0, img_resolution=256, img_channels=3, channel_base=16384, channel_max=512,
            num_fp16_res=4, conv_clamp=256, block_kwargs={}, mapping_kwargs={"num_layers": 2},
            epilogue_kwargs={"mbstd_group_size": 4}, cfg=d_cfg)
        ctx = BuildContext(video=VideoSpec(frames=33, height=256, width=256),
                           device=torch.device("meta"))
        overrides = {"code_spacing_frames": period, "min_period_frames": period}
        with torch.device("meta"):
            ours_g = build_component("generator", "stylegan_v", overrides, ctx)
            ours_d = build_component("discriminator", "stylegan_v_d", {}, ctx)
        out[name] = {"official_generator": count_parameters(official_g),
                     "inrvid_generator": count_parameters(ours_g),
                     "official_discriminator": count_parameters(official_d),
                     "inrvid_discriminator": count_parameters(ours_d)}
    return out


SMALL_GENERATOR = {"content_dim": 16, "motion_dim": 8, "w_dim": 16, "channel_base": 256,
                   "channel_max": 16, "motion_code_dim": 8, "motion_kernel_size": 3,
                   "code_spacing_frames": 4, "time_features": 4, "min_period_frames": 4,
                   "max_period_frames": 64, "motion_horizon_frames": 64}
SMALL_DISCRIMINATOR = {"channel_base": 256, "channel_max": 16, "fuse_resolution": 8,
                       "max_gap_frames": 64, "gap_table_features": 256}


def copy_weights(ours: torch.nn.Module, theirs: torch.nn.Module, names: dict[str, str]) -> None:
    """Copy every official parameter into its inrvid counterpart (reshaped, same numbers)."""
    mine, official = dict(ours.named_parameters()), dict(theirs.named_parameters())
    missing = set(mine) ^ set(names)
    if missing:
        raise SystemExit(f"parameter names do not pair up: {sorted(missing)}")
    with torch.no_grad():
        for name, other in names.items():
            mine[name].copy_(official[other].reshape(mine[name].shape))


def equivalence(classes: tuple[Any, Any, Any]) -> dict[str, float]:
    """Max |difference| of frames and logits at a small configuration (32x32, 3 frames)."""
    generator_cls, discriminator_cls, omega = classes
    sampling = {"name": "small", "fps": 25, "max_num_frames": 64, "num_frames_per_video": 3,
                "type": "random", "total_dists": [1, 2, 4, 8], "max_dist": 8}
    g_cfg, d_cfg = configs(omega, sampling=sampling, generator={
        "w_dim": 16, "z_dim": 16,
        "motion": {"z_dim": 8, "v_dim": 8, "motion_z_distance": 4, "gen_strategy": "conv",
                   "kernel_size": 3, "use_fractional_t": True, "fourier": True},
        "time_enc": {"cond_type": "concat_const", "dim": 4, "min_period_len": 4,
                     "max_period_len": 64}},
        discriminator={"concat_res": 8, "num_frames_div_factor": 2})
    torch.manual_seed(0)
    official_g = generator_cls(
        c_dim=0, w_dim=16, img_resolution=32, img_channels=3,
        mapping_kwargs={"num_layers": 2, "cfg": g_cfg},
        synthesis_kwargs={"channel_base": 256, "channel_max": 16, "num_fp16_res": 0,
                          "conv_clamp": 256}, cfg=g_cfg).eval()
    official_d = discriminator_cls(
        c_dim=0, img_resolution=32, img_channels=3, channel_base=256, channel_max=16,
        num_fp16_res=0, conv_clamp=256, block_kwargs={}, mapping_kwargs={"num_layers": 2},
        epilogue_kwargs={"mbstd_group_size": 4}, cfg=d_cfg).eval()
    with torch.no_grad():    # non-zero biases and tables, so that the comparison covers them
        for p in [*official_g.parameters(), *official_d.parameters()]:
            p.add_(0.1 * torch.randn_like(p))
    clip_frames = 33                                   # inrvid time t = tau / 32
    ctx = BuildContext(video=VideoSpec(frames=clip_frames, height=32, width=32))
    ours_g = build_component("generator", "stylegan_v", SMALL_GENERATOR, ctx)
    ours_d = build_component("discriminator", "stylegan_v_d", SMALL_DISCRIMINATOR, ctx)
    copy_weights(ours_g, official_g, generator_names([8, 16, 32]))
    copy_weights(ours_d, official_d, discriminator_names([32, 16], [8]))
    torch.manual_seed(1)
    batch = 4
    z, noise = torch.randn(batch, 16), torch.randn(batch, ours_g.motion.noise_vectors, 8)
    tau = torch.tensor([[0.0, 3.0, 8.0], [5.5, 6.5, 13.5], [12.25, 20.25, 28.25],
                        [40.0, 41.0, 45.0]])           # frames; fractional and across knots
    with torch.no_grad():
        ref = official_g(z, torch.zeros(batch, 0), tau, motion_z=noise, force_fp32=True)
        ours = ours_g(z, noise.flatten(1), tau / (clip_frames - 1))
        ref_logits = official_d(ref, torch.zeros(batch, 0), tau, force_fp32=True)
        our_logits = ours_d(ours, tau / (clip_frames - 1))
    return {"generator_max_abs_diff": float((ours.reshape(ref.shape) - ref).abs().max()),
            "generator_max_abs_value": float(ref.abs().max()),
            "discriminator_max_abs_diff": float(
                (our_logits.flatten() - ref_logits["image_logits"]).abs().max())}


def main() -> None:
    """Print the counts and the equivalence figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--official", required=True, help="checkout of universome/stylegan-v")
    args = parser.parse_args()
    classes = official_classes(args.official)
    print(json.dumps({"counts": release_counts(classes), "equivalence": equivalence(classes)}))


if __name__ == "__main__":
    main()
