"""Release-style snapshots written by the tests themselves, without the official code.

`write_digan_snapshot` pickles inrvid DIGAN networks in the structure of a DIGAN release
snapshot: a dict of persistent-object records (reconstructor global
`torch_utils.persistence._reconstruct_persistent_obj`, a `meta` dict with the module source
text, class name and the module's `__dict__` state), module trees under the release's names
(`synthesis.b{r}.conv0`, `coord_fuser`, `motion_mlp` as a `torch.nn.Sequential`, ...), the
constructor arguments with `${...}` references, and tensors pickled by torch itself (nested
storage pickles). The names are produced by an inverse of `inrvid_digan.official_names`
written here independently, so a round trip through `inrvid import` tests both.

The reconstructor is a function of a stand-in module registered only while pickling: pickle
names it; nothing here ever calls it.
"""

from __future__ import annotations

import copyreg
import pickle
import re
import sys
import types
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from inrvid_stylegan2.layers import fir_filter
from torch import Tensor

SOURCE = "# the release's networks.py would be here\nclass Generator: ...\n"


@contextmanager
def release_modules() -> Iterator[None]:
    """Stand-in modules `torch_utils.persistence`, so pickle can name the reconstructor."""
    def _reconstruct_persistent_obj(meta: Any) -> Any:
        raise AssertionError("a test snapshot's reconstructor is never called")

    _reconstruct_persistent_obj.__module__ = "torch_utils.persistence"
    _reconstruct_persistent_obj.__qualname__ = "_reconstruct_persistent_obj"
    package, module = types.ModuleType("torch_utils"), types.ModuleType("torch_utils.persistence")
    module._reconstruct_persistent_obj = _reconstruct_persistent_obj  # type: ignore[attr-defined]
    package.persistence = module  # type: ignore[attr-defined]
    saved = {n: sys.modules.get(n) for n in ("torch_utils", "torch_utils.persistence")}
    sys.modules.update({"torch_utils": package, "torch_utils.persistence": module})
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


class Persistent:
    """Pickles as a release persistent object: reconstructor(meta) with source text."""

    def __init__(self, class_name: str, state: dict[str, Any], source: str = SOURCE) -> None:
        self.class_name, self.state, self.source = class_name, state, source

    def __reduce__(self) -> tuple[Any, ...]:
        reconstruct = sys.modules["torch_utils.persistence"]._reconstruct_persistent_obj
        meta = {"type": "class", "version": 6, "module_src": self.source,
                "class_name": self.class_name, "state": self.state}
        return reconstruct, (meta,)


class Container:
    """Pickles as a `torch.nn` container (NEWOBJ of the real class, then its state)."""

    def __init__(self, cls: type, state: dict[str, Any]) -> None:
        self.cls, self.state = cls, state

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # pickle's NEWOBJ check compares it with the class named
        return self.cls

    def __reduce__(self) -> tuple[Any, ...]:
        return copyreg.__newobj__, (self.cls,), self.state  # type: ignore[attr-defined]


def module_state(params: dict[str, Tensor], buffers: dict[str, Tensor],
                 modules: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    """A torch module's `__dict__` as the release pickles it (hooks empty)."""
    return {"training": False, "_parameters": OrderedDict(params),
            "_buffers": OrderedDict(buffers), "_non_persistent_buffers_set": set(),
            "_forward_hooks": OrderedDict(), "_forward_pre_hooks": OrderedDict(),
            "_modules": OrderedDict(modules), **attrs}


CONTAINERS = {"motion_mlp": torch.nn.Sequential, "extra_convs": torch.nn.ModuleList}
BUFFERS = ("resample_filter", "w_avg")


def tree(flat: dict[str, Tensor], class_name: str, init_kwargs: dict[str, Any] | None = None,
         source: str = SOURCE, name: str = "") -> Any:
    """Nested records of a flat state dict: each dotted prefix is a module."""
    own = {k: v for k, v in flat.items() if "." not in k}
    children: dict[str, dict[str, Tensor]] = {}
    for key, value in flat.items():
        if "." in key:
            head, rest = key.split(".", 1)
            children.setdefault(head, {})[rest] = value
    modules = {child: tree(sub, "Module", None, source, child) for child, sub in children.items()}
    state = module_state({k: v for k, v in own.items() if k not in BUFFERS},
                         {k: v for k, v in own.items() if k in BUFFERS}, modules)
    if name in CONTAINERS:
        return Container(CONTAINERS[name], state)
    if init_kwargs is not None:
        state |= {"_init_args": (), "_init_kwargs": init_kwargs}
    return Persistent(class_name, state, source)


# ---------------------------------------------------------------- inrvid -> release names
def release_generator_names(weights: dict[str, Tensor], resolution: int) -> dict[str, Tensor]:
    """An inrvid DIGAN generator's state dict under the release's names (with FIR buffers)."""
    out: dict[str, Tensor] = {}
    for key, value in weights.items():
        if m := re.fullmatch(r"mapping\.layers\.(\d+)\.(\w+)", key):
            out[f"mapping.fc{m[1]}.{m[2]}"] = value
            continue
        if key.startswith("mapping.embed."):
            out[key] = value
            continue
        m = re.fullmatch(r"blocks\.(\d+)\.(.+)", key)
        assert m, key
        block, rest = int(m[1]), m[2]
        prefix = f"synthesis.b{4 * 2 ** block}."
        if rest.startswith("encoder."):
            fuser = prefix + ("input.input.coord_fuser." if block == 0 else "coord_fuser.")
            part = rest.removeprefix("encoder.")
            part = (part.replace("spatial_head", "xyaffine").replace("time_head", "affine")
                    .replace("motion_mlp.hidden", "motion_mlp.0")
                    .replace("motion_mlp.out", "motion_mlp.1"))
            out[fuser + part] = value
            continue
        if rest.startswith("to_rgb."):
            layer, field = "torgb", rest.removeprefix("to_rgb.")
        else:
            m = re.fullmatch(r"layers\.(\d+)\.(.+)", rest)
            assert m, key
            j, field = int(m[1]), m[2]
            first = 1 if block == 0 else 2
            layer = ({0: "conv1"} if block == 0 else {0: "conv0", 1: "conv1"}).get(
                j, f"extra_convs.{j - first}")
        field = field.replace("style.", "affine.")
        out[f"{prefix}{layer}.{field}"] = value[:, :, None, None] if field == "weight" else value
        out[f"{prefix}{layer}.resample_filter"] = fir_filter()
    for r in (4 * 2 ** b for b in range(int(resolution).bit_length() - 2)):
        out[f"synthesis.b{r}.resample_filter"] = fir_filter()
    out["mapping.w_avg"] = torch.zeros(weights["mapping.layers.0.weight"].shape[0])
    return out


def release_trunk_names(weights: dict[str, Tensor], resolution: int) -> dict[str, Tensor]:
    """An inrvid DIGAN discriminator's state dict under the release's ImageDiscriminator names."""
    out: dict[str, Tensor] = {}
    for key, value in weights.items():
        if m := re.fullmatch(r"trunk\.blocks\.(\d+)\.(\w+)\.(\w+)", key):
            layer = {"from_rgb": "fromrgb"}.get(m[2], m[2])
            out[f"b{resolution >> int(m[1])}.{layer}.{m[3]}"] = value
            out[f"b{resolution >> int(m[1])}.{layer}.resample_filter"] = fir_filter()
        elif m := re.fullmatch(r"trunk\.epilogue\.(\w+)\.(\w+)", key):
            out[f"b4.{m[1]}.{m[2]}"] = value
        elif m := re.fullmatch(r"classes\.mapping\.layers\.(\d+)\.(\w+)", key):
            out[f"mapping.fc{m[1]}.{m[2]}"] = value
        elif key.startswith("classes.mapping.embed."):
            out[key.removeprefix("classes.")] = value
        else:
            raise AssertionError(key)
    return out


def digan_kwargs(*, resolution: int, z_dim: int, w_dim: int, channel_base: int,
                 channel_max: int, input_resolution: int, rank: int, features: int,
                 classes: int, extra: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """G's and D's constructor arguments as a release snapshot records them."""
    scale = {"predictable_emb_size": features, "use_cosine": True}
    g = {"z_dim": z_dim, "w_dim": w_dim, "c_dim": classes, "img_resolution": resolution,
         "img_channels": 3, "ours": True, "mapping_kwargs": {"num_layers": 2},
         "synthesis_kwargs": {"channel_base": channel_base, "channel_max": channel_max,
                              "num_fp16_res": 0, "conv_clamp": None},
         "cfg": {"fp32": True, "upsampling_mode": "nearest", "use_noise": False,
                 "num_extra_convs": {str(resolution): extra},
                 "input": {"type": "coords", "resolution": input_resolution,
                           "coord_fuser_cfg": "${coords}"},
                 "coords": {"enabled": True, "per_resolution": True, "kernel_size": 1,
                            "coord_dim": 2, "fallback": False, "motion_sigma": 0.25,
                            "low_res_cfg": scale,
                            "res_configs": {str(2 ** i): "${coords.low_res_cfg}"
                                            for i in range(2, 11)}},
                 "fmm": {"enabled": True, "rank": rank, "activation": "demod"}}}
    d = {"c_dim": classes, "img_resolution": resolution, "img_channels": 3,
         "channel_base": channel_base, "channel_max": channel_max, "num_fp16_res": 4,
         "conv_clamp": 256, "block_kwargs": {}, "mapping_kwargs": {"num_layers": 2},
         "epilogue_kwargs": {"mbstd_group_size": 4}}
    return g, d


def write_digan_snapshot(path: Path, *, generator: torch.nn.Module,
                         generator_ema: torch.nn.Module, image: torch.nn.Module,
                         motion: torch.nn.Module, g_kwargs: dict[str, Any],
                         d_kwargs: dict[str, Any], source: str = SOURCE) -> Path:
    """Pickle the networks as a DIGAN release snapshot at `path`."""
    resolution = g_kwargs["img_resolution"]
    training_set = {"class_name": "training.dataset.UCF101Wrapper", "root": "/data/UCF-101",
                    "resolution": resolution, "xflip": True, "use_labels": bool(
                        g_kwargs["c_dim"])}

    def g_tree(network: torch.nn.Module) -> Any:
        flat = release_generator_names(network.state_dict(), resolution)
        return tree(flat, "Generator", g_kwargs, source)

    flat_d = {f"imageD.{k}": v for k, v in release_trunk_names(
        image.state_dict(), resolution).items()}
    flat_d |= {f"videoD.{k}": v for k, v in release_trunk_names(
        motion.state_dict(), resolution).items()}
    data = {"training_set_kwargs": training_set, "G": g_tree(generator),
            "D": tree(flat_d, "OurDiscriminator", d_kwargs, source),
            "G_ema": g_tree(generator_ema), "augment_pipe": None}
    with release_modules(), path.open("wb") as f:
        pickle.dump(data, f, protocol=4)
    return path
