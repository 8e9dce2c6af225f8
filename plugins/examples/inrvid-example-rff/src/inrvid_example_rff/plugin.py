"""The entry point: the plug-in API version and the hooks; importing it changes nothing."""

from __future__ import annotations

from inrvid import Registrar, hookimpl
from inrvid_example_rff.encoder import GaussianRFF, GaussianRFFConfig

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the encoder."""
    registrar.encoder(
        "example_gaussian_rff",
        GaussianRFFConfig,
        GaussianRFF,
        summary="random Fourier features with fixed Gaussian frequencies",
    )
