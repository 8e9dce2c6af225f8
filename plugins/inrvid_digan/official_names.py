"""The official DIGAN code's parameter names -> inrvid_digan's (the one mapping of the two).

Used by `inrvid import digan` (`release_import.py`), `benchmarks/vs_official.py` and
`scripts/release_snapshot_check.py`, which prove it: frames and logits of the official
networks and of inrvid's, loaded through this mapping, agree (docs/release-snapshots.md).

Official layout (`src/training/networks.py` of github.com/sihyun-yu/digan): `mapping.fc{i}`
(and `mapping.embed` with classes), `synthesis.b{r}` blocks with `conv0`, `conv1`,
`extra_convs.{j}`, `torgb` and a `coord_fuser` (b4's inside `input.input`); discriminators
`b{r}` blocks, `b4` epilogue and, with classes, a `mapping`. Two kinds of official tensors
have no inrvid parameter and are listed by `SKIPPED`: the FIR filters (`resample_filter`,
a constant inrvid builds itself; the importer checks each equals it) and the truncation
average `mapping.w_avg` (inrvid does not truncate).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from torch import Tensor

SKIPPED = ("resample_filter", "mapping.w_avg")


def skipped(name: str) -> bool:
    """Whether official tensor `name` has no inrvid counterpart (see `SKIPPED`)."""
    return name.endswith("resample_filter") or name == "mapping.w_avg"


def mapping_names(parts: list[str], prefix: str) -> str:
    """`fc{i}.x` -> `{prefix}layers.{i}.x`; `embed.x` -> `{prefix}embed.x`."""
    if parts[0] == "embed":
        return f"{prefix}embed.{parts[1]}"
    return f"{prefix}layers.{parts[0][2:]}.{parts[1]}"


def generator_names(official: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """The official generator's state dict under inrvid's parameter names."""
    out = {}
    for key, value in official.items():
        if skipped(key):
            continue
        parts = key.split(".")
        if parts[0] == "mapping":                                   # mapping.fc{i}.x, embed
            out[mapping_names(parts[1:], "mapping.")] = value
            continue
        block = int(math.log2(int(parts[1][1:]))) - 2               # synthesis.b{r}
        rest = parts[2:]
        if rest[:2] == ["input", "input"]:
            rest = rest[2:]                                          # b4's coordinate input
        if rest[0] == "coord_fuser":
            head = {"xyaffine": ["spatial_head"], "affine": ["time_head"],
                    "motion_mlp": ["motion_mlp", {"0": "hidden", "1": "out"}.get(rest[2], "")]}
            name = head[rest[1]] + rest[-1:]
            out[".".join([f"blocks.{block}.encoder", *name])] = value
            continue
        if rest[0] == "torgb":
            layer = "to_rgb"
        elif rest[0] == "extra_convs":
            first = 1 if block == 0 else 2
            layer, rest = f"layers.{first + int(rest[1])}", rest[1:]
        else:
            layer = "layers.0" if rest[0] == "conv0" or block == 0 else "layers.1"
        field = ".".join(rest[1:]).replace("affine", "style")
        if field == "weight":
            value = value[:, :, 0, 0]                                # 1x1 conv -> matrix
        out[f"blocks.{block}.{layer}.{field}"] = value
    return out


def trunk_names(official: Mapping[str, Tensor], resolution: int) -> dict[str, Tensor]:
    """One official ImageDiscriminator's state dict under inrvid's names.

    The trunk's tensors become `trunk.*`; a class-conditional one's mapping `classes.mapping.*`.
    """
    out = {}
    for key, value in official.items():
        if skipped(key):
            continue
        parts = key.split(".")
        if parts[0] == "mapping":                                   # the class mapping
            out[mapping_names(parts[1:], "classes.mapping.")] = value
            continue
        block, layer, field = parts
        if block == "b4":
            out[f"trunk.epilogue.{layer}.{field}"] = value
        else:
            index = int(math.log2(resolution)) - int(math.log2(int(block[1:])))
            name = {"fromrgb": "from_rgb"}.get(layer, layer)
            out[f"trunk.blocks.{index}.{name}.{field}"] = value
    return out
