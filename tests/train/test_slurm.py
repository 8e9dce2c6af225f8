"""Which run a requeued SLURM job continues, and when a stopped run asks for a requeue."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import torch

from inrvid.base import files
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.runtime import checkpoint as ckpt
from inrvid.train import command, slurm
from inrvid.train.stopping import STOPPED_EXIT, RunStopped

SCONTROL = """#!/bin/sh
echo "$@" >> "{log}"
{fail}
"""


def fake_run(output: Path, stamp: str, job: str | None, checkpoint: bool = True) -> Path:
    """A run folder of the toy recipe with a run-info.json naming `job`, and a checkpoint."""
    run = output / "toy" / stamp
    files.write_json(run / "run-info.json", {slurm.RUN_INFO_KEY: job})
    if checkpoint:
        ckpt.write_payload({"weights": torch.zeros(1)}, ckpt.checkpoint_path(run / "checkpoints", 8))
    return run


@pytest.fixture
def recipe_at(toy_recipe: Path, tmp_path: Path):
    def load(*overrides: str):
        return load_recipe(toy_recipe, [f"output.dir={tmp_path / 'runs'}", *overrides], plugins=load_plugins())

    return load


def test_a_requeued_job_continues_the_newest_run_of_its_own_job_id_that_has_a_checkpoint(
    recipe_at, tmp_path
):
    runs = tmp_path / "runs"
    fake_run(runs, "20250101T000000Z", "41")
    mine = fake_run(runs, "20250102T000000Z", "42")
    fake_run(runs, "20250103T000000Z", "42", checkpoint=False)  # killed before a checkpoint
    fake_run(runs, "20250104T000000Z", None)
    (runs / "toy" / "20250105T000000Z").mkdir()
    (runs / "toy" / "20250105T000000Z" / "run-info.json").write_text("{torn")
    requeued = {"SLURM_JOB_ID": "42", "SLURM_RESTART_COUNT": "2"}
    assert slurm.requeued_run(recipe_at(), requeued) == mine


@pytest.mark.parametrize(
    ("env", "overrides"),
    [
        ({"SLURM_JOB_ID": "42"}, []),  # the job's first start: a new run
        ({"SLURM_JOB_ID": "42", "SLURM_RESTART_COUNT": "0"}, []),
        ({"SLURM_JOB_ID": "43", "SLURM_RESTART_COUNT": "1"}, []),  # another job's run
        ({"SLURM_RESTART_COUNT": "1"}, []),  # not SLURM
        ({"SLURM_JOB_ID": "42", "SLURM_RESTART_COUNT": "1"}, ["output.resume=never"]),
    ],
    ids=["first-start", "restart-0", "other-job", "no-job-id", "resume-never"],
)
def test_a_job_starts_a_new_run_unless_it_is_a_requeue_of_the_job_that_wrote_one(
    recipe_at, tmp_path, env, overrides
):
    fake_run(tmp_path / "runs", "20250102T000000Z", "42")
    assert slurm.requeued_run(recipe_at(*overrides), env) is None


def stop(signum: int, run: Path) -> RunStopped:
    return RunStopped(signum, run, ckpt.checkpoint_path(run / "checkpoints", 8), 2, 8)


@pytest.fixture
def scontrol(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install a stub `scontrol` on PATH that records its arguments (and may fail)."""
    log = tmp_path / "scontrol.log"

    def install(fail: str = "") -> Path:
        stub = tmp_path / "bin" / "scontrol"
        stub.parent.mkdir(exist_ok=True)
        stub.write_text(SCONTROL.format(log=log, fail=fail))
        stub.chmod(0o755)
        monkeypatch.setenv("PATH", f"{stub.parent}:/usr/bin:/bin")
        monkeypatch.setenv("SLURM_JOB_ID", "42")
        monkeypatch.delenv("RANK", raising=False)
        return log

    return install


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_on_sigint_or_sigterm_never_requeues(recipe_at, scontrol, tmp_path, signum,
                                                     capsys):
    log = scontrol()
    assert command._stopped(stop(signum, tmp_path), recipe_at()) == STOPPED_EXIT
    assert not log.exists()  # scancel sends SIGTERM: a cancelled job must not come back
    assert f"continue with: inrvid run --resume {tmp_path}" in capsys.readouterr().err


def test_output_resume_never_keeps_the_job_from_being_requeued(recipe_at, scontrol, tmp_path,
                                                               capsys):
    log = scontrol()
    recipe = recipe_at("output.resume=never")
    assert command._stopped(stop(signal.SIGUSR1, tmp_path), recipe) == STOPPED_EXIT
    assert not log.exists()
    assert "not requeued: output.resume is never" in capsys.readouterr().err


def test_a_refused_requeue_is_reported_with_slurms_words_and_the_manual_resume(
    recipe_at, scontrol, tmp_path, capsys
):
    log = scontrol(fail='echo "Requeue of JobId=42 not allowed" >&2; exit 1')
    assert command._stopped(stop(signal.SIGUSR1, tmp_path), recipe_at()) == STOPPED_EXIT
    assert log.read_text().split() == ["requeue", "42"]
    err = capsys.readouterr().err
    assert "SLURM did not requeue job 42" in err and "Requeue of JobId=42 not allowed" in err
    assert "sbatch --requeue" in err


def test_ranks_other_than_0_print_nothing_and_never_ask_for_a_requeue(
    recipe_at, scontrol, tmp_path, monkeypatch, capsys
):
    log = scontrol()
    monkeypatch.setenv("RANK", "1")
    assert command._stopped(stop(signal.SIGUSR1, tmp_path), recipe_at()) == STOPPED_EXIT
    assert not log.exists() and capsys.readouterr().err == ""
