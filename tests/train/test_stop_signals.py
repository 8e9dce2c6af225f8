"""A run stopped by SIGINT, SIGTERM or SIGUSR1 checkpoints the step it reached and resumes
to the uninterrupted run's losses; a second Ctrl-C quits at once; SLURM requeues the job.

Every training is `inrvid run` in a subprocess of its own session (the toy plug-in loaded by
hand), signalled as a terminal or SLURM signals it: the whole process group, DataLoader
worker included.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inrvid.runtime import checkpoint as ckpt
from inrvid.train.stopping import REPEAT_WINDOW_S, STOPPED_EXIT
from tests.conftest import REPO, TOY_RECIPE
from tests.reliability.faults import checkpoints, loss_records, run_dirs

pytestmark = pytest.mark.slow

STEPS = 48  # batch 4: 0.192 kimg; slow steps leave the test 9 s to signal before the end
TRAIN = (
    "train: {batch_size: 4, duration_kimg: 0.192, log_every_kimg: 0.004, "
    "checkpoint_every_kimg: 0.016, sample_every_kimg: 1000, num_workers: 1, sample_frames: 2, "
    "sample_videos: 1}\n"
)
RECIPE = TOY_RECIPE.replace("train: {batch_size: 4, duration_kimg: 0.004}\n", TRAIN)
assert RECIPE != TOY_RECIPE, "tests/conftest.py's TOY_RECIPE changed its train line"

# The child: optional slow steps (so a signal lands mid-run), an optional second Ctrl-C sent
# while the stop's checkpoint is being written, the toy plug-in, then the real CLI.
CHILD = """
import os, signal, sys, time
sys.path.insert(0, {repo!r})
if os.environ.get("PID_DIR"):
    with open(os.path.join(os.environ["PID_DIR"], "rank" + os.environ.get("RANK", "0")), "w") as f:
        f.write(str(os.getpid()))
delay = float(os.environ.get("STEP_DELAY_S", "0"))
if delay:
    from inrvid.train.loop import Trainer
    step = Trainer.step
    def slow_step(self, *args, **kwargs):
        time.sleep(delay)
        return step(self, *args, **kwargs)
    Trainer.step = slow_step
if os.environ.get("SECOND_SIGINT_IN_SAVE"):
    from inrvid.train import stopping
    seen = []
    handle = stopping.StopRequest._handle
    def recording(self, signum, frame):
        seen.append(signum)
        handle(self, signum, frame)
    stopping.StopRequest._handle = recording
    real_fsync = os.fsync
    def fsync(fd):
        if seen and ".checkpoint-" in os.readlink(f"/proc/self/fd/{{fd}}"):
            print("second SIGINT during the save", file=sys.stderr, flush=True)
            time.sleep(float(os.environ["SECOND_SIGINT_IN_SAVE"]))
            os.kill(os.getpid(), signal.SIGINT)
        real_fsync(fd)
    os.fsync = fsync
from tests.conftest import fixture_entry_point, install_entry_points
install_entry_points([fixture_entry_point("toy")])
from inrvid.cli import main
status = main(sys.argv[1:])
if os.environ.get("PID_DIR"):
    with open(os.path.join(os.environ["PID_DIR"], "status" + os.environ.get("RANK", "0")), "w") as f:
        f.write(str(status))
sys.exit(status)
"""


def write_recipe(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "toy.yaml"
    path.write_text(RECIPE + f"output: {{dir: {folder / 'runs'}}}\n")
    return path


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    return {**env, "OMP_NUM_THREADS": "1", "INRVID_PROGRESS": "none", **extra}


def start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", CHILD.format(repo=str(REPO)), *argv]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def finish(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def cli(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    return finish(start(argv, env))


def steps_logged(folder: Path) -> int:
    runs = run_dirs(folder)
    return len(loss_records(runs[0])) if runs and (runs[0] / "metrics.jsonl").exists() else 0


def signal_after(proc: subprocess.Popen[str], folder: Path, steps: int, signum: int) -> None:
    """Signal the child's process group (as a terminal or SLURM does) after `steps` steps."""
    deadline = time.monotonic() + 180
    while steps_logged(folder) < steps:
        assert proc.poll() is None, f"the run ended before step {steps}: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "the run did not reach the step"
        time.sleep(0.02)
    os.killpg(proc.pid, signum)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    folder = tmp_path_factory.mktemp("uninterrupted")
    code, err = cli(["run", str(write_recipe(folder))], environment())
    assert code == 0, err
    records = loss_records(run_dirs(folder)[0])
    assert len(records) == STEPS
    return records


def stopped_run(
    folder: Path, signum: int, env: dict[str, str], after: int = 3
) -> tuple[int, str, Path]:
    """Train with slow steps, signal after step `after`; the exit status, stderr, run folder."""
    proc = start(["run", str(write_recipe(folder))], {**env, "STEP_DELAY_S": "0.2"})
    signal_after(proc, folder, after, signum)
    code, err = finish(proc)
    (run,) = run_dirs(folder)
    return code, err, run


def assert_checkpoint_at_the_step_reached(run: Path) -> None:
    reached = loss_records(run)[-1]["images_seen"]
    assert reached < STEPS * 4, "the signal did not stop the run"
    newest = checkpoints(run)[-1]
    assert newest == ckpt.checkpoint_path(run / "checkpoints", reached)
    assert ckpt.load(newest).images_seen == reached


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGUSR1],
                         ids=["SIGINT", "SIGTERM", "SIGUSR1"])
def test_a_signal_stops_the_run_with_a_checkpoint_and_resume_repeats_the_uninterrupted_run(
    signum, uninterrupted, tmp_path
):
    code, err, run = stopped_run(tmp_path, signum, environment())
    assert code == STOPPED_EXIT, err
    assert f"stopped on {signal.Signals(signum).name} after step" in err
    assert f"continue with: inrvid run --resume {run}" in err
    assert "Traceback" not in err
    assert_checkpoint_at_the_step_reached(run)

    code, err = cli(["run", "--resume", str(run)], environment())
    assert code == 0, err
    assert loss_records(run) == uninterrupted


def test_a_second_ctrl_c_during_the_save_quits_at_once_and_the_previous_checkpoint_stays_whole(
    tmp_path,
):
    env = environment(SECOND_SIGINT_IN_SAVE=str(REPEAT_WINDOW_S + 0.3))
    code, err, run = stopped_run(tmp_path, signal.SIGINT, env, after=5)
    assert "second SIGINT during the save" in err
    assert code == 130 and "interrupted" in err, err
    reached = loss_records(run)[-1]["images_seen"]
    kept = checkpoints(run)
    assert kept, "no periodic checkpoint was written before the stop"
    assert all(ckpt.load(path).images_seen < reached for path in kept)  # no stop checkpoint
    assert ckpt.load(kept[-1]).images_seen == (reached - 1) // 16 * 16  # the last periodic one
    assert not list((run / "checkpoints").glob(".checkpoint-*"))  # the abandoned write


SCONTROL = """#!/bin/sh
# records each call with the checkpoints that exist when it is made
echo "$@" >> "{log}"
ls "{runs}"/*/checkpoints >> "{log}.checkpoints" 2>&1
"""


def test_under_slurm_sigusr1_saves_then_requeues_once_and_the_requeued_job_resumes_the_run(
    uninterrupted, tmp_path
):
    bin_dir, log = tmp_path / "bin", tmp_path / "scontrol.log"
    bin_dir.mkdir()
    stub = bin_dir / "scontrol"
    stub.write_text(SCONTROL.format(log=log, runs=tmp_path / "runs" / "toy"))
    stub.chmod(0o755)
    slurm = {"SLURM_JOB_ID": "4242", "SLURM_JOB_NAME": "toy", "SLURM_PROCID": "0",
             "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    code, err, run = stopped_run(tmp_path, signal.SIGUSR1, environment(**slurm))
    assert code == STOPPED_EXIT, err
    assert "asked SLURM to requeue job 4242" in err
    assert log.read_text().splitlines() == ["requeue 4242"]
    assert_checkpoint_at_the_step_reached(run)
    newest = checkpoints(run)[-1].name
    assert newest in log.with_name("scontrol.log.checkpoints").read_text().split()
    assert json.loads((run / "run-info.json").read_text())["slurm_job_id"] == "4242"

    # SLURM starts the same command again, in the same job, with its restart count raised
    requeued = environment(**slurm, SLURM_RESTART_COUNT="1")
    code, err = cli(["run", str(tmp_path / "toy.yaml")], requeued)
    assert code == 0, err
    assert f"continuing its run {run}" in err
    assert run_dirs(tmp_path) == [run]
    assert loss_records(run) == uninterrupted
    assert log.read_text().splitlines() == ["requeue 4242"]  # no second request


def test_under_torchrun_a_signal_to_one_rank_stops_every_rank_after_the_same_step(tmp_path):
    script, pids = tmp_path / "child.py", tmp_path / "pids"
    script.write_text(CHILD.format(repo=str(REPO)))
    pids.mkdir()
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                "--nproc_per_node=2", str(script)]
    env = environment(STEP_DELAY_S="0.2", PID_DIR=str(pids))
    proc = subprocess.Popen([*launcher, "run", str(write_recipe(tmp_path))], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while steps_logged(tmp_path) < 3:
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.02)
    os.kill(int((pids / "rank1").read_text()), signal.SIGTERM)  # rank 1 alone
    _, err = proc.communicate(timeout=180)  # ranks that disagreed would hang in a collective
    assert "stopped on SIGTERM after step" in err, err[-3000:]
    statuses = [(pids / f"status{rank}").read_text() for rank in (0, 1)]
    assert statuses == [str(STOPPED_EXIT)] * 2
    (run,) = run_dirs(tmp_path)
    assert_checkpoint_at_the_step_reached(run)
