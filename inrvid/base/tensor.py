"""Tensor helpers: shape checks at component boundaries (einops notation), gradients, devices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
