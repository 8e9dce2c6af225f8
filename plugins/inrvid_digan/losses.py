"""DIGAN's objectives: the non-saturating logistic loss and lazy R1 on reals.

Both losses call the discriminators themselves, on augmented frames:
`inputs.discriminators[role](inputs.augment(frames), times)`, for every role of the recipe
(or the `roles` listed in the config). Dropping a discriminator from a recipe therefore drops
its terms too.

R1 (docs/reference/digan.md §3) is gamma/2 · |∇_x D(x)|², averaged over the scored items and
multiplied by its lazy interval (`every`, the gain of lazy regularisation). The gradient is
taken with respect to:
- for a discriminator that builds its own input (`BuildsInput`: the motion D with its Δt
  plane), the built input before augmentation, `build_input(frames, times)` (all 7 channels);
  it is scored with `score_input(x, augment)`, which augments the frame channels only;
- for any other discriminator (the image D), the augmented frames.

Augmentation draws (`augment_draw`): `shared` (the release, and the DIGAN recipes) gives every
discriminator of one evaluation the same draw, so the image D scores exactly the frames of the
motion D's augmented input; `per_discriminator` draws afresh for each discriminator (an
ablation: it changes the variance of G's gradient). One evaluation is: the fakes of a G
phase; the fakes, then the reals, of a D phase; the reals of an R1 phase.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol, runtime_checkable

import torch
import torch.nn.functional as F
from pydantic import Field
from torch import Tensor

from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import DiscriminatorRoles, Loss, LossConfig, PhaseInputs, score
from inrvid.components.registry import BuildContext
from inrvid_digan.augments import SharedDraw
from inrvid_digan.negatives import RealNegative, masked_mean, real_negative

NONSATURATING = "nonsaturating_logistic"
AugmentDraw = Literal["shared", "per_discriminator"]
AUGMENT_DRAW_HELP = (
    "shared: one augmentation draw per evaluation for all discriminators (the release); "
    "per_discriminator: a fresh draw for each"
)


@runtime_checkable
class BuildsInput(Protocol):
    """A discriminator whose scored tensor is built from the frames (e.g. with a Δt plane)."""

    def build_input(self, frames: Tensor, times: Tensor) -> Tensor:
        """Frames `b t c h w` and times `b t` -> the tensor the network scores."""
        ...

    def score_input(
        self,
        x: Tensor,
        augment: Callable[[Tensor], Tensor] | None = None,
        classes: Tensor | None = None,
    ) -> Tensor:
        """Score a built tensor [of classes `b`] -> logits `b k`, augmenting its frame part."""
        ...


def evaluation_augment(
    augment: Callable[[Tensor], Tensor], draw: AugmentDraw
) -> Callable[[Tensor], Tensor]:
    """The augment the discriminators of one evaluation use (see the module docstring)."""
    return SharedDraw(augment) if draw == "shared" else augment


class NonSaturatingLogisticConfig(LossConfig):
    """Options of `nonsaturating_logistic`."""

    roles: DiscriminatorRoles | None = Field(
        None, description="discriminator roles to use; null: every discriminator of the recipe"
    )
    augment_draw: AugmentDraw = Field("shared", description=AUGMENT_DRAW_HELP)
    real_negatives: tuple[RealNegative, ...] = Field(
        (), description="real frame sets with wrong motion scored as fakes by the "
        "`negative_roles` (frozen, foreign_times, foreign_frames; an inrvid option, "
        "not the release: docs/small-compute.md); empty: none, as the release",
    )
    negative_roles: DiscriminatorRoles | None = Field(
        None, description="discriminator roles shown the real negatives; null: `motion`"
    )
    negative_weight: float = Field(
        1.0, ge=0, description="weight of each real-negative term in D's loss"
    )


class NonSaturatingLogistic(Loss):
    """L_G = softplus(-D(fake)); L_D = softplus(D(fake)) + softplus(-D(real)); one term per role."""

    def __init__(self, cfg: NonSaturatingLogisticConfig, ctx: BuildContext) -> None:
        super().__init__()
        del ctx
        self.roles = cfg.roles
        self.augment_draw: AugmentDraw = cfg.augment_draw
        self.real_negatives = cfg.real_negatives
        self.negative_roles = cfg.negative_roles or ("motion",)
        self.negative_weight = cfg.negative_weight

    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """`<role>_fake`: softplus(-logits) of the augmented fakes, averaged."""
        fake = inputs.require("fake_frames", NONSATURATING)
        times = inputs.require("fake_times", NONSATURATING)
        augment = evaluation_augment(inputs.augment, self.augment_draw)
        terms = {}
        for role, disc in inputs.select(self.roles, NONSATURATING).items():
            logits = score(disc, augment(fake), times, inputs.fake_classes)        # b k
            terms[f"{role}_fake"] = F.softplus(-logits).mean()
        return terms

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """`<role>_fake`: softplus(logits of fakes); `<role>_real`: softplus(-logits of reals)."""
        fake = inputs.require("fake_frames", NONSATURATING)
        fake_times = inputs.require("fake_times", NONSATURATING)
        real = inputs.require("real_frames", NONSATURATING)
        real_times = inputs.require("real_times", NONSATURATING)
        fake = fake.detach()
        augment_fake = evaluation_augment(inputs.augment, self.augment_draw)
        augment_real = evaluation_augment(inputs.augment, self.augment_draw)
        terms = {}
        for role, disc in inputs.select(self.roles, NONSATURATING).items():
            fake_logits = score(disc, augment_fake(fake), fake_times, inputs.fake_classes)
            real_logits = score(disc, augment_real(real), real_times, inputs.real_classes)
            terms[f"{role}_fake"] = F.softplus(fake_logits).mean()                # b k -> 1
            terms[f"{role}_real"] = F.softplus(-real_logits).mean()
        terms |= self.negative_terms(inputs, real, real_times)
        return terms

    def negative_terms(self, inputs: PhaseInputs, real: Tensor, times: Tensor) -> dict[str, Tensor]:
        """`<role>_negative_<kind>`: softplus(logits) of real negatives (`negatives.py`)."""
        terms: dict[str, Tensor] = {}
        if not self.real_negatives:
            return terms
        selected = inputs.select(self.negative_roles, NONSATURATING)
        for kind in self.real_negatives:
            frames, neg_times, keep = real_negative(kind, real, times)            # b t c h w, b t
            augment = evaluation_augment(inputs.augment, self.augment_draw)
            for role, disc in selected.items():
                logits = score(disc, augment(frames), neg_times, inputs.real_classes)  # b k
                terms[f"{role}_negative_{kind}"] = (
                    masked_mean(F.softplus(logits), keep) * self.negative_weight)
        return terms


class R1PenaltyConfig(LossConfig):
    """Options of `r1_penalty` (the release: gamma 1, every 16)."""

    gamma: float = Field(
        1.0, ge=0, description="R1 weight gamma; the term is gamma/2 times the squared grad norm"
    )
    every: int = Field(
        16, ge=1, description="lazy interval in D steps; the term is multiplied by it (the gain)"
    )
    roles: DiscriminatorRoles | None = Field(
        None, description="discriminator roles to regularise; null: every discriminator"
    )
    augment_draw: AugmentDraw = Field("shared", description=AUGMENT_DRAW_HELP)


def r1_penalty(disc: Discriminator, frames: Tensor, times: Tensor,
               augment: Callable[[Tensor], Tensor], classes: Tensor | None = None) -> Tensor:
    """Mean over scored items of |∇ D|² on reals (see the module docstring for ∇ of what)."""
    if isinstance(disc, BuildsInput):
        x = disc.build_input(frames.detach(), times).detach().requires_grad_(True)
        if classes is None:
            logits = disc.score_input(x, augment)                                  # b k
        else:
            logits = disc.score_input(x, augment, classes=classes)                 # b k
    else:
        x = augment(frames.detach()).detach().requires_grad_(True)                 # b t c h w
        logits = score(disc, x, times, classes)                                    # b k
    (grad,) = torch.autograd.grad(logits.sum(), x, create_graph=True)
    per_video = grad.square().flatten(1).sum(dim=1)                                # b
    return per_video.mean() / logits.shape[1]      # per scored item: b k items per batch


class R1Penalty(Loss):
    """Lazy R1 on real inputs for each discriminator: gamma/2 · |∇|² · every (the gain)."""

    regularizes = "discriminator"

    def __init__(self, cfg: R1PenaltyConfig, ctx: BuildContext) -> None:
        super().__init__()
        del ctx
        self.gamma = cfg.gamma
        self.lazy_interval = self.every = cfg.every
        self.roles = cfg.roles
        self.augment_draw: AugmentDraw = cfg.augment_draw

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """`<role>_r1`, evaluated by the loop every `every` D steps on reals only."""
        real = inputs.require("real_frames", "r1_penalty")
        times = inputs.require("real_times", "r1_penalty")
        augment = evaluation_augment(inputs.augment, self.augment_draw)
        terms = {}
        for role, disc in inputs.select(self.roles, "r1_penalty").items():
            penalty = r1_penalty(disc, real, times, augment, inputs.real_classes)
            terms[f"{role}_r1"] = penalty * (self.gamma / 2) * self.every
        return terms
