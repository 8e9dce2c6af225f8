"""The table of a study, as rich, Markdown and CSV.

Per metric and variant: the mean over seeds, its 95 % interval and the difference from the
base with its own interval (Welch). One row per (metric, variant), the base first as the
reference row; then rows of values that need no model (`references`): for in-training
metrics the real-vs-real floor (what a generator matching the data scores), for the
prediction score the frames held from the last fitted one (what a model must beat). A
difference whose interval excludes 0 is marked as separated from the base.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape
from rich.table import Table

from inrvid.components.registry import Registry
from inrvid.evaluation.comparison import format_value, higher_is_better, markdown_line
from inrvid.evaluation.intervals import Interval, difference_interval, mean_interval
from inrvid.evaluation.prediction import PREFIX
from inrvid.evaluation.study_results import IndexedVariant, StudyResults

NONE = "-"
FLOOR = "real data (floor)"
HOLD = "hold last fitted frame"


@dataclass
class StudyRow:
    """One (metric, variant): the per-seed values, their mean interval and the difference."""

    metric: str
    variant: str
    seeds: list[int]
    values: list[float]
    interval: Interval
    difference: Interval | None  # None: the base row, or a reference row
    reference: bool = False  # a value without a model (the floor, the held frame)

    @property
    def separated(self) -> str:
        """`yes` when the difference's interval excludes 0, `no` when not, `-` without one."""
        if self.difference is None or math.isnan(self.difference.low):
            return NONE
        return "yes" if self.difference.excludes_zero() else "no"


@dataclass
class StudyTable:
    """Every row, the direction of each metric, the variants and notes (missing runs)."""

    title: str
    rows: list[StudyRow]
    higher_is_better: dict[str, bool]
    variants: list[IndexedVariant]
    notes: list[str] = field(default_factory=list)

    HEADER = ("metric", "variant", "seeds", "mean", "95% interval", "Δ vs base",
              "Δ 95% interval", "separated")

    def metric_label(self, metric: str) -> str:
        """`swd/swd ↓`: the metric with the direction that is better."""
        return f"{metric} {'↑' if self.higher_is_better.get(metric) else '↓'}"

    def cells(self, row: StudyRow) -> list[str]:
        """The formatted cells of one row."""
        iv, diff = row.interval, row.difference
        return [
            self.metric_label(row.metric),
            row.variant,
            NONE if row.reference else str(len(row.values)),
            format_value(iv.mean),
            _bounds(iv),
            "reference" if diff is None and not row.reference else (
                NONE if diff is None else f"{diff.mean:+.4g}"),
            NONE if diff is None else _bounds(diff, signed=True),
            row.separated,
        ]

    def rich(self) -> Table:
        """A rich table, one section per metric."""
        table = Table(title=escape(self.title), caption=escape(" ".join(self.notes)) or None)
        for column in self.HEADER:
            table.add_column(column, overflow="fold")
        previous = None
        for row in self.rows:
            if previous is not None and row.metric != previous:
                table.add_section()
            previous = row.metric
            table.add_row(*(escape(c) for c in self.cells(row)))
        return table

    def markdown(self) -> str:
        """The variants (what each changes), then the table, then the notes."""
        lines = [markdown_line(["variant", "description", "changes in the base recipe"]),
                 "|---|---|---|"]
        for v in self.variants:
            lines.append(markdown_line([v.name, v.description or NONE,
                                        "<br>".join(v.changes) or "(the base recipe)"]))
        lines += ["", markdown_line(list(self.HEADER)), "|" + "---|" * len(self.HEADER)]
        lines += [markdown_line(self.cells(row)) for row in self.rows]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines) + "\n"

    def csv(self) -> str:
        """CSV with unformatted numbers and each seed's value (`value seed <s>` columns)."""
        seeds = sorted({s for row in self.rows for s in row.seeds})
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["metric", "higher is better", "variant", "seeds", "mean", "low", "high",
                         "difference", "difference low", "difference high", "separated",
                         *(f"value seed {s}" for s in seeds)])
        for row in self.rows:
            iv, diff = row.interval, row.difference
            by_seed = dict(zip(row.seeds, row.values, strict=False))  # references have none
            writer.writerow([
                row.metric, self.higher_is_better.get(row.metric, False), row.variant,
                len(row.values), iv.mean, iv.low, iv.high,
                *(("", "", "") if diff is None else (diff.mean, diff.low, diff.high)),
                row.separated, *(by_seed.get(s, "") for s in seeds),
            ])
        return buffer.getvalue()


def _bounds(interval: Interval, signed: bool = False) -> str:
    if math.isnan(interval.low):
        return NONE
    spec = "+.4g" if signed else ".4g"
    return f"[{interval.low:{spec}}, {interval.high:{spec}}]"


def directions(
    results: StudyResults, keys: list[str], metrics: Registry[Any]
) -> dict[str, bool]:
    """Whether each key improves upwards: prediction PSNR/SSIM do, eval metrics by their class."""
    records = [run.record for run in results.runs]
    return {
        key: key.startswith(f"{PREFIX}/") or higher_is_better(records, key.split("/")[0], metrics)
        for key in keys
    }


def study_table(
    results: StudyResults,
    metrics: Registry[Any],
    references: dict[str, dict[str, float]] | None = None,
    keys: list[str] | None = None,
) -> StudyTable:
    """Build the table of a study's complete runs; `references` adds rows without a model."""
    keys = keys if keys is not None else results.metric_keys()
    base = results.index.base
    rows: list[StudyRow] = []
    for key in keys:
        reference = [r.finals[key] for r in results.of(base) if key in r.finals]
        for variant in results.index.variants:
            runs = [r for r in results.of(variant.name) if key in r.finals]
            if not runs:
                continue
            values = [r.finals[key] for r in runs]
            difference = None
            if variant.name != base and reference:
                difference = difference_interval(values, reference)
            rows.append(StudyRow(key, variant.name, [r.seed for r in runs], values,
                                 mean_interval(values), difference))
        for label, found in (references or {}).items():
            if key in found:
                value = found[key]
                rows.append(StudyRow(key, label, [], [value],
                                     Interval(value, math.nan, math.nan, 1), None, True))
    done, total = len(results.runs), len(results.index.runs)
    notes = [f"{done} of {total} runs complete, budget {results.index.budget_kimg:g} kimg each; "
             "intervals: 95 % Student t over seeds; Δ: Welch."]
    if results.missing:
        notes.append("Not complete (left out): "
                     + ", ".join(f"{m.variant} seed {m.seed}" for m in results.missing) + ".")
    return StudyTable(f"study {results.index.name}", rows, directions(results, keys, metrics),
                      results.index.variants, notes)
