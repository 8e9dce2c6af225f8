"""StyleGAN-V's R1: the gradient through the augmentation, averaged over a video's frames.

The official `src/training/loss.py` (StyleGAN2Loss with video-consistent augmentation) takes
R1's gradient with respect to the *un-augmented* real frames (the augmentation stays in the
graph) and averages the per-frame squared norms over the frames of each video. DIGAN's
`r1_penalty` differentiates with respect to the augmented frames and sums over them; hence
this separate term. The adversarial loss is DIGAN's `nonsaturating_logistic`, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from pydantic import Field
from torch import Tensor

from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import DiscriminatorRoles, Loss, LossConfig, PhaseInputs, score
from inrvid.components.registry import BuildContext

R1 = "stylegan_v_r1"


class StyleganVR1Config(LossConfig):
    """Options of `stylegan_v_r1` (release: gamma 0.0002·256²/64 = 0.2048, every 16)."""

    gamma: float = Field(
        0.2048, ge=0, description="R1 weight gamma; the term is gamma/2 times the squared grad "
        "norm per frame, averaged over frames (src/train.py, cfg auto: 0.0002 res² / batch)")
    every: int = Field(
        16, ge=1, description="lazy interval in D steps; the term is multiplied by it (the gain)")
    roles: DiscriminatorRoles | None = Field(
        None, description="discriminator roles to regularise; null: every discriminator")


def r1_through_augment(
    disc: Discriminator, frames: Tensor, times: Tensor, augment: Callable[[Tensor], Tensor],
    classes: Tensor | None = None,
) -> Tensor:
    """Mean over videos and frames of |∇_x D(augment(x))|² at real frames x `b t c h w`."""
    x = frames.detach().requires_grad_(True)                                   # b t c h w
    logits = score(disc, augment(x), times, classes)                           # b k
    (grad,) = torch.autograd.grad(logits.sum(), x, create_graph=True)
    per_frame = grad.square().flatten(2).sum(dim=2)                            # b t
    return per_frame.mean()


class StyleganVR1(Loss):
    """Lazy R1 on real frames: gamma/2 · mean over frames of |∇|² · every (the gain)."""

    regularizes = "discriminator"

    def __init__(self, cfg: StyleganVR1Config, ctx: BuildContext) -> None:
        super().__init__()
        del ctx
        self.gamma = cfg.gamma
        self.every = cfg.every
        self.lazy_interval = cfg.every
        self.roles = cfg.roles

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """`<role>_r1`, evaluated by the loop every `every` D steps on reals only."""
        real = inputs.require("real_frames", R1)
        times = inputs.require("real_times", R1)
        terms = {}
        for role, disc in inputs.select(self.roles, R1).items():
            penalty = r1_through_augment(disc, real, times, inputs.augment, inputs.real_classes)
            terms[f"{role}_r1"] = penalty * (self.gamma / 2) * self.every
        return terms
