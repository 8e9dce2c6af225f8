"""`inrvid compare`: the ablation table of several runs, with Markdown, CSV and a PNG plot."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape
from rich.measure import Measurement

from inrvid.base import console, files
from inrvid.evaluation.comparison import Comparison, compare_runs
from inrvid.evaluation.errors import EvalArgumentError
from inrvid.evaluation.plot import plot_curves
from inrvid.evaluation.runs import find_runs, read_run
from inrvid.evaluation.study_report import collect, write_plots
from inrvid.evaluation.study_results import is_study
from inrvid.evaluation.study_table import study_table


def _write(path: str, text: str) -> None:
    files.write_text(Path(path), text)
    console.err.print(f"wrote {escape(path)}")


def print_table(table: Comparison) -> None:
    """Print the table at its natural width when the output is wide enough.

    Else (a narrow terminal, an 80-column pipe) the numbers go in a table and the text
    columns in wrapped lines below it, rather than in cells folded a few characters a line.
    """
    full = table.rich()
    out = console.out
    natural = Measurement.get(out, out.options.update_width(1 << 16), full).maximum
    if natural <= out.width:
        out.print(full)
        return
    out.print(table.rich(compact=True))
    for line in table.details():
        out.print(escape(line))


def run(args: argparse.Namespace) -> int:
    """Read the runs (or a study folder), print the table, write the requested files."""
    studies = [p for p in args.runs if is_study(Path(p).expanduser())]
    if studies:
        if len(args.runs) > 1:
            raise EvalArgumentError(
                f"got the study folder {studies[0]} among {len(args.runs)} paths, expected one "
                "study folder alone, or run folders\n  compare one study at a time"
            )
        return _study(Path(studies[0]).expanduser(), args)
    runs = [read_run(path) for path in find_runs(args.runs)]
    keys: list[str] | None = None
    if args.keys:
        keys = [k.strip() for k in args.keys.split(",") if k.strip()]
        known = {k for r in runs for k in r.curves}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise EvalArgumentError(
                f"--keys: got {', '.join(unknown)}, expected role/key names logged by the runs: "
                f"{', '.join(sorted(known)) or 'none'}\n  pick keys from that list"
            )
    elif args.all_keys:
        keys = list(dict.fromkeys(k for r in runs for k in r.curves if not k.endswith("_std")))
    table = compare_runs(runs, args.plugins.registry("metric"), keys)
    print_table(table)
    if not table.keys:
        console.warn("the runs logged no evaluation (eval/... lines in metrics.jsonl)")
    if args.markdown:
        _write(args.markdown, table.markdown())
    if args.csv:
        _write(args.csv, table.csv())
    if args.plot:
        plot_curves(runs, table.keys, Path(args.plot))
        console.err.print(f"wrote {escape(args.plot)}")
    return 0


def _study(folder: Path, args: argparse.Namespace) -> int:
    """A study folder: the table of means and intervals over seeds, its curves and bars."""
    results, table, references = collect(folder, args.plugins)
    if args.keys:
        keys = [k.strip() for k in args.keys.split(",") if k.strip()]
        unknown = [k for k in keys if k not in results.metric_keys()]
        if unknown:
            raise EvalArgumentError(
                f"--keys: got {', '.join(unknown)}, expected keys the study scored: "
                f"{', '.join(results.metric_keys()) or 'none'}\n  pick keys from that list"
            )
        table = study_table(results, args.plugins.registry("metric"), references, keys)
    console.out.print(table.rich())
    if not results.runs:
        console.warn(f"{folder}: no run of the study is complete yet")
    if args.markdown:
        _write(args.markdown, table.markdown())
    if args.csv:
        _write(args.csv, table.csv())
    if args.plot and results.runs:
        plot = Path(args.plot)
        bars = plot.with_name(f"{plot.stem}-finals{plot.suffix}")
        write_plots(results, table, references, plot, bars)
        console.err.print(f"wrote {escape(str(plot))} and {escape(str(bars))}")
    return 0
