"""Training speed and CPU cost against torch's thread count, on this machine as it is now.

Usage (the defaults take a few minutes on a 2-core CPU):

    python benchmarks/threads.py                          # quickstart steps at 1..N threads
    python benchmarks/threads.py --threads 1,2,4 --rounds 5

N is the CPUs this process may use (`inrvid.base.threads.available_cpus`: affinity and cgroup
quota), the count `inrvid` picks by default. Each round times `--steps` training steps of the
recipe's `Trainer` (all phases, lazy regularisation, the EMA, as `inrvid run` steps) at every
thread count in turn, so the counts see the same load; the table gives the medians over rounds
of the wall time and of the CPU time (all threads of the process) per step, the CPU time per
wall second, and the machine's load average before and after. On a machine busy with other
work, more threads than the CPUs left free burn CPU time waiting for each other and need not
step faster. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, batch_of_clips, make_trainer

from inrvid.base.threads import available_cpus


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe", nargs="?", default=str(REPO / "recipes" / "quickstart.yaml"))
    parser.add_argument("overrides", nargs="*", help="key=value recipe overrides")
    parser.add_argument("--threads", help="comma-separated counts (default: 1 to the CPUs "
                        "this process may use)")
    parser.add_argument("--steps", type=int, default=4, help="steps per timing")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the thread counts")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cpus = available_cpus()
    counts = ([int(n) for n in args.threads.split(",")] if args.threads
              else list(range(1, cpus + 1)))
    trainer = make_trainer(args.recipe, args.overrides, torch.device("cpu"))
    clips = batch_of_clips(trainer)
    load_before = os.getloadavg()[0]
    torch.set_num_threads(max(counts))
    trainer.step(clips)  # warm-up: allocations, lazy initialisation
    wall: dict[int, list[float]] = {n: [] for n in counts}
    cpu: dict[int, list[float]] = {n: [] for n in counts}
    for _ in range(args.rounds):
        for n in counts:
            torch.set_num_threads(n)
            trainer.step(clips)  # the pool settles at its new size
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(args.steps):
                trainer.step(clips)
            wall[n].append((time.perf_counter() - start_wall) / args.steps)
            cpu[n].append((time.process_time() - start_cpu) / args.steps)
    load_after = os.getloadavg()[0]
    rows = [
        {
            "threads": n,
            "s_per_step": statistics.median(wall[n]),
            "cpu_s_per_step": statistics.median(cpu[n]),
            "cpu_per_wall": statistics.median(c / w for c, w in zip(cpu[n], wall[n], strict=True)),
        }
        for n in counts
    ]
    print(f"recipe {Path(args.recipe).name} {' '.join(args.overrides)}, batch "
          f"{trainer.recipe.train.batch_size}; CPUs this process may use: {cpus} of "
          f"{os.cpu_count()}; load average {load_before:.1f} before, {load_after:.1f} after; "
          f"medians of {args.rounds} rounds of {args.steps} steps")
    print(f"{'threads':>8} {'s/step':>8} {'CPU s/step':>11} {'CPU/wall':>9}")
    for row in rows:
        print(f"{row['threads']:>8} {row['s_per_step']:>8.3f} {row['cpu_s_per_step']:>11.3f} "
              f"{row['cpu_per_wall']:>9.2f}")
    print(json.dumps({"benchmark": "threads", "cpus_available": cpus, "cpu_count": os.cpu_count(),
                      "load_before": load_before, "load_after": load_after,
                      "steps": args.steps, "rounds": args.rounds, "rows": rows}))


if __name__ == "__main__":
    main()
