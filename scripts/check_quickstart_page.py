"""Run the commands of the Quickstart page as written, in a copy of the repository.

    python scripts/check_quickstart_page.py [--page docs/quickstart.md] [--keep]

Every fenced `bash` block of the page is run line by line, in order, from the root of a fresh
copy of the tracked files (`git ls-files`), with the current environment's `inrvid`. The set-up
lines (`python3 -m venv`, `pip install`, activating the venv) are the environment this script
already runs in, so they are checked for presence, not run again. `<time>` stands for the run
folder the page's own `inrvid run recipes/quickstart.yaml` wrote. Fenced `python` blocks run
with the same substitution. A command that exits non-zero fails the check, naming the line.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
SETUP = re.compile(r"^(python3 -m venv|pip install|\. \.venv/bin/activate)")


def fences(markdown: str) -> list[tuple[str, str]]:
    """The fenced code blocks of a Markdown text: (language, text), in order."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(markdown)]


def blocks(page: Path) -> list[tuple[str, str]]:
    """The fenced code blocks of `page`: (language, text), in order."""
    return fences(page.read_text(encoding="utf-8"))


def commands(text: str) -> list[str]:
    """The commands of a bash block: comments dropped, `&&` chains split, blank lines skipped."""
    out = []
    for line in text.splitlines():
        line = line.split("  #")[0].strip()
        if not line or line.startswith("#"):
            continue
        out.extend(part.strip() for part in line.split("&&"))
    return out


def copy_repository(target: Path) -> None:
    """The tracked files of this checkout (what a fresh clone holds) under `target`."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def run_dir(root: Path) -> Path:
    """The one quickstart run folder under `root/runs/quickstart`."""
    found = sorted((root / "runs" / "quickstart").glob("*/run-info.json"))
    if not found:
        raise SystemExit("the page's `inrvid run recipes/quickstart.yaml` wrote no run folder")
    return found[-1].parent


def main() -> int:
    """Run the page in a copy of the repository; 0 when every command succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", type=Path, default=REPO / "docs" / "quickstart.md")
    parser.add_argument("--keep", action="store_true", help="keep the copy (its path is printed)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="inrvid-quickstart-"))
    copy_repository(root)
    print(f"copy of the repository: {root}", flush=True)
    ran, setup = 0, 0
    try:
        for language, text in blocks(args.page):
            if language == "bash":
                for command in commands(text):
                    if SETUP.match(command):
                        setup += 1
                        continue
                    if "<time>" in command:
                        command = command.replace("runs/quickstart/<time>",
                                                  shlex.quote(str(run_dir(root))))
                    print(f"$ {command}", flush=True)
                    done = subprocess.run(command, shell=True, cwd=root, check=False)
                    if done.returncode != 0:
                        print(f"FAILED ({done.returncode}): {command}", file=sys.stderr)
                        return 1
                    ran += 1
            elif language == "python":
                code = text.replace("runs/quickstart/<time>", str(run_dir(root)))
                print(f">>> python block ({len(code.splitlines())} lines)", flush=True)
                done = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)
                if done.returncode != 0:
                    print("FAILED: the python block", file=sys.stderr)
                    return 1
                ran += 1
        if setup == 0:
            print("FAILED: the page has no set-up commands (venv, pip install)", file=sys.stderr)
            return 1
        print(f"quickstart page: {ran} commands and blocks ran, {setup} set-up lines present")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
