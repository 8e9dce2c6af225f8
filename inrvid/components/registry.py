"""Typed registries of components, their origins, configs and the build context.

A registry of each kind is made from the table of kinds (`inrvid.components.kinds`) by
whoever loads the plug-ins (`inrvid.loading`); nothing here is a process-wide instance.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from types import UnionType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, Union, get_args, get_origin

import torch
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from inrvid.base.errors import InrvidError, PluginError
from inrvid.base.streams import stream_seed

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _is_number_type(annotation: Any) -> bool:
    """Whether a field holds an int or a float (possibly optional), not a bool."""
    if annotation in (int, float):
        return True
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    return bool(args) and bool not in args and any(a in (int, float) for a in args)


class RecipeModel(BaseModel):
    """Base of every recipe section's config: strict about what YAML's loose typing lets in.

    Unknown keys are rejected, configs are immutable, numbers must be finite (no `.inf` or
    `.nan`) and a number field refuses `true`/`false`, which pydantic would read as 1/0.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _is_number_type(field.annotation):
            raise ValueError("expected a number, not a boolean")
        return value


class ComponentConfig(RecipeModel):
    """Base of every component config: unknown keys are rejected and configs are immutable."""


@dataclass(frozen=True)
class Origin:
    """Where a component came from: the distribution and entry point of its plug-in."""

    distribution: str
    version: str
    entry_point: str
    module: str

    def describe(self) -> str:
        """One line: `dist version (entry point ep -> module)`."""
        return (
            f"{self.distribution} {self.version} (entry point {self.entry_point} -> {self.module})"
        )


@dataclass(frozen=True)
class Component(Generic[T]):
    """One registry entry: what `kind:` names in a recipe, its config class and its factory."""

    name: str
    config: type[ComponentConfig]
    factory: Callable[[Any, BuildContext], T]
    summary: str
    origin: Origin
    registry: str = ""
    returns: type = object  # the kind's base class: what the factory must return

    @property
    def qualified_name(self) -> str:
        """`entrypoint:name`, which selects this component when `name` is ambiguous."""
        return f"{self.origin.entry_point}:{self.name}"

    def build(self, config: ComponentConfig, ctx: BuildContext) -> T:
        """Call the factory and check that it returned an instance of the kind's base class."""
        made = self.factory(config, ctx)
        if not isinstance(made, self.returns):
            raise PluginError(
                f"{self.registry} '{self.name}' from {self.origin.describe()} returned "
                f"{type(made).__name__}, expected a {self.returns.__name__}"
            )
        return made


@dataclass(frozen=True)
class VideoSpec:
    """The shape of the videos a run works with; set by the dataset, the only source of shapes."""

    frames: int
    height: int
    width: int
    channels: int = 3
    fps: float = 25.0


class HookCaller(Protocol):
    """The loaded plug-ins' hooks, as components see them (`inrvid.loading.Plugins` is one)."""

    def call_hook(self, name: str, *, first: bool = False, **kwargs: Any) -> list[Any]:
        """Each plug-in's result of hook `name`, each call isolated from the others' failures."""
        ...


@dataclass(frozen=True)
class BuildContext:
    """What a factory needs besides its own config.

    `video` is None only while the dataset itself is built. `plugins` are the loaded plug-ins
    (a dataset opens its videos with their readers: `inrvid.video.open_video(path,
    ctx.plugins)`); None outside a run, where only the core's readers are used. Generators get
    a `GeneratorContext` and encoders an `EncoderContext`, which add what only they use.
    """

    video: VideoSpec | None = None
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    seed: int = 0
    plugins: HookCaller | None = field(default=None, compare=False, repr=False)

    def require_video(self) -> VideoSpec:
        """The video spec; an error if the dataset has not been built yet."""
        if self.video is None:
            raise PluginError("this component needs the video spec, which the dataset sets first")
        return self.video

    def substream(self, purpose: str) -> Self:
        """The same context on sub-stream `purpose` of this one's seed (`inrvid.base.streams`)."""
        return replace(self, seed=stream_seed(self.seed, purpose))

    def with_seed_offset(self, offset: int) -> Self:
        """The same context on sub-stream number `offset` (one per encoder, per scale...)."""
        return self.substream(str(offset))


class ComponentLookupError(InrvidError):
    """`kind:` names no component, or a name that two plug-ins provide.

    The user's input names it, so it exits 2 like any recipe error; exit status 3 is for
    plug-ins that fail.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message + (f"\n  {hint}" if hint else ""))
        self.short = message
        self.hint = hint


def plural(noun: str) -> str:
    """`loss` -> `losses`, `generator` -> `generators` (registry names in messages)."""
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def close_matches(word: str, candidates: list[str], n: int = 3) -> list[str]:
    """Close matches for a misspelt name, best first."""
    return difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)


class Registry(Generic[T]):
    """The components of one category (`generator`, `encoder`, ...), keyed by name.

    Two plug-ins may register the same name; the name is then ambiguous and only
    `entrypoint:name` selects one of them. Registration goes through a `Registrar`.
    """

    def __init__(self, name: str, returns: type) -> None:
        self.name = name
        self.plural = plural(name)
        self.returns = returns
        self._entries: dict[str, list[Component[T]]] = {}

    def clear(self) -> None:
        """Forget every component (the loader refills the registry)."""
        self._entries.clear()

    def add(self, component: Component[T]) -> None:
        """Add a validated component (called by the plug-in loader when it commits)."""
        self._entries.setdefault(component.name, []).append(component)

    def __iter__(self) -> Iterator[Component[T]]:
        for name in sorted(self._entries):
            yield from self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        return sorted(self._entries)

    def ambiguous(self) -> dict[str, list[Component[T]]]:
        """Names provided by more than one plug-in."""
        return {n: c for n, c in self._entries.items() if len(c) > 1}

    def get(self, ref: str) -> Component[T]:
        """Look up `name` or `entrypoint:name`."""
        if ":" in ref:
            entry_point, name = ref.split(":", 1)
            for comp in self._entries.get(name, []):
                if comp.origin.entry_point == entry_point:
                    return comp
            known = [c.qualified_name for c in self]
            raise ComponentLookupError(
                f"unknown {self.name} '{ref}'",
                _suggestion(ref, known, f"`inrvid plugins` lists {self.plural}"),
            )
        found = self._entries.get(ref)
        if not found:
            raise ComponentLookupError(
                f"unknown {self.name} '{ref}'",
                _suggestion(ref, self.names(), f"`inrvid plugins` lists {self.plural}"),
            )
        if len(found) > 1:
            lines = "\n  ".join(c.origin.describe() for c in found)
            choices = " or ".join(f"`kind: {c.qualified_name}`" for c in found)
            raise ComponentLookupError(
                f"'{ref}' is provided by two plug-ins\n  {lines}",
                f"write {choices}, or set INRVID_DISABLE_PLUGINS to one of them",
            )
        return found[0]


def _suggestion(word: str, candidates: list[str], where: str) -> str:
    matches = close_matches(word, candidates)
    if matches:
        quoted = " or ".join(f"'{m}'" for m in matches)
        return f"did you mean {quoted}? ({where})"
    return f"({where})"


@dataclass(frozen=True)
class Section(Generic[T]):
    """A validated recipe section: the component that `kind` selected and its parsed config."""

    path: str
    component: Component[T]
    config: ComponentConfig

    def build(self, ctx: BuildContext) -> T:
        """The component this section configures, built on `ctx`."""
        return self.component.build(self.config, ctx)
