"""One typed checkpoint for training, generation and evaluation, written atomically.

A `Checkpoint` holds the resolved recipe, the video spec, the counters and, for each network,
the component that built it (registry, kind, config, plug-in distribution and version) with
its weights; for an exact resume also the optimiser, EMA, loss, random and loader states.
`load_generator` rebuilds the generator from the checkpoint alone: it needs the generator's
(and its encoder's) plug-in, not the dataset, the recipe files or any other plug-in.

On disk it is `{"format_version": 2, "digests": {part: sha256}, "content": {part: ...}}` of
tensors and plain data, read with `torch.load(weights_only=True)` so it can never run code.
The digest of each part is taken over every tensor's bytes and every plain value; `load`
recomputes them, so flipped bytes inside tensor data are refused, naming the part. Writes go
to a temporary file in the same folder, are flushed and fsynced, then renamed over the
target, so a kill or a full disk mid-write leaves the previous file whole. Format-1 files
(earlier releases: one flat dict, no digest, no video spec) are converted on load.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import torch
from torch import Tensor, nn

from inrvid.build import build_on_stream, generator_context
from inrvid.console import warn
from inrvid.encoder import ENCODERS, CoordinateEncoder
from inrvid.errors import CheckpointError, StorageError
from inrvid.files import atomic_write, remove_stale_temps
from inrvid.generator import GENERATORS, Generator, build_generator, needs_encoder
from inrvid.plugins import ensure_plugins
from inrvid.registry import (
    Component,
    ComponentConfig,
    ComponentLookupError,
    Registry,
    Section,
    VideoSpec,
)

if TYPE_CHECKING:
    from inrvid.recipe import Recipe

FORMAT_VERSION = 2
NAME = re.compile(r"^checkpoint-(\d{9})\.pt$")


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

    def validated_recipe(self, overrides: list[str] | tuple[str, ...] = ()) -> Recipe:
        """The recipe inside, validated (every plug-in it names must be installed)."""
        from inrvid.recipe import recipe_from_text

        where = self.run_dir / "recipe.resolved.yaml" if self.path else Path("checkpoint:recipe")
        return recipe_from_text(self.recipe_text, where, list(overrides))

    def facts(self) -> dict[str, Any]:
        """The small facts (for messages, `inrvid eval` records and `VideoModel.info`)."""
        return {"path": self.where, "format_version": self.format_version,
                "recipe": self.name, "step": self.step, "images_seen": self.images_seen}

    def to_payload(self) -> dict[str, Any]:
        """The `content` part of the file: plain data and tensors, one key per part."""

        def network(n: NetworkState) -> dict[str, Any]:
            return {**n.component.to_payload(), "weights": n.weights}

        v = self.video
        return {
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
class _Reader:
    """Typed access to the parts of a loaded file; a located `CheckpointError` otherwise."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, problem: str) -> CheckpointError:
        return CheckpointError(
            f"{self.where}: {key}: {problem}\n"
            "  the file is damaged or was not written by inrvid; use another checkpoint of "
            "the run (they are kept beside it)"
        )

    def get(self, node: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
            prefix: str = "", optional: bool = False) -> Any:
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
        component = self.component(node, prefix)
        return NetworkState(component, self.get(node, "weights", dict, prefix))

    def networks(self, node: Mapping[str, Any], key: str) -> dict[str, NetworkState]:
        roles = self.get(node, key, dict)
        return {r: self.network(n, f"{key}.{r}.") for r, n in roles.items()}


def _from_content(content: Mapping[str, Any], where: str, path: Path | None) -> Checkpoint:
    """A format-2 `content` as a `Checkpoint`, every part checked for presence and type."""
    r = _Reader(where)
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
    )


def _from_format1(state: Mapping[str, Any], where: str, path: Path | None) -> Checkpoint:
    """Convert a format-1 file (one flat dict of 15 keys) to a `Checkpoint`.

    Format 1 recorded neither the video spec nor which plug-in provided each component: the
    spec is taken from the data section's `clip_frames`, `resolution` and `fps` (fields every
    dataset has; 25 fps when the section leaves `fps` to the files), and the components'
    distributions are left `unknown`.
    """
    r = _Reader(where)
    recipe = r.get(state, "recipe", dict)

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
        recipe_text=r.get(state, "recipe_text", str),
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


# ---------------------------------------------------------------- content digest
def digest(value: Any) -> str:
    """sha256 over a nested structure: every tensor's dtype, shape and bytes, every plain value."""
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, Tensor):
        t = value.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)};".encode())
        if t.numel():
            h.update(t.reshape(-1).view(torch.uint8).numpy())
    elif isinstance(value, Mapping):
        h.update(f"{{{len(value)};".encode())
        for key, item in value.items():
            _feed(h, key)
            _feed(h, item)
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}{len(value)};".encode())
        for item in value:
            _feed(h, item)
    else:
        h.update(f"{type(value).__name__}:{value!r};".encode())


def _verify(content: Mapping[str, Any], digests: Any, where: str) -> None:
    """Recompute each part's digest; refuse the file naming the parts that changed."""
    if not isinstance(digests, Mapping) or set(digests) != set(content):
        raise CheckpointError(
            f"{where}: the content digests do not list the file's parts\n"
            "  the file is damaged; use another checkpoint of the run (they are kept beside it)"
        )
    changed = [part for part, value in content.items() if digest(value) != digests[part]]
    if changed:
        raise CheckpointError(
            f"{where}: corrupted: the content digest of {', '.join(changed)} does not match "
            "the one written with it (the bytes changed on disk or in transfer)\n"
            "  use another checkpoint of the run (they are kept beside it) or a backup copy"
        )


# ---------------------------------------------------------------- files
def save(checkpoint: Checkpoint, path: Path) -> None:
    """Write a checkpoint atomically, with a content digest of each part."""
    content = checkpoint.to_payload()
    digests = {part: digest(value) for part, value in content.items()}
    write_payload({"format_version": FORMAT_VERSION, "digests": digests, "content": content}, path)


def write_payload(payload: dict[str, Any], path: Path) -> None:
    """Write `payload` to `path` atomically (`inrvid.files.atomic_write`).

    A full disk or a refused permission becomes a one-line `CheckpointError` naming the file;
    the previous file at `path` is then untouched and the temporary file removed.
    """
    try:
        with atomic_write(path, "wb") as f:
            torch.save(payload, f)
    except StorageError as exc:
        raise CheckpointError(f"checkpoint: {exc}") from None


def find(path: str | Path) -> Path:
    """A checkpoint file, or a run folder's newest checkpoint; a clear error if there is none."""
    path = Path(path)
    if path.is_dir():
        found = latest(path / "checkpoints") or latest(path)
        if found is None:
            raise CheckpointError(
                f"{path.resolve()}: no checkpoint-*.pt in this run folder or its checkpoints/\n"
                "  pass a run folder that has written a checkpoint, or a checkpoint file"
            )
        path = found
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path.resolve()}")
    return path


def read_payload(path: Path, map_location: str | torch.device = "cpu") -> Any:
    """`torch.load(weights_only=True)` of a file; a clear error if it cannot be unpickled."""
    try:
        return torch.load(path, map_location=map_location, weights_only=True)  # noqa: TID251
    except Exception as exc:  # noqa: BLE001 - unpickling a damaged file raises many kinds
        raise CheckpointError(
            f"{path.resolve()}: not a readable inrvid checkpoint: {type(exc).__name__}: {exc}\n"
            "  the file may be truncated; earlier checkpoints of the run are kept beside it"
        ) from None


def load(path: str | Path, map_location: str | torch.device = "cpu") -> Checkpoint:
    """Read, verify and check a checkpoint file (or a run folder's newest checkpoint)."""
    path = find(path)
    where = str(path.resolve())
    state = read_payload(path, map_location)
    version = state.get("format_version") if isinstance(state, dict) else None
    if version == 1:
        return _from_format1(state, where, path)
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{where}: not an inrvid checkpoint of format 1 or {FORMAT_VERSION} "
            f"(format_version: {version!r})\n"
            "  a newer inrvid may have written it: upgrade inrvid to read it"
        )
    content = state.get("content")
    if not isinstance(content, dict):
        raise _Reader(where).fail("content", "missing")
    _verify(content, state.get("digests"), where)
    return _from_content(content, where, path)


def checkpoint_path(folder: Path, images_seen: int) -> Path:
    """`checkpoint-<images seen, 9 digits>.pt` in `folder`."""
    return folder / f"checkpoint-{images_seen:09d}.pt"


def all_checkpoints(folder: Path) -> list[Path]:
    """The checkpoints in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if NAME.match(p.name)), key=lambda p: p.name)


def latest(folder: Path) -> Path | None:
    """The newest checkpoint in `folder`, or None."""
    found = all_checkpoints(folder)
    return found[-1] if found else None


def remove_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files of checkpoint writes that never finished; return them.

    Call only where no other process is writing checkpoints into `folder` (a run's start).
    """
    return remove_stale_temps(folder, "checkpoint-*")


def prune(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints (and stale temporary files)."""
    for old in all_checkpoints(folder)[:-keep]:
        old.unlink(missing_ok=True)
    remove_temporaries(folder)


# ---------------------------------------------------------------- networks from a checkpoint
def fit_weights(module: nn.Module, weights: Mapping[str, Any], what: str, where: str,
                hint: str = "") -> None:
    """Load `weights` into `module`; a located `CheckpointError` when they do not fit it."""
    own = module.state_dict()
    missing = [k for k in own if k not in weights]
    unexpected = [k for k in weights if k not in own]
    shapes = [
        f"{k}: the checkpoint has {list(weights[k].shape)}, the recipe builds {list(v.shape)}"
        for k, v in own.items()
        if k in weights and isinstance(v, Tensor) and isinstance(weights[k], Tensor)
        and weights[k].shape != v.shape
    ]
    problems = shapes + [f"{k}: missing in the checkpoint" for k in missing]
    problems += [f"{k}: in the checkpoint, not in the network" for k in unexpected]
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise CheckpointError(
            f"{where}: {what}: the weights do not fit the network the recipe builds: "
            f"{'; '.join(problems[:3])}{more}\n"
            f"  {hint or 'use the plug-in versions that wrote the checkpoint (`inrvid plugins`)'}"
        )
    module.load_state_dict(weights)


def component_for(record: ComponentRecord, registry: Registry[Any], checkpoint: Checkpoint,
                  what: str) -> tuple[Component[Any], ComponentConfig]:
    """The installed component a record names and its config; why not, with the install line."""
    ensure_plugins()
    try:
        component = registry.get(record.kind)
    except ComponentLookupError:
        raise CheckpointError(
            f"{checkpoint.where}: {what} '{record.kind}' is not available here; the checkpoint "
            f"was written with it from {record.provenance()}\n  {_install_hint(record, checkpoint)}"
        ) from None
    try:
        config = component.config.model_validate(record.config)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise CheckpointError(
            f"{checkpoint.where}: {what} '{record.kind}': the recorded option {key} does not "
            f"validate with {component.origin.describe()}: {first['msg']}\n"
            f"  {_install_hint(record, checkpoint)}"
        ) from None
    return component, config


def _install_hint(record: ComponentRecord, checkpoint: Checkpoint) -> str:
    if record.distribution != "unknown":
        status = {r.distribution: r for r in ensure_plugins().records}.get(record.distribution)
        if status is not None and not status.ok:
            return (f"plug-in {status.label()} is installed but {status.status}: "
                    f"{status.reason or 'see `inrvid plugins`'}")
        return f"pip install {record.distribution}=={record.version}"
    recorded = sorted({f"{p.get('distribution')}=={p.get('version')}"
                       for p in checkpoint.plugins if p.get("status") == "ok"})
    return f"install the plug-ins the run used: pip install {' '.join(recorded)}"


def rebuild_generator(checkpoint: Checkpoint, device: str | torch.device = "cpu") -> Generator:
    """The generator the checkpoint's records build (initial weights), with its encoders.

    Built as training built it (`inrvid.build`: same init stream), from the recorded
    components alone: no recipe validation, so no other section's plug-in is needed.
    """
    component, config = component_for(checkpoint.generator.component, GENERATORS, checkpoint,
                                      "generator")
    encoder: Section[CoordinateEncoder] | None = None
    if needs_encoder(component.factory):
        if checkpoint.encoder is None:
            raise _Reader(checkpoint.where).fail(
                "encoder", f"missing, and generator '{component.name}' needs one")
        enc_component, enc_config = component_for(checkpoint.encoder, ENCODERS, checkpoint,
                                                  "encoder")
        encoder = Section("encoder", enc_component, enc_config)
    ctx = generator_context(checkpoint.seed, checkpoint.video, torch.device(device), encoder)
    return build_on_stream(build_generator, Section("generator", component, config), ctx)


def load_generator(source: str | Path | Checkpoint, *, ema: bool = True,
                   device: str | torch.device = "cpu") -> Generator:
    """Rebuild a checkpoint's generator from the checkpoint alone, in eval mode, frozen.

    Needs the generator's (and its encoder's) plug-in only. `ema=False` loads the raw weights.
    """
    checkpoint = source if isinstance(source, Checkpoint) else load(source)
    generator = rebuild_generator(checkpoint, device)
    if ema and checkpoint.generator_ema is None:
        raise CheckpointError(
            f"{checkpoint.where}: generator_ema: missing (the file holds no EMA weights)\n"
            "  use the raw generator instead: --no-ema, or ema=False"
        )
    weights = checkpoint.generator_ema if ema else checkpoint.generator.weights
    assert weights is not None
    what = "generator_ema" if ema else "generator"
    fit_weights(generator, weights, what, checkpoint.where)
    return generator.to(device).eval().requires_grad_(False)


def warn_plugin_drift(checkpoint: Checkpoint) -> None:
    """Warn for each plug-in whose installed version differs from the one that wrote it."""
    recorded = {(p.get("entry_point"), p.get("distribution")): p.get("version")
                for p in checkpoint.plugins}
    for r in ensure_plugins().records:
        old = recorded.get((r.entry_point, r.distribution))
        if old is not None and old != r.version:
            warn(f"plug-in '{r.entry_point}' ({r.distribution}) was {old} when the "
                 f"checkpoint was written and is {r.version} now")


# ---------------------------------------------------------------- training: save and restore
def from_training(
    recipe: Recipe,
    video: VideoSpec,
    *,
    step: int,
    images_seen: int,
    world_size: int,
    plugins: list[dict[str, Any]],
    generator: nn.Module,
    generator_ema: nn.Module,
    discriminators: Mapping[str, nn.Module],
    losses: Mapping[str, nn.Module],
    optimizers: Mapping[str, torch.optim.Optimizer],
    draws: torch.Generator,
    rng: list[dict[str, Any]],
    loader: dict[str, Any],
) -> Checkpoint:
    """The checkpoint of a training run's live objects (each network with its component)."""
    from inrvid.recipe.resolved import resolved_yaml

    resolved = recipe.resolved()

    def record(section: Any, node: Mapping[str, Any]) -> ComponentRecord:
        return ComponentRecord.of(section.component, str(node["kind"]), section.config)

    def network(section: Any, node: Mapping[str, Any], module: nn.Module) -> NetworkState:
        return NetworkState(record(section, node), module.state_dict())

    return Checkpoint(
        recipe=resolved,
        recipe_text=resolved_yaml(recipe),
        video=video,
        step=step,
        images_seen=images_seen,
        world_size=world_size,
        plugins=plugins,
        generator=network(recipe.generator, resolved["generator"], generator),
        generator_ema=generator_ema.state_dict(),
        encoder=None if recipe.encoder is None else record(recipe.encoder, resolved["encoder"]),
        discriminators={
            r: network(recipe.discriminators[r], resolved["discriminators"][r], d)
            for r, d in discriminators.items()
        },
        losses={r: network(recipe.losses[r], resolved["losses"][r], loss)
                for r, loss in losses.items()},
        optimizers={name: opt.state_dict() for name, opt in optimizers.items()},
        draws=draws.get_state(),
        rng=rng,
        loader=loader,
    )


def restore_training(
    checkpoint: Checkpoint,
    recipe: Recipe,
    *,
    generator: nn.Module,
    generator_ema: nn.Module,
    discriminators: Mapping[str, nn.Module],
    losses: Mapping[str, nn.Module],
    optimizers: Mapping[str, torch.optim.Optimizer],
) -> None:
    """Load networks, EMA, loss states and optimisers for `--resume`; located errors.

    Weights that do not fit the networks `recipe` builds are refused naming the tensor, with
    the recipe options that differ from the run's (an override such as
    `generator.channel_max=32` on `--resume`).
    """
    where = checkpoint.where
    if checkpoint.generator_ema is None:
        raise _Reader(where).fail("generator_ema", "missing; a resume needs the EMA weights")
    for key, have, want in (("discriminators", checkpoint.discriminators, discriminators),
                            ("losses", checkpoint.losses, losses)):
        if set(have) != set(want):
            raise CheckpointError(
                f"{where}: {key}: the checkpoint has roles {sorted(have)}, the recipe "
                f"{sorted(want)}\n  resume with the recipe the run was started with"
            )
    fit_weights(generator, checkpoint.generator.weights, "generator", where,
                _changed(checkpoint.generator, recipe.generator, "generator"))
    fit_weights(generator_ema, checkpoint.generator_ema, "generator_ema", where,
                _changed(checkpoint.generator, recipe.generator, "generator"))
    for role, d in discriminators.items():
        saved = checkpoint.discriminators[role]
        fit_weights(d, saved.weights, f"discriminators.{role}", where,
                    _changed(saved, recipe.discriminators[role], f"discriminators.{role}"))
    for role, loss in losses.items():
        fit_weights(loss, checkpoint.losses[role].weights, f"losses.{role}", where)
    if set(checkpoint.optimizers) != set(optimizers):
        raise _Reader(where).fail(
            "optimizers", f"expected {sorted(optimizers)}, got {sorted(checkpoint.optimizers)}")
    for name, opt in optimizers.items():
        try:
            opt.load_state_dict(checkpoint.optimizers[name])
        except (ValueError, KeyError, RuntimeError) as exc:
            raise CheckpointError(
                f"{where}: optimizers.{name}: does not fit the {name}'s parameters: "
                f"{str(exc).splitlines()[0]}\n  resume with the recipe the run was started with"
            ) from None


def _changed(saved: NetworkState, section: Any, path: str) -> str:
    """A hint naming the options the recipe now sets differently from the checkpoint's run."""
    now = {"kind": saved.component.kind, **section.config.model_dump(mode="json")}
    before = {"kind": saved.component.kind, **saved.component.config}
    if section.component.name != saved.component.kind.rsplit(":", 1)[-1]:
        now["kind"] = section.component.name
    diffs = [f"{path}.{k}: {before.get(k)!r} in the run, {now.get(k)!r} now"
             for k in sorted(set(now) | set(before)) if now.get(k) != before.get(k)]
    if not diffs:
        return ""
    return ("the recipe differs from the run's: " + "; ".join(diffs)
            + " (overrides on --resume must not change a network's shape)")
