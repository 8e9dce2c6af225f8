"""The `loss` registry: terms of the generator and discriminator objectives."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import Field
from torch import Tensor, nn

from inrvid.base.errors import TrainingError
from inrvid.components.discriminator import Discriminator
from inrvid.components.registry import ComponentConfig

Network = Literal["generator", "discriminator"]


@dataclass(frozen=True)
class RoleReference:
    """Marks a config field whose value names roles of the recipe section `section`.

    `inrvid recipe validate` checks every name against the recipe's roles, so a loss whose
    config uses `DiscriminatorRoles` gets that check without code of its own.
    """

    section: str


DISCRIMINATOR_ROLES = RoleReference("discriminators")
# A field naming discriminator roles: `roles: DiscriminatorRoles | None = Field(None, ...)`.
DiscriminatorRoles = Annotated[tuple[str, ...], DISCRIMINATOR_ROLES]
DiscriminatorRole = Annotated[str, DISCRIMINATOR_ROLES]


def referenced_roles(config: ComponentConfig) -> dict[str, tuple[RoleReference, tuple[str, ...]]]:
    """The role names each marked field of `config` holds: field -> (reference, names)."""
    found = {}
    for key, field in type(config).model_fields.items():
        marks = [m for m in field.metadata if isinstance(m, RoleReference)]
        marks += _nested_marks(field.annotation)
        value = getattr(config, key)
        if not marks or value is None:
            continue
        names = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
        found[key] = (marks[0], names)
    return found


def _nested_marks(annotation: Any) -> list[RoleReference]:
    if get_origin(annotation) is Annotated:
        return [m for m in annotation.__metadata__ if isinstance(m, RoleReference)]
    return [m for arg in get_args(annotation) for m in _nested_marks(arg)]


class LossConfig(ComponentConfig):
    """Fields every loss has."""

    weight: float = Field(1.0, ge=0, description="factor the loop applies to each term")


@dataclass(kw_only=True)
class PhaseInputs:
    """What a loss sees in one phase of one training step (built with keywords only).

    Frames are `b t c h w` in [-1, 1], not yet augmented; times `b t`. In a generator phase
    `fake_frames` carries the graph to G and `real_*` are None; in a discriminator phase the
    fakes are detached. `augment` applies the recipe's augments (one draw per video) and
    `discriminators` maps each role (`image`, `motion`) to its network. `step` counts this
    network's optimiser steps, from 0. A class-conditional run (`Generator.num_classes` > 0)
    sets `fake_classes` and `real_classes` (int `b`); a loss passes them to each discriminator
    as `classes=` (see `score`).
    """

    network: Network
    step: int
    fake_frames: Tensor | None
    fake_times: Tensor | None
    real_frames: Tensor | None
    real_times: Tensor | None
    discriminators: Mapping[str, Discriminator]
    augment: Callable[[Tensor], Tensor]
    fake_classes: Tensor | None = None
    real_classes: Tensor | None = None

    def require(self, name: str, loss: str) -> Tensor:
        """The frames or times `name` (`fake_frames`, `real_times`, ...) of this phase.

        A `TrainingError` naming `loss` when the phase has none (a loss used where it cannot).
        """
        value = getattr(self, name)
        if value is None:
            raise TrainingError(f"loss '{loss}': {name} is None in this phase, expected frames")
        return value

    def select(self, roles: Sequence[str] | None, loss: str) -> dict[str, Discriminator]:
        """The discriminators `loss` acts on: every one (`roles` None), or the roles listed.

        The roles must exist (`recipe validate` checks a `DiscriminatorRoles` field first).
        """
        if roles is None:
            return dict(self.discriminators)
        missing = [r for r in roles if r not in self.discriminators]
        if missing:
            raise TrainingError(
                f"loss '{loss}': roles {missing} are not discriminator roles of this recipe, "
                f"expected some of {sorted(self.discriminators)}\n"
                f"  fix `losses.<role>.roles` or the `discriminators` section"
            )
        return {r: self.discriminators[r] for r in roles}


def score(
    disc: Discriminator, frames: Tensor, times: Tensor, classes: Tensor | None
) -> Tensor:
    """Logits of `disc`, with `classes=` only in a class-conditional run."""
    if classes is None:
        return disc(frames, times)
    return disc(frames, times, classes=classes)


class Loss(nn.Module):
    """A loss component contributes named scalar terms to the generator and/or discriminator.

    A main loss (`lazy_interval is None`) is evaluated at every step of its network. A lazy
    regulariser sets `lazy_interval = N` and `regularizes` to the network it acts on: the loop
    evaluates it every N-th step in a separate optimiser step (inputs: reals only for the
    discriminator) and rescales that network's Adam lr and betas by N / (N + 1), as StyleGAN2
    does; the component scales its own term by its gain. The loop multiplies every term by
    the config's `weight`, sums them, and never knows which model it trains.
    """

    lazy_interval: int | None = None
    regularizes: Network | None = None

    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """Scalar terms for the generator phase; {} if this loss has none."""
        return {}

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """Scalar terms for the discriminator phase; {} if this loss has none."""
        return {}
