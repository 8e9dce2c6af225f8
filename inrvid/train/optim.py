"""Adam with StyleGAN2's lazy-regularisation rescaling, and the EMA of the generator."""

from __future__ import annotations

import copy
from typing import Generic, TypeVar

import torch
from torch import Tensor, nn
from torch.utils._foreach_utils import _get_fused_kernels_supported_devices


def lazy_adam_hparams(
    lr: float, betas: tuple[float, float], interval: int | None
) -> tuple[float, tuple[float, float]]:
    """Adam's lr and betas for a network regularised every `interval` steps, separately.

    With ratio c = N / (N + 1): lr * c and (beta1 ** c, beta2 ** c), so that N + 1 optimiser
    steps per N minibatches move as far as N would without the regulariser.
    """
    if interval is None or interval <= 1:
        return lr, betas
    c = interval / (interval + 1)
    return lr * c, (betas[0] ** c, betas[1] ** c)


def make_adam(
    module: nn.Module, lr: float, betas: tuple[float, float], eps: float, interval: int | None
) -> torch.optim.Adam:
    """Adam over `module`'s parameters with the lazy-regularisation rescaling applied.

    The fused implementation (one kernel for all parameters) where PyTorch has it for the
    parameters' device, else the multi-tensor (`foreach`) one: the same update, faster than a
    loop over tensors.
    """
    lr, betas = lazy_adam_hparams(lr, betas, interval)
    params = list(module.parameters())
    fused = bool(params) and all(
        p.device.type in _get_fused_kernels_supported_devices() and p.is_floating_point()
        for p in params
    )
    return torch.optim.Adam(
        params, lr=lr, betas=betas, eps=eps, fused=fused or None, foreach=None if fused else True
    )


M = TypeVar("M", bound=nn.Module)


class EMA(Generic[M]):
    """An exponential moving average of G's parameters, with StyleGAN2's half-life ramp.

    β = 0.5 ** (batch / half_life), half_life = min(ema_kimg * 1000, rampup * images_seen)
    images, where images_seen counts the images before this step, as the release does: with
    the ramp, β = 0 at step 0 (the average starts as a copy of G after its first update).
    Buffers are copied, not averaged.
    """

    def __init__(self, model: M, ema_kimg: float, rampup: float | None) -> None:
        self.model: M = copy.deepcopy(model).eval().requires_grad_(False)
        self.ema_kimg = ema_kimg
        self.rampup = rampup

    def beta(self, batch: int, images_seen: int) -> float:
        """The decay for one step of `batch` images after `images_seen` images."""
        half_life = self.ema_kimg * 1000
        if self.rampup is not None:
            half_life = min(half_life, images_seen * self.rampup)
        return 0.5 ** (batch / max(half_life, 1e-8))

    @torch.no_grad()
    def update(self, model: nn.Module, batch: int, images_seen: int) -> float:
        """Move the average towards `model` (`images_seen`: before this step); return β."""
        if self.ema_kimg == 0:
            self.model.load_state_dict(model.state_dict())
            return 0.0
        beta = self.beta(batch, images_seen)
        averages: list[Tensor] = list(self.model.parameters())
        current: list[Tensor] = [p.detach() for p in model.parameters()]
        if len(averages) != len(current):
            raise ValueError(f"EMA: {len(averages)} averaged parameters, model has {len(current)}")
        if averages:
            torch._foreach_lerp_(averages, current, 1 - beta)  # one launch
        avg_buffers, buffers = list(self.model.buffers()), list(model.buffers())
        if avg_buffers:
            torch._foreach_copy_(avg_buffers, buffers)
        return beta
