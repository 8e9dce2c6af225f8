"""Run the README's set-up and test commands as written, in a fresh copy of the repository.

    python3 scripts/check_readme_setup.py [--append-to-quickstart KEY=VALUE ...]
                                          [--skipped-files FILE] [--max-skips 9] [--keep]

This is what a user does first, and what CI checks before it installs anything else. The
`bash` blocks of the README's "Set-up" section are read from README.md (never copied here):
the first is the set-up command (a fresh `.venv`, torch pinned, `pip install -e ".[dev]"`, the
quickstart), the second the test command. Both run with `bash -c`, exactly as written, from the
root of a copy of the tracked files (`git ls-files`, what a fresh clone holds; it has no
`../shared/data`), with no virtual environment active and `CI` unset, as on a user's machine.
`--append-to-quickstart` appends overrides to the set-up's `inrvid run recipes/quickstart.yaml`
(to shorten it in CI). The test command must pass with at most `--max-skips` skipped tests;
`--skipped-files` writes the test files that skipped, one per line, for a later run with the
example plug-ins installed. Needs only the standard library (it runs before any install).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_quickstart_page import REPO, copy_repository, fences

QUICKSTART = "inrvid run recipes/quickstart.yaml"


def setup_commands(readme: Path) -> tuple[str, str]:
    """The set-up and test commands: the two `bash` blocks of the README's Set-up section."""
    text = readme.read_text(encoding="utf-8")
    section = re.search(r"^## Set-up\n(.*?)(?=^## )", text, re.S | re.M)
    if section is None:
        raise SystemExit(f"{readme}: no '## Set-up' section")
    found = [body.strip() for language, body in fences(section.group(1)) if language == "bash"]
    if len(found) != 2 or any("\n" in command for command in found):
        raise SystemExit(f"{readme}: the Set-up section must hold two one-line bash blocks "
                         f"(the set-up and the test command), found {found}")
    return found[0], found[1]


def user_environment() -> dict[str, str]:
    """This environment as a user's shell has it: no virtual environment active, `CI` unset."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "INRVID_TEST_DATA")}
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if not p.startswith(active))
    return env


def bash(command: str, cwd: Path, env: dict[str, str]) -> int:
    """Run one README command with `bash -c`, echoed first; its exit status."""
    print(f"$ {command}", flush=True)
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, check=False).returncode


def skipped_tests(report: Path) -> tuple[int, int, list[str]]:
    """(tests, skipped, files of the skipped tests) from a JUnit XML report."""
    root = ET.parse(report).getroot()
    cases = list(root.iter("testcase"))
    files = []
    for case in cases:
        if case.find("skipped") is not None:
            files.append(case.get("file") or case.get("classname", "?"))
    return len(cases), len(files), sorted(set(files))


def main() -> int:
    """Run the set-up and test commands in a copy; 0 when both passed within the skips."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--append-to-quickstart", nargs="*", default=[], metavar="KEY=VALUE",
                        help="overrides appended to the set-up's quickstart run")
    parser.add_argument("--max-skips", type=int, default=9)
    parser.add_argument("--skipped-files", type=Path,
                        help="write the files of the skipped tests here, one per line")
    parser.add_argument("--keep", action="store_true", help="keep the copy (its path is printed)")
    args = parser.parse_args()
    setup, test = setup_commands(REPO / "README.md")
    if args.append_to_quickstart:
        if not setup.endswith(QUICKSTART):
            raise SystemExit(f"the set-up command does not end with `{QUICKSTART}`: {setup}")
        setup += " " + " ".join(shlex.quote(o) for o in args.append_to_quickstart)
    root = Path(tempfile.mkdtemp(prefix="inrvid-readme-")) / "inrvid"
    root.mkdir()
    copy_repository(root)
    print(f"copy of the repository: {root}", flush=True)
    env = user_environment()
    try:
        if (status := bash(setup, root, env)) != 0:
            print(f"FAILED ({status}): the README's set-up command", file=sys.stderr)
            return 1
        report = root.parent / "readme-tests.xml"
        # PYTEST_ADDOPTS adds the report and leaves the command as the README writes it
        addopts = f"--junitxml={report} -o junit_family=xunit1"  # xunit1 names each file
        if (status := bash(test, root, {**env, "PYTEST_ADDOPTS": addopts})) != 0:
            print(f"FAILED ({status}): the README's test command", file=sys.stderr)
            return 1
        tests, skipped, files = skipped_tests(report)
        print(f"README's test command: {tests} tests, {skipped} skipped "
              f"(at most {args.max_skips}) in {', '.join(files) or 'no file'}")
        if args.skipped_files:
            args.skipped_files.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
        if skipped > args.max_skips:
            print(f"FAILED: {skipped} tests skipped after the README's install", file=sys.stderr)
            return 1
        return 0
    finally:
        if args.keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
