"""Fault injection: every fault class of issue 15, with counts, as one table.

    python scripts/fault_injection.py       # the full run (about an hour on a busy 2-core machine)
    python scripts/fault_injection.py --kills 4 --fuzz 500 --flips 2 --pickles 3 --enospc 2

Kills (SIGKILL at random moments and inside checkpoint writes, log appends and the log
rewrite of `--resume`), full disks (a small tmpfs where `unshare` allows, else injected
ENOSPC), byte flips in checkpoints, hostile pickles, fuzzed recipes (hypothesis), bad
command-line arguments and plug-ins failing at every hook. Trainings are the toy recipe of
the test suite in subprocesses. It prints a Markdown table (fault, trials, survived, data
lost, tracebacks, hangs) and a JSON line, and exits 1 unless every trial survived. The
fault classes live in tests/reliability/faults.py, which the test suite runs at small sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.reliability import faults  # noqa: E402 - after the repository is on the path


def main() -> int:
    """Run the fault classes at the sizes given; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="kill trials (>= 20 for #15)")
    parser.add_argument("--enospc", type=int, default=6, help="disk-full trials")
    parser.add_argument("--flips", type=int, default=6, help="byte-flip trials")
    parser.add_argument("--pickles", type=int, default=6, help="hostile-pickle trials")
    parser.add_argument("--fuzz", type=int, default=10_000, help="fuzzed recipes")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    parser.add_argument("--skip", default="", help="comma-separated classes to leave out: "
                        "kills,enospc,flips,pickles,fuzz,cli,plugins")
    parser.add_argument("--work", help="folder for the trials (default: a temporary one)")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="inrvid-faults-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        in_process = [
            ("fuzz", lambda: faults.fuzz_recipes(args.fuzz, args.seed)),
            ("cli", faults.cli_argument_trials),
            ("plugins", lambda: faults.plugin_hook_trials(work)),
            ("flips", lambda: faults.byte_flip_trials(work, args.flips, args.seed)),
            ("pickles", lambda: faults.hostile_pickle_trials(work, args.pickles)),
        ]
        subprocesses = [
            ("kills", lambda: faults.kill_trials(work, args.kills, args.seed)),
            ("enospc", lambda: faults.enospc_trials(work, args.enospc, args.seed)),
        ]
        order = [name for name, _ in subprocesses + in_process]
        done: dict[str, faults.Tally] = {}

        def record(name: str, tally: faults.Tally) -> None:
            done[name] = tally
            print(f"[{faults.elapsed(start)}] {tally.fault}: {tally.survived}/{tally.trials} "
                  "survived", file=sys.stderr, flush=True)

        if {"kills", "enospc", "flips"} - skip:
            faults.reference(work)  # shared by the trainings below, made once
        # Subprocess trials run in threads beside the in-process ones (signals, chdir) here.
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {name: pool.submit(run) for name, run in subprocesses if name not in skip}
            for name, run in in_process:
                if name not in skip:
                    record(name, run())
            for name, future in futures.items():
                record(name, future.result())
        tallies = [done[name] for name in order if name in done]
    print(faults.table(tallies))
    summary = {
        t.fault: {"trials": t.trials, "survived": t.survived, "data_lost": t.data_lost,
                  "tracebacks": t.tracebacks, "hangs": t.hangs}
        for t in tallies
    }
    print(json.dumps({"fault_injection": summary, "seconds": round(time.monotonic() - start)}))
    return 0 if all(t.survived == t.trials for t in tallies) else 1


if __name__ == "__main__":
    sys.exit(main())
