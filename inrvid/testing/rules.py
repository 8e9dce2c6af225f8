"""How a contract check reports a broken rule, and the helpers every per-registry check shares."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import torch

from inrvid.components.registry import BuildContext, ComponentConfig

T = TypeVar("T")


class ContractError(AssertionError):
    """A component breaks a rule of its registry's contract.

    `rule` is the rule's name as the docs page of the registry lists it (`generator.scale`).
    """

    def __init__(self, rule: str, subject: str, detail: str, fix: str) -> None:
        registry = rule.split(".")[0]
        super().__init__(
            f"{subject} breaks the rule {rule}: {detail}\n"
            f"  {fix} (docs/plugins/{registry}.md lists the contract)"
        )
        self.rule = rule
        self.subject = subject


class Subject:
    """The component under check: its registry and name, for messages."""

    def __init__(self, registry: str, name: str) -> None:
        self.registry = registry
        self.name = name

    def __str__(self) -> str:
        return f"{self.registry} '{self.name}'"

    def broken(self, rule: str, detail: str, fix: str) -> ContractError:
        """The error for a broken rule `<registry>.<rule>`."""
        return ContractError(f"{self.registry}.{rule}", str(self), detail, fix)

    def expect(self, ok: bool, rule: str, detail: str, fix: str) -> None:
        """Raise `broken(rule, ...)` unless `ok`."""
        if not ok:
            raise self.broken(rule, detail, fix)

    def call(self, rule: str, what: str, fn: Callable[[], T]) -> T:
        """Call `fn`; any exception becomes a broken rule naming `what` was called."""
        try:
            return fn()
        except ContractError:
            raise
        except Exception as exc:
            # the author needs to know which call of the contract raised it.
            raise self.broken(
                rule, f"{what} raised {type(exc).__name__}: {exc}",
                "it must accept every input the contract allows",
            ) from exc

    def require(self, obj: object, attributes: dict[str, str]) -> None:
        """Every attribute in `attributes` (name -> what it is) is set on `obj`."""
        for name, meaning in attributes.items():
            if not hasattr(obj, name):
                raise self.broken(
                    "attributes", f"{type(obj).__name__} does not set `{name}` ({meaning})",
                    f"set `self.{name}` in __init__ (or as a class attribute)",
                )


def build(subject: Subject, factory: Callable[[Any, BuildContext], T], config: ComponentConfig,
          ctx: BuildContext, returns: type) -> T:
    """Call the factory; a raise or a wrong type is a broken `build` rule."""
    made = subject.call("build", f"{getattr(factory, '__name__', 'the factory')}(config, ctx)",
                        lambda: factory(config, ctx))
    subject.expect(
        isinstance(made, returns), "build",
        f"the factory returned {type(made).__name__}, expected a {returns.__name__}",
        f"subclass {returns.__module__}.{returns.__name__}",
    )
    return made


@contextmanager
def global_rng(seed: int) -> Iterator[None]:
    """Run a block with the global torch, numpy and random states seeded by `seed`, then restore.

    Two runs of a deterministic call under different seeds must agree: a difference means the
    call draws from a global generator.
    """
    py_state, np_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        random.seed(seed)
        np.random.seed(seed)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)


def same(a: torch.Tensor, b: torch.Tensor, tol: float = 1e-4) -> bool:
    """Equal shapes and values up to float rounding (`tol` relative to the largest value)."""
    if a.shape != b.shape:
        return False
    scale = max(float(a.detach().abs().max()) if a.numel() else 0.0, 1.0)
    return bool(torch.allclose(a.detach().float(), b.detach().float(), rtol=0, atol=tol * scale))


def shape_of(x: object) -> str:
    """A tensor's shape as a tuple, or the type of anything else, for messages."""
    return str(tuple(x.shape)) if isinstance(x, torch.Tensor) else f"a {type(x).__name__}"
