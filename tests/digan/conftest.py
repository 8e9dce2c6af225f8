"""Fixtures of the DIGAN plug-in tests."""

from __future__ import annotations

import pytest

from inrvid.plugins import ensure_plugins


@pytest.fixture(autouse=True)
def _installed_plugins() -> None:
    """The installed plug-ins are loaded (other test modules may have swapped them)."""
    ensure_plugins()
