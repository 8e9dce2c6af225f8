"""The `Checkpoint` dataclass and how each part of a file is read back, checked and typed.

Format 2 (`content` of the file) and format 1 (earlier releases: one flat dict of 15 keys, no
video spec, no per-component provenance) both become a `Checkpoint`; a missing or mistyped part
is a `CheckpointError` naming the file and the part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from torch import Tensor

from inrvid.base.errors import CheckpointError
from inrvid.components.registry import Component, VideoSpec
from inrvid.recipe import Catalog, Recipe, recipe_from_text

FORMAT_VERSION = 2


# ---------------------------------------------------------------- the typed checkpoint
@dataclass(frozen=True)
class ComponentRecord:
    """The component that built a network: what `load_generator` needs to build it again.

    `kind` is the name as the recipe wrote it (possibly `entrypoint:name`); `config` its
    resolved options; `distribution` and `version` the plug-in that provided it at training
    time (`unknown` and `?` for format-1 checkpoints, which did not record them).
    """

    registry: str
    kind: str
    config: dict[str, Any]
    distribution: str = "unknown"
    version: str = "?"
    entry_point: str = ""

    @classmethod
    def of(
        cls, component: Component[Any], kind: str, config: pydantic.BaseModel
    ) -> ComponentRecord:
        """The record of a built recipe section: its component, `kind` as written, its config."""
        o = component.origin
        return cls(component.registry, kind, config.model_dump(mode="json"),
                   o.distribution, o.version, o.entry_point)

    def provenance(self) -> str:
        """`dist version (entry point ep)`, or a note that the checkpoint did not record it."""
        if self.distribution == "unknown":
            return "a plug-in this checkpoint (format 1) did not record"
        return f"{self.distribution} {self.version} (entry point {self.entry_point})"

    def to_payload(self) -> dict[str, Any]:
        """Plain data for the file."""
        return {"registry": self.registry, "kind": self.kind, "config": self.config,
                "distribution": self.distribution, "version": self.version,
                "entry_point": self.entry_point}


@dataclass
class NetworkState:
    """A network of the run: the component that built it and its weights (a state dict)."""

    component: ComponentRecord
    weights: dict[str, Any]


@dataclass
class Checkpoint:
    """Everything a run saves: enough to generate from alone, and to continue exactly.

    `optimizers` maps `generator` / `discriminator` to an optimiser state dict; `draws` is
    the state of the shared latent/time generator and `rng` each rank's random states;
    `loader` the training loader's position. `generator_ema` is None only in a checkpoint
    written by hand or damaged: generation then needs the raw weights, and a resume refuses.
    `origin` says where the networks came from when training did not write them (`inrvid
    import`: the release snapshot, its fingerprints and what was not carried over); `exported`
    marks a generator read from an `inrvid export` folder (EMA weights only).
    """

    recipe: dict[str, Any]
    recipe_text: str
    video: VideoSpec
    step: int
    images_seen: int
    world_size: int
    plugins: list[dict[str, Any]]
    generator: NetworkState
    generator_ema: dict[str, Any] | None
    encoder: ComponentRecord | None
    discriminators: dict[str, NetworkState]
    losses: dict[str, NetworkState]
    optimizers: dict[str, dict[str, Any]]
    draws: Tensor
    rng: list[dict[str, Any]]
    loader: dict[str, Any]
    path: Path | None = field(default=None, compare=False)
    format_version: int = FORMAT_VERSION
    origin: dict[str, Any] | None = None
    exported: bool = field(default=False, compare=False)

    @property
    def where(self) -> str:
        """The file it was read from (for messages), or `checkpoint` before it is saved."""
        return str(self.path.resolve()) if self.path is not None else "checkpoint"

    @property
    def run_dir(self) -> Path:
        """The run folder of the file: the parent of its `checkpoints/` folder."""
        assert self.path is not None
        folder = self.path.resolve().parent
        return folder.parent if folder.name == "checkpoints" else folder

    @property
    def seed(self) -> int:
        """The recipe's seed."""
        return int(self.recipe.get("seed", 0))

    @property
    def name(self) -> str:
        """The recipe's name."""
        return str(self.recipe.get("name", ""))

    def validated_recipe(
        self, plugins: Catalog, overrides: list[str] | tuple[str, ...] = ()
    ) -> Recipe:
        """The recipe inside, validated with `plugins` (every plug-in it names must be there)."""
        where = self.run_dir / "recipe.resolved.yaml" if self.path else Path("checkpoint:recipe")
        return recipe_from_text(self.recipe_text, where, list(overrides), plugins=plugins)

    def facts(self) -> dict[str, Any]:
        """The small facts (for messages, `inrvid eval` records and `VideoModel.info`)."""
        facts: dict[str, Any] = {"path": self.where, "format_version": self.format_version,
                                 "recipe": self.name, "step": self.step,
                                 "images_seen": self.images_seen}
        if self.origin is not None:
            facts["origin"] = self.origin
        if self.exported:
            facts["exported"] = True
        return facts

    def to_payload(self) -> dict[str, Any]:
        """The `content` part of the file: plain data and tensors, one key per part."""

        def network(n: NetworkState) -> dict[str, Any]:
            return {**n.component.to_payload(), "weights": n.weights}

        v = self.video
        origin = {} if self.origin is None else {"origin": self.origin}
        return {
            **origin,
            "recipe": self.recipe,
            "recipe_text": self.recipe_text,
            "video": {"frames": v.frames, "height": v.height, "width": v.width,
                      "channels": v.channels, "fps": float(v.fps)},
            "counters": {"step": self.step, "images_seen": self.images_seen,
                         "world_size": self.world_size},
            "plugins": self.plugins,
            "generator": network(self.generator),
            "generator_ema": self.generator_ema,
            "encoder": None if self.encoder is None else self.encoder.to_payload(),
            "discriminators": {r: network(n) for r, n in self.discriminators.items()},
            "losses": {r: network(n) for r, n in self.losses.items()},
            "optimizers": self.optimizers,
            "random": {"draws": self.draws, "rng": self.rng},
            "loader": self.loader,
        }


# ---------------------------------------------------------------- reading the file's parts
class PartReader:
    """Typed access to the parts of a loaded file; a located `CheckpointError` otherwise."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, problem: str) -> CheckpointError:
        """The error for part `key` of the file."""
        return CheckpointError(
            f"{self.where}: {key}: {problem}\n"
            "  the file is damaged or was not written by inrvid; use another checkpoint of "
            "the run (they are kept beside it)"
        )

    def get(self, node: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
            prefix: str = "", optional: bool = False) -> Any:
        """`node[key]`, checked to be a `kind` (None for a missing `optional` part)."""
        dotted = f"{prefix}{key}"
        if key not in node:
            if optional:
                return None
            raise self.fail(dotted, "missing")
        value = node[key]
        if value is None and optional:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(
                k.__name__ for k in kind)
            raise self.fail(dotted, f"expected {names}, got {type(value).__name__}")
        return value

    def component(self, node: Any, prefix: str) -> ComponentRecord:
        """A component record."""
        if not isinstance(node, Mapping):
            raise self.fail(prefix.rstrip("."), f"expected a mapping, got {type(node).__name__}")
        return ComponentRecord(
            registry=self.get(node, "registry", str, prefix),
            kind=self.get(node, "kind", str, prefix),
            config=self.get(node, "config", dict, prefix),
            distribution=self.get(node, "distribution", str, prefix),
            version=self.get(node, "version", str, prefix),
            entry_point=self.get(node, "entry_point", str, prefix),
        )

    def network(self, node: Any, prefix: str) -> NetworkState:
        """A component record with its weights."""
        component = self.component(node, prefix)
        return NetworkState(component, self.get(node, "weights", dict, prefix))

    def networks(self, node: Mapping[str, Any], key: str) -> dict[str, NetworkState]:
        """Networks by role."""
        roles = self.get(node, key, dict)
        return {r: self.network(n, f"{key}.{r}.") for r, n in roles.items()}


def from_content(content: Mapping[str, Any], where: str, path: Path | None) -> Checkpoint:
    """A format-2 `content` as a `Checkpoint`, every part checked for presence and type."""
    r = PartReader(where)
    video = r.get(content, "video", dict)
    counters = r.get(content, "counters", dict)
    random = r.get(content, "random", dict)
    encoder = r.get(content, "encoder", dict, optional=True)
    spec = VideoSpec(
        frames=r.get(video, "frames", int, "video."),
        height=r.get(video, "height", int, "video."),
        width=r.get(video, "width", int, "video."),
        channels=r.get(video, "channels", int, "video."),
        fps=float(r.get(video, "fps", (int, float), "video.")),
    )
    return Checkpoint(
        recipe=r.get(content, "recipe", dict),
        recipe_text=r.get(content, "recipe_text", str),
        video=spec,
        step=r.get(counters, "step", int, "counters."),
        images_seen=r.get(counters, "images_seen", int, "counters."),
        world_size=r.get(counters, "world_size", int, "counters."),
        plugins=r.get(content, "plugins", list),
        generator=r.network(r.get(content, "generator", dict), "generator."),
        generator_ema=r.get(content, "generator_ema", dict, optional=True),
        encoder=None if encoder is None else r.component(encoder, "encoder."),
        discriminators=r.networks(content, "discriminators"),
        losses=r.networks(content, "losses"),
        optimizers=r.get(content, "optimizers", dict),
        draws=r.get(random, "draws", Tensor, "random."),
        rng=r.get(random, "rng", list, "random."),
        loader=r.get(content, "loader", dict),
        path=path,
        origin=r.get(content, "origin", dict, optional=True),
    )


def from_format1(state: Mapping[str, Any], where: str, path: Path | None) -> Checkpoint:
    """Convert a format-1 file (one flat dict of 15 keys) to a `Checkpoint`.

    Format 1 recorded neither the video spec nor which plug-in provided each component: the
    spec is taken from the data section's `clip_frames`, `resolution` and `fps` (fields every
    dataset has; 25 fps when the section leaves `fps` to the files), and the components'
    distributions are left `unknown`.
    """
    r = PartReader(where)
    recipe, recipe_text = _migrate_format1_recipe(r.get(state, "recipe", dict),
                                                  r.get(state, "recipe_text", str))

    def record(section: Any, registry: str, key: str) -> ComponentRecord:
        if not isinstance(section, Mapping) or not isinstance(section.get("kind"), str):
            raise r.fail(f"recipe.{key}", "expected a component section with a `kind`")
        config = {k: v for k, v in section.items() if k != "kind"}
        return ComponentRecord(registry, section["kind"], config)

    def roles(key: str, registry: str) -> dict[str, NetworkState]:
        weights = r.get(state, key, dict)
        sections = r.get(recipe, key, dict, "recipe.")
        return {role: NetworkState(record(sections.get(role), registry, f"{key}.{role}"), w)
                for role, w in weights.items()}

    data = r.get(recipe, "data", dict, "recipe.")
    side = r.get(data, "resolution", int, "recipe.data.")
    video = VideoSpec(frames=r.get(data, "clip_frames", int, "recipe.data."), height=side,
                      width=side, fps=float(data.get("fps") or VideoSpec.fps))
    encoder = recipe.get("encoder")
    return Checkpoint(
        recipe=recipe,
        recipe_text=recipe_text,
        video=video,
        step=r.get(state, "step", int),
        images_seen=r.get(state, "images_seen", int),
        world_size=r.get(state, "world_size", int),
        plugins=r.get(state, "plugins", list),
        generator=NetworkState(record(recipe.get("generator"), "generator", "generator"),
                               r.get(state, "generator", dict)),
        generator_ema=r.get(state, "generator_ema", dict, optional=True),
        encoder=None if encoder is None else record(encoder, "encoder", "encoder"),
        discriminators=roles("discriminators", "discriminator"),
        losses=roles("losses", "loss"),
        optimizers={"generator": r.get(state, "g_optimizer", dict),
                    "discriminator": r.get(state, "d_optimizer", dict)},
        draws=r.get(state, "draws", Tensor),
        rng=r.get(state, "rng", list),
        loader=r.get(state, "data", dict),
        path=path,
        format_version=1,
    )


def _migrate_format1_recipe(recipe: dict[str, Any], text: str) -> tuple[dict[str, Any], str]:
    """Format-1 recipes predate `train.numerics`: `mixed_precision: false` was its default.

    That setting is dropped (numerics keeps its default, fp32, the same behaviour), so the
    recipe of an old checkpoint validates for `--resume`; `mixed_precision: true` is left for
    the recipe check to explain.
    """
    train = recipe.get("train")
    if not (isinstance(train, dict) and train.get("mixed_precision") is False):
        return recipe, text
    migrated = {**recipe, "train": {k: v for k, v in train.items() if k != "mixed_precision"}}
    return migrated, re.sub(r"(?m)^  mixed_precision: false\b.*\n", "", text)
