"""What `inrvid study --collect` and `inrvid compare STUDY_FOLDER` make of a study folder.

The table (`inrvid.evaluation.study_table`), the metric curves of each variant (mean over
seeds, 95 % band) and a bar chart of the final scores, with the real-vs-real floor of the
in-training metrics where it can be computed. `write_report` puts them in `<study>/results/`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from inrvid.base import console, files
from inrvid.base.errors import InrvidError
from inrvid.evaluation.floor import real_floor
from inrvid.evaluation.intervals import mean_interval
from inrvid.evaluation.plot import Bar, Series, plot_bars, plot_series
from inrvid.evaluation.prediction import PREFIX
from inrvid.evaluation.study_results import StudyResults, read_study
from inrvid.evaluation.study_table import FLOOR, StudyTable, study_table
from inrvid.recipe import load_recipe

RESULTS = "results"


def study_floor(results: StudyResults) -> dict[str, float]:
    """The real-vs-real floor of the base's in-training metrics (empty if it cannot be had)."""
    base = results.of(results.index.base)
    if not base:
        return {}
    try:
        recipe = load_recipe(base[0].record.path / "recipe.resolved.yaml")
        return real_floor(recipe) if recipe.metrics else {}
    except InrvidError as exc:  # e.g. the dataset is not on this machine
        console.warn(f"no real-vs-real floor: {exc}")
        return {}


def curve_panels(results: StudyResults, keys: list[str]) -> dict[str, list[Series]]:
    """Per in-training key, each variant's mean curve over seeds with its 95 % band."""
    panels: dict[str, list[Series]] = {}
    for key in keys:
        series = []
        for variant in results.index.variants:
            curves = [r.record.curves[key] for r in results.of(variant.name)
                      if key in r.record.curves]
            if not curves:
                continue
            shared = [k for k in curves[0].kimg if all(k in c.kimg for c in curves)]
            at = [[c.values[c.kimg.index(k)] for c in curves] for k in shared]
            intervals = [mean_interval(values) for values in at]
            series.append(Series(
                variant.name, shared, [i.mean for i in intervals],
                [i.low for i in intervals] if len(curves) > 1 else None,
                [i.high for i in intervals] if len(curves) > 1 else None,
            ))
        if series:
            panels[key] = series
    return panels


def bar_panels(table: StudyTable) -> dict[str, list[Bar]]:
    """Per metric, a bar per variant: the mean over seeds with its interval."""
    panels: dict[str, list[Bar]] = {}
    base = table.variants[0].name if table.variants else ""
    for row in table.rows:
        if row.variant == FLOOR:
            continue
        iv = row.interval
        panels.setdefault(table.metric_label(row.metric), []).append(
            Bar(row.variant, iv.mean, iv.low, iv.high, reference=row.variant == base,
                points=tuple(row.values)))
    return panels


def collect(folder: Path) -> tuple[StudyResults, StudyTable, dict[str, float]]:
    """Read a study folder, compute the floor and build the table."""
    results = read_study(folder)
    floor = study_floor(results) if any(
        not k.startswith(f"{PREFIX}/") for k in results.metric_keys()) else {}
    return results, study_table(results, floor), floor


def write_plots(
    results: StudyResults, table: StudyTable, floor: dict[str, float], curves: Path, bars: Path
) -> None:
    """The curves (in-training metrics) and the bar chart of final scores, as PNGs."""
    eval_keys = [k for k in results.metric_keys() if not k.startswith(f"{PREFIX}/")]
    plot_series(curve_panels(results, eval_keys), curves, floor)
    references = {table.metric_label(k): v for k, v in floor.items()}
    plot_bars(bar_panels(table), bars, references)


def write_report(folder: Path) -> StudyTable:
    """Collect a study and write table.md, table.csv, summary.json, curves.png, finals.png."""
    results, table, floor = collect(folder)
    out = folder / RESULTS
    out.mkdir(parents=True, exist_ok=True)
    files.write_text(out / "table.md", table.markdown())
    files.write_text(out / "table.csv", table.csv())
    files.write_json(out / "summary.json", {
        "study": results.index.name, "budget_kimg": results.index.budget_kimg,
        "complete": len(results.runs), "runs": len(results.index.runs),
        "floor": floor, "rows": [asdict(row) for row in table.rows],
    })
    if results.runs:
        write_plots(results, table, floor, out / "curves.png", out / "finals.png")
    return table
