"""Helpers for the DIGAN plug-in tests: tiny configs that keep every test fast on CPU."""

from __future__ import annotations

from typing import Any

import torch

from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.testing import build_component, tiny_context

# A generator with three scales (4, 8, 16) on a 16x16 video, at a few kB of parameters.
TINY_GENERATOR: dict[str, Any] = {
    "content_dim": 16, "motion_dim": 8, "w_dim": 16, "mapping_layers": 2,
    "channel_base": 256, "channel_max": 16, "input_resolution": 4, "fmm_rank": 3,
}
TINY_ENCODER: dict[str, Any] = {"features": 8}
TINY_DISCRIMINATOR: dict[str, Any] = {"channel_base": 128, "channel_max": 16}
TINY_VIDEO = VideoSpec(frames=4, height=16, width=16)


def context(
    video: VideoSpec = TINY_VIDEO,
    encoder: str = "digan_fourier_xyt",
    encoder_config: dict[str, Any] | None = None,
) -> BuildContext:
    """A CPU build context whose generator encoders come from `encoder`."""
    config = TINY_ENCODER if encoder_config is None else encoder_config
    return tiny_context(video, encoder=(encoder, config))


def tiny_generator(
    name: str = "digan", video: VideoSpec = TINY_VIDEO, encoder: str = "digan_fourier_xyt",
    **overrides: Any,
) -> Any:
    """A seeded tiny generator (config TINY_GENERATOR updated with `overrides`)."""
    torch.manual_seed(0)
    config = {**TINY_GENERATOR, **overrides}
    if name == "digan_no_motion":
        config.pop("motion_dim")
    return build_component("generator", name, config, context(video, encoder))


def tiny_discriminator(name: str, video: VideoSpec = TINY_VIDEO, **overrides: Any) -> Any:
    """A seeded tiny discriminator."""
    torch.manual_seed(0)
    return build_component("discriminator", name, {**TINY_DISCRIMINATOR, **overrides},
                           context(video))


def n_params(module: torch.nn.Module) -> int:
    """Number of parameters (buffers excluded)."""
    return sum(p.numel() for p in module.parameters())
