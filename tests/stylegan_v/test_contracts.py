"""Every component of the `stylegan_v` plug-in passes the core contract checks of inrvid.testing."""

from __future__ import annotations

from typing import Any

import pytest

from inrvid.loading.plugins import load_plugins
from inrvid.testing import check_component
from tests.stylegan_v.helpers import TINY_DISCRIMINATOR, TINY_GENERATOR, TINY_VIDEO

SMALL_CONFIGS: dict[tuple[str, str], dict[str, Any]] = {
    ("generator", "stylegan_v"): TINY_GENERATOR,
    ("discriminator", "stylegan_v_d"): TINY_DISCRIMINATOR,
    ("sampler", "stylegan_v_sparse"): {},
    ("loss", "stylegan_v_r1"): {},
}


def plugin_components() -> list[tuple[str, str]]:
    return sorted(
        (registry, component.name)
        for registry, reg in load_plugins().registries.items()
        for component in reg
        if component.origin.entry_point == "stylegan_v"
    )


def test_the_plugin_registers_exactly_the_documented_components() -> None:
    assert plugin_components() == sorted(SMALL_CONFIGS)


@pytest.mark.parametrize(("registry", "name"), sorted(SMALL_CONFIGS))
def test_component_passes_check_component(registry: str, name: str) -> None:
    check_component(registry, name, SMALL_CONFIGS[(registry, name)], video=TINY_VIDEO)
