"""The phases of one training step: G main, G regularisation, D main, D regularisation.

The loop knows the contract (`inrvid.loss.PhaseInputs`), never the model: each phase asks
the recipe's losses for their terms, checks them, sums them with their weights, back-
propagates, averages gradients over ranks and steps the network's optimiser.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from inrvid.errors import TrainingError
from inrvid.loss import Loss, Network, PhaseInputs
from inrvid.tensor import requires_grad
from inrvid.train.distributed import DistInfo, average_gradients


@dataclass(frozen=True)
class StepContext:
    """What every phase of a step shares: the process, the step, kimg and the loss weights."""

    info: DistInfo
    step: int
    kimg: float
    weights: dict[str, float]


@dataclass
class PhaseResult:
    """The weighted terms of a phase, as floats (for logging)."""

    terms: dict[str, float]


def _main_losses(losses: dict[str, Loss]) -> dict[str, Loss]:
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


def run_phase(
    *,
    name: str,
    network: Network,
    losses: dict[str, Loss],
    make_inputs: Callable[[], PhaseInputs],
    trained: list[nn.Module],
    frozen: list[nn.Module],
    optimizer: torch.optim.Optimizer,
    context: StepContext,
    autocast: contextlib.AbstractContextManager[object] | None = None,
) -> PhaseResult:
    """Compute every loss's terms for `network`, check them, back-propagate and step."""
    optimizer.zero_grad(set_to_none=True)
    stack = contextlib.ExitStack()
    with stack:
        for module in frozen:
            stack.enter_context(requires_grad(module, False))
        for module in trained:
            stack.enter_context(requires_grad(module, True))
        with autocast or contextlib.nullcontext():
            inputs = make_inputs()
            total: Tensor | None = None
            logged: dict[str, float] = {}
            for role, loss in losses.items():
                get = loss.generator_terms if network == "generator" else loss.discriminator_terms
                weight = context.weights.get(role, 1.0)
                for term, value in get(inputs).items():
                    key = f"{role}.{term}"
                    check_finite(value, key, name, context.step, context.kimg)
                    weighted = value.float() * weight
                    total = weighted if total is None else total + weighted
                    logged[key] = float(value.detach())
        if total is not None:
            total.backward()
    average_gradients(trained, context.info)
    if total is not None:
        optimizer.step()
    return PhaseResult({f"{name}/{k}": v for k, v in logged.items()})


def check_finite(value: Tensor, key: str, phase: str, step: int, kimg: float) -> None:
    """Stop the run with a message naming the step and the term if `value` is not finite."""
    if not torch.isfinite(value.detach()).all():
        bad = "nan" if torch.isnan(value.detach()).any() else "inf"
        raise TrainingError(
            f"step {step} (kimg {kimg:.3f}): loss term '{key}' of the {phase} phase is {bad}\n"
            "  the run stopped; the last good checkpoint is kept. Lower the learning rates or "
            "raise R1's gamma, then resume with --resume"
        )


def main_losses(losses: dict[str, Loss]) -> dict[str, Loss]:
    """Losses evaluated at every step (not lazy regularisers)."""
    return _main_losses(losses)
