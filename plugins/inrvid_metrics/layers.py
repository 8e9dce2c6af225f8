"""Layers shared by the feature networks: frozen batch norm, TF "SAME" padding, loading."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from inrvid.base.errors import WeightsError
from inrvid.base.tensor import state_mismatch


class FrozenBatchNorm(nn.Module):
    """Batch norm with fixed statistics, for inference only (any number of spatial dims).

    Keys: `weight`, `bias`, `running_mean`, `running_var`; no `num_batches_tracked`, which the
    converted TF checkpoints do not have.
    """

    running_mean: Tensor
    running_var: Tensor

    def __init__(self, channels: int, eps: float = 1e-3) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x: Tensor) -> Tensor:
        """Normalise `b c ...` with the stored statistics."""
        return F.batch_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps
        )


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF "SAME" padding (front, back) of one axis: output size ceil(size / stride)."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def init_random(module: nn.Module, seed: int = 0) -> None:
    """He-normal weights, zero biases: a usable random network for tests (not for metrics)."""
    gen = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.Conv3d | nn.Linear):
            fan_in = m.weight[0].numel()
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * math.sqrt(2 / fan_in))
                if m.bias is not None:
                    m.bias.zero_()


def _unwrap(state: Mapping[str, object]) -> dict[str, object]:
    """Undo the usual wrappings: {"state_dict": ...}, {"model": ...}, DataParallel's `module.`."""
    for key in ("state_dict", "model"):
        inner = state.get(key)
        if len(state) <= 2 and isinstance(inner, Mapping):
            state = inner
    out = {k.removeprefix("module."): v for k, v in state.items()}
    return {k: v for k, v in out.items() if not k.endswith("num_batches_tracked")}


def load_exact(module: nn.Module, state: Mapping[str, object], path: Path, what: str) -> None:
    """Load `state` into `module`, requiring the same keys and shapes; WeightsError otherwise."""
    state = _unwrap(state)
    found = state_mismatch(module, state)
    mismatched = [f"{k} {given} (expected {wanted})" for k, given, wanted in found.shapes]
    if found:
        lines = []
        for label, keys in (("missing", found.missing), ("unexpected", found.unexpected),
                            ("wrong shape", mismatched)):
            if keys:
                more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
                lines.append(f"  {label}: {', '.join(keys[:5])}{more}")
        raise WeightsError(
            f"{path}: not a {what} state dict\n" + "\n".join(lines) + "\n"
            f"  expected the key layout of docs/metrics.md ({what}); convert the file to it"
        )
    module.load_state_dict({k: state[k] for k in module.state_dict()}, strict=True)
