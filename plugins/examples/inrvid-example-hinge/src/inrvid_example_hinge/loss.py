"""The hinge GAN loss (Lim and Ye, 2017; used by SAGAN and BigGAN), one term per role and side.

L_G = -E[D(fake)];  L_D = E[relu(1 - D(real))] + E[relu(1 + D(fake))].
Frames reach a loss un-augmented: the loss augments what it scores (`inputs.augment`), and
passes classes in a class-conditional run (`inrvid.components.loss.score`).
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import Tensor

from inrvid.base.errors import TrainingError
from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import DiscriminatorRoles, Loss, LossConfig, PhaseInputs, score
from inrvid.components.registry import BuildContext


class HingeConfig(LossConfig):
    """Options of `example_hinge`."""

    roles: DiscriminatorRoles | None = Field(
        None, description="discriminator roles it uses (checked by recipe validate); null: all"
    )
    margin: float = Field(1.0, gt=0, description="the hinge margin of the discriminator terms")


def _given(x: Tensor | None, what: str) -> Tensor:
    if x is None:
        raise TrainingError(f"loss example_hinge: {what} is None in this phase, expected frames")
    return x


class Hinge(Loss):
    """`<role>_fake` (G); `<role>_fake` and `<role>_real` (D), for every role it uses."""

    def __init__(self, cfg: HingeConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.roles = cfg.roles
        self.margin = cfg.margin

    def _used(self, inputs: PhaseInputs) -> dict[str, Discriminator]:
        return {r: d for r, d in inputs.discriminators.items()
                if self.roles is None or r in self.roles}

    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """-D(augment(fake)) per role."""
        fake = inputs.augment(_given(inputs.fake_frames, "fake_frames"))
        times = _given(inputs.fake_times, "fake_times")
        return {
            f"{role}_fake": -score(d, fake, times, inputs.fake_classes).mean()
            for role, d in self._used(inputs).items()
        }

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """relu(m + D(fake)) and relu(m - D(real)) per role, frames augmented."""
        fake = inputs.augment(_given(inputs.fake_frames, "fake_frames"))
        real = inputs.augment(_given(inputs.real_frames, "real_frames"))
        fake_t = _given(inputs.fake_times, "fake_times")
        real_t = _given(inputs.real_times, "real_times")
        terms = {}
        for role, d in self._used(inputs).items():
            fake_logits = score(d, fake, fake_t, inputs.fake_classes)
            real_logits = score(d, real, real_t, inputs.real_classes)
            terms[f"{role}_fake"] = torch.relu(self.margin + fake_logits).mean()
            terms[f"{role}_real"] = torch.relu(self.margin - real_logits).mean()
        return terms
