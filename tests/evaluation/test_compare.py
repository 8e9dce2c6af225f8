"""`inrvid compare`: the ablation table, its Markdown/CSV/PNG files and recipe differences."""

from __future__ import annotations

import csv
import io

from inrvid.cli import main
from inrvid.evaluation.runs import MetricCurve, tree_difference


def test_compare_prints_the_table_writes_markdown_csv_png_and_names_each_recipe_difference(
    trained_runs, tmp_path, capsys
):
    md, table_csv, png = tmp_path / "t.md", tmp_path / "t.csv", tmp_path / "t.png"
    status = main(["compare", str(trained_runs["quickstart"]), str(trained_runs["ablation"]),
                   "--markdown", str(md), "--csv", str(table_csv), "--plot", str(png)])
    assert status == 0
    out = capsys.readouterr().out
    assert "quickstart" in out and "quickstart-no-fm" in out

    rows = list(csv.DictReader(io.StringIO(table_csv.read_text(encoding="utf-8"))))
    assert [r["run"].split("/")[0] for r in rows] == ["quickstart", "quickstart-no-fm"]
    base, ablation = rows
    assert base["differs from parent recipe"] == "(none: base recipe)"
    assert ablation["differs from parent recipe"] == (
        "encoder.kind: digan_fourier_xyt → digan_fourier_xyt_no_fm"
    )
    for row in rows:
        assert float(row["kimg"]) == 0.008
        assert row["protocol"].startswith("swd: proxy (fake_videos=4, real_videos=4")
        final, best = float(row["swd/swd final"]), float(row["swd/swd best"])
        assert 0 < best <= final                        # lower is better; best of two evals
        assert float(row["swd/swd best kimg"]) in (0.0, 0.008)
        assert row["swd/swd_motion final"]
        assert "swd/swd_16 final" not in row            # per-level keys only with --all-keys
        assert row["overrides"].startswith("output.dir=")   # the only override not shared

    markdown = md.read_text(encoding="utf-8")
    assert markdown.startswith("| run | differs from parent recipe |")
    assert "encoder.kind: digan_fourier_xyt → digan_fourier_xyt_no_fm" in markdown
    assert "Overrides of every run: " in markdown and "`data.resolution=16`" in markdown
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5000


def test_compare_of_a_folder_holding_runs_finds_them_and_all_keys_adds_per_level_columns(
    trained_runs, tmp_path
):
    table_csv = tmp_path / "all.csv"
    parent = trained_runs["ablation"].parents[1]      # <output.dir>: holds <name>/<time>
    assert main(["compare", str(parent), "--all-keys", "--csv", str(table_csv)]) == 0
    (row,) = list(csv.DictReader(io.StringIO(table_csv.read_text(encoding="utf-8"))))
    assert row["run"].startswith("quickstart-no-fm/")
    assert "swd/swd_16 final" in row and "swd/swd_std final" not in row


def test_compare_of_a_folder_without_runs_names_it_and_what_was_expected(tmp_path, capsys):
    assert main(["compare", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "expected a run folder" in err


def test_unknown_keys_are_refused_with_the_keys_the_runs_logged(trained_runs, capsys):
    assert main(["compare", str(trained_runs["quickstart"]), "--keys", "fvd/fvd"]) == 2
    err = capsys.readouterr().err
    assert "got fvd/fvd" in err and "swd/swd" in err


def test_tree_difference_reports_changes_additions_and_removed_sections_once():
    parent = {"name": "a", "encoder": {"kind": "x", "features": 32},
              "discriminators": {"image": {"kind": "i"}, "motion": {"kind": "m", "c": 1}},
              "augment": [{"kind": "colour"}]}
    child = {"name": "b", "encoder": {"kind": "y", "features": 32, "sigma_t": 1.0},
             "discriminators": {"image": {"kind": "i"}},
             "augment": [{"kind": "translate"}]}
    assert tree_difference(parent, child) == [
        "encoder.kind: x → y",
        "encoder.sigma_t: added 1.0",
        "discriminators.motion: removed",
        "augment.0.kind: colour → translate",
    ]


def test_best_value_follows_the_direction_of_the_metric():
    curve = MetricCurve(kimg=[0.0, 1.0, 2.0], values=[3.0, 1.0, 2.0])
    assert curve.final == 2.0
    assert curve.best(higher_is_better=False) == (1.0, 1.0)
    assert curve.best(higher_is_better=True) == (3.0, 0.0)


def _two_runs():
    from inrvid.evaluation.comparison import Comparison, RunSummary

    protocol = ["swd: proxy (fake_videos=64, real_videos=64, directions=256)"]
    rows = [
        RunSummary("quickstart/2024-05-01T10-00-00", ["(none: base recipe)"],
                   ["output.dir=/tmp/some/runs", "train.duration_kimg=5"], 5.0, protocol,
                   {"swd/swd": (1.25, 1.1, 4.5), "swd/swd_motion": (2.0, 1.5, 3.0)}),
        RunSummary("quickstart-no-fm/2024-05-01T11-00-00",
                   ["encoder.kind: digan_fourier_xyt → digan_fourier_xyt_no_fm"],
                   ["output.dir=/tmp/some/runs", "train.duration_kimg=5"], 5.0, protocol,
                   {"swd/swd": (1.5, 1.3, 4.0), "swd/swd_motion": (2.1, 1.6, 3.5)}),
    ]
    return Comparison(["swd/swd", "swd/swd_motion"], {}, rows, ["data.resolution=16"])


def _printed(monkeypatch, width):
    from rich.console import Console

    from inrvid.base import console
    from inrvid.evaluation.compare_command import print_table

    buffer = io.StringIO()  # not a terminal: a pipe or a log file
    monkeypatch.setattr(console, "out", Console(file=buffer, width=width, highlight=False))
    print_table(_two_runs())
    return buffer.getvalue()


def test_compare_in_an_80_column_pipe_keeps_each_override_on_one_line(monkeypatch):
    out = _printed(monkeypatch, 80)
    assert max(len(line) for line in out.splitlines()) <= 80
    lines = out.splitlines()
    for override in ("output.dir=/tmp/some/runs", "train.duration_kimg=5"):
        assert sum(override in line for line in lines) == 2  # once per run, never folded
    assert "1.25 / 1.1 @4.5" in out and "2.1 / 1.6 @3.5" in out
    # the numbers stay a table; the text columns follow it, one paragraph per run
    assert "overrides" not in lines[1] + lines[2]
    assert "quickstart-no-fm/2024-05-01T11-00-00: differs from parent recipe: encoder.kind:" in out


def test_compare_with_room_prints_one_table_with_the_text_columns(monkeypatch):
    out = _printed(monkeypatch, 250)
    header = next(line for line in out.splitlines() if "overrides" in line)
    assert "differs from parent recipe" in header and "protocol" in header
    assert "quickstart/2024-05-01T10-00-00: differs" not in out
