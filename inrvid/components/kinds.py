"""The table of component kinds: one row per registry, the one place a new kind is added.

A row names the registry, the base class its factories return and where its sections stand
in a recipe (path, and whether the recipe holds one, a list, or a mapping role -> section).
Everything that knows the kinds reads this table: the registries and the `Registrar`
(`inrvid.loading`), recipe validation, the resolved recipe and its JSON Schema
(`inrvid.recipe`), building (`inrvid.runtime.build`), `inrvid plugins` and `inrvid describe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from inrvid.base.errors import PluginError
from inrvid.components.augment import Augment
from inrvid.components.dataset import VideoDataset
from inrvid.components.discriminator import Discriminator
from inrvid.components.encoder import CoordinateEncoder
from inrvid.components.generator import Generator
from inrvid.components.loss import Loss
from inrvid.components.metric import Metric
from inrvid.components.registry import Registry, plural
from inrvid.components.sampler import TimeSampler

Shape = Literal["one", "list", "roles"]


@dataclass(frozen=True)
class Kind:
    """One kind of component: its registry, base class and sections in a recipe.

    `shape` is `one` (a mapping with a `kind`), `list` (mappings, in order) or `roles` (role
    name -> mapping). `path` is the dotted place in a recipe; its last part names the `Recipe`
    attribute. `required`: a recipe must have the section (for `one`; `roles` needs at least
    one role only where a validator says so).
    """

    name: str
    returns: type
    path: tuple[str, ...]
    shape: Shape
    description: str
    required: bool = True

    @property
    def attribute(self) -> str:
        """The `Recipe` attribute (and key in its section) that holds the sections."""
        return self.path[-1]

    @property
    def plural(self) -> str:
        """`losses`, `generators`: the registry's name in messages."""
        return plural(self.name)

    def bodies(self, raw: Any) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
        """(path, mapping) of every section of this kind in a validated or partial raw recipe."""
        node = raw
        for part in self.path:
            node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if self.shape == "one":
            return [(self.path, node or {})]
        if self.shape == "list":
            return [((*self.path, i), body) for i, body in enumerate(node or [])]
        return [((*self.path, role), body) for role, body in (node or {}).items()]

    def registry(self) -> Registry[Any]:
        """An empty registry of this kind."""
        return Registry(self.name, returns=self.returns)


# Every kind of component, in build order (the dataset first: it sets the video spec).
KINDS: tuple[Kind, ...] = (
    Kind("dataset", VideoDataset, ("data",), "one", "the dataset section"),
    Kind("augment", Augment, ("augment",), "list", "augment sections, in order", required=False),
    Kind("sampler", TimeSampler, ("sampler",), "one", "the time-sampler section"),
    Kind(
        "encoder",
        CoordinateEncoder,
        ("encoder",),
        "one",
        "the coordinate-encoder section (for a generator that needs one)",
        required=False,
    ),
    Kind("generator", Generator, ("generator",), "one", "the generator section"),
    Kind(
        "discriminator",
        Discriminator,
        ("discriminators",),
        "roles",
        "role -> discriminator section (at least one)",
    ),
    Kind("loss", Loss, ("losses",), "roles", "role -> loss section"),
    Kind("metric", Metric, ("eval", "metrics"), "roles", "role name -> metric section"),
)


def kind_named(kinds: tuple[Kind, ...], name: str) -> Kind:
    """The row of registry `name`; a `PluginError` listing the kinds if there is none."""
    for kind in kinds:
        if kind.name == name:
            return kind
    raise PluginError(
        f"unknown registry '{name}', expected one of: {', '.join(k.name for k in kinds)}"
    )
