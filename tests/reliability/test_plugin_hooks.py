"""A plug-in failing in any hook, or exiting at import, is isolated like an import failure (#15)."""

from __future__ import annotations

import pytest
import torch

from inrvid.cli import main
from inrvid.video import open_video, write_video
from tests.conftest import TOY_RECIPE


def record(report, name):
    return next(r for r in report.records if r.entry_point == name)


@pytest.fixture
def toy_file(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_RECIPE)
    return path


def test_a_plugin_calling_sys_exit_at_import_is_a_failed_import_and_commands_still_run(
    load_fixture_plugins, toy_file, capsys
):
    report = load_fixture_plugins("exits_at_import", "toy").report
    bad = record(report, "exits_at_import")
    assert bad.status == "failed: import"
    assert "SystemExit: 7" in bad.reason
    assert main(["plugins"]) == 0
    assert main(["recipe", "validate", str(toy_file)]) == 0
    assert "'exits_at_import'" in capsys.readouterr().err


@pytest.mark.parametrize(("mode", "shown"), [("raise", "RuntimeError"), ("exit", "sys.exit(5)")])
def test_a_plugin_failing_in_add_commands_and_check_recipe_is_skipped_with_a_warning_naming_it(
    load_fixture_plugins, toy_file, capsys, monkeypatch, mode, shown
):
    monkeypatch.setenv("INRVID_FIXTURE_FAIL", mode)
    load_fixture_plugins("fails_in_hooks", "toy")
    assert main(["plugins"]) == 0
    err = capsys.readouterr().err
    assert "'fails_in_hooks'" in err and "failed in inrvid_add_commands" in err and shown in err
    assert main(["recipe", "validate", str(toy_file)]) == 0
    err = capsys.readouterr().err
    assert "failed in inrvid_check_recipe" in err and shown in err


def test_a_plugin_reader_that_raises_falls_back_to_the_core_reader_with_a_warning(
    load_fixture_plugins, tmp_path, capsys
):
    plugins = load_fixture_plugins("fails_in_hooks", "toy")
    clip = tmp_path / "clip.mp4"
    write_video(clip, torch.zeros(4, 3, 16, 16, dtype=torch.uint8), fps=8)
    with open_video(clip, plugins) as reader:
        assert len(reader) == 4
    assert "failed in inrvid_open_video" in capsys.readouterr().err
    with open_video(clip, plugins) as reader:  # not called again: one warning, not one per video
        assert len(reader) == 4
    assert "inrvid_open_video" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--strict-plugins", "recipe", "validate", "TOY"],
        ["recipe", "validate", "TOY", "--strict-plugins"],
        ["recipe", "--strict-plugins", "validate", "TOY"],
    ],
)
def test_strict_plugins_counts_hook_failures_and_works_before_or_after_the_command(
    load_fixture_plugins, toy_file, argv
):
    load_fixture_plugins("fails_in_hooks", "toy")
    argv = [str(toy_file) if a == "TOY" else a for a in argv]
    assert main(argv) == 3
    assert main([a for a in argv if a != "--strict-plugins"]) == 0
