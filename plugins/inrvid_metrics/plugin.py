"""Entry point `metrics`: FVD, KVD, IS and FID with their feature networks."""

from __future__ import annotations

from inrvid import Registrar, hookimpl

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the metrics."""
