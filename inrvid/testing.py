"""Contract checks that plug-in authors call in their own tests.

`check_component("encoder", "example_gaussian_rff")` builds the component with its default
config (or `config=`) on a tiny `BuildContext`, checks its registry's contract (shapes,
finiteness, determinism for a seed), that the config survives a `model_dump` round trip,
and that an unknown config key is rejected. It raises AssertionError with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import torch

from inrvid.augment import Augment
from inrvid.dataset import VideoDataset
from inrvid.discriminator import Discriminator
from inrvid.encoder import CoordinateEncoder
from inrvid.generator import Generator
from inrvid.loss import Loss, PhaseInputs
from inrvid.plugins import REGISTRIES, ensure_plugins
from inrvid.registry import BuildContext, Component, ComponentConfig, VideoSpec
from inrvid.sampler import TimeSampler

TINY_VIDEO = VideoSpec(frames=4, height=16, width=16, channels=3, fps=25.0)


def tiny_context(
    video: VideoSpec = TINY_VIDEO,
    seed: int = 0,
    encoder: tuple[str, dict[str, Any]] | None = None,
) -> BuildContext:
    """A small CPU build context; `encoder` names the encoder (and config) generators get."""
    builder = None
    if encoder is not None:
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
    """The config round-trips through `model_dump` and rejects an unknown key."""
    cfg = component.config.model_validate(config or {})
    again = component.config.model_validate(cfg.model_dump())
    assert again == cfg, f"{component.name}: config does not survive a model_dump round trip"
    try:
        component.config.model_validate({**(config or {}), "no_such_option_xyz": 1})
    except pydantic.ValidationError:
        pass
    else:
        raise AssertionError(f"{component.name}: config accepted an unknown key")
    for key, field in component.config.model_fields.items():
        assert field.description, f"{component.name}: config field '{key}' has no description"
    return cfg


def check_component(
    registry: str,
    name: str,
    config: dict[str, Any] | None = None,
    *,
    video: VideoSpec = TINY_VIDEO,
    encoder: tuple[str, dict[str, Any]] | None = None,
) -> Any:
    """Build a component and check its registry's contract; return the built object."""
    ensure_plugins()
    component = REGISTRIES[registry].get(name)
    cfg = check_config(component, config)
    ctx = tiny_context(video, seed=0, encoder=encoder)
    built = REGISTRIES[registry].build(component, cfg, ctx)
    checker = _CHECKS.get(registry)
    if checker is not None:
        torch.manual_seed(0)
        checker(built, lambda: REGISTRIES[registry].build(component, cfg, ctx), ctx)
    return built


def _check_encoder(enc: CoordinateEncoder, rebuild: Any, ctx: BuildContext) -> None:
    coords = torch.rand(2, 10, 3) * 2 - 1  # b n 3
    style = torch.randn(2, ctx.style_dim or 1)  # b d_w
    z_motion = torch.randn(2, ctx.motion_dim or 1)  # b d_m
    out = enc(coords, style, z_motion)
    assert out.shape == (2, 10, enc.out_features), (
        f"encoder returned {tuple(out.shape)}, expected (2, 10, {enc.out_features}) = b n d"
    )
    assert torch.isfinite(out).all(), "encoder output is not finite"
    again = rebuild()(coords, style, z_motion)
    assert torch.equal(out, again), "encoder is not deterministic for the same seed and input"


def _check_generator(gen: Generator, rebuild: Any, ctx: BuildContext) -> None:
    video = ctx.require_video()
    z_content, z_motion = gen.sample_latents(2, torch.Generator().manual_seed(0))
    times = torch.tensor([[0.0, 0.5, 1.0], [0.1, 0.2, 1.5]])  # b t
    out = gen(z_content, z_motion, times)
    expected = (2, 3, video.channels, video.height, video.width)
    assert out.shape == expected, f"generator returned {tuple(out.shape)}, expected {expected}"
    assert torch.isfinite(out).all(), "generator output is not finite"


def _check_discriminator(disc: Discriminator, rebuild: Any, ctx: BuildContext) -> None:
    video = ctx.require_video()
    t = disc.frames_seen or 2
    frames = torch.rand(4, t, video.channels, video.height, video.width) * 2 - 1
    times = torch.sort(torch.rand(4, t), dim=1).values
    logits = disc(frames, times)
    assert logits.ndim == 2, f"discriminator returned {tuple(logits.shape)}, expected b k"
    assert logits.shape[0] == 4, (
        f"discriminator returned {tuple(logits.shape)}, expected (4, k) = b k"
    )
    assert torch.isfinite(logits).all(), "discriminator logits are not finite"


def _check_augment(aug: Augment, rebuild: Any, ctx: BuildContext) -> None:
    video = ctx.require_video()
    frames = torch.rand(3, 2, video.channels, video.height, video.width) * 2 - 1
    out = aug(frames)
    assert out.shape == frames.shape, "augment changed the shape"
    assert torch.isfinite(out).all(), "augment output is not finite"


def _check_sampler(sampler: TimeSampler, rebuild: Any, ctx: BuildContext) -> None:
    gen = torch.Generator().manual_seed(0)
    idx = sampler.sample_real(64, 16, gen)
    assert idx.shape == (64, sampler.frames_shown), "sample_real must return b t indices"
    assert idx.dtype == torch.long, "sample_real must return integer (long) indices"
    assert idx.min() >= 0, "indices out of the clip"
    assert idx.max() < 16, "indices out of the clip"
    assert (idx.diff(dim=1) >= 0).all(), "real indices are not sorted per video"
    times = sampler.sample_fake(64, gen)
    assert times.shape == (64, sampler.frames_shown), "sample_fake must return b t times"
    assert (times.diff(dim=1) >= 0).all(), "fake times are not sorted per video"


def _check_dataset(ds: VideoDataset, rebuild: Any, ctx: BuildContext) -> None:
    spec = ds.video_spec
    assert len(ds) > 0, "dataset is empty"
    item = ds[0]
    expected = (spec.frames, spec.channels, spec.height, spec.width)
    assert tuple(item["video"].shape) == expected, (
        f"clip {tuple(item['video'].shape)} != {expected}"
    )
    assert item["video"].dtype == torch.uint8, "clips must be uint8"
    assert torch.equal(item["video"], rebuild()[0]["video"]), "dataset items are not deterministic"


def _check_loss(loss: Loss, rebuild: Any, ctx: BuildContext) -> None:
    inputs = PhaseInputs(
        network="discriminator",
        step=0,
        fake_frames=None,
        fake_times=None,
        real_frames=None,
        real_times=None,
        discriminators={},
        augment=lambda x: x,
    )
    assert isinstance(loss.lazy_interval, int | None), "lazy_interval must be an int or None"
    del inputs


_CHECKS: dict[str, Callable[[Any, Any, BuildContext], None]] = {
    "encoder": _check_encoder,
    "generator": _check_generator,
    "discriminator": _check_discriminator,
    "augment": _check_augment,
    "sampler": _check_sampler,
    "dataset": _check_dataset,
    "loss": _check_loss,
}
