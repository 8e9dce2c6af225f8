"""The `Registrar` a plug-in registers its components with, and the rules names follow."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic.fields import FieldInfo

from inrvid.base.errors import PluginError
from inrvid.components import kinds as kind_table
from inrvid.components.kinds import Kind
from inrvid.components.registry import (
    NAME_PATTERN,
    BuildContext,
    Component,
    ComponentConfig,
    Origin,
)


class Registrar:
    """Handed to `inrvid_register_components`: stages this plug-in's components.

    The core sets each component's origin; the staged components are committed to the
    registries only if the whole hook returns normally. `registrar.generator(...)`,
    `registrar.loss(...)` and so on exist for every row of the table of kinds
    (`inrvid.components.kinds.KINDS`): a new kind needs no new method.
    """

    def __init__(self, origin: Origin, kinds: tuple[Kind, ...] | None = None) -> None:
        self.origin = origin
        self.kinds = kind_table.KINDS if kinds is None else kinds
        self.staged: list[Component[Any]] = []
        self.warnings: list[str] = []

    def add(
        self,
        registry: str,
        name: str,
        config: type[ComponentConfig],
        factory: Callable[[Any, BuildContext], Any],
        *,
        summary: str,
    ) -> None:
        """Stage a component for `registry` (`registrar.<kind>(...)` is the same for a kind)."""
        where = f"plug-in '{self.origin.entry_point}' ({self.origin.distribution})"
        kind = next((k for k in self.kinds if k.name == registry), None)
        if kind is None:
            raise PluginError(f"{where}: unknown registry '{registry}'")
        if not NAME_PATTERN.fullmatch(name):
            raise PluginError(
                f"{where}: {registry} name '{name}' is not lower_snake ([a-z][a-z0-9_]{{0,39}})"
            )
        if not (isinstance(config, type) and issubclass(config, ComponentConfig)):
            raise PluginError(f"{where}: config of {registry} '{name}' is not a ComponentConfig")
        if config.model_config.get("extra") != "forbid":
            raise PluginError(
                f"{where}: config {config.__name__} of {registry} '{name}' relaxes `extra`; "
                "unknown recipe keys must stay forbidden"
            )
        undocumented = [k for k, f in config.model_fields.items() if not _described(f)]
        if undocumented:
            raise PluginError(
                f"{where}: config {config.__name__} of {registry} '{name}' has fields "
                f"without a description: {', '.join(undocumented)}"
            )
        if not callable(factory):
            raise PluginError(f"{where}: factory of {registry} '{name}' is not callable")
        if any(c.name == name and c.registry == registry for c in self.staged):
            raise PluginError(f"{where}: registers {registry} '{name}' twice")
        self.staged.append(
            Component(name, config, factory, summary, self.origin, registry, kind.returns)
        )
        prefixes = name_prefixes(self.origin)
        if prefixes and not name.startswith(tuple(prefixes)):
            self.warnings.append(
                f"{where}: {registry} '{name}' does not start with the plug-in's prefix\n"
                f"  third-party names start with {' or '.join(repr(p) for p in prefixes)}, so "
                "that two plug-ins never claim the same name\n"
                f"  rename it, e.g. '{prefixes[0]}{name}'"
            )

    def __getattr__(self, kind: str) -> Callable[..., None]:
        """`registrar.<kind>(name, Config, factory, summary=...)`: `add` for each kind."""
        if kind.startswith("_") or not any(k.name == kind for k in self.kinds):
            raise AttributeError(f"{type(self).__name__} has no attribute or kind '{kind}'")

        def stage(
            name: str, config: type[ComponentConfig], factory: Any, *, summary: str
        ) -> None:
            self.add(kind, name, config, factory, summary=summary)

        stage.__doc__ = f"Stage a {kind}."
        return stage


def article(word: str) -> str:
    """`an` before a vowel (`an inrvid-probe release`), else `a`."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def name_prefixes(origin: Origin) -> list[str]:
    """The prefixes a third-party component name may start with; [] for inrvid's own.

    The entry-point name and the first word of the distribution name after `inrvid-`
    (`acme-video` -> `acme_`; `inrvid-example-rff` -> `example_`), each followed by `_`.
    """
    if origin.distribution == "inrvid" or origin.entry_point.startswith("inrvid."):
        return []
    words = [w for w in re.split(r"[-_.]+", origin.distribution.lower()) if w]
    if words[:1] == ["inrvid"]:
        words = words[1:]
    found = [f"{origin.entry_point.lower()}_"] + ([f"{words[0]}_"] if words else [])
    return list(dict.fromkeys(found))


def _described(f: FieldInfo) -> bool:
    return bool(f.description and f.description.strip())
