"""One run of a study (one array task): skip it if complete, resume it if interrupted, else start.

The run folder is an ordinary one (`inrvid run --resume` continues it too). A lock held for
the whole task keeps two processes (a local job and a cluster task, say) from training the
same run at once; the lock is the kernel's (`flock`), so a killed process never leaves it
behind. Each task appends what it did to `status/<variant>-seed-<seed>.jsonl`: `start` (from
nothing), `resume` (from a checkpoint), `skip` (already complete), `trained`, `scored`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from inrvid.base import files
from inrvid.base.errors import InrvidError
from inrvid.base.tensor import pick_device
from inrvid.evaluation.prediction import score_checkpoint
from inrvid.evaluation.study_results import PREDICTION, images_trained, run_complete
from inrvid.study.plan import PlannedRun, StudyPlan

STATUS = "status"


class StudyRunError(InrvidError):
    """A run of a study cannot go on (another process holds it, or its recipe changed)."""


def status_path(folder: Path, run: PlannedRun, suffix: str) -> Path:
    """`status/<variant>-seed-<seed><suffix>` in the study folder."""
    return folder / STATUS / f"{run.variant}-seed-{run.seed}{suffix}"


def events(folder: Path, run: PlannedRun) -> list[dict[str, Any]]:
    """What the tasks of a run did, in order."""
    return files.JsonLines(status_path(folder, run, ".jsonl")).read()


def _event(folder: Path, run: PlannedRun, event: str, **extra: Any) -> None:
    record = {"event": event, "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "pid": os.getpid(), **extra}
    files.JsonLines(status_path(folder, run, ".jsonl")).append(record)


@contextmanager
def run_lock(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on `path` if no other process does; yield whether it is held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def check_same_recipe(run_dir: Path, run: PlannedRun) -> None:
    """Refuse to continue a run folder that was started from another recipe."""
    written = run_dir / "recipe.resolved.yaml"
    if not written.is_file():
        return
    try:
        before = yaml.safe_load(written.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return  # a run that never finished writing its records starts again anyway
    if before != run.recipe.resolved():
        raise StudyRunError(
            f"{run_dir}: {run.label} was started from another recipe than the study's now "
            "(the study file or a recipe it names changed since)\n"
            "  use another study folder (--out), or delete this run folder to run it anew"
        )


def run_task(plan: StudyPlan, folder: Path, index: int, quiet: bool = True) -> str:
    """Bring run `index` of the study to completion; return what was done (for the log)."""
    from inrvid.base import threads
    from inrvid.train.command import prepare_resume
    from inrvid.train.loop import train

    run = plan.runs[index]
    spec = plan.study.spec
    run_dir = folder / run.folder
    argv = ["study", str(plan.study.path), "--out", str(folder), "--task", str(index)]
    prediction = spec.metrics.prediction
    with run_lock(status_path(folder, run, ".lock")) as held:
        if not held:
            raise StudyRunError(
                f"{run.label}: another process is running it (lock "
                f"{status_path(folder, run, '.lock')})\n  wait for it, or stop it first"
            )
        if run_complete(run_dir, spec.budget_kimg, prediction is not None):
            _event(folder, run, "skip")
            return "complete already"
        check_same_recipe(run_dir, run)
        done = images_trained(run_dir)
        outcome = "trained"
        if done < int(spec.budget_kimg * 1000):
            if done > 0:
                checkpoint, recipe = prepare_resume(run_dir, plan.plugins)
                _event(folder, run, "resume", images_seen=done)
                train(recipe, plan.plugins, argv=argv, resume_state=checkpoint,
                      run_dir=checkpoint.run_dir, quiet=quiet)
                outcome = f"resumed at {done / 1000:g} kimg, trained"
            else:
                if run_dir.exists():  # a start killed before its first checkpoint
                    shutil.rmtree(run_dir)
                threads.apply(None, run.recipe.train.threads)
                _event(folder, run, "start")
                train(run.recipe, plan.plugins, argv=argv, run_dir=run_dir, quiet=quiet)
            _event(folder, run, "trained", images_seen=images_trained(run_dir))
        else:
            outcome = "trained already"
        if prediction is not None and not (run_dir / PREDICTION).is_file():
            score = score_checkpoint(run_dir, prediction, pick_device(run.recipe.train.device))
            record = {**score.to_json(), "config": prediction.model_dump(mode="json")}
            files.write_json(run_dir / PREDICTION, record)
            _event(folder, run, "scored")
            outcome += ", scored"
        return outcome
