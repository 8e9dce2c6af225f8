"""Messages plug-in authors meet: the naming rule, plurals, articles, option types, lists."""

from __future__ import annotations

import enum
from typing import Literal

import pytest

from inrvid.base import console
from inrvid.cli import main
from inrvid.components.loss import DiscriminatorRoles
from inrvid.components.registry import ComponentLookupError
from inrvid.loading.listing import type_label
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import RecipeError, load_recipe
from tests.conftest import REPO, fixture_entry_point


def test_a_third_party_name_without_the_plugins_prefix_loads_with_a_warning(load_fixture_plugins):
    report = load_fixture_plugins("clash_a", "toy").report
    records = {r.entry_point: r for r in report.records}
    assert records["clash_a"].ok and records["toy"].ok
    (warning,) = records["clash_a"].warnings
    assert warning.startswith(
        "plug-in 'clash_a' (fixture-clash-a): encoder 'shared_name' does not start with the "
        "plug-in's prefix"
    )
    assert "third-party names start with 'clash_a_' or 'fixture_'" in warning
    assert warning.endswith("rename it, e.g. 'clash_a_shared_name'")
    assert records["toy"].warnings == []  # toy_* names carry the entry point's prefix
    assert report.notices() == [warning]
    assert not report.problems()  # a warning, never a failure (not fatal under --strict)


def test_first_party_names_need_no_prefix():
    report = load_plugins().report
    assert [w for r in report.records if r.distribution == "inrvid" for w in r.warnings] == []


def test_an_incompatible_plugin_whose_name_starts_with_a_vowel_gets_an(load_fixture_plugins):
    report = load_plugins(entry_points=[
        fixture_entry_point("probe", "wrong_api", dist="inrvid-probe-bad", version="0.3.0")
    ]).report
    (record,) = report.records
    assert "or install an inrvid-probe-bad release made for 1.x" in record.reason


def test_an_unknown_loss_points_to_the_list_of_losses():
    with pytest.raises(ComponentLookupError) as info:
        load_plugins().registry("loss").get("hinge_losss")
    assert "`inrvid plugins` lists losses" in str(info.value)
    assert "losss" not in str(info.value).replace("hinge_losss", "")


class Mode(enum.Enum):
    FAST = "fast"
    EXACT = "exact"


def test_option_types_show_literal_and_enum_values_optional_and_role_lists():
    assert type_label(Literal["shared", "per_discriminator"]) == (
        "one of 'shared', 'per_discriminator'"
    )
    assert type_label(Mode) == "one of 'fast', 'exact'"
    assert type_label(Literal["n-1", "n"] | None) == "one of 'n-1', 'n' or null"
    assert type_label(DiscriminatorRoles | None) == (
        "list of str naming discriminator roles or null"
    )
    assert type_label(tuple[float, float]) == "list of 2: float, float"


def test_describe_prints_the_allowed_values_of_a_literal_option(capsys, monkeypatch):
    monkeypatch.setattr(console.out, "width", 200)
    assert main(["describe", "metric", "fvd"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "covariance_divisor" in line)
    assert "one of 'n-1', 'n' or null" in row


def test_a_role_list_given_as_one_word_suggests_the_list():
    with pytest.raises(RecipeError) as info:
        load_recipe(REPO / "recipes" / "quickstart.yaml", ["losses.adversarial.roles=image"], plugins=load_plugins())
    (problem,) = info.value.problems
    assert problem.render(with_snippet=False) == (
        "command line argument 1: losses.adversarial.roles=image: losses.adversarial.roles: "
        "expected a list, got 'image'\n  write [image] (a list, even of one item)"
    )
