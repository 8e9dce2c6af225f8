"""The numerics policy of a run (`train.numerics`): TF32, reduced-precision blocks, autocast.

One object decides every precision choice of the loop and records it in run-info.json:

| mode | TF32 (matmul, cuDNN) | reduced-precision D blocks (CUDA) | G |
|---|---|---|---|
| `release` | off (the release) | float16, the N highest resolutions | float32 |
| `fp32` | off | none: every block in float32 | float32 |
| `fast` | on | bfloat16, the same blocks | float32 unless `fast` says |

Reduced precision is a property of the networks, not an autocast region: a network that has
such blocks implements `MixedPrecisionNetwork` (the DIGAN discriminators do: blocks at the
`reduced_precision_blocks` highest resolutions cast their input to the reduced dtype, clamp
activations to ±conv_clamp, and the 4x4 epilogue runs in float32). On a CPU every block runs
in float32 whatever the mode, and the record says which blocks would run reduced on CUDA.
The generator is never autocast in `release` and `fp32`; `fast` is where the performance
work (docs/performance.md) adds its model-side choices, each with a test bounding its error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import torch
from torch import nn

from inrvid.recipe.options import Numerics


@runtime_checkable
class MixedPrecisionNetwork(Protocol):
    """A network with blocks that may run in a reduced precision."""

    def reduced_precision_blocks(self) -> list[str]:
        """Names of the blocks that run in the reduced dtype when asked to."""
        ...

    def set_reduced_precision(self, dtype: torch.dtype) -> None:
        """Run those blocks in `dtype` (float32: no reduced precision)."""
        ...


@dataclass(frozen=True)
class NumericsPolicy:
    """The precision choices of one run on one device (see the module docstring)."""

    mode: Numerics
    device: torch.device
    allow_tf32: bool
    reduced_dtype: torch.dtype          # of the reduced-precision blocks, on CUDA
    generator_autocast: torch.dtype | None = None

    @classmethod
    def for_run(cls, mode: Numerics, device: torch.device) -> NumericsPolicy:
        """The policy of `mode` on `device`."""
        if mode == "release":
            return cls(mode, device, allow_tf32=False, reduced_dtype=torch.float16)
        if mode == "fp32":
            return cls(mode, device, allow_tf32=False, reduced_dtype=torch.float32)
        return cls(mode, device, allow_tf32=True, reduced_dtype=torch.bfloat16)

    @property
    def block_dtype(self) -> torch.dtype:
        """The dtype reduced-precision blocks run in here: float32 except on CUDA."""
        return self.reduced_dtype if self.device.type == "cuda" else torch.float32

    def apply_flags(self) -> None:
        """Set PyTorch's TF32 switches for matmuls and cuDNN convolutions (process-wide)."""
        torch.backends.cuda.matmul.allow_tf32 = self.allow_tf32
        torch.backends.cudnn.allow_tf32 = self.allow_tf32

    @property
    def channels_last(self) -> bool:
        """Whether the discriminators' weights (hence activations) go channels-last.

        `fast` on CUDA, where tensor-core convolutions want it (on CPU it measured no faster).
        """
        return self.mode == "fast" and self.device.type == "cuda"

    def prepare(self, networks: Mapping[str, nn.Module]) -> None:
        """Put every network's reduced-precision blocks in this policy's dtype.

        Under `fast` on CUDA its 4-D weights also go channels-last (convolutions follow them).
        """
        for network in networks.values():
            if isinstance(network, MixedPrecisionNetwork):
                network.set_reduced_precision(self.block_dtype)
            if self.channels_last:
                network.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def phase_autocast(self) -> contextlib.AbstractContextManager[object] | None:
        """The autocast region of the main G and D phases (None in `release`, `fp32`: G never)."""
        if self.generator_autocast is None or self.device.type != "cuda":
            return None
        return torch.autocast("cuda", dtype=self.generator_autocast)

    def record(self, networks: Mapping[str, nn.Module]) -> dict[str, Any]:
        """What run-info.json says: flags as set, and each network's block precision."""
        blocks: dict[str, Any] = {}
        for name, network in networks.items():
            if isinstance(network, MixedPrecisionNetwork):
                blocks[name] = {
                    "reduced_blocks": network.reduced_precision_blocks(),
                    "dtype_here": _name(self.block_dtype),
                    "dtype_on_cuda": _name(self.reduced_dtype),
                }
        note = (
            "reduced-precision blocks run in their dtype on this CUDA device"
            if self.device.type == "cuda"
            else f"on {self.device.type} every block runs in float32; the listed blocks "
            f"would run in {_name(self.reduced_dtype)} on CUDA"
        )
        return {
            "mode": self.mode,
            "tf32": {
                "matmul": bool(torch.backends.cuda.matmul.allow_tf32),
                "cudnn": bool(torch.backends.cudnn.allow_tf32),
            },
            "generator_autocast": None if self.generator_autocast is None
            else _name(self.generator_autocast),
            "discriminators_channels_last": self.channels_last,
            "blocks": blocks,
            "note": note,
        }


def _name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")
