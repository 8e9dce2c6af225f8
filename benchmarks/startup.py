"""Start-up of the `inrvid` command line, against `python -c "import torch"`.

Each command runs as a fresh process (`python -m inrvid ...`, what the `inrvid` script runs),
its output discarded; the commands are interleaved round by round, so load on a shared
machine falls on all of them alike, and the table gives the median wall time and CPU time
(user + system, of the process and its children) per command, their ratio to the torch
import, and whether the command imported torch or a plug-in (from `python -X importtime`).
Prints a table and one JSON line:

    python benchmarks/startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

COMMANDS: list[tuple[str, list[str]]] = [
    ('python -c "pass"', [PYTHON, "-c", "pass"]),
    ('python -c "import torch"', [PYTHON, "-c", "import torch"]),
    *[
        (f"inrvid {' '.join(args)}", [PYTHON, "-m", "inrvid", *args])
        for args in (
            ["--help"],
            ["--version"],
            ["run", "--help"],
            ["generate", "--help"],
            ["eval", "--help"],
            ["describe", "--help"],
            ["plugins"],
            ["describe", "generator", "digan"],
            ["recipe", "validate", "recipes/quickstart.yaml"],
        )
    ],
]
BASELINE = 'python -c "import torch"'


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `argv`, output discarded; it must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def imports(argv: list[str]) -> dict[str, bool]:
    """Whether the command imports torch, and a plug-in package (`inrvid_*`)."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], cwd=REPO,
                          capture_output=True, text=True, check=True)
    names = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    return {"torch": "torch" in names,
            "plugins": any(n.split(".")[0].startswith("inrvid_") for n in names)}


def main() -> None:
    """Run every command `--rounds` times, interleaved; print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of each command")
    args = parser.parse_args()
    walls: dict[str, list[float]] = {name: [] for name, _ in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name, _ in COMMANDS}
    for _name, argv in COMMANDS:  # one untimed run each: the file cache warm for all
        timed(argv)
    for _ in range(args.rounds):
        for name, argv in COMMANDS:
            wall, cpu = timed(argv)
            walls[name].append(wall)
            cpus[name].append(cpu)
    loaded = {name: imports(argv) for name, argv in COMMANDS}
    base_wall = statistics.median(walls[BASELINE])
    base_cpu = statistics.median(cpus[BASELINE])
    results = {}
    print(f"start-up, median of {args.rounds} interleaved runs ({os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}); ratios against `{BASELINE}`")
    print(f"{'command':48} {'wall s':>7} {'CPU s':>7} {'CPU/torch':>9} {'torch':>6} "
          f"{'plug-ins':>8}")
    for name, _ in COMMANDS:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        results[name] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                         "cpu_vs_torch": round(cpu / base_cpu, 3), **loaded[name]}
        print(f"{name:48} {wall:7.2f} {cpu:7.2f} {cpu / base_cpu:9.2f} "
              f"{'yes' if loaded[name]['torch'] else 'no':>6} "
              f"{'yes' if loaded[name]['plugins'] else 'no':>8}")
    print(json.dumps({"benchmark": "startup", "rounds": args.rounds,
                      "baseline": BASELINE, "baseline_wall_s": round(base_wall, 3),
                      "baseline_cpu_s": round(base_cpu, 3), "results": results}))


if __name__ == "__main__":
    main()
