"""`inrvid study --jobs 2` killed midway and rerun: every run complete and exact, none twice."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inrvid.base.files import JsonLines
from inrvid.cli import main
from inrvid.evaluation.study_results import PREDICTION, StudyIndex, images_trained, run_complete
from tests.study.conftest import write_study

pytestmark = pytest.mark.slow
TIMING = ("s_per_kimg",)  # wall-clock figures differ between any two runs


def metrics(run: Path) -> list[dict[str, object]]:
    """metrics.jsonl without its timing fields."""
    return [{k: v for k, v in r.items() if k not in TIMING}
            for r in JsonLines(run / "metrics.jsonl").read()]


def kill_midway(study: Path, folder: Path, budget_images: int) -> dict[tuple[str, int], int]:
    """Start the study in its own process group; SIGKILL the group once a run is half-trained.

    Returns the images each run had checkpointed at the kill (the budget: complete).
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "inrvid", "study", str(study), "--out", str(folder),
         "--jobs", "2"], start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            runs = list((folder / "runs").glob("*/seed-*"))
            if any(0 < images_trained(run) < budget_images for run in runs):
                break
            assert process.poll() is None, "the study ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("no run reached its first checkpoint in 10 minutes")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    index = StudyIndex.read(folder)
    return {(r.variant, r.seed): images_trained(folder / r.folder) for r in index.runs}


def test_a_killed_study_reruns_to_the_results_of_an_uninterrupted_one_and_runs_none_twice(
    tmp_path: Path,
):
    study = write_study(tmp_path)
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    assert main(["study", str(study), "--out", str(reference), "--jobs", "2"]) == 0
    at_kill = kill_midway(study, killed, budget_images=64)
    assert main(["study", str(study), "--out", str(killed), "--jobs", "2"]) == 0

    index = StudyIndex.read(killed)
    assert [(r.variant, r.seed) for r in index.runs] == [
        ("base", 0), ("no-dt", 0), ("base", 1), ("no-dt", 1)]
    resumed = 0
    for run in index.runs:
        here, there = killed / run.folder, reference / run.folder
        assert run_complete(here, index.budget_kimg, prediction=True), run
        assert metrics(here) == metrics(there), f"{run}: not the uninterrupted run's metrics"
        ours = json.loads((here / PREDICTION).read_text())["values"]
        assert ours == json.loads((there / PREDICTION).read_text())["values"]
        # what a checkpoint kept is never trained again: every run is trained to its budget
        # and scored once; one killed after a checkpoint resumes from it; only a run killed
        # before its first checkpoint starts from nothing again (nothing of it was kept)
        log = JsonLines(killed / "status" / f"{run.variant}-seed-{run.seed}.jsonl").read()
        done = [e["event"] for e in log]
        assert done.count("trained") == 1 and done.count("scored") == 1, done
        kept = at_kill[(run.variant, run.seed)]
        if 0 < kept < 64:
            assert done.count("start") == 1, done
            assert [e["images_seen"] for e in log if e["event"] == "resume"] == [kept], done
            resumed += 1
        elif kept >= 64:
            assert done.count("start") == 1 and "resume" not in done, done
        else:
            assert "resume" not in done, done
    assert resumed >= 1, "the kill interrupted no run mid-training"

    rows = list(csv.DictReader(io.StringIO((killed / "results" / "table.csv").read_text())))
    by = {(r["metric"], r["variant"]): r for r in rows}
    for key in ("swd/swd", "prediction/psnr_extrapolated", "prediction/ssim_past_end"):
        for variant in ("base", "no-dt"):
            row = by[(key, variant)]
            assert row["seeds"] == "2"
            low, mean, high = float(row["low"]), float(row["mean"]), float(row["high"])
            assert math.isfinite(low) and low <= mean <= high
        assert by[(key, "no-dt")]["difference"] != ""       # its difference from the base
    assert (killed / "results" / "curves.png").stat().st_size > 5000
    assert (killed / "results" / "finals.png").stat().st_size > 5000
