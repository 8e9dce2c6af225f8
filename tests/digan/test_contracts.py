"""Every component of the `digan` plug-in passes the core contract checks of inrvid.testing."""

from __future__ import annotations

import importlib.metadata as md
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from inrvid.loading.plugins import discover_entry_points, load_plugins
from inrvid.testing import ContractError, build_component, check_component, tiny_context
from tests.conftest import REPO, use_entry_points
from tests.digan.helpers import TINY_DISCRIMINATOR, TINY_ENCODER, TINY_GENERATOR

NO_MOTION = {k: v for k, v in TINY_GENERATOR.items() if k != "motion_dim"}
SMALL_CONFIGS: dict[tuple[str, str], dict[str, Any]] = {
    ("generator", "digan"): TINY_GENERATOR,
    ("generator", "digan_single_scale"): TINY_GENERATOR,
    ("generator", "digan_no_motion"): NO_MOTION,
    ("encoder", "digan_fourier_xyt"): TINY_ENCODER,
    ("encoder", "digan_fourier_xyt_no_fm"): TINY_ENCODER,
    ("discriminator", "digan_image_d"): TINY_DISCRIMINATOR,
    ("discriminator", "digan_motion_d"): TINY_DISCRIMINATOR,
    ("discriminator", "digan_motion_d_no_dt"): TINY_DISCRIMINATOR,
    ("loss", "nonsaturating_logistic"): {},
    ("loss", "r1_penalty"): {},
    ("augment", "diffaug_color"): {},
    ("augment", "diffaug_translation"): {},
}


def digan_components() -> list[tuple[str, str]]:
    return sorted(
        (registry, component.name)
        for registry, reg in load_plugins().registries.items()
        for component in reg
        if component.origin.entry_point == "digan"
    )


def test_the_plugin_registers_exactly_the_documented_components() -> None:
    assert digan_components() == sorted(SMALL_CONFIGS)


@pytest.mark.parametrize(("registry", "name"), sorted(SMALL_CONFIGS))
def test_component_passes_check_component(registry: str, name: str) -> None:
    check_component(registry, name, SMALL_CONFIGS[(registry, name)],
                    encoder=("digan_fourier_xyt", TINY_ENCODER))


@pytest.fixture
def rff_encoder(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example RFF encoder beside the installed plug-ins: from its wheel when installed,
    else from its source folder through an entry point of the same name (a user's clone)."""
    if "example_gaussian_rff" in load_plugins().registry("encoder"):
        yield
        return
    monkeypatch.syspath_prepend(str(REPO / "plugins/examples/inrvid-example-rff/src"))
    rff = md.EntryPoint("example_rff", "inrvid_example_rff.plugin", "inrvid.plugins")
    use_entry_points(monkeypatch, [*discover_entry_points(), rff])
    yield
    for module in [m for m in sys.modules if m.split(".")[0] == "inrvid_example_rff"]:
        del sys.modules[module]  # the example's own tests skip without its wheel; keep it so


@pytest.mark.usefixtures("rff_encoder")
@pytest.mark.parametrize("name", ["digan", "digan_no_motion"])
def test_generator_works_with_the_third_party_gaussian_rff_encoder(name: str) -> None:
    config, encoder = SMALL_CONFIGS[("generator", name)], ("example_gaussian_rff", {"features": 16})
    if name == "digan":
        # DIGAN's motion enters only through its encoder; fixed frequencies ignore z_motion,
        # which the contract check reports as such.
        with pytest.raises(ContractError, match=r"generator\.z-motion"):
            check_component("generator", name, config, encoder=encoder)
        gen = build_component("generator", name, config, tiny_context(encoder=encoder))
    else:
        gen = check_component("generator", name, config, encoder=encoder)
    assert [e.out_features for e in gen.embedders] == [16, 16, 16]
