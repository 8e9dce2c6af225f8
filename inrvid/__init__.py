"""inrvid: a plug-in framework for implicit-neural-representation video GANs.

The plug-in API is imported on first use (PEP 562), so `import inrvid` (which `python -m
inrvid` and the `inrvid` command run first) costs nothing: `inrvid --help` answers without
importing torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from inrvid.base.version import PLUGIN_API, __version__

if TYPE_CHECKING:
    from pathlib import Path

    import torch

    from inrvid.components.hookspecs import hookimpl
    from inrvid.components.registry import BuildContext, Component, ComponentConfig, VideoSpec
    from inrvid.generation.api import VideoModel
    from inrvid.loading.plugins import Registrar

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

# Where each name of the plug-in API is defined.
_LAZY = {
    "hookimpl": "inrvid.components.hookspecs",
    "BuildContext": "inrvid.components.registry",
    "Component": "inrvid.components.registry",
    "ComponentConfig": "inrvid.components.registry",
    "VideoSpec": "inrvid.components.registry",
    "Registrar": "inrvid.loading.plugins",
}


def __getattr__(name: str) -> Any:
    """`inrvid.hookimpl` and the other API names, imported when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'inrvid' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def load(path: str | Path, device: str | torch.device = "cpu", ema: bool = True) -> VideoModel:
    """Load a run folder or checkpoint as a `VideoModel` (see `inrvid.generation.api`)."""
    from inrvid.generation.api import load as load_model

    return load_model(path, device=device, ema=ema)
