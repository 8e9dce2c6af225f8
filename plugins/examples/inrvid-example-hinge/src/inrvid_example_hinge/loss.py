"""The hinge GAN loss (Lim and Ye, 2017; used by SAGAN and BigGAN), one term per role and side.

L_G = -E[D(fake)];  L_D = E[relu(1 - D(real))] + E[relu(1 + D(fake))].
Frames reach a loss un-augmented: the loss augments what it scores (`inputs.augment`), and
passes classes in a class-conditional run (`inrvid.components.loss.score`).
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import Tensor

from inrvid.components.loss import DiscriminatorRoles, Loss, LossConfig, PhaseInputs, score
from inrvid.components.registry import BuildContext

NAME = "example_hinge"


class HingeConfig(LossConfig):
    """Options of `example_hinge`."""

    roles: DiscriminatorRoles | None = Field(
        None, description="discriminator roles it uses (checked by recipe validate); null: all"
    )
    margin: float = Field(1.0, gt=0, description="the hinge margin of the discriminator terms")


class Hinge(Loss):
    """`<role>_fake` (G); `<role>_fake` and `<role>_real` (D), for every role it uses."""

    def __init__(self, cfg: HingeConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.roles = cfg.roles
        self.margin = cfg.margin

    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """-D(augment(fake)) per role."""
        fake = inputs.augment(inputs.require("fake_frames", NAME))
        times = inputs.require("fake_times", NAME)
        return {
            f"{role}_fake": -score(d, fake, times, inputs.fake_classes).mean()
            for role, d in inputs.select(self.roles, NAME).items()
        }

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """relu(m + D(fake)) and relu(m - D(real)) per role, frames augmented."""
        fake = inputs.augment(inputs.require("fake_frames", NAME))
        real = inputs.augment(inputs.require("real_frames", NAME))
        fake_t = inputs.require("fake_times", NAME)
        real_t = inputs.require("real_times", NAME)
        terms = {}
        for role, d in inputs.select(self.roles, NAME).items():
            fake_logits = score(d, fake, fake_t, inputs.fake_classes)
            real_logits = score(d, real, real_t, inputs.real_classes)
            terms[f"{role}_fake"] = torch.relu(self.margin + fake_logits).mean()
            terms[f"{role}_real"] = torch.relu(self.margin - real_logits).mean()
        return terms
