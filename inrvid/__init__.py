"""inrvid: a plug-in framework for implicit-neural-representation video GANs.

The plug-in API (`hookimpl`, `Registrar`, `ComponentConfig`, `BuildContext`, ...) and the
Python API's `load` are imported on first use (PEP 562), so `import inrvid` (which `python -m
inrvid` and the `inrvid` command run first) costs nothing: `inrvid --help` answers without
importing torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from inrvid.base.version import PLUGIN_API, __version__

if TYPE_CHECKING:
    from inrvid.components.markers import hookimpl
    from inrvid.components.registry import BuildContext, Component, ComponentConfig, VideoSpec
    from inrvid.generation.api import load
    from inrvid.loading.registrar import Registrar

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

# Where each name of the API is defined.
_LAZY = {
    "hookimpl": "inrvid.components.markers",
    "BuildContext": "inrvid.components.registry",
    "Component": "inrvid.components.registry",
    "ComponentConfig": "inrvid.components.registry",
    "VideoSpec": "inrvid.components.registry",
    "Registrar": "inrvid.loading.registrar",
    "load": "inrvid.generation.api",  # a run folder or checkpoint as a `VideoModel`
}


def __getattr__(name: str) -> Any:
    """`inrvid.hookimpl`, `inrvid.load` and the other API names, imported when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'inrvid' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
