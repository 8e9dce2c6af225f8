"""The core never imports a plug-in package."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import inrvid

CORE = Path(inrvid.__file__).parent
PLUGIN_PREFIX = "inrvid_"


def core_modules():
    return [
        m.name
        for m in pkgutil.walk_packages([str(CORE)], prefix="inrvid.")
        if m.name != "inrvid.__main__"
    ]


def test_importing_every_core_module_loads_no_plugin_package():
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.startswith({PLUGIN_PREFIX!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_no_core_source_file_imports_a_plugin_package():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [
                f"{path.name}:{node.lineno} {n}"
                for n in names
                if n.split(".")[0].startswith(PLUGIN_PREFIX)
            ]
    assert offenders == []
