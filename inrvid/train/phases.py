"""The phases of one training step, built once as data and run in one loop.

As in StyleGAN2-ADA's training loop, a step is a list of phases (G main, G regularisation,
D main, D regularisation), each a row: its name, the network it trains, its losses, its
optimiser and its interval. The loop runs every phase whose interval divides the step. It
knows the contract (`inrvid.components.loss.PhaseInputs`), never the model: each phase asks the
recipe's losses for their terms, checks them, sums them with their weights, back-propagates,
averages gradients over ranks and steps the network's optimiser.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor, nn

from inrvid.base.errors import TrainingError
from inrvid.base.tensor import requires_grad
from inrvid.components.loss import Loss, Network, PhaseInputs
from inrvid.recipe.options import NonFinite
from inrvid.train.distributed import DistInfo, average_gradients

NONFINITE_GRADS = "nonfinite_grads"   # per phase: gradient values that were NaN or ±inf

# What a phase is fed: fakes with the graph to G (`fakes`), detached fakes and reals
# (`fakes_and_reals`), or reals alone through the eager networks (`reals`).
InputKind = Literal["fakes", "fakes_and_reals", "reals"]


@dataclass(frozen=True)
class StepContext:
    """What every phase of a step shares: the process, the step, kimg and the loss weights."""

    info: DistInfo
    step: int
    kimg: float
    weights: dict[str, float]
    nonfinite: NonFinite = "stop"


@dataclass(frozen=True)
class Phase:
    """One row of the step: train `trained` on `losses` with `optimizer` every `interval` steps.

    `frozen` is the other network (its parameters need no gradient during the phase);
    `autocast` says whether the run's mixed-precision context applies (main phases only:
    regularisers such as R1 differentiate a gradient).
    """

    name: str
    network: Network
    losses: dict[str, Loss]
    trained: nn.Module
    frozen: nn.Module
    optimizer: torch.optim.Optimizer
    interval: int
    inputs: InputKind
    autocast: bool = False

    def due(self, step: int) -> bool:
        """Whether this phase runs at optimiser step `step`."""
        return step % self.interval == 0


@dataclass
class PhaseResult:
    """The unweighted terms of a phase, detached, still on the device (no host sync)."""

    terms: dict[str, Tensor]


def main_losses(losses: dict[str, Loss]) -> dict[str, Loss]:
    """Losses evaluated at every step (not lazy regularisers)."""
    return {
        r: loss for r, loss in losses.items() if not loss.lazy_interval or loss.lazy_interval <= 1
    }


def reg_losses(losses: dict[str, Loss], network: Network) -> dict[str, Loss]:
    """Lazy regularisers of `network` (evaluated in their own phase every N steps)."""
    return {
        r: loss
        for r, loss in losses.items()
        if loss.lazy_interval and loss.lazy_interval > 1 and loss.regularizes == network
    }


def reg_interval(losses: dict[str, Loss], network: Network) -> int | None:
    """The lazy interval of `network`'s regularisers (they must agree), or None."""
    intervals = {int(loss.lazy_interval or 0) for loss in reg_losses(losses, network).values()}
    if len(intervals) > 1:
        raise TrainingError(
            f"{network} regularisers have different lazy intervals {sorted(intervals)}\n"
            "  give them the same `every`"
        )
    return intervals.pop() if intervals else None


def build_phases(
    losses: dict[str, Loss],
    *,
    generator: nn.Module,
    discriminators: nn.Module,
    g_optimizer: torch.optim.Optimizer,
    d_optimizer: torch.optim.Optimizer,
    g_reg_every: int | None,
    d_reg_every: int | None,
) -> list[Phase]:
    """The phases G, Greg, D, Dreg in this order; a regularisation phase only if it has losses."""
    main = main_losses(losses)
    g, d = generator, discriminators
    phases = [Phase("G", "generator", main, g, d, g_optimizer, 1, "fakes", autocast=True)]
    g_reg = reg_losses(losses, "generator")
    if g_reg and g_reg_every:
        phases.append(Phase("Greg", "generator", g_reg, g, d, g_optimizer, g_reg_every, "fakes"))
    phases.append(
        Phase("D", "discriminator", main, d, g, d_optimizer, 1, "fakes_and_reals", autocast=True)
    )
    d_reg = reg_losses(losses, "discriminator")
    if d_reg and d_reg_every:
        phases.append(
            Phase("Dreg", "discriminator", d_reg, d, g, d_optimizer, d_reg_every, "reals")
        )
    return phases


def run_phases(
    phases: list[Phase],
    inputs: Mapping[InputKind, Callable[[], PhaseInputs]],
    context: StepContext,
    autocast: contextlib.AbstractContextManager[object] | None = None,
) -> dict[str, float]:
    """Run every phase due at `context.step`, in order; return their terms, `name/role.term`.

    `autocast` (the run's mixed-precision context, if any) wraps the phases that allow it.
    The step synchronises with the host once: every term is read back in one transfer, after
    the last phase, and checked for finiteness there (a non-finite term stops the run before
    the EMA and the counters move, so no checkpoint holds its update).
    """
    terms: dict[str, Tensor] = {}
    for phase in phases:
        if not phase.due(context.step):
            continue
        phase_autocast = autocast if phase.autocast else None
        terms |= run_phase(phase, inputs[phase.inputs], context, phase_autocast).terms
    if not terms:
        return {}
    values = torch.stack([v.float().reshape(()) for v in terms.values()]).tolist()  # one sync
    logged = dict(zip(terms, values, strict=True))
    for key, value in logged.items():
        phase_name, term = key.split("/", 1)
        if term != NONFINITE_GRADS:
            check_finite(value, term, phase_name, context.step, context.kimg)
    if context.nonfinite == "stop":
        for key, value in logged.items():
            if key.endswith(f"/{NONFINITE_GRADS}") and value > 0:
                raise nonfinite_gradient_error(key.split("/")[0], int(value), logged, context)
    return logged


def run_phase(
    phase: Phase,
    make_inputs: Callable[[], PhaseInputs],
    context: StepContext,
    autocast: contextlib.AbstractContextManager[object] | None = None,
) -> PhaseResult:
    """Compute every loss's terms for the phase's network, check them, back-propagate, step."""
    phase.optimizer.zero_grad(set_to_none=True)
    with contextlib.ExitStack() as stack:
        stack.enter_context(requires_grad(phase.frozen, False))
        stack.enter_context(requires_grad(phase.trained, True))
        with autocast or contextlib.nullcontext():
            inputs = make_inputs()
            total: Tensor | None = None
            logged: dict[str, Tensor] = {}
            for role, loss in phase.losses.items():
                get = (
                    loss.generator_terms
                    if phase.network == "generator"
                    else loss.discriminator_terms
                )
                weight = context.weights.get(role, 1.0)
                for term, value in get(inputs).items():
                    weighted = value.float() * weight
                    total = weighted if total is None else total + weighted
                    logged[f"{role}.{term}"] = value.detach()
        if total is not None:
            total.backward()
    average_gradients([phase.trained], context.info)
    if total is not None:
        logged[NONFINITE_GRADS] = nonfinite_gradients(
            phase.trained, clean=context.nonfinite == "clean"
        )
        phase.optimizer.step()
    return PhaseResult({f"{phase.name}/{k}": v for k, v in logged.items()})


def nonfinite_gradients(module: nn.Module, *, clean: bool) -> Tensor:
    """How many gradient values of `module` are NaN or ±inf (a device tensor, no sync).

    With `clean`, replace them as the release does before its optimiser step
    (`nan_to_num(nan=0, posinf=1e5, neginf=-1e5)`).
    """
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return torch.zeros((), dtype=torch.long)
    count = torch.stack([g.isfinite().logical_not().sum() for g in grads]).sum()
    if clean:
        for grad in grads:
            torch.nan_to_num_(grad, nan=0.0, posinf=1e5, neginf=-1e5)
    return count


def nonfinite_gradient_error(
    phase: str, count: int, logged: dict[str, float], context: StepContext
) -> TrainingError:
    """The stop of `train.nonfinite: stop` at finite terms with non-finite gradients."""
    terms = ", ".join(
        f"{k.split('/', 1)[1]}={v:.4g}" for k, v in logged.items()
        if k.startswith(f"{phase}/") and not k.endswith(NONFINITE_GRADS)
    )
    return TrainingError(
        f"step {context.step} (kimg {context.kimg:.3f}): {count} gradient values of the "
        f"{phase} phase are not finite, its loss terms are finite ({terms})\n"
        "  the run stopped; the last good checkpoint is kept. Set `train.nonfinite: clean` "
        "to replace them as the release does, or lower the learning rates, then resume"
    )


def check_finite(value: float, key: str, phase: str, step: int, kimg: float) -> None:
    """Stop the run with a message naming the step and the term if `value` is not finite."""
    if not math.isfinite(value):
        bad = "nan" if math.isnan(value) else "inf"
        raise TrainingError(
            f"step {step} (kimg {kimg:.3f}): loss term '{key}' of the {phase} phase is {bad}\n"
            "  the run stopped; the last good checkpoint is kept. Lower the learning rates or "
            "raise R1's gamma, then resume with --resume"
        )
