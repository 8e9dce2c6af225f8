"""A SLURM job-array script for a study: one array task per run, the study folder shared.

Task i runs `inrvid study STUDY --out FOLDER --task i`, the command the local runner's
children run, so a task skips a complete run and resumes an interrupted one (a requeued or
resubmitted array continues where it stopped). 90 s before its time limit a task gets SIGUSR1:
its training finishes the step, writes a checkpoint and asks SLURM to requeue the task, which
then resumes the run. `inrvid study STUDY --collect` aggregates.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from inrvid.base import files
from inrvid.base.errors import InrvidError
from inrvid.study.local import LOGS, task_command
from inrvid.study.plan import StudyPlan

SCRIPT = "slurm/study.sbatch"


def check_sbatch_options(options: list[str]) -> list[str]:
    """`--key=value` options for `#SBATCH` lines; a clear error for anything else."""
    for option in options:
        if not option.startswith("--") or any(c in option for c in "\n\r"):
            raise InrvidError(
                f"--sbatch: got {option!r}, expected one sbatch option such as "
                "--partition=gpu or --time=02:00:00\n  pass each option with its own --sbatch"
            )
        if option.split("=", 1)[0] in ("--array", "--output"):
            raise InrvidError(
                f"--sbatch: {option.split('=', 1)[0]} is set by the study (one task per run, "
                "a log per task)\n  drop it; `sbatch --array=...` on the command line overrides"
            )
    return options


def slurm_script(plan: StudyPlan, folder: Path, options: list[str], threads: int) -> str:
    """The job-array script: `#SBATCH` lines, then the task command of $SLURM_ARRAY_TASK_ID."""
    folder = folder.resolve()
    command = task_command(plan, folder, 0)[:-1]  # the index comes from the array
    lines = [
        "#!/bin/bash",
        f"# inrvid study {plan.study.spec.name}: {len(plan.runs)} runs, one array task each.",
        "# Submit: sbatch " + shlex.quote(str(folder / SCRIPT)),
        "# Afterwards: inrvid study " + shlex.quote(str(plan.study.path.resolve()))
        + " --out " + shlex.quote(str(folder)) + " --collect",
        f"#SBATCH --job-name={plan.study.spec.name}",
        f"#SBATCH --array=0-{len(plan.runs) - 1}",
        f"#SBATCH --output={folder / LOGS}/slurm-%A_%a.log",
        f"#SBATCH --cpus-per-task={threads}",
        "#SBATCH --signal=B:USR1@90",  # 90 s before the limit: checkpoint, then requeue
        "#SBATCH --requeue",
        "#SBATCH --open-mode=append",  # a requeued task appends to its log
        *(f"#SBATCH {option}" for option in options),
        "set -euo pipefail",
        f"cd {shlex.quote(os.getcwd())}",
        'export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-' + str(threads) + '}"',
        'exec ' + " ".join(shlex.quote(part) for part in command)
        + ' "${SLURM_ARRAY_TASK_ID:?set by SLURM: the run index}"',
    ]
    return "\n".join(lines) + "\n"


def write_slurm(plan: StudyPlan, folder: Path, options: list[str], threads: int) -> Path:
    """Write the script into the study folder (atomically, executable); return its path."""
    path = folder / SCRIPT
    path.parent.mkdir(parents=True, exist_ok=True)
    (folder / LOGS).mkdir(parents=True, exist_ok=True)
    files.write_text(path, slurm_script(plan, folder, check_sbatch_options(options), threads))
    path.chmod(0o755)
    return path
