"""`inrvid study --slurm`: a valid job-array script, one task per run, then `--collect`."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from inrvid.base.files import JsonLines
from inrvid.cli import main
from inrvid.evaluation.study_results import StudyIndex, run_complete
from tests.study.conftest import write_study

pytestmark = pytest.mark.slow


def task(script: Path, index: int | None) -> subprocess.CompletedProcess[str]:
    """Run the script as an array task would, the index set by hand."""
    env = {k: v for k, v in os.environ.items() if k != "SLURM_ARRAY_TASK_ID"}
    if index is not None:
        env["SLURM_ARRAY_TASK_ID"] = str(index)
    return subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=1800)  # seconds under no load; generous for a busy machine


def test_the_slurm_script_runs_one_run_per_array_task_and_collect_aggregates(tmp_path: Path):
    study = write_study(tmp_path, seeds=[0])
    out = tmp_path / "study"
    assert main(["study", str(study), "--out", str(out), "--slurm", "--cpus-per-task", "1",
                 "--sbatch=--partition=debug", "--sbatch=--time=00:30:00"]) == 0
    script = out / "slurm" / "study.sbatch"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    index = StudyIndex.read(out)
    assert len(index.runs) == 2
    assert re.search(r"^#SBATCH --array=0-1$", text, re.M)        # one array task per run
    assert "#SBATCH --cpus-per-task=1\n" in text
    assert "#SBATCH --signal=B:USR1@90" in text and "#SBATCH --requeue" in text
    assert "#SBATCH --partition=debug\n#SBATCH --time=00:30:00\n" in text
    assert not (out / "runs").exists()                             # written, nothing run

    assert task(script, None).returncode != 0                      # outside an array: refused
    for i, run in enumerate(index.runs):
        done = task(script, i)
        assert done.returncode == 0, done.stdout + done.stderr
        for later in index.runs[i + 1:]:                           # one run per task
            assert not (out / later.folder).exists()
        assert run_complete(out / run.folder, index.budget_kimg, prediction=True)
    again = task(script, 0)                                        # a requeued task: no rerun
    assert again.returncode == 0 and "complete already" in again.stderr
    log = JsonLines(out / "status" / "base-seed-0.jsonl").read()
    assert [e["event"] for e in log] == ["start", "trained", "scored", "skip"]

    assert main(["study", str(study), "--out", str(out), "--collect"]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "results" / "table.csv").read_text())))
    assert {(r["metric"], r["variant"]) for r in rows} >= {
        ("swd/swd", "base"), ("swd/swd", "no-dt"), ("prediction/psnr_past_end", "no-dt")}
    assert (out / "results" / "finals.png").is_file()


def test_sbatch_options_that_the_study_sets_itself_are_refused(tmp_path: Path, capsys):
    study = write_study(tmp_path, seeds=[0])
    assert main(["study", str(study), "--out", str(tmp_path / "s"), "--slurm",
                 "--sbatch=--array=0-99"]) == 2
    assert "--array is set by the study" in capsys.readouterr().err
