"""What `inrvid study --collect` and `inrvid compare STUDY_FOLDER` make of a study folder.

The table (`inrvid.evaluation.study_table`), the metric curves of each variant (mean over
seeds, 95 % band) and a bar chart of the final scores, with the values that need no model:
the real-vs-real floor of the in-training metrics and the held-frame score of the prediction
metrics, where they can be computed. `write_report` puts them in `<study>/results/`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from inrvid.base import console, files
from inrvid.base.errors import InrvidError
from inrvid.evaluation.floor import real_floor
from inrvid.evaluation.intervals import mean_interval
from inrvid.evaluation.plot import Bar, Series, plot_bars, plot_series
from inrvid.evaluation.prediction import (
    PREFIX,
    PredictionConfig,
    ground_truth_of,
    hold_last_fitted,
)
from inrvid.evaluation.study_results import PREDICTION, StudyResults, read_study
from inrvid.evaluation.study_table import FLOOR, HOLD, StudyTable, study_table
from inrvid.loading.plugins import Plugins
from inrvid.recipe import Recipe, load_recipe
from inrvid.runtime.build import build_dataset_of

RESULTS = "results"


def _base_recipe(results: StudyResults, plugins: Plugins) -> Recipe | None:
    base = results.of(results.index.base)
    path = base[0].record.path / "recipe.resolved.yaml" if base else None
    return load_recipe(path, plugins=plugins) if path is not None else None


def study_floor(results: StudyResults, plugins: Plugins) -> dict[str, float]:
    """The real-vs-real floor of the base's in-training metrics (empty if it cannot be had)."""
    try:
        recipe = _base_recipe(results, plugins)
        return real_floor(recipe, plugins) if recipe is not None and recipe.metrics else {}
    except InrvidError as exc:  # e.g. the dataset is not on this machine
        console.warn(f"no real-vs-real floor: {exc}")
        return {}


def study_hold(results: StudyResults, plugins: Plugins) -> dict[str, float]:
    """The prediction score of holding the last fitted frame, under the base's settings."""
    base = results.of(results.index.base)
    if not results.index.prediction or not base:
        return {}
    try:
        record = json.loads((base[0].record.path / PREDICTION).read_text(encoding="utf-8"))
        cfg = PredictionConfig.model_validate(record["config"])
        recipe = _base_recipe(results, plugins)
        assert recipe is not None
        dataset = build_dataset_of(recipe, plugins)
        return hold_last_fitted(dataset.video_spec, ground_truth_of(dataset, "data"), cfg)
    except (InrvidError, OSError, ValueError, KeyError) as exc:
        console.warn(f"no held-frame score: {exc}")
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
        if row.reference:
            continue
        iv = row.interval
        panels.setdefault(table.metric_label(row.metric), []).append(
            Bar(row.variant, iv.mean, iv.low, iv.high, reference=row.variant == base,
                points=tuple(row.values)))
    return panels


def collect(
    folder: Path, plugins: Plugins
) -> tuple[StudyResults, StudyTable, dict[str, dict[str, float]]]:
    """Read a study folder, compute the values without a model and build the table."""
    results = read_study(folder)
    in_training = any(not k.startswith(f"{PREFIX}/") for k in results.metric_keys())
    references = {FLOOR: study_floor(results, plugins) if in_training else {},
                  HOLD: study_hold(results, plugins)}
    return results, study_table(results, plugins.registry("metric"), references), references


def write_plots(
    results: StudyResults,
    table: StudyTable,
    references: dict[str, dict[str, float]],
    curves: Path,
    bars: Path,
) -> None:
    """The curves (in-training metrics) and the bar chart of final scores, as PNGs."""
    eval_keys = [k for k in results.metric_keys() if not k.startswith(f"{PREFIX}/")]
    floor = references.get(FLOOR, {})
    plot_series(curve_panels(results, eval_keys), curves, floor)
    lines = {table.metric_label(k): v for found in references.values() for k, v in found.items()}
    plot_bars(bar_panels(table), bars, lines)


def write_report(folder: Path, plugins: Plugins) -> StudyTable:
    """Collect a study and write table.md, table.csv, summary.json, curves.png, finals.png."""
    results, table, references = collect(folder, plugins)
    out = folder / RESULTS
    out.mkdir(parents=True, exist_ok=True)
    files.write_text(out / "table.md", table.markdown())
    files.write_text(out / "table.csv", table.csv())
    files.write_json(out / "summary.json", {
        "study": results.index.name, "budget_kimg": results.index.budget_kimg,
        "complete": len(results.runs), "runs": len(results.index.runs),
        "references": references, "rows": [asdict(row) for row in table.rows],
    })
    if results.runs:
        write_plots(results, table, references, out / "curves.png", out / "finals.png")
    return table
