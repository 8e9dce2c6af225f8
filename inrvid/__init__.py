"""inrvid: a plug-in framework for implicit-neural-representation video GANs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inrvid.base.version import PLUGIN_API, __version__
from inrvid.components.hookspecs import hookimpl
from inrvid.components.registry import BuildContext, Component, ComponentConfig, VideoSpec
from inrvid.loading.plugins import Registrar

if TYPE_CHECKING:
    from pathlib import Path

    import torch

    from inrvid.generation.api import VideoModel

__all__ = [
    "PLUGIN_API",
    "BuildContext",
    "Component",
    "ComponentConfig",
    "Registrar",
    "VideoSpec",
    "__version__",
    "hookimpl",
    "load",
]


def load(path: str | Path, device: str | torch.device = "cpu", ema: bool = True) -> VideoModel:
    """Load a run folder or checkpoint as a `VideoModel` (see `inrvid.generation.api`)."""
    from inrvid.generation.api import load as load_model

    return load_model(path, device=device, ema=ema)
