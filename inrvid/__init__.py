"""inrvid: a plug-in framework for implicit-neural-representation video GANs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inrvid.hookspecs import hookimpl
from inrvid.plugins import Registrar
from inrvid.registry import BuildContext, Component, ComponentConfig, VideoSpec
from inrvid.version import PLUGIN_API, __version__

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
