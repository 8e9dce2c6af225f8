"""`inrvid plugin new` writes distributions that keep their contract and train as generated."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inrvid.base.errors import InrvidError
from inrvid.cli import main
from inrvid.loading.plugins import discover_entry_points
from inrvid.scaffold import KINDS, new_plugin
from inrvid.testing import check_component
from tests.conftest import FixtureDistribution, use_entry_points


@pytest.fixture
def scaffolded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every kind written to tmp_path and loaded beside the installed plug-ins (no install)."""
    for kind in KINDS:
        root = new_plugin(f"sc_{kind}", kind, tmp_path)
        monkeypatch.syspath_prepend(str(root / "src"))
    eps = discover_entry_points() + [
        md.EntryPoint(f"sc_{kind}", f"inrvid_sc_{kind}.plugin", "inrvid.plugins")._for(
            FixtureDistribution(f"inrvid-sc-{kind}", "0.1.0"))
        for kind in KINDS
    ]
    report = use_entry_points(monkeypatch, eps).report
    assert [r.status for r in report.records if r.entry_point.startswith("sc_")] == ["ok"] * 8
    yield tmp_path
    for kind in KINDS:
        for module in (f"inrvid_sc_{kind}.plugin", f"inrvid_sc_{kind}.{kind}", f"inrvid_sc_{kind}"):
            sys.modules.pop(module, None)


@pytest.mark.slow
def test_every_kind_keeps_its_contract_and_its_recipe_trains_two_steps(scaffolded: Path) -> None:
    for kind, spec in KINDS.items():
        check_component(kind, f"sc_{kind}_{kind}", json.loads(spec.test_config))
        recipe = scaffolded / f"inrvid-sc-{kind}" / "recipes" / f"sc_{kind}.yaml"
        status = main(["run", str(recipe), "train.duration_kimg=0.016",
                       f"output.dir={scaffolded / 'runs'}", "--progress", "none"])
        assert status == 0, kind
        (run,) = (scaffolded / "runs" / f"sc-{kind}-tiny").iterdir()
        assert list((run / "checkpoints").glob("checkpoint-*.pt")), kind


def test_the_scaffold_refuses_an_existing_folder_and_a_bad_name(tmp_path: Path) -> None:
    new_plugin("demo", "loss", tmp_path)
    with pytest.raises(InrvidError, match="inrvid-demo already exists"):
        new_plugin("demo", "loss", tmp_path)
    with pytest.raises(InrvidError, match=r"plug-in name 'Demo-1': expected lower_snake"):
        new_plugin("Demo-1", "loss", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inrvid-demo"]  # no staging left


def offline_build() -> list[str]:
    """Build with this environment's setuptools (no download), as pip would not by default.

    The generated pyproject asks for setuptools >= 70.1 (wheels without the `wheel` package);
    the `dev` extra installs it, so the suite builds plug-ins without the network.
    """
    return ["--no-build-isolation", "--no-index"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, env=env,
                          timeout=600)


@pytest.mark.slow
def test_a_generated_generator_installs_passes_its_tests_and_trains(tmp_path: Path) -> None:
    python = sys.executable
    made = run(python, "-m", "inrvid", "plugin", "new", "demo", "--kind", "generator",
               cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "inrvid-demo"
    # the install command it prints, run where it was printed (not editable: the installed
    # metadata is what inrvid reads, as for a user's plug-in)
    (printed,) = [x.split()[2:] for x in made.stdout.splitlines() if "pip install" in x]
    assert printed == ["./inrvid-demo"]
    installed = run(python, "-m", "pip", "install", "--no-deps", *offline_build(), "-q",
                    *printed, cwd=tmp_path)
    try:
        assert installed.returncode == 0, installed.stderr
        tested = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests"),
                     cwd=root)
        assert tested.returncode == 0, tested.stdout[-3000:]
        assert "2 passed" in tested.stdout
        trained = run(python, "-m", "inrvid", "run", str(root / "recipes" / "demo.yaml"),
                      "train.duration_kimg=0.016", f"output.dir={tmp_path / 'runs'}",
                      "--progress", "none", cwd=tmp_path)
        assert trained.returncode == 0, trained.stderr[-3000:]
        (run_dir,) = (tmp_path / "runs" / "demo-tiny").iterdir()
        info = json.loads((run_dir / "run-info.json").read_text())
        assert info["components"]["generator"]["distribution"] == "inrvid-demo"  # installed
        demo = [p for p in info["plugins"] if p["entry_point"] == "demo"]
        assert demo == [{"entry_point": "demo", "distribution": "inrvid-demo",
                         "version": "0.1.0", "status": "ok"}]
    finally:
        run(python, "-m", "pip", "uninstall", "-y", "-q", "inrvid-demo", cwd=tmp_path)
    with pytest.raises(md.PackageNotFoundError):
        md.distribution("inrvid-demo")


def test_the_printed_install_command_is_a_path_to_the_created_folder_that_pip_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plugin", "new", "demo", "--kind", "loss"]) == 0  # --dir . (the default)
    (line,) = [x.strip() for x in capsys.readouterr().out.splitlines() if "pip install" in x]
    # `pip install inrvid-demo` would ask the package index for a stranger's project
    assert line == "pip install ./inrvid-demo"
    printed = line.removeprefix("pip install ")
    assert (tmp_path / printed).resolve() == (tmp_path / "inrvid-demo").resolve()
    # the printed path builds as a distribution, offline (no index, no build isolation)
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", *offline_build(), "-q",
                "-w", "dist", printed, cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    assert [p.name for p in (tmp_path / "dist").iterdir()] == [
        "inrvid_demo-0.1.0-py3-none-any.whl"]


def test_a_folder_the_scaffold_cannot_create_its_staging_folder_in_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno
    import tempfile

    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)  # as in a folder of another user
    assert main(["plugin", "new", "demo", "--kind", "loss", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"cannot create {tmp_path / 'inrvid-demo'}/: permission denied" in " ".join(err.split())
    assert "--dir chooses another folder" in " ".join(err.split())
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
