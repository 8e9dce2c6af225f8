"""`inrvid import stylegan-v`: the official StyleGAN-V release's snapshots as inrvid checkpoints.

A snapshot (`network-snapshot-*.pkl` of github.com/universome/stylegan-v) holds `G`, `G_ema`
and `D` as persistent objects of `src/training/{networks,layers,motion}.py`, the ADA pipe,
both Adam optimisers, the sample grids (`vis`) and counters (`stats`). Each network's `cfg` is
an OmegaConf node of the Hydra config with `${...}` references (resolved against the pickled
root, `inrvid.release.records`); those arguments become the recipe below, refused where
inrvid has no equivalent. Tensors are renamed by `official_names` (the release's time
frequencies included, so the converted network uses its exact numbers); FIR filters are
checked; `mapping.w_avg`, the ADA pipe and the optimiser states are left out with a note.
"""

from __future__ import annotations

import math
from typing import Any

from inrvid_digan.release_import import checked_weights
from torch import Tensor

from inrvid.base.errors import SnapshotError
from inrvid.components.importers import Imported, SnapshotImporter
from inrvid.components.registry import VideoSpec
from inrvid.release import (
    CORE_RECORDED,
    Allowance,
    KnownSource,
    ModuleRecord,
    Options,
    ReleaseSnapshot,
    plain,
)
from inrvid_stylegan_v.official_names import SQUEEZED, discriminator_names, generator_names

FAMILY = "StyleGAN-V"
REPOSITORY = "universome/stylegan-v"
COMMIT = "3fecd69c602e1cda204357201461c0fb0a634909"
# sha256 of each persistent module's source as the release pickles it
# (`inrvid.release.file_sha256` of the file at COMMIT; scripts/release_snapshot_check.py
# recomputes them from a checkout)
KNOWN_SOURCES = tuple(KnownSource(path, sha, REPOSITORY, COMMIT) for path, sha in (
    ("src/training/networks.py",
     "f58245764324728972c2c27eb1ed71429a83affd97e42faf243be34cfee76f3f"),
    ("src/training/layers.py",
     "cca1cf374c7a84ab1e3550e35d1d7bc889dae282ab6bc1f473f73731c93f6879"),
    ("src/training/motion.py",
     "3258898906be29d963f2f1b914c31e622f54305bdccefcab0956cff6aaf2c03b"),
    ("src/training/augment.py",
     "19fc7ea5c6c4043fd8c332eb96ff7619be562944db102d8c89d3690c4c9cfd7d"),
))
ALLOWANCE = Allowance(
    reconstructors=frozenset({"src.torch_utils.persistence._reconstruct_persistent_obj"}),
    recorded=CORE_RECORDED | {
        "src.dnnlib.util.EasyDict",
        # not a persistent class in the release: pickled by reference, recorded here
        "training.layers.TemporalDifferenceEncoder",
        "src.training.layers.TemporalDifferenceEncoder",
        # the training loop's extra entries: optimisers and the sample grids' arrays
        "torch.optim.adam.Adam",
        "numpy.ndarray",
        "numpy.core.multiarray._reconstruct",
        "numpy._core.multiarray._reconstruct",
    },
)


def generator_section(g: ModuleRecord) -> tuple[dict[str, Any], Options, int]:
    """The recipe's `generator` section from G's arguments; its config; the resolution."""
    args = Options(g.init_kwargs, "G", FAMILY)
    cfg = Options(args.get("cfg"), "G.cfg", FAMILY)
    args.expect("c_dim", 0)
    args.expect("img_channels", 3)
    cfg.expect("use_noise", False)
    cfg.expect("input.type", "temporal")
    cfg.expect("motion.gen_strategy", "conv")
    cfg.expect("motion.fourier", True)
    cfg.expect("time_enc.cond_type", "concat_const")
    mapping = Options(args.get("mapping_kwargs", {}), "G.mapping_kwargs", FAMILY)
    for key, default in (("lr_multiplier", 0.01), ("embed_features", None),
                         ("layer_features", None), ("activation", "lrelu")):
        mapping.expect(key, default, default)
    synthesis = Options(args.get("synthesis_kwargs", {}), "G.synthesis_kwargs", FAMILY)
    clamp = synthesis.get("conv_clamp")
    section = {
        "kind": "stylegan_v", "content_dim": int(cfg.get("z_dim")),
        "motion_dim": int(cfg.get("motion.z_dim")), "w_dim": int(args.get("w_dim")),
        "mapping_layers": int(mapping.get("num_layers", 8)), "mapping_lr_multiplier": 0.01,
        "channel_base": int(synthesis.get("channel_base", 32768)),
        "channel_max": int(synthesis.get("channel_max", 512)),
        "conv_clamp": None if clamp is None else float(clamp),
        "motion_code_dim": int(cfg.get("motion.v_dim")),
        "motion_kernel_size": int(cfg.get("motion.kernel_size")),
        "motion_lr_multiplier": 0.01,
        "code_spacing_frames": int(cfg.get("motion.motion_z_distance")),
        "time_features": int(cfg.get("time_enc.dim")),
        "min_period_frames": float(cfg.get("time_enc.min_period_len")),
        "max_period_frames": float(cfg.get("time_enc.max_period_len")),
        "motion_horizon_frames": int(cfg.get("sampling.max_num_frames")),
    }
    return section, cfg, int(args.get("img_resolution"))


def discriminator_section(d: ModuleRecord, gap_features: int) -> tuple[dict[str, Any], Options]:
    """The `stylegan_v_d` section from the Discriminator's arguments; its config."""
    args = Options(d.init_kwargs, "D", FAMILY)
    cfg = Options(args.get("cfg"), "D.cfg", FAMILY)
    args.expect("c_dim", 0)
    args.expect("architecture", "resnet", "resnet")
    cfg.expect("dummy_c", False, False)
    cfg.expect("sampling.type", "random")     # 'uniform' embeds one gap; inrvid embeds each
    epilogue = Options(args.get("epilogue_kwargs", {}), "D.epilogue_kwargs", FAMILY)
    mapping = Options(args.get("mapping_kwargs", {}), "D.mapping_kwargs", FAMILY)
    clamp = args.get("conv_clamp")
    group = epilogue.get("mbstd_group_size", 4)
    if group is None:
        raise SnapshotError("D.epilogue_kwargs.mbstd_group_size: None (the whole minibatch): "
                            "inrvid uses groups of a fixed size")
    return {
        "kind": "stylegan_v_d", "frames": int(cfg.get("sampling.num_frames_per_video")),
        "channel_base": int(args.get("channel_base", 32768)),
        "channel_max": int(args.get("channel_max", 512)),
        "fuse_resolution": int(cfg.get("concat_res")),
        "fuse_channel_divisor": int(cfg.get("num_frames_div_factor")),
        "mbstd_group": int(group), "mbstd_channels": int(epilogue.get("mbstd_num_channels", 1)),
        "conv_clamp": None if clamp is None else float(clamp),
        "max_gap_frames": int(cfg.get("sampling.max_num_frames")),
        "gap_table_features": gap_features,
        "mapping_layers": int(mapping.get("num_layers", 8)), "mapping_lr_multiplier": 0.01,
        "reduced_precision_blocks": int(args.get("num_fp16_res", 0)),
    }, cfg


def renamed(official: dict[str, Tensor], names: dict[str, str], path: str) -> dict[str, Tensor]:
    """`official` under inrvid's names (`names`: inrvid -> official); every tensor accounted."""
    used = set(names.values())
    left = [k for k in official if k not in used and not k.endswith("resample_filter")
            and k != "mapping.w_avg"]
    if left:
        raise SnapshotError(f"{path}.{left[0]}: a tensor inrvid's StyleGAN-V has no "
                            f"equivalent for ({len(left)} such tensors)")
    missing = [theirs for theirs in names.values() if theirs not in official]
    if missing:
        raise SnapshotError(f"{path}.{missing[0]}: missing in the snapshot")
    return {ours: official[theirs][0] if ours in SQUEEZED else official[theirs]
            for ours, theirs in names.items()}


class StyleganVImporter(SnapshotImporter):
    """StyleGAN-V's release snapshots (unconditional)."""

    name = "stylegan-v"
    release = f"StyleGAN-V, github.com/{REPOSITORY}"
    allowance = ALLOWANCE
    known_sources = KNOWN_SOURCES

    def convert(self, snapshot: ReleaseSnapshot) -> Imported:
        """The recipe and weights of a StyleGAN-V snapshot."""
        g, g_ema, d = self.networks(snapshot, {"G": "Generator", "G_ema": "Generator",
                                               "D": "Discriminator"}).values()
        generator, g_cfg, resolution = generator_section(g_ema)
        d_weights = checked_weights(d)
        table = d_weights.get("time_encoder.const_embed.weight")
        if table is None:
            raise SnapshotError(f"{snapshot.path}: D.time_encoder.const_embed.weight: missing "
                                "(a single-frame discriminator: inrvid's needs frame gaps)")
        discriminator, d_cfg = discriminator_section(d, int(table.shape[1]))
        fuse = discriminator["fuse_resolution"]
        blocks = [2 ** i for i in range(int(math.log2(resolution)), 2, -1)]          # R ... 8
        g_names = generator_names(blocks[::-1], buffers=True,
                                  mapping_layers=generator["mapping_layers"])
        d_names = discriminator_names([r for r in blocks if r > fuse],
                                      [r for r in blocks if r <= fuse], buffers=True,
                                      mapping_layers=discriminator["mapping_layers"])
        weights = {k: renamed(checked_weights(n), g_names, n.path)
                   for k, n in (("G", g), ("G_ema", g_ema))}
        max_dist = int(g_cfg.get("sampling.max_dist"))
        dataset = Options(plain(snapshot.top.get("training_set_kwargs") or {}),
                          "training_set_kwargs", FAMILY)
        notes = ["mapping.w_avg (the truncation average): inrvid samples without truncation"]
        pipe = snapshot.top.get("augment_pipe")
        if pipe is not None:
            p = ModuleRecord(pipe, "augment_pipe").tensors().get("p")
            notes.append(f"augment_pipe (ADA{'' if p is None else f', p = {float(p):.3f}'}): "
                         "inrvid has no ADA; the recipe uses DiffAugment as inrvid's "
                         "StyleGAN-V recipes do")
        notes += [f"{k} (Adam state): fine-tuning starts fresh optimisers"
                  for k in ("G_opt", "D_opt") if snapshot.top.get(k) is not None]
        stats = plain(snapshot.top.get("stats") or {})
        seen = int(stats.get("cur_nimg", 0)) if isinstance(stats, dict) else 0
        recipe = release_recipe(
            resolution=resolution, frames=max_dist + 1, hflip=bool(dataset.get("xflip")),
            sampler={"kind": "stylegan_v_sparse",
                     "frames": int(d_cfg.get("sampling.num_frames_per_video")),
                     "max_span_frames": max_dist,
                     "spans": [int(s) for s in g_cfg.get("sampling.total_dists")]},
            generator=generator, discriminator=discriminator, name=snapshot.path.stem)
        return Imported(
            recipe=recipe,
            video=VideoSpec(frames=max_dist + 1, height=resolution, width=resolution,
                            fps=float(g_cfg.get("sampling.fps", 25))),
            generator=weights["G"], generator_ema=weights["G_ema"],
            discriminators={"video": renamed(d_weights, d_names, "D")},
            images_seen=seen or snapshot.images_seen(), notes=notes,
            network_kwargs={"G": g_ema.init_kwargs, "D": d.init_kwargs,
                            "training_set_kwargs": dataset.data})


def release_recipe(*, resolution: int, frames: int, hflip: bool, sampler: dict[str, Any],
                   generator: dict[str, Any], discriminator: dict[str, Any],
                   name: str) -> dict[str, Any]:
    """A whole recipe around the converted networks: inrvid's StyleGAN-V training setup."""
    return {
        "name": f"stylegan-v-import-{name}",
        "description": f"StyleGAN-V release snapshot {name}, converted by inrvid import",
        "seed": 0,
        "data": {"kind": "frame_folder", "root": "data/frames", "resolution": resolution,
                 "clip_frames": frames, "hflip": hflip},
        "augment": [{"kind": "diffaug_color"}, {"kind": "diffaug_translation", "ratio": 0.125}],
        "sampler": sampler,
        "generator": generator,
        "discriminators": {"video": discriminator},
        "losses": {"adversarial": {"kind": "nonsaturating_logistic"},
                   # src/train.py, cfg auto: r1_gamma = 0.0002 R^2 / batch (64)
                   "r1": {"kind": "stylegan_v_r1", "gamma": 0.0002 * resolution ** 2 / 64,
                          "every": 16}},
        "train": {"batch_size": 64, "g_lr": 0.0025, "d_lr": 0.0025, "betas": [0.0, 0.99],
                  "eps": 1e-8, "g_reg_interval": 4, "ema_kimg": 20, "ema_rampup": None,
                  "numerics": "release", "nonfinite": "clean"},
    }

