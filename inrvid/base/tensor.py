"""Tensor helpers: shape checks at component boundaries (einops notation), gradients, devices."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from einops import parse_shape
from torch import nn

from inrvid.base.errors import ShapeError


def expect_shape(x: torch.Tensor, pattern: str, **sizes: int) -> dict[str, int]:
    """Check that `x` matches the einops `pattern` and the given axis sizes; return all sizes.

    The error names the pattern, the actual shape and the axis that disagrees.
    """
    names = pattern.split()
    if x.ndim != len(names):
        raise ShapeError(
            f"expected a tensor of shape '{pattern}' ({len(names)} axes), got {tuple(x.shape)}"
        )
    found = parse_shape(x, pattern)
    for axis, expected in sizes.items():
        if axis not in found:
            raise ShapeError(f"axis '{axis}' is not in pattern '{pattern}'")
        if found[axis] != expected:
            raise ShapeError(
                f"tensor of shape {tuple(x.shape)} does not match '{pattern}': "
                f"axis '{axis}' is {found[axis]}, expected {expected}"
            )
    return dict(found)


@contextmanager
def requires_grad(module: nn.Module, flag: bool) -> Iterator[None]:
    """Set `requires_grad` of all of a module's parameters inside the block, then restore it."""
    saved = [p.requires_grad for p in module.parameters()]
    module.requires_grad_(flag)
    try:
        yield
    finally:
        for p, s in zip(module.parameters(), saved, strict=True):
            p.requires_grad_(s)


def pick_device(choice: str) -> torch.device:
    """`auto` -> CUDA when available, else the CPU; otherwise the named device (`cuda:1`)."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(choice)


@dataclass(frozen=True)
class StateMismatch:
    """How weights differ from a module's state dict.

    Keys missing, keys unexpected, and `(key, shape given, shape expected)` for each key of
    another shape.
    """

    missing: list[str]
    unexpected: list[str]
    shapes: list[tuple[str, list[int], list[int]]]

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.shapes)


def state_mismatch(module: nn.Module, weights: Mapping[str, object]) -> StateMismatch:
    """What keeps `module.load_state_dict(weights, strict=True)` from fitting, found first.

    Callers name every key and shape in their own error instead of torch's.
    """
    expected = module.state_dict()
    return StateMismatch(
        missing=[k for k in expected if k not in weights],
        unexpected=[k for k in weights if k not in expected],
        shapes=[
            (k, list(getattr(weights[k], "shape", ())), list(v.shape))
            for k, v in expected.items()
            if k in weights and tuple(getattr(weights[k], "shape", ())) != tuple(v.shape)
        ],
    )
