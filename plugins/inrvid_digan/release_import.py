"""`inrvid import digan`: the official DIGAN release's snapshots as inrvid checkpoints.

A snapshot (`network-snapshot-*.pkl` of github.com/sihyun-yu/digan) holds `G`, `G_ema` and
`D` (`OurDiscriminator`: `imageD`, `videoD`) as persistent objects of `training/networks.py`
and `training/layers.py`, with their constructor arguments: plain dicts whose `cfg` is the
Hydra generator section, `${...}` references unresolved (`OmegaConf.to_container`). Those
arguments become the recipe below (refused, naming the option, where inrvid has no
equivalent); the tensors are renamed by `official_names`, each FIR filter is checked to be the
[1, 3, 3, 1] filter inrvid builds, and `mapping.w_avg` (truncation) is left out with a note.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from inrvid_stylegan2.layers import fir_filter
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
    resolve_references,
)
from inrvid_digan.official_names import generator_names, skipped, trunk_names

FAMILY = "DIGAN"
REPOSITORY = "sihyun-yu/digan"
COMMIT = "e822320a984b778c9611a86740706f9c6ec1fc6d"
# sha256 of each persistent module's source as the release pickles it
# (`inrvid.release.file_sha256` of the file at COMMIT; scripts/release_snapshot_check.py
# recomputes them from a checkout)
KNOWN_SOURCES = (
    KnownSource("src/training/networks.py",
                "39e554e30524812809afb56be6463364c7fb31f9f9adee8a2e7f93ac7e01414d",
                REPOSITORY, COMMIT),
    KnownSource("src/training/layers.py",
                "8b48ea4efe7c53cb6f27db6afcae6f7e348a363cecb81788c7ad01bd431e8eb3",
                REPOSITORY, COMMIT),
)
ALLOWANCE = Allowance(
    reconstructors=frozenset({"torch_utils.persistence._reconstruct_persistent_obj"}),
    recorded=CORE_RECORDED | {"dnnlib.util.EasyDict"},
)
# The release's UCF-101 labels: the class folders sorted by `sorted()` (code-point order,
# `training/dataset.py` UCF101Wrapper), which differs from classInd.txt in two pairs
# (HammerThrow/Hammering, JumpRope/JumpingJack).
UCF101_LABELS = tuple(sorted((
    "ApplyEyeMakeup", "ApplyLipstick", "Archery", "BabyCrawling", "BalanceBeam",
    "BandMarching", "BaseballPitch", "Basketball", "BasketballDunk", "BenchPress", "Biking",
    "Billiards", "BlowDryHair", "BlowingCandles", "BodyWeightSquats", "Bowling",
    "BoxingPunchingBag", "BoxingSpeedBag", "BreastStroke", "BrushingTeeth", "CleanAndJerk",
    "CliffDiving", "CricketBowling", "CricketShot", "CuttingInKitchen", "Diving", "Drumming",
    "Fencing", "FieldHockeyPenalty", "FloorGymnastics", "FrisbeeCatch", "FrontCrawl",
    "GolfSwing", "Haircut", "Hammering", "HammerThrow", "HandstandPushups",
    "HandstandWalking", "HeadMassage", "HighJump", "HorseRace", "HorseRiding", "HulaHoop",
    "IceDancing", "JavelinThrow", "JugglingBalls", "JumpingJack", "JumpRope", "Kayaking",
    "Knitting", "LongJump", "Lunges", "MilitaryParade", "Mixing", "MoppingFloor", "Nunchucks",
    "ParallelBars", "PizzaTossing", "PlayingCello", "PlayingDaf", "PlayingDhol",
    "PlayingFlute", "PlayingGuitar", "PlayingPiano", "PlayingSitar", "PlayingTabla",
    "PlayingViolin", "PoleVault", "PommelHorse", "PullUps", "Punch", "PushUps", "Rafting",
    "RockClimbingIndoor", "RopeClimbing", "Rowing", "SalsaSpin", "ShavingBeard", "Shotput",
    "SkateBoarding", "Skiing", "Skijet", "SkyDiving", "SoccerJuggling", "SoccerPenalty",
    "StillRings", "SumoWrestling", "Surfing", "Swing", "TableTennisShot", "TaiChi",
    "TennisSwing", "ThrowDiscus", "TrampolineJumping", "Typing", "UnevenBars",
    "VolleyballSpiking", "WalkingWithDog", "WallPushups", "WritingOnBoard", "YoYo",
)))


def _working(resolution: int, input_resolution: int) -> list[int]:
    """Each block's working resolution (the official key of `num_extra_convs`)."""
    blocks = [2 ** i for i in range(2, int(math.log2(resolution)) + 1)]
    return [max(r, min(input_resolution, resolution)) for r in blocks]


def generator_sections(g: ModuleRecord) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The recipe's `generator` and `encoder` sections from G's arguments, and the resolution."""
    args = Options(g.init_kwargs, "G", FAMILY)
    cfg = Options(resolve_references(args.get("cfg", {})), "G.cfg", FAMILY)
    resolution = int(args.get("img_resolution"))
    args.expect("ours", True)
    args.expect("img_channels", 3)
    mapping = Options(args.get("mapping_kwargs", {}), "G.mapping_kwargs", FAMILY)
    for key, default in (("lr_multiplier", 0.01), ("embed_features", None),
                         ("layer_features", None), ("activation", "lrelu")):
        mapping.expect(key, default, default)
    synthesis = Options(args.get("synthesis_kwargs", {}), "G.synthesis_kwargs", FAMILY)
    synthesis.expect("conv_clamp", None)
    cfg.expect("upsampling_mode", "nearest")
    cfg.expect("use_noise", False)
    cfg.expect("input.type", "coords")
    for key, value in (("enabled", True), ("per_resolution", True), ("kernel_size", 1),
                       ("coord_dim", 2), ("fallback", False)):
        cfg.expect(f"coords.{key}", value)
    cfg.expect("fmm.enabled", True)
    cfg.expect("fmm.activation", "demod")
    cfg.expect("fmm.instance_norm", False, False)
    input_resolution = int(cfg.get("input.resolution"))
    working = _working(resolution, input_resolution)
    extra = {str(w): int(cfg.get(f"num_extra_convs.{w}", 0) or 0) for w in set(working)}
    if any(extra[str(w)] for w in working[:-1]):
        raise SnapshotError(
            f"G.cfg.num_extra_convs: {cfg.get('num_extra_convs')}: extra layers in blocks "
            f"before the last one (working resolutions {working}); inrvid's DIGAN adds extra "
            "layers to the last block only")
    embedding = _embedding(cfg, resolution, min(input_resolution, resolution))
    generator = {
        "kind": "digan", "content_dim": int(args.get("z_dim")),
        "motion_dim": int(args.get("w_dim")), "w_dim": int(args.get("w_dim")),
        "mapping_layers": int(mapping.get("num_layers", 8)), "mapping_lr_multiplier": 0.01,
        "channel_base": int(synthesis.get("channel_base", 32768)),
        "channel_max": int(synthesis.get("channel_max", 512)),
        "input_resolution": input_resolution, "fmm_rank": int(cfg.get("fmm.rank")),
        "extra_layers": extra[str(working[-1])], "num_classes": int(args.get("c_dim", 0)),
    }
    encoder = {"kind": "digan_fourier_xyt", **embedding, "motion_slope": 0.01}
    return generator, encoder, resolution


def _embedding(cfg: Options, resolution: int, first: int) -> dict[str, Any]:
    """The encoder options, the same at every scale that embeds (refused otherwise)."""
    scales = [first] + [2 ** i for i in range(int(math.log2(first)) + 1,
                                              int(math.log2(resolution)) + 1)]
    found = []
    for scale in scales:
        res = Options(cfg.get(f"coords.res_configs.{scale}"),
                      f"G.cfg.coords.res_configs.{scale}", FAMILY)
        for key in ("log_emb_size", "random_emb_size", "shared_emb_size", "const_emb_size"):
            res.expect(key, 0, 0)    # fixed or learned bases: inrvid generates them from w
        res.expect("use_cosine", True, False)
        res.expect("use_raw_coords", False, False)
        found.append((int(res.get("predictable_emb_size", 0)),
                      float(res.get("fourier_scale", math.sqrt(10)))))
    if len(set(found)) != 1 or found[0][0] <= 0:
        raise SnapshotError(
            f"G.cfg.coords.res_configs: (predictable_emb_size, fourier_scale) per scale "
            f"{dict(zip(scales, found, strict=True))}: inrvid's DIGAN uses one positive size "
            "and one scale at every scale")
    return {"features": found[0][0], "sigma_xy": found[0][1],
            "sigma_t": float(cfg.get("coords.motion_sigma", 0.25))}


def discriminator_section(d: ModuleRecord, kind: str, num_classes: int) -> dict[str, Any]:
    """A `digan_image_d` / `digan_motion_d` section from OurDiscriminator's arguments."""
    args = Options(d.init_kwargs, "D", FAMILY)
    args.expect("architecture", "resnet", "resnet")
    epilogue = Options(args.get("epilogue_kwargs", {}), "D.epilogue_kwargs", FAMILY)
    epilogue.expect("activation", "lrelu", "lrelu")
    block = Options(args.get("block_kwargs", {}), "D.block_kwargs", FAMILY)
    block.expect("activation", "lrelu", "lrelu")
    mapping = Options(args.get("mapping_kwargs", {}), "D.mapping_kwargs", FAMILY)
    group = epilogue.get("mbstd_group_size", 4)
    if group is None:
        raise SnapshotError("D.epilogue_kwargs.mbstd_group_size: None (the whole minibatch): "
                            "inrvid uses groups of a fixed size")
    clamp = args.get("conv_clamp")
    return {"kind": kind, "channel_base": int(args.get("channel_base", 32768)),
            "channel_max": int(args.get("channel_max", 512)), "mbstd_group": int(group),
            "mbstd_channels": int(epilogue.get("mbstd_num_channels", 1)),
            "conv_clamp": None if clamp is None else float(clamp), "num_classes": num_classes,
            "cmap_dim": args.get("cmap_dim"),
            "class_mapping_layers": int(mapping.get("num_layers", 8)),
            "reduced_precision_blocks": int(args.get("num_fp16_res", 0))}


def data_section(kwargs: dict[str, Any], resolution: int) -> tuple[dict[str, Any], int]:
    """The recipe's data section (root to be set by the user) and the clip length."""
    data = Options(kwargs, "training_set_kwargs", FAMILY)
    name = str(data.get("class_name", ""))
    frames = int(data.get("n_frames", data.get("nframes", 16)))
    common = {"resolution": resolution, "clip_frames": frames, "hflip": bool(data.get("xflip"))}
    if name.endswith("UCF101Wrapper"):
        return {"kind": "ucf101", "root": "data/ucf101",
                "splits": ["trainlist01", "testlist01"], "clip_step": 1, **common}, frames
    return {"kind": "frame_folder", "root": "data/frames", **common}, frames


def checked_weights(network: ModuleRecord) -> dict[str, Tensor]:
    """The network's tensors; each FIR filter checked to be the one inrvid builds."""
    weights = network.state_dict()
    fir = fir_filter()
    for name, value in weights.items():
        if name.endswith("resample_filter") and not (
                value.shape == fir.shape and torch.allclose(value.float(), fir)):
            raise SnapshotError(f"{network.path}.{name}: a resampling filter other than "
                                "[1, 3, 3, 1]: inrvid's DIGAN has no equivalent")
    return weights


class DiganImporter(SnapshotImporter):
    """DIGAN's release snapshots (unconditional and `--cond`)."""

    name = "digan"
    release = f"DIGAN, github.com/{REPOSITORY}"
    allowance = ALLOWANCE
    known_sources = KNOWN_SOURCES

    def convert(self, snapshot: ReleaseSnapshot) -> Imported:
        """The recipe and weights of a DIGAN snapshot."""
        g, g_ema, d = self.networks(snapshot, {"G": "Generator", "G_ema": "Generator",
                                               "D": "OurDiscriminator"}).values()
        generator, encoder, resolution = generator_sections(g_ema)
        classes = generator["num_classes"]
        data, frames = data_section(plain(snapshot.top.get("training_set_kwargs") or {}),
                                    resolution)
        notes = ["mapping.w_avg (the truncation average): inrvid samples without truncation"]
        if classes:
            if data["kind"] == "ucf101" and classes == len(UCF101_LABELS):
                generator["class_names"] = list(UCF101_LABELS)
            else:
                notes.append(f"class names: the snapshot holds {classes} class indices, no "
                             "names (pass generator.class_names=[...] to name them)")
        recipe = release_recipe(
            data=data, encoder=encoder, generator=generator,
            image=discriminator_section(d, "digan_image_d", classes),
            motion=discriminator_section(d, "digan_motion_d", classes),
            name=snapshot.path.stem)
        weights = {k: generator_names(checked_weights(n)) for k, n in (("G", g),
                                                                        ("G_ema", g_ema))}
        d_weights = checked_weights(d)
        roles = {"image": "imageD.", "motion": "videoD."}
        discriminators = {
            role: trunk_names({k[len(p):]: v for k, v in d_weights.items() if k.startswith(p)},
                              resolution)
            for role, p in roles.items()}
        other = [k for k in d_weights if not k.startswith(tuple(roles.values()))
                 and not skipped(k)]
        if other:
            raise SnapshotError(f"{snapshot.path}: D.{other[0]}: not part of the image or "
                                "video discriminator; inrvid's DIGAN has no equivalent")
        return Imported(
            recipe=recipe, video=VideoSpec(frames=frames, height=resolution, width=resolution),
            generator=weights["G"], generator_ema=weights["G_ema"],
            discriminators=discriminators, images_seen=snapshot.images_seen(), notes=notes,
            network_kwargs={"G": g_ema.init_kwargs, "D": d.init_kwargs,
                            "training_set_kwargs": plain(snapshot.top.get("training_set_kwargs"))})


def release_recipe(*, data: dict[str, Any], encoder: dict[str, Any], generator: dict[str, Any],
                   image: dict[str, Any], motion: dict[str, Any], name: str) -> dict[str, Any]:
    """A whole recipe around the converted networks: the release's training setup."""
    return {
        "name": f"digan-import-{name}",
        "description": f"DIGAN release snapshot {name}, converted by inrvid import",
        "seed": 0,
        "data": data,
        "augment": [{"kind": "diffaug_color"}, {"kind": "diffaug_translation", "ratio": 0.125}],
        "sampler": {"kind": "digan_beta_pairs"},
        "encoder": encoder,
        "generator": generator,
        "discriminators": {"image": image, "motion": motion},
        "losses": {"adversarial": {"kind": "nonsaturating_logistic", "augment_draw": "shared"},
                   "r1": {"kind": "r1_penalty", "gamma": 1.0, "every": 16,
                          "augment_draw": "shared"}},
        "train": {"batch_size": 64, "g_lr": 0.0025, "d_lr": 0.0025, "betas": [0.0, 0.99],
                  "eps": 1e-8, "g_reg_interval": 4, "ema_kimg": 20, "ema_rampup": 0.05,
                  "numerics": "release", "nonfinite": "clean"},
    }
