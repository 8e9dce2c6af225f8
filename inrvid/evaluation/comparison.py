"""The ablation table of `inrvid compare`: one row per run, as rich, Markdown and CSV.

Columns: the run, what its recipe changes in its parent, its own overrides (those shared by
every run are listed once, under the table), images seen, each metric's protocol, then the
final and the best value of every metric key.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape
from rich.table import Table

from inrvid.components.registry import ComponentLookupError, Registry
from inrvid.evaluation.runs import RunRecord, headline_keys, recipe_difference

NONE = "-"


def higher_is_better(runs: list[RunRecord], role: str, metrics: Registry[Any]) -> bool:
    """Whether the metric of `role` improves upwards (e.g. IS), from its registered class."""
    for run in runs:
        kind = run.metric_section(role).get("kind")
        if not kind:
            continue
        try:
            factory = metrics.get(str(kind)).factory
        except ComponentLookupError:
            continue
        return bool(getattr(factory, "higher_is_better", False))
    return False


@dataclass
class RunSummary:
    """One row: the run, its recipe difference and own overrides, and each key's values."""

    label: str
    difference: list[str]
    overrides: list[str]
    kimg: float
    protocols: list[str]
    # role/key -> (final, best, kimg of the best); None when the run never logged the key
    values: dict[str, tuple[float, float, float] | None]


@dataclass
class Comparison:
    """The ablation table: metric keys (with their direction) and one summary per run."""

    keys: list[str]
    higher_is_better: dict[str, bool]
    rows: list[RunSummary]
    common_overrides: list[str] = field(default_factory=list)

    BASE = ("run", "differs from parent recipe", "overrides", "kimg", "protocol")

    def _arrow(self, key: str) -> str:
        return "↑" if self.higher_is_better.get(key.split("/")[0]) else "↓"

    def _base_cells(self, row: RunSummary, joiner: str) -> list[str]:
        return [
            row.label,
            joiner.join(row.difference),
            joiner.join(row.overrides) or NONE,
            f"{row.kimg:g}",
            joiner.join(row.protocols) or NONE,
        ]

    def rich(self, title: str = "inrvid compare", compact: bool = False) -> Table:
        """A rich table, one column per key holding `final / best @ kimg`.

        `compact` leaves out the text columns (recipe difference, overrides, protocol):
        `details()` gives them as lines, for output too narrow to hold them in cells.
        """
        caption = "every run: " + " ".join(self.common_overrides) if self.common_overrides else None
        table = Table(title=title, caption=escape(caption) if caption else None)
        table.add_column(self.BASE[0], no_wrap=True)
        shown = [1, 2, 3, 4] if not compact else [3]
        for index in shown:
            table.add_column(self.BASE[index], overflow="fold")
        for key in self.keys:
            table.add_column(
                f"{escape(key)} {self._arrow(key)}\nfinal / best @kimg", overflow="fold"
            )
        for row in self.rows:
            base = self._base_cells(row, "\n")
            cells = [row.label.replace("/", "\n", 1)]  # name above the run folder
            cells += [base[index] for index in shown]
            for key in self.keys:
                got = row.values.get(key)
                cells.append(
                    f"{format_value(got[0])} / {format_value(got[1])} @{got[2]:g}" if got else NONE
                )
            table.add_row(*(escape(cell) for cell in cells))
        return table

    def details(self) -> list[str]:
        """The text columns of each run as one line (the companion of `rich(compact=True)`)."""
        return [
            f"{row.label}: {self.BASE[1]}: {'; '.join(row.difference)}; {self.BASE[2]}: "
            f"{' '.join(row.overrides) or NONE}; {self.BASE[4]}: "
            f"{'; '.join(row.protocols) or NONE}"
            for row in self.rows
        ]

    def markdown(self) -> str:
        """A GitHub-flavoured Markdown table: final and best (at kimg) columns per key."""
        header = list(self.BASE)
        for key in self.keys:
            header += [f"{key} final", f"{key} best {self._arrow(key)} (kimg)"]
        lines = [markdown_line(header), "|" + "---|" * len(header)]
        for row in self.rows:
            cells = self._base_cells(row, "<br>")
            for key in self.keys:
                got = row.values.get(key)
                cells += (
                    [NONE, NONE]
                    if got is None
                    else [format_value(got[0]), f"{format_value(got[1])} ({got[2]:g})"]
                )
            lines.append(markdown_line(cells))
        if self.common_overrides:
            lines += [
                "",
                "Overrides of every run: " + ", ".join(f"`{o}`" for o in self.common_overrides),
            ]
        return "\n".join(lines) + "\n"

    def csv(self) -> str:
        """CSV: numbers unformatted, `<key> final`, `<key> best`, `<key> best kimg` per key."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        header = [*self.BASE[:4], "protocol"]
        for key in self.keys:
            header += [f"{key} final", f"{key} best", f"{key} best kimg"]
        writer.writerow(header)
        for row in self.rows:
            cells: list[str | float] = [*self._base_cells(row, "; ")]
            cells[3] = row.kimg
            for key in self.keys:
                got = row.values.get(key)
                cells += ["", "", ""] if got is None else list(got)
            writer.writerow(cells)
        return buffer.getvalue()


def format_value(value: float) -> str:
    """A value with 4 significant digits."""
    return f"{value:.4g}"


def markdown_line(cells: list[str]) -> str:
    """One row of a Markdown table (pipes inside cells escaped)."""
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def compare_runs(
    runs: list[RunRecord], metrics: Registry[Any], keys: list[str] | None = None
) -> Comparison:
    """Build the table; `keys` are `role/key` names (default: every headline key found)."""
    found = list(dict.fromkeys(k for run in runs for k in run.curves))
    chosen = keys if keys is not None else headline_keys(found)
    roles = list(dict.fromkeys(k.split("/")[0] for k in chosen))
    shared = [o for o in runs[0].overrides if all(o in r.overrides for r in runs)] if runs else []
    direction = {role: higher_is_better(runs, role, metrics) for role in roles}
    rows = []
    for run in runs:
        values: dict[str, tuple[float, float, float] | None] = {}
        for key in chosen:
            curve = run.curves.get(key)
            if curve is None or not curve.values:
                values[key] = None
                continue
            best, at = curve.best(direction[key.split("/")[0]])
            values[key] = (curve.final, best, at)
        rows.append(
            RunSummary(
                label=run.label,
                difference=recipe_difference(run.info) or ["(none: base recipe)"],
                overrides=[o for o in run.overrides if o not in shared],
                kimg=run.images_seen / 1000,
                protocols=[f"{role}: {run.protocol(role)}" for role in roles],
                values=values,
            )
        )
    return Comparison(chosen, direction, rows, shared)
