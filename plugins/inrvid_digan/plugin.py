"""Entry point `digan`: DIGAN's generator, encoder, discriminators, losses and augments."""

from __future__ import annotations

from inrvid import Registrar, hookimpl

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register DIGAN's components and its ablations."""
