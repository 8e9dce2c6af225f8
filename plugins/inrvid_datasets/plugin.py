"""Entry point `datasets`: video datasets and time samplers."""

from __future__ import annotations

from inrvid import Registrar, hookimpl

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the datasets and time samplers."""
