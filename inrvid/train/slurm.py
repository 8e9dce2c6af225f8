"""SLURM: the job a run belongs to, the run a requeued job continues, asking for a requeue.

SLURM keeps a job's id across requeues and counts them in `SLURM_RESTART_COUNT`. A run
records the id in `run-info.json`; with `output.resume: auto` a requeued job (restart count
above 0) continues the run of its own id from that run's newest checkpoint instead of starting
a new one. After a stop on SIGUSR1 (`sbatch --signal=USR1@90`), rank 0 asks SLURM to requeue
the job with `scontrol requeue $SLURM_JOB_ID`; SLURM refuses for a job that may not be
requeued (`--no-requeue`, or a cluster without requeue), and the command then says so.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inrvid.recipe import Recipe

JOB_ID = "SLURM_JOB_ID"
RESTART_COUNT = "SLURM_RESTART_COUNT"
RUN_INFO_KEY = "slurm_job_id"  # in run-info.json
REQUEUE_TIMEOUT_S = 60


def job_id(env: Mapping[str, str] = os.environ) -> str | None:
    """The SLURM job this process belongs to, or None outside SLURM."""
    return env.get(JOB_ID) or None


def restart_count(env: Mapping[str, str] = os.environ) -> int:
    """How many times SLURM requeued this job (0: its first start, or not SLURM)."""
    try:
        return int(env.get(RESTART_COUNT, "0"))
    except ValueError:
        return 0


def requeued_run(recipe: Recipe, env: Mapping[str, str] = os.environ) -> Path | None:
    """The run this requeued job started, if it has a checkpoint and `output.resume` is auto.

    Runs are looked for where the recipe writes them (`<output.dir>/<name>/*`), by the job id
    in their run-info.json; the newest such run with a checkpoint is continued.
    """
    from inrvid.runtime import checkpoint as ckpt

    job = job_id(env)
    if recipe.output.resume != "auto" or job is None or restart_count(env) < 1:
        return None
    found = None
    for info in sorted(Path(recipe.output.dir, recipe.name).glob("*/run-info.json")):
        try:
            recorded = json.loads(info.read_text(encoding="utf-8")).get(RUN_INFO_KEY)
        except (OSError, ValueError, AttributeError):
            continue  # not a run folder of ours, or a record being written by someone else
        if recorded == job and ckpt.latest(info.parent / "checkpoints") is not None:
            found = info.parent
    return found


def request_requeue(job: str) -> str | None:
    """`scontrol requeue <job>`; None when SLURM accepted, else why not (its own words)."""
    try:
        done = subprocess.run(
            ["scontrol", "requeue", job],
            capture_output=True,
            text=True,
            timeout=REQUEUE_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        return "scontrol is not on PATH"
    except subprocess.TimeoutExpired:
        return f"scontrol did not answer within {REQUEUE_TIMEOUT_S} s"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        return f"scontrol requeue {job}: {said}"
    return None
