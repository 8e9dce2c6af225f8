"""The deterministic x-flip of clips (crop and resize: `inrvid.base.pixels.centre_crop_resize`)."""

from __future__ import annotations

_MASK = (1 << 64) - 1


def mix64(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): stable across processes and platforms."""
    state = 0x9E3779B97F4A7C15
    for value in values:
        state = (state ^ (value & _MASK)) & _MASK
        state = (state + 0x9E3779B97F4A7C15) & _MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        state = z ^ (z >> 31)
    return state


def flip_decision(seed: int, epoch: int, index: int) -> bool:
    """Whether clip `index` is flipped in `epoch`: a fair coin fixed by (seed, epoch, index)."""
    return bool(mix64(seed, epoch, index) >> 63)
