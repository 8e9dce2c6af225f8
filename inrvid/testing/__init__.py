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

from inrvid.components.encoder import CoordinateEncoder
from inrvid.components.generator import needs_encoder
from inrvid.components.registry import BuildContext, Component, ComponentConfig, VideoSpec
from inrvid.loading.plugins import REGISTRIES, ensure_plugins
from inrvid.testing.data import RandomVideoSource, check_dataset, check_metric
from inrvid.testing.networks import (
    ReferenceEncoder,
    check_augment,
    check_discriminator,
    check_encoder,
    check_generator,
)
from inrvid.testing.rules import ContractError
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
) -> BuildContext:
    """A small CPU build context.

    Generators get encoders from `encoder` (a registered name and its config) or, without
    one, a `ReferenceEncoder` (fixed Fourier features).
    """

    def reference(ctx: BuildContext) -> CoordinateEncoder:
        return ReferenceEncoder(ctx)

    builder: Callable[[BuildContext], CoordinateEncoder] = reference
    if encoder is not None:
        ensure_plugins()
        comp = REGISTRIES["encoder"].get(encoder[0])
        enc_cfg = comp.config.model_validate(encoder[1])

        def builder(ctx: BuildContext) -> CoordinateEncoder:
            return REGISTRIES["encoder"].build(comp, enc_cfg, ctx)

    return BuildContext(
        video=video, seed=seed, style_dim=32, motion_dim=16, encoder_builder=builder
    )


def build_component(
    registry: str, name: str, config: dict[str, Any] | None = None, ctx: BuildContext | None = None
) -> Any:
    """Build `registry`/`name` with `config` (defaults where absent) on `ctx` (tiny by default)."""
    ensure_plugins()
    comp = REGISTRIES[registry].get(name)
    cfg = comp.config.model_validate(config or {})
    return REGISTRIES[registry].build(comp, cfg, ctx or tiny_context())


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
) -> Any:
    """Check a registered component's config and its registry's contract; return it built.

    `video` is the build context's video spec (datasets are built without one, as in a run);
    `encoder` names the encoder a generator gets (default: `ReferenceEncoder`).
    """
    ensure_plugins()
    component = REGISTRIES[registry].get(name)
    cfg = check_config(component, config)
    ctx = tiny_context(None if registry == "dataset" else video, seed=0, encoder=encoder)
    if registry == "generator" and not needs_encoder(component.factory):
        ctx = BuildContext(video=video, seed=0)
    return CHECKS[registry](component.factory, cfg, ctx, name)
