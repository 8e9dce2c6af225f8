"""`inrvid --help`, `--version` and `COMMAND --help` answer without torch or any plug-in."""

from __future__ import annotations

import subprocess
import sys

import pytest

from inrvid.cli import CORE_COMMANDS
from tests.conftest import REPO


def imported(*args: str) -> set[str]:
    """The modules `python -X importtime -m inrvid ARGS` imports (it must exit 0)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "inrvid", *args], cwd=REPO,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:")}


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] == "torch" or m.startswith("inrvid_"))


def test_inrvid_help_imports_no_torch_module_and_no_plugin():
    modules = imported("--help")
    assert "inrvid.cli" in modules  # the report is read right
    assert heavy(modules) == []


@pytest.mark.parametrize("args", [["--version"], *[[c.name, "--help"] for c in CORE_COMMANDS]],
                         ids=lambda args: " ".join(args))
def test_version_and_every_command_help_import_no_torch_and_no_plugin(args):
    assert heavy(imported(*args)) == []


def test_a_command_that_runs_still_loads_the_plugins():
    modules = heavy(imported("describe", "loss", "nonsaturating_logistic"))
    assert "torch" in modules and "inrvid_digan.losses" in modules
