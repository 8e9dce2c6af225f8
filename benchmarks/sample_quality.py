"""How close a run's samples came to its data: SWD at the start and the end vs the real floor.

    python benchmarks/sample_quality.py runs/quickstart/<time> [more run folders]

For each run folder it reads the first and last in-training evaluation of `metrics.jsonl`
and computes the real-vs-real floor of the same metrics on the same protocol: the recipe's
real clips scored against a second, independent sample of real clips (for a dataset with a
content seed, such as `moving_shapes`, the same dataset under the next content seed; else
another draw of clips). A generator that matched the data would score about the floor.
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import eval_lines, real_floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders")
    args = parser.parse_args()
    rows = []
    for run in args.runs:
        records = eval_lines(run)
        if not records:
            raise SystemExit(f"{run}: metrics.jsonl has no evaluation line")
        floor = real_floor(run)
        for key in sorted(k for k in floor if not k.endswith("_std") and k.count("/") == 2
                          and k.rsplit("/", 1)[1] in ("swd", "swd_motion")):
            rows.append({
                "run": str(run), "metric": key.removeprefix("eval/"),
                "kimg_end": records[-1]["kimg"],
                "start": records[0][key], "end": records[-1][key], "real_floor": floor[key],
                "end_over_floor": records[-1][key] / floor[key],
            })
    print(f"{'run':<48} {'metric':<16} {'kimg':>6} {'start':>9} {'end':>9} {'floor':>9} "
          f"{'end/floor':>9}")
    for r in rows:
        print(f"{r['run'][-48:]:<48} {r['metric']:<16} {r['kimg_end']:>6.1f} {r['start']:>9.1f} "
              f"{r['end']:>9.1f} {r['real_floor']:>9.1f} {r['end_over_floor']:>9.2f}")
    print(json.dumps({"benchmark": "sample_quality", "rows": rows}))


if __name__ == "__main__":
    main()
