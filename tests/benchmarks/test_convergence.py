"""benchmarks/convergence.py without training: points, stretches, ratios, records, outputs."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
import torch

from tests.conftest import REPO

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def load(name: str) -> ModuleType:
    """A benchmark script as a module; its folder on the path, as the scripts put it."""
    if str(REPO / "benchmarks") not in sys.path:
        sys.path.insert(0, str(REPO / "benchmarks"))
    return importlib.import_module(name)


report = load("convergence_report")
convergence = load("convergence")


def fake_results(points: list[tuple[float, float, float, float]]) -> dict:
    """Results of a finished benchmark: (kimg, train minutes, frame SWD, motion SWD) per point."""
    floor = {"swd": 80.0, "swd_motion": 40.0}
    return {
        "recipe": "recipes/stylegan_v_tiny.yaml", "overrides": ["data.shapes=1"],
        "metric": "swd", "budget_minutes": 60.0, "floor": floor, "stopped": "budget spent",
        "machine": {"cpu_count": 2, "cpus_usable": 2, "torch_threads": 1},
        "sessions": [{"load_start": [5.0, 4.0, 3.0], "load_end": None},
                     {"load_start": [2.5, 2.0, 1.0], "load_end": [3.25, 2.0, 1.0]}],
        "points": [
            report.with_ratios({"kimg": k, "images_seen": round(k * 1000), "train_minutes": m,
                                "wall_minutes": m + 1, "load_1min": 2.0, "reason": "point",
                                "swd": f, "swd_motion": mo}, floor)
            for k, m, f, mo in points
        ],
    }


def test_default_points_grow_by_about_root_two_from_one_kimg():
    assert report.geometric_points(50) == [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48]


def test_points_become_sorted_distinct_image_counts_and_non_positive_ones_are_refused():
    assert report.point_images([2, 0.5, 2.0, 1.008]) == [500, 1008, 2000]
    with pytest.raises(ValueError, match="--points-kimg: got 0"):
        report.point_images([1, 0])


def stretch(images: int, train_minutes: float, s_per_kimg: float | None,
            budget: float | None = 60.0) -> tuple:
    return report.next_segment([1000, 2000, 4000], images, batch=16, train_minutes=train_minutes,
                               budget_minutes=budget, s_per_kimg=s_per_kimg)


def test_next_stretch_ends_at_the_next_point_while_the_budget_allows_it():
    assert stretch(0, 0.0, None) == (report.Segment(1000, "point"), "")
    assert stretch(1008, 10.0, 300.0) == (report.Segment(2000, "point"), "")
    assert stretch(2000, 50.0, 300.0) == (report.Segment(4000, "point"), "")   # exactly 10 min
    assert stretch(2000, 0.0, 300.0, budget=None) == (report.Segment(4000, "point"), "")


def test_a_point_past_the_budget_becomes_a_last_stretch_of_whole_batches_ending_at_it():
    # 10 minutes left at 400 s/kimg: 1.5 kimg, 1488 images in whole batches of 16
    assert stretch(2000, 50.0, 400.0) == (report.Segment(3488, "budget"), "")


def test_the_benchmark_stops_when_the_points_or_the_budget_run_out():
    assert stretch(4000, 10.0, 300.0) == (None, "points done")
    assert stretch(2000, 59.0, 300.0) == (None, "budget spent")     # under 2 % of the budget left
    assert stretch(2000, 58.0, 1e6) == (None, "budget spent")       # not one batch fits


def test_ratios_divide_each_swd_by_its_real_floor():
    point = report.with_ratios({"swd": 120.0, "swd_motion": 100.0},
                               {"swd": 80.0, "swd_motion": 40.0})
    assert point["swd_over_floor"] == pytest.approx(1.5)
    assert point["swd_motion_over_floor"] == pytest.approx(2.5)
    with pytest.raises(ValueError, match="real floor of swd_motion"):
        report.with_ratios({"swd": 1.0, "swd_motion": 1.0}, {"swd": 1.0, "swd_motion": 0.0})


def test_table_lists_every_point_with_its_ratios_the_floor_and_the_load_of_each_session():
    results = fake_results([(0.0, 0.0, 1600.0, 400.0), (4.0, 1.5, 160.0, 100.0)])
    text = report.table(results)
    assert "real floor: frames 80.0, motion 40.0" in text
    assert "budget 60 min of training" in text
    row = next(line for line in text.splitlines() if line.lstrip().startswith("4.000"))
    assert row.split()[:7] == ["4.000", "1.50", "2.50", "160.0", "2.00", "100.0", "2.50"]
    assert "5.00→(stopped), 2.50→3.25" in text
    assert "stopped: budget spent" in text
    assert report.best(results["points"], "swd_motion")["kimg"] == 4.0


def test_plot_writes_a_png_and_leaves_no_temporary_file(tmp_path: Path):
    results = fake_results([(0.0, 0.0, 1600.0, 400.0), (1.0, 0.3, 300.0, 200.0),
                            (2.0, 0.6, 120.0, 90.0)])
    path = report.plot_curves(results, tmp_path / "curves.png")
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]


def test_grid_shows_a_row_per_video_and_evenly_spread_frames_first_and_last_included():
    frames = torch.arange(16, dtype=torch.uint8).view(1, 16, 1, 1, 1).expand(4, 16, 3, 8, 8)
    image = report.videos_by_frames(frames.contiguous(), rows=2, columns=4)
    assert image.shape == (3, 2 * 12, 4 * 12)                         # 8 px cells, 2 px padding
    cells = image[0, 2::12, 2::12]                                    # top-left pixel of each cell
    assert cells.tolist() == [[0, 5, 10, 15], [0, 5, 10, 15]]


def test_grid_image_is_a_png_of_generated_beside_real(tmp_path: Path):
    videos = torch.randint(0, 256, (4, 16, 3, 32, 32), dtype=torch.uint8)
    path = report.grid_image(tmp_path / "grid.png", videos, videos.flip(0), title="generated")
    assert path.read_bytes().startswith(PNG_MAGIC)


def write_lines(run: Path, records: list[dict]) -> None:
    run.mkdir(parents=True, exist_ok=True)
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def test_a_point_is_read_from_the_runs_log_and_its_stretch_time_added(tmp_path: Path):
    write_lines(tmp_path, [
        {"kimg": 2.0, "images_seen": 2000, "s_per_kimg": 999.0},
        {"kimg": 4.0, "images_seen": 4000, "step": 250, "s_per_kimg": 30.0},
        {"kimg": 4.0, "images_seen": 4000, "step": 250, "eval/swd/swd": 160.0,
         "eval/swd/swd_motion": 60.0},
    ])
    results = {"metric": "swd", "floor": {"swd": 80.0, "swd_motion": 40.0},
               "points": [{"images_seen": 2000, "train_minutes": 5.0}]}
    point = convergence.score(tmp_path, 4000, [2000], "point", results, wall_minutes=9.0)
    assert point["train_minutes"] == pytest.approx(5.0 + 30.0 * 2 / 60)   # 2 kimg at 30 s/kimg
    assert point["s_per_kimg"] == pytest.approx(30.0)
    assert (point["swd_over_floor"], point["swd_motion_over_floor"]) == (2.0, 1.5)
    assert (point["kimg"], point["step"], point["wall_minutes"]) == (4.0, 250, 9.0)
    assert convergence.has_evaluation(tmp_path, 4000, "swd")
    assert not convergence.has_evaluation(tmp_path, 2000, "swd")
    with pytest.raises(SystemExit, match="no eval/swd/swd line at 3000 images"):
        convergence.score(tmp_path, 3000, [2000], "point", results, wall_minutes=9.0)


def test_a_stretch_stopped_and_resumed_is_timed_part_by_part_at_each_processs_rate():
    lines = [
        {"images_seen": 1000, "s_per_kimg": 999.0},             # before the stretch
        {"images_seen": 1500, "s_per_kimg": 60.0},
        {"images_seen": 2000, "s_per_kimg": 50.0},              # last line before the stop
        {"images_seen": 3000, "s_per_kimg": 40.0},              # the resumed process
        {"images_seen": 4000, "s_per_kimg": 30.0},
    ]
    # 1000 -> 2048 at 50 s/kimg, then 2048 -> 4000 at 30 s/kimg
    minutes = report.stretch_minutes(lines, [1000, 2048], 4000)
    assert minutes == pytest.approx((50 * 1.048 + 30 * 1.952) / 60)
    assert report.stretch_minutes(lines, [2000], 4000) == pytest.approx(30 * 2 / 60)


def test_a_part_stopped_before_its_first_line_takes_the_rate_of_the_part_after():
    lines = [{"images_seen": 3000, "s_per_kimg": 40.0}, {"images_seen": 4000, "s_per_kimg": 30.0}]
    assert report.stretch_minutes(lines, [1000, 1200], 4000) == pytest.approx(30 * 3 / 60)
    with pytest.raises(ValueError, match="no s_per_kimg line between 4000 and 5000 images"):
        report.stretch_minutes(lines, [1000, 4000], 5000)


def test_the_run_to_continue_is_the_newest_folder_with_a_checkpoint(tmp_path: Path):
    for stamp, with_checkpoint in (("20260101T000000Z", True), ("20260102T000000Z", True),
                                   ("20260103T000000Z", False)):
        folder = tmp_path / "runs" / "tiny" / stamp / "checkpoints"
        folder.mkdir(parents=True)
        if with_checkpoint:
            (folder / "checkpoint-000000016.pt").write_bytes(b"")
    assert convergence.find_run(tmp_path).name == "20260102T000000Z"
    assert convergence.find_run(tmp_path / "elsewhere") is None


def test_overrides_of_what_the_benchmark_sets_itself_are_refused(capsys):
    with pytest.raises(SystemExit):
        convergence.parse_args(["r.yaml", "train.duration_kimg=5", "--budget-minutes", "1",
                                "--out", "x"])
    assert "sets train.duration_kimg itself" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        convergence.parse_args(["r.yaml", "--out", "x"])
    assert "give --budget-minutes, --points-kimg, or both" in capsys.readouterr().err


def test_the_recipe_must_have_one_swd_metric_or_name_it():
    def recipe(**metrics: str) -> SimpleNamespace:
        return SimpleNamespace(eval=SimpleNamespace(
            metrics={role: {"kind": kind} for role, kind in metrics.items()}))

    assert convergence.swd_metric(recipe(fvd="fvd", quality="swd"), None, "r.yaml") == "quality"
    assert convergence.swd_metric(recipe(a="swd", b="swd"), "b", "r.yaml") == "b"
    with pytest.raises(SystemExit, match=r"r\.yaml: eval\.metrics: got 0 swd metrics \[\]"):
        convergence.swd_metric(recipe(fvd="fvd"), None, "r.yaml")
    with pytest.raises(SystemExit, match="got 2 swd metrics"):
        convergence.swd_metric(recipe(a="swd", b="swd"), None, "r.yaml")
    with pytest.raises(SystemExit, match=r"eval\.metrics\.fvd: not an swd metric"):
        convergence.swd_metric(recipe(fvd="fvd", a="swd"), "fvd", "r.yaml")
