"""Contract checks that plug-in authors call in their own tests.

`check_component("generator", "acme_gen", {...})` builds a registered component with its
config (defaults where absent) on a tiny CPU `BuildContext`, checks the config (a `model_dump`
round trip, an unknown key rejected, every field described) and then its registry's contract:
every method the training loop and the commands call, with the inputs they pass. A broken rule
raises `ContractError` (an AssertionError) naming the rule, as the registry's page under
docs/plugins/ lists it. `check_generator(factory, config)` and its siblings check a factory
that is not registered (e.g. in a test of a deliberately broken component).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic

from inrvid.components.encoder import CoordinateEncoder, EncoderContext
from inrvid.components.generator import GeneratorContext, needs_encoder
from inrvid.components.registry import BuildContext, Component, ComponentConfig, VideoSpec
from inrvid.loading.plugins import Plugins, load_plugins
from inrvid.testing.data import RandomVideoSource, check_dataset, check_metric
from inrvid.testing.networks import (
    ReferenceEncoder,
    check_augment,
    check_discriminator,
    check_encoder,
    check_generator,
    encoder_context,
)
from inrvid.testing.rules import ContractError, Subject, build
from inrvid.testing.training import check_loss, check_sampler, reference_discriminators

__all__ = [
    "TINY_VIDEO",
    "ContractError",
    "RandomVideoSource",
    "ReferenceEncoder",
    "build_component",
    "check_augment",
    "check_component",
    "check_config",
    "check_dataset",
    "check_discriminator",
    "check_encoder",
    "check_generator",
    "check_loss",
    "check_metric",
    "check_sampler",
    "encoder_context",
    "reference_discriminators",
    "tiny_context",
]

TINY_VIDEO = VideoSpec(frames=4, height=16, width=16, channels=3, fps=25.0)

Check = Callable[[Any, ComponentConfig, BuildContext, str], Any]
CHECKS: dict[str, Check] = {
    "generator": check_generator,
    "encoder": check_encoder,
    "discriminator": check_discriminator,
    "loss": check_loss,
    "dataset": check_dataset,
    "metric": check_metric,
    "augment": check_augment,
    "sampler": check_sampler,
}


def tiny_context(
    video: VideoSpec | None = TINY_VIDEO,
    seed: int = 0,
    encoder: tuple[str, dict[str, Any]] | None = None,
    plugins: Plugins | None = None,
) -> GeneratorContext:
    """A small CPU build context (a generator's, so it serves every kind).

    Generators get encoders from `encoder` (a registered name and its config, looked up in
    `plugins`, by default the installed ones) or, without one, a `ReferenceEncoder` (fixed
    Fourier features).
    """

    def reference(ctx: EncoderContext) -> CoordinateEncoder:
        return ReferenceEncoder(ctx)

    builder: Callable[[EncoderContext], CoordinateEncoder] = reference
    if encoder is not None:
        comp = _plugins(plugins).registry("encoder").get(encoder[0])
        enc_cfg = comp.config.model_validate(encoder[1])

        def builder(ctx: EncoderContext) -> CoordinateEncoder:
            return comp.build(enc_cfg, ctx)

    return GeneratorContext(video=video, seed=seed, plugins=plugins, encoder=builder)


def _plugins(plugins: Plugins | None) -> Plugins:
    return load_plugins() if plugins is None else plugins


def build_component(
    registry: str,
    name: str,
    config: dict[str, Any] | None = None,
    ctx: BuildContext | None = None,
    plugins: Plugins | None = None,
) -> Any:
    """Build `registry`/`name` with `config` (defaults where absent) on `ctx` (tiny by default).

    `plugins`: where to look the component up (None: the installed plug-ins, loaded now). An
    encoder is built on `encoder_context(ctx)`.
    """
    comp = _plugins(plugins).registry(registry).get(name)
    cfg = comp.config.model_validate(config or {})
    built_on = ctx or tiny_context(plugins=plugins)
    return comp.build(cfg, encoder_context(built_on) if registry == "encoder" else built_on)


def check_config(
    component: Component[Any], config: dict[str, Any] | None = None
) -> ComponentConfig:
    """The config round-trips through `model_dump`, rejects an unknown key, describes fields."""
    cfg = component.config.model_validate(config or {})
    again = component.config.model_validate(cfg.model_dump())
    if again != cfg:
        raise ContractError("config.round-trip", f"{component.registry} '{component.name}'",
                            "the config does not survive a model_dump round trip",
                            "use plain field types (numbers, strings, tuples, Literals)")
    try:
        component.config.model_validate({**(config or {}), "no_such_option_xyz": 1})
    except pydantic.ValidationError:
        pass
    else:
        raise ContractError("config.unknown-key", f"{component.registry} '{component.name}'",
                            "the config accepted an unknown key",
                            "subclass the registry's base config (extra='forbid')")
    for key, field in component.config.model_fields.items():
        if not field.description:
            raise ContractError("config.description", f"{component.registry} '{component.name}'",
                                f"config field '{key}' has no description",
                                "give every field Field(..., description=...)")
    return cfg


def check_component(
    registry: str,
    name: str,
    config: dict[str, Any] | None = None,
    *,
    video: VideoSpec = TINY_VIDEO,
    encoder: tuple[str, dict[str, Any]] | None = None,
    plugins: Plugins | None = None,
) -> Any:
    """Check a registered component's config and its registry's contract; return it built.

    A kind with no contract check of its own (one added to the table of kinds) is checked
    for its config and for building an instance of its base class.

    `video` is the build context's video spec (datasets are built without one, as in a run);
    `encoder` names the encoder a generator gets (default: `ReferenceEncoder`); `plugins`:
    where to look them up (None: the installed plug-ins, loaded now).
    """
    plugins = _plugins(plugins)
    component = plugins.registry(registry).get(name)
    cfg = check_config(component, config)
    ctx: BuildContext = tiny_context(None if registry == "dataset" else video, seed=0,
                                     encoder=encoder, plugins=plugins)
    if registry == "generator" and not needs_encoder(component.factory):
        ctx = GeneratorContext(video=video, seed=0, plugins=plugins)
    if registry == "encoder":
        ctx = encoder_context(ctx)
    check = CHECKS.get(registry)
    if check is None:  # a kind without a contract of its own: it builds, of its base class
        return build(Subject(registry, name), component.factory, cfg, ctx, component.returns)
    return check(component.factory, cfg, ctx, name)
