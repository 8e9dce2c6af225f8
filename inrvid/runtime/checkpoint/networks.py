"""Networks from a checkpoint, with located errors when weights do not fit.

The generator is rebuilt from the checkpoint alone; a training run's networks are saved to and
restored from one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import torch
from torch import nn

from inrvid.base.console import warn
from inrvid.base.errors import CheckpointError
from inrvid.base.tensor import state_mismatch
from inrvid.components.discriminator import Discriminator
from inrvid.components.encoder import CoordinateEncoder
from inrvid.components.generator import Generator, needs_encoder
from inrvid.components.registry import (
    BuildContext,
    Component,
    ComponentConfig,
    ComponentLookupError,
    Section,
    VideoSpec,
)
from inrvid.loading.plugins import Plugins
from inrvid.runtime.build import build_on_stream, generator_context
from inrvid.runtime.checkpoint.content import (
    Checkpoint,
    ComponentRecord,
    NetworkState,
    PartReader,
)
from inrvid.runtime.checkpoint.storage import load

if TYPE_CHECKING:
    from inrvid.recipe import Recipe


# ---------------------------------------------------------------- networks from a checkpoint
def fit_weights(module: nn.Module, weights: Mapping[str, Any], what: str, where: str,
                hint: str = "") -> None:
    """Load `weights` into `module`; a located `CheckpointError` when they do not fit it."""
    found = state_mismatch(module, weights)
    problems = [f"{k}: the checkpoint has {given}, the recipe builds {wanted}"
                for k, given, wanted in found.shapes]
    problems += [f"{k}: missing in the checkpoint" for k in found.missing]
    problems += [f"{k}: in the checkpoint, not in the network" for k in found.unexpected]
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise CheckpointError(
            f"{where}: {what}: the weights do not fit the network the recipe builds: "
            f"{'; '.join(problems[:3])}{more}\n"
            f"  {hint or 'use the plug-in versions that wrote the checkpoint (`inrvid plugins`)'}"
        )
    module.load_state_dict(weights)


def component_for(record: ComponentRecord, plugins: Plugins, checkpoint: Checkpoint,
                  what: str, registry: str | None = None) -> tuple[Component[Any], ComponentConfig]:
    """The installed component a record names and its config; why not, with the install line.

    `what` names the network in messages; `registry` is its kind (by default `what`).
    """
    try:
        component = plugins.registry(registry or what).get(record.kind)
    except ComponentLookupError:
        raise CheckpointError(
            f"{checkpoint.where}: {what} '{record.kind}' is not available here; the checkpoint "
            f"was written with it from {record.provenance()}\n"
            f"  {_install_hint(record, checkpoint, plugins)}"
        ) from None
    try:
        config = component.config.model_validate(record.config)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise CheckpointError(
            f"{checkpoint.where}: {what} '{record.kind}': the recorded option {key} does not "
            f"validate with {component.origin.describe()}: {first['msg']}\n"
            f"  {_install_hint(record, checkpoint, plugins)}"
        ) from None
    return component, config


# A checkpoint records a plug-in's distribution and version, not where it was installed from:
# `pip install NAME==VERSION` finds only what a package index publishes.
LOCAL_PLUGIN_NOTE = (
    "\n  (that finds only a plug-in published on a package index; if it was a local plug-in, "
    "such as one written by `inrvid plugin new`, install it from its folder: "
    "pip install ./path/to/its/folder)"
)


def _install_hint(record: ComponentRecord, checkpoint: Checkpoint, plugins: Plugins) -> str:
    if record.distribution != "unknown":
        status = {r.distribution: r for r in plugins.report.records}.get(record.distribution)
        if status is not None and not status.ok:
            return (f"plug-in {status.label()} is installed but {status.status}: "
                    f"{status.reason or 'see `inrvid plugins`'}")
        return f"pip install {record.distribution}=={record.version}{LOCAL_PLUGIN_NOTE}"
    recorded = sorted({f"{p.get('distribution')}=={p.get('version')}"
                       for p in checkpoint.plugins if p.get("status") == "ok"})
    return f"install the plug-ins the run used: pip install {' '.join(recorded)}{LOCAL_PLUGIN_NOTE}"


def rebuild_generator(
    checkpoint: Checkpoint, plugins: Plugins, device: str | torch.device = "cpu"
) -> Generator:
    """The generator the checkpoint's records build (initial weights), with its encoders.

    Built as training built it (`inrvid.runtime.build`: same init stream), from the recorded
    components alone: no recipe validation, so no other section's plug-in is needed.
    """
    component, config = component_for(checkpoint.generator.component, plugins, checkpoint,
                                      "generator")
    encoder: Section[CoordinateEncoder] | None = None
    if needs_encoder(component.factory):
        if checkpoint.encoder is None:
            raise PartReader(checkpoint.where).fail(
                "encoder", f"missing, and generator '{component.name}' needs one")
        enc_component, enc_config = component_for(checkpoint.encoder, plugins, checkpoint,
                                                  "encoder")
        encoder = Section("encoder", enc_component, enc_config)
    base = BuildContext(video=checkpoint.video, device=torch.device(device), seed=checkpoint.seed,
                        plugins=plugins)
    return build_on_stream(Section("generator", component, config),
                           generator_context(base, encoder))


def load_generator(source: str | Path | Checkpoint, plugins: Plugins, *, ema: bool = True,
                   device: str | torch.device = "cpu") -> Generator:
    """Rebuild a checkpoint's generator from the checkpoint alone, in eval mode, frozen.

    Needs the generator's (and its encoder's) plug-in only. `ema=False` loads the raw weights.
    """
    checkpoint = source if isinstance(source, Checkpoint) else load(source)
    generator = rebuild_generator(checkpoint, plugins, device)
    if ema and checkpoint.generator_ema is None:
        raise CheckpointError(
            f"{checkpoint.where}: generator_ema: missing (the file holds no EMA weights)\n"
            "  use the raw generator instead: --no-ema, or ema=False"
        )
    if not ema and checkpoint.exported:
        raise CheckpointError(
            f"{checkpoint.where}: an export holds the EMA weights only, not the raw ones\n"
            "  use the EMA weights (drop --no-ema / ema=False), or the training checkpoint")
    weights = checkpoint.generator_ema if ema else checkpoint.generator.weights
    assert weights is not None
    what = "generator_ema" if ema else "generator"
    fit_weights(generator, weights, what, checkpoint.where)
    return generator.to(device).eval().requires_grad_(False)


def load_discriminators(source: str | Path | Checkpoint, plugins: Plugins, *,
                        device: str | torch.device = "cpu") -> dict[str, Discriminator]:
    """Rebuild a checkpoint's discriminators by role from their records, in eval mode, frozen.

    Needs each discriminator's plug-in only (not the dataset or the recipe files).
    """
    checkpoint = source if isinstance(source, Checkpoint) else load(source)
    ctx = BuildContext(video=checkpoint.video, device=torch.device(device), seed=checkpoint.seed,
                       plugins=plugins)
    out = {}
    for role, state in checkpoint.discriminators.items():
        what = f"discriminators.{role}"
        component, config = component_for(state.component, plugins, checkpoint, what,
                                          registry="discriminator")
        network = build_on_stream(Section(what, component, config), ctx)
        fit_weights(network, state.weights, what, checkpoint.where)
        out[role] = network.to(device).eval().requires_grad_(False)
    return out


def warn_plugin_drift(checkpoint: Checkpoint, plugins: Plugins) -> None:
    """Warn for each plug-in whose installed version differs from the one that wrote it."""
    recorded = {(p.get("entry_point"), p.get("distribution")): p.get("version")
                for p in checkpoint.plugins}
    for r in plugins.report.records:
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
        raise PartReader(where).fail("generator_ema", "missing; a resume needs the EMA weights")
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
        raise PartReader(where).fail(
            "optimizers", f"expected {sorted(optimizers)}, got {sorted(checkpoint.optimizers)}")
    for name, opt in optimizers.items():
        try:
            opt.load_state_dict(checkpoint.optimizers[name])
        except (ValueError, KeyError, RuntimeError) as exc:
            raise CheckpointError(
                f"{where}: optimizers.{name}: does not fit the {name}'s parameters: "
                f"{str(exc).splitlines()[0]}\n  resume with the recipe the run was started with"
            ) from None


def initialize_from(
    checkpoint: Checkpoint,
    recipe: Recipe,
    *,
    generator: nn.Module,
    generator_ema: nn.Module,
    discriminators: Mapping[str, nn.Module],
) -> list[str]:
    """Load a checkpoint's networks into a new run's (`train.init_from`); notes on what not.

    The generator takes the raw weights (the EMA's where the file holds only those, an export)
    and the EMA the averaged ones; each discriminator role present in both takes its weights.
    Shapes must agree (`fit_weights` names the tensor and the options that differ). Returns a
    line for each recipe role that starts from its initial weights.
    """
    where = checkpoint.where
    ema = checkpoint.generator_ema
    raw = checkpoint.generator.weights or ema
    if ema is None or not raw:
        raise PartReader(where).fail("generator_ema", "missing; train.init_from needs weights")
    hint = _changed(checkpoint.generator, recipe.generator, "generator") or (
        "train.init_from needs the generator options of the checkpoint's recipe")
    fit_weights(generator, raw, "generator", where, hint)
    fit_weights(generator_ema, ema, "generator_ema", where, hint)
    notes = []
    for role, network in discriminators.items():
        saved = checkpoint.discriminators.get(role)
        if saved is None:
            notes.append(f"discriminators.{role}: not in {where}; it starts from initial weights")
            continue
        fit_weights(network, saved.weights, f"discriminators.{role}", where,
                    _changed(saved, recipe.discriminators[role], f"discriminators.{role}"))
    return notes


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
