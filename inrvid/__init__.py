"""inrvid: a plug-in framework for implicit-neural-representation video GANs."""

from inrvid.plugins import Registrar, hookimpl
from inrvid.registry import BuildContext, Component, ComponentConfig, VideoSpec
from inrvid.version import PLUGIN_API, __version__

__all__ = [
    "PLUGIN_API",
    "BuildContext",
    "Component",
    "ComponentConfig",
    "Registrar",
    "VideoSpec",
    "__version__",
    "hookimpl",
]
