"""The official side of scripts/release_snapshot_check.py: release networks and a snapshot.

Run by that script in its own process (never imported by inrvid): it imports the official
code from a checkout, builds a small network set the way the release's `src/train.py` does,
assembles the snapshot dict as `training/training_loop.py` does (`copy.deepcopy(module)
.eval().requires_grad_(False).cpu()`, plus the loop's extra entries) and pickles it with
`pickle.dump`, so every persistent object goes through the release's own
`torch_utils/persistence.py`. It then records fixed inputs and the official outputs (frames
of G_ema and G, logits of each discriminator) in `reference.npz`.

Shims, kept minimal and only where the release's code cannot run on a current CPU stack:
`numpy.float` (removed from NumPy 1.24; a default argument in DIGAN's layers) and a
`requests` stand-in module (imported by `dnnlib/util.py`, unused here). OmegaConf must be the
real package: the release pickles its config objects.

    python scripts/release_official_side.py CASE CHECKOUT OUT_DIR     # CASE: see CASES
"""

from __future__ import annotations

import copy
import pickle
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import torch

CASES = ("digan", "digan_cond", "stylegan_v")
SNAPSHOT = "network-snapshot-000512.pkl"


def shims(checkout: Path, package: str) -> None:
    """The minimal shims, then the checkout's `src` (and the checkout) on sys.path."""
    if not hasattr(np, "float"):
        np.float = float  # type: ignore[attr-defined]
    try:
        import requests  # noqa: F401
    except ImportError:
        sys.modules["requests"] = types.ModuleType("requests")
    sys.path[:0] = [str(checkout / "src"), str(checkout)] if package == "digan" else [
        str(checkout), str(checkout / "src")]


def perturbed(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Every parameter moved by 0.1 N(0, 1): biases and tables non-zero, G != G_ema."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=gen))
    return module


def snapshot(out: Path, training_set_kwargs: dict[str, Any],
             modules: list[tuple[str, Any]]) -> None:
    """The snapshot dict and pickle of `training_loop.py` (its loop cannot run alone)."""
    data: dict[str, Any] = {"training_set_kwargs": dict(training_set_kwargs)}
    for name, module in modules:
        if isinstance(module, torch.nn.Module):
            module = copy.deepcopy(module).eval().requires_grad_(False).cpu()
        elif module is not None:
            module = copy.deepcopy(module)
        data[name] = module
    with open(out / SNAPSHOT, "wb") as f:
        pickle.dump(data, f)


def digan(checkout: Path, out: Path, classes: int) -> None:
    """DIGAN at 64x64 (width 32, K 16), unconditional or with `classes` classes."""
    shims(checkout, "digan")
    import dnnlib
    from omegaconf import OmegaConf

    hydra_cfg = OmegaConf.load(checkout / "configs" / "digan.yml")
    gen = hydra_cfg.generator
    gen.num_extra_convs = {"64": 1}
    gen.coords.low_res_cfg.predictable_emb_size = 16
    gen.coords.medium_res_cfg.predictable_emb_size = 16
    g_kwargs = dnnlib.EasyDict(class_name="training.networks.Generator", z_dim=512, w_dim=512,
                               mapping_kwargs=dnnlib.EasyDict(num_layers=2),
                               synthesis_kwargs=dnnlib.EasyDict(channel_base=32768,
                                                                channel_max=32, num_fp16_res=0,
                                                                conv_clamp=None))
    g_kwargs.cfg = OmegaConf.to_container(gen)            # as src/train.py: references kept
    d_kwargs = dnnlib.EasyDict(class_name="training.networks.OurDiscriminator",
                               block_kwargs=dnnlib.EasyDict(), mapping_kwargs=dnnlib.EasyDict(),
                               epilogue_kwargs=dnnlib.EasyDict(mbstd_group_size=4),
                               channel_base=32768, channel_max=32, num_fp16_res=4,
                               conv_clamp=256)
    common = {"c_dim": classes, "img_resolution": 64, "img_channels": 3, "ours": True}
    torch.manual_seed(0)
    G = perturbed(dnnlib.util.construct_class_by_name(**g_kwargs, **common), 1)
    D = perturbed(dnnlib.util.construct_class_by_name(**d_kwargs, **common), 2)
    G_ema = perturbed(copy.deepcopy(G), 3)
    kwargs = dnnlib.EasyDict(class_name="training.dataset.UCF101Wrapper", root="/data/UCF-101",
                             use_labels=bool(classes), train=True, resolution=64,
                             path="/data/UCF-101", xflip=True)
    snapshot(out, kwargs, [("G", G), ("D", D), ("G_ema", G_ema), ("augment_pipe", None)])

    gen_ = torch.Generator().manual_seed(7)
    b = 4
    z = torch.randn(b, 512, generator=gen_)
    z_motion = torch.randn(b, 512, generator=gen_)
    times = torch.tensor([[0.0, 0.35, 1.0], [0.1, 0.2, 0.9], [0.0, 0.5, 1.4], [0.3, 0.6, 0.7]])
    labels = torch.tensor([3, 0, classes - 1, 7 % max(classes, 1)]) if classes else torch.zeros(
        b, dtype=torch.long)
    c = torch.nn.functional.one_hot(labels, classes).float() if classes else torch.zeros(b, 0)
    ts = times.reshape(-1, 1, 1, 1)
    frames = torch.rand(b, 2, 3, 64, 64, generator=gen_) * 2 - 1
    pair = torch.sort(torch.rand(b, 2, generator=gen_), dim=1).values
    dt = (pair[:, 1] - pair[:, 0]).view(b, 1, 1, 1).expand(b, 1, 64, 64)
    video = torch.cat([frames.reshape(b, 6, 64, 64), dt], dim=1)
    with torch.no_grad():
        out_ema = G_ema.eval().synthesis(G_ema.mapping(z, c), ts, z_motion)
        out_raw = G.eval().synthesis(G.mapping(z, c), ts, z_motion)
        image = D.imageD(frames.reshape(2 * b, 3, 64, 64), c.repeat_interleave(2, 0),
                         force_fp32=True)
        motion = D.videoD(video, c, force_fp32=True)
    np.savez(out / "reference.npz", z=z.numpy(), z_motion=z_motion.numpy(),
             times=times.numpy(), labels=labels.numpy(), frames=frames.numpy(),
             pair=pair.numpy(), ema=out_ema.reshape(b, 3, 3, 64, 64).numpy(),
             raw=out_raw.reshape(b, 3, 3, 64, 64).numpy(),
             image_logits=image.reshape(b, 2).numpy(), motion_logits=motion.reshape(b).numpy())


def stylegan_v_config(checkout: Path) -> Any:
    """The Hydra composition of configs/config.yaml done by hand, at a small size."""
    from omegaconf import OmegaConf

    configs = checkout / "configs"

    def group(*names: str) -> Any:
        return OmegaConf.merge(*(OmegaConf.load(configs / n) for n in names))

    root = OmegaConf.create({
        "model": group("model/base.yaml", "model/stylegan-v.yaml"),
        "dataset": group("dataset/base.yaml", "dataset/ucf101.yaml"),
        "sampling": group("sampling/base.yaml", "sampling/random.yaml"),
        "env": group("env/base.yaml", "env/local.yaml"),
        "training": group("training/base.yaml"),
        "num_gpus": 1, "experiment_name": "release-check",
    })
    for key, value in {"dataset.resolution": 32, "dataset.max_num_frames": 64,
                       "dataset.c_dim": 0, "sampling.max_dist": 8,
                       "sampling.total_dists": [1, 2, 4, 8],
                       "model.generator.w_dim": 16, "model.generator.z_dim": 16,
                       "model.generator.motion.z_dim": 8, "model.generator.motion.v_dim": 8,
                       "model.generator.motion.kernel_size": 3,
                       "model.generator.time_enc.dim": 4,
                       "model.generator.time_enc.min_period_len": 4,
                       "model.generator.time_enc.max_period_len": 64,
                       "model.discriminator.concat_res": 8}.items():
        OmegaConf.update(root, key, value, merge=False)
    return root


def stylegan_v(checkout: Path, out: Path) -> None:
    """StyleGAN-V at 32x32 (width 16) with the loop's optimisers, ADA pipe and grids."""
    shims(checkout, "stylegan_v")
    from src import dnnlib

    cfg = stylegan_v_config(checkout)
    g_kwargs = dnnlib.EasyDict(class_name="training.networks.Generator",
                               w_dim=cfg.model.generator.w_dim,
                               mapping_kwargs=dnnlib.EasyDict(num_layers=2,
                                                              cfg=cfg.model.generator),
                               synthesis_kwargs=dnnlib.EasyDict(channel_base=256, channel_max=16,
                                                                num_fp16_res=4, conv_clamp=256),
                               cfg=cfg.model.generator)
    d_kwargs = dnnlib.EasyDict(class_name="training.networks.Discriminator",
                               block_kwargs=dnnlib.EasyDict(),
                               mapping_kwargs=dnnlib.EasyDict(num_layers=2),
                               epilogue_kwargs=dnnlib.EasyDict(mbstd_group_size=4),
                               channel_base=256, channel_max=16, num_fp16_res=4, conv_clamp=256,
                               cfg=cfg.model.discriminator)
    common = {"c_dim": 0, "img_resolution": 32, "img_channels": 3}
    torch.manual_seed(0)
    G = perturbed(dnnlib.util.construct_class_by_name(**g_kwargs, **common), 1)
    D = perturbed(dnnlib.util.construct_class_by_name(**d_kwargs, **common), 2)
    G_ema = perturbed(copy.deepcopy(G), 3)
    bgc = dict.fromkeys(("xflip", "rotate90", "xint", "scale", "rotate", "aniso", "xfrac",
                         "brightness", "contrast", "lumaflip", "hue", "saturation"), 1)
    augment_pipe = dnnlib.util.construct_class_by_name(      # src/train.py: --augpipe bgc
        class_name="training.augment.AugmentPipe", **bgc)
    augment_pipe.p.copy_(torch.as_tensor(0.2))
    g_opt = torch.optim.Adam(G.parameters(), lr=0.0025, betas=(0.0, 0.99), eps=1e-8)
    d_opt = torch.optim.Adam(D.parameters(), lr=0.0025, betas=(0.0, 0.99), eps=1e-8)
    vis = dnnlib.EasyDict(grid_size=(2, 1), labels=np.zeros([2, 0], dtype=np.float32),
                          frames_idx=np.array([[0, 3, 8]] * 2),
                          grid_z=torch.randn(2, 16).split(1))
    kwargs = dnnlib.EasyDict(class_name="training.dataset.VideoFramesFolderDataset",
                             path="/data/ucf101_32.zip", cfg=cfg.dataset, use_labels=True,
                             max_size=None, xflip=False, resolution=32)
    snapshot(out, kwargs, [("G", G), ("D", D), ("G_ema", G_ema), ("augment_pipe", augment_pipe),
                           ("G_opt", g_opt), ("D_opt", d_opt), ("vis", vis),
                           ("stats", {"cur_nimg": 512_000, "cur_tick": 10, "batch_idx": 80})])

    gen = torch.Generator().manual_seed(7)
    b = 4
    z = torch.randn(b, 16, generator=gen)
    tau = torch.tensor([[0.0, 3.0, 8.0], [5.5, 6.5, 13.5], [12.25, 20.25, 28.25],
                        [40.0, 41.0, 45.0]])       # frames; fractional and across knots
    noise = torch.randn(b, _noise_vectors(cfg), 8, generator=gen)
    with torch.no_grad():
        out_ema = G_ema.eval()(z, torch.zeros(b, 0), tau, motion_z=noise, force_fp32=True)
        out_raw = G.eval()(z, torch.zeros(b, 0), tau, motion_z=noise, force_fp32=True)
        logits = D(out_ema, torch.zeros(b, 0), tau, force_fp32=True)["image_logits"]
    np.savez(out / "reference.npz", z=z.numpy(), noise=noise.numpy(), tau=tau.numpy(),
             ema=out_ema.reshape(b, 3, 3, 32, 32).numpy(),
             raw=out_raw.reshape(b, 3, 3, 32, 32).numpy(), logits=logits.reshape(b).numpy())


def _noise_vectors(cfg: Any) -> int:
    """Motion noise vectors the release draws for times within max_num_frames.

    ceil((max_num_frames - 1) / distance) + 2, plus the convolutions' margin 2 (kernel - 1).
    """
    distance = int(cfg.model.generator.motion.motion_z_distance)
    frames = int(cfg.sampling.max_num_frames)
    return -(-(frames - 1) // distance) + 2 + 2 * (int(cfg.model.generator.motion.kernel_size) - 1)


def main() -> None:
    """`CASE CHECKOUT OUT_DIR`."""
    case, checkout, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if case not in CASES:
        raise SystemExit(f"release_official_side.py: CASE must be one of {CASES}")
    out.mkdir(parents=True, exist_ok=True)
    if case == "stylegan_v":
        stylegan_v(checkout, out)
    else:
        digan(checkout, out, classes=101 if case == "digan_cond" else 0)


if __name__ == "__main__":
    main()
