"""Tiny StyleGAN-V configs that keep every test fast on CPU."""

from __future__ import annotations

from typing import Any

import torch

from inrvid.components.registry import BuildContext, VideoSpec
from inrvid.testing import build_component, tiny_context

# A 16x16 generator with a motion code every 4 frames and a 64-frame horizon (18 knots).
TINY_GENERATOR: dict[str, Any] = {
    "content_dim": 16, "motion_dim": 8, "w_dim": 16, "channel_base": 128, "channel_max": 16,
    "motion_code_dim": 8, "motion_kernel_size": 3, "code_spacing_frames": 4,
    "time_features": 4, "min_period_frames": 4, "max_period_frames": 64,
    "motion_horizon_frames": 64,
}
TINY_DISCRIMINATOR: dict[str, Any] = {
    "channel_base": 128, "channel_max": 16, "fuse_resolution": 8, "max_gap_frames": 16,
    "gap_table_features": 4,
}
TINY_VIDEO = VideoSpec(frames=16, height=16, width=16)


def context(video: VideoSpec = TINY_VIDEO) -> BuildContext:
    """A CPU build context for `video`."""
    return tiny_context(video)


def tiny_generator(video: VideoSpec = TINY_VIDEO, **overrides: Any) -> Any:
    """A seeded tiny `stylegan_v` generator (TINY_GENERATOR updated with `overrides`)."""
    torch.manual_seed(0)
    return build_component("generator", "stylegan_v", {**TINY_GENERATOR, **overrides},
                           context(video))


def tiny_discriminator(video: VideoSpec = TINY_VIDEO, **overrides: Any) -> Any:
    """A seeded tiny `stylegan_v_d` discriminator."""
    torch.manual_seed(0)
    return build_component("discriminator", "stylegan_v_d", {**TINY_DISCRIMINATOR, **overrides},
                           context(video))
