"""Means over seeds with Student t intervals, Welch differences, and the study table."""

from __future__ import annotations

import csv
import io
import math

import pytest

from inrvid.evaluation.intervals import difference_interval, mean_interval
from inrvid.evaluation.runs import MetricCurve, RunRecord
from inrvid.evaluation.study_results import (
    IndexedRun,
    IndexedVariant,
    StudyIndex,
    StudyResults,
    StudyRun,
)
from inrvid.evaluation.study_table import FLOOR, HOLD, study_table

T_975_2 = 4.302652729911275  # Student t quantile 0.975 with 2 degrees of freedom (tables)
T_975_1 = 12.706204736174707  # ... with 1


def test_the_interval_of_a_mean_is_t_times_the_standard_error():
    iv = mean_interval([1.0, 2.0, 3.0])                  # mean 2, sample sd 1
    assert iv.mean == 2.0 and iv.n == 3
    assert iv.half_width == pytest.approx(T_975_2 / math.sqrt(3))
    two = mean_interval([10.0, 12.0])                    # sd sqrt(2), se 1
    assert (two.low, two.high) == pytest.approx((11 - T_975_1, 11 + T_975_1))
    one = mean_interval([5.0])
    assert one.mean == 5.0 and math.isnan(one.low) and math.isnan(one.high)


def test_welch_difference_of_means_with_equal_variances_and_sizes():
    a, b = [4.0, 5.0, 6.0], [1.0, 2.0, 3.0]
    diff = difference_interval(a, b)
    # equal sizes and variances: df = 2 (n - 1) = 4, se = sqrt(1/3 + 1/3)
    half = 2.7764451051977987 * math.sqrt(2 / 3)       # t(0.975, 4)
    assert diff.mean == 3.0
    assert (diff.low, diff.high) == pytest.approx((3 - half, 3 + half))
    assert diff.excludes_zero()
    assert not difference_interval([1.0, 5.0], [2.0, 4.0]).excludes_zero()
    assert math.isnan(difference_interval([1.0], [2.0, 3.0]).low)


def results(values: dict[str, list[float]]) -> StudyResults:
    """A study whose runs logged one final `swd/swd` each (variant -> one value per seed)."""
    variants = [IndexedVariant(name) for name in values]
    runs, indexed = [], []
    for name, per_seed in values.items():
        for seed, value in enumerate(per_seed):
            record = RunRecord(path=None, name=name, info={}, resolved={}, images_seen=1000,  # type: ignore[arg-type]
                               curves={"swd/swd": MetricCurve([0.0, 1.0], [9.0, value])})
            runs.append(StudyRun(name, seed, record, {"swd/swd": value}))
            indexed.append(IndexedRun(len(indexed), name, seed, f"runs/{name}/seed-{seed}"))
    index = StudyIndex("s", "s.yaml", "", 1.0, [0, 1, 2], False, variants, indexed)
    return StudyResults(None, index, runs, [])  # type: ignore[arg-type]


def test_the_study_table_has_the_base_as_reference_each_difference_and_the_floor(plugins):
    table = study_table(results({"base": [1.0, 2.0, 3.0], "worse": [4.0, 5.0, 6.0]}),
                        plugins.registry("metric"), references={FLOOR: {"swd/swd": 0.5}, HOLD: {"prediction/x": 1.0}})
    base, worse, floor = table.rows                      # HOLD has no value for swd/swd
    assert (base.variant, worse.variant, floor.variant) == ("base", "worse", FLOOR)
    assert floor.reference and not base.reference and table.cells(floor)[2] == "-"
    assert base.difference is None and worse.difference is not None
    assert worse.difference.mean == 3.0 and worse.separated == "yes"
    assert table.cells(base)[5] == "reference" and table.cells(worse)[5] == "+3"
    assert table.metric_label("swd/swd") == "swd/swd ↓"
    rows = list(csv.DictReader(io.StringIO(table.csv())))
    assert [r["variant"] for r in rows] == ["base", "worse", FLOOR]
    assert float(rows[1]["low"]) == pytest.approx(5 - T_975_2 / math.sqrt(3))
    assert rows[1]["value seed 2"] == "6.0" and rows[2]["mean"] == "0.5"
    markdown = table.markdown()
    assert "| swd/swd ↓ | worse | 3 | 5 | [2.516, 7.484] | +3 | " in markdown
    assert "3 of 3 runs complete" not in markdown and "6 of 6 runs complete" in markdown
