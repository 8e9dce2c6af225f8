"""Running a study's runs on this machine: N processes at a time, the threads divided.

Each run is a child process (`inrvid study STUDY --task I`, the same command a cluster's array
task runs), so runs share no state and a crash ends one run, not the study. The children's
output goes to `logs/<variant>-seed-<seed>.log`. Stopping the study (Ctrl-C, SIGTERM) stops
the children; a rerun resumes what they left from its last checkpoint.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

import torch
from rich.markup import escape

from inrvid.base.console import err as console
from inrvid.evaluation.study_results import run_complete
from inrvid.study.plan import PlannedRun, StudyPlan

LOGS = "logs"
POLL_S = 0.2
STOP_WAIT_S = 120.0  # a stopped run finishes its step and writes a checkpoint


def task_command(plan: StudyPlan, folder: Path, index: int) -> list[str]:
    """The command that brings run `index` to completion (local child or cluster task)."""
    return [sys.executable, "-m", "inrvid", "--progress", "plain", "study",
            str(plan.study.path.resolve()), "--out", str(folder.resolve()), "--task", str(index)]


def threads_per_job(jobs: int, total: int | None = None) -> int:
    """The intra-op threads of each of `jobs` processes: this process's threads divided."""
    return max(1, (total or torch.get_num_threads()) // jobs)


@dataclass
class Child:
    """A running task: its process, run, log file and start time."""

    process: subprocess.Popen[bytes]
    run: PlannedRun
    log: IO[bytes]
    started: float


def pending_runs(plan: StudyPlan, folder: Path) -> list[PlannedRun]:
    """The runs that are not complete yet, in the study's order."""
    spec = plan.study.spec
    prediction = spec.metrics.prediction is not None
    return [r for r in plan.runs
            if not run_complete(folder / r.folder, spec.budget_kimg, prediction)]


def run_local(plan: StudyPlan, folder: Path, jobs: int) -> list[PlannedRun]:
    """Run every incomplete run, `jobs` at a time; return the runs that failed."""
    todo = pending_runs(plan, folder)
    skipped = len(plan.runs) - len(todo)
    threads = threads_per_job(jobs)
    console.print(f"study {plan.study.spec.name}: {len(plan.runs)} runs, {skipped} complete "
                  f"already, {len(todo)} to run, {jobs} at a time with {threads} thread"
                  f"{'s' if threads != 1 else ''} each")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    running: list[Child] = []
    failed: list[PlannedRun] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while todo or running:
            while todo and len(running) < jobs:
                running.append(_start(plan, folder, todo.pop(0), env))
            time.sleep(POLL_S)
            for child in [c for c in running if c.process.poll() is not None]:
                running.remove(child)
                child.log.close()
                if not _finished(child, folder):
                    failed.append(child.run)
    finally:
        _stop_all(running)
        signal.signal(signal.SIGTERM, previous)
    return failed


def _start(plan: StudyPlan, folder: Path, run: PlannedRun, env: dict[str, str]) -> Child:
    log_path = folder / LOGS / f"{run.variant}-seed-{run.seed}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - closed when the child ends
    process = subprocess.Popen(task_command(plan, folder, run.index), stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    console.print(f"[{run.index + 1}/{len(plan.runs)}] {escape(run.label)}: started "
                  f"(pid {process.pid}, log {escape(str(log_path))})", soft_wrap=True)
    return Child(process, run, log, time.monotonic())


def _finished(child: Child, folder: Path) -> bool:
    minutes = (time.monotonic() - child.started) / 60
    code = child.process.returncode
    label = f"[{child.run.index + 1}] {escape(child.run.label)}"
    if code == 0:
        console.print(f"{label}: done in {minutes:.1f} min")
        return True
    log = folder / LOGS / f"{child.run.variant}-seed-{child.run.seed}.log"
    console.print(f"{label}: [red]failed[/red] (exit status {code}) after {minutes:.1f} min; "
                  f"see {escape(str(log))}", soft_wrap=True)
    return False


def _stop_all(running: list[Child]) -> None:
    """Terminate the children still running and wait for them (killing the stubborn)."""
    for child in running:
        child.process.terminate()
    deadline = time.monotonic() + STOP_WAIT_S
    for child in running:
        try:
            child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
        child.log.close()
        console.print(f"[{child.run.index + 1}] {escape(child.run.label)}: stopped; a rerun "
                      "resumes it from its last checkpoint")
