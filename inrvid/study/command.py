"""`inrvid study STUDY.yaml [--out DIR] [--jobs N | --slurm | --collect | --task I]`.

Every variant is validated before anything runs. Without options the runs are trained here
(`--jobs` at a time), then the results are collected; `--slurm` writes a job-array script
instead; `--collect` only aggregates; `--task I` brings run I to completion (what each local
child process and each array task does).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from inrvid.base import console
from inrvid.base.errors import InrvidError
from inrvid.evaluation.study_results import IndexedRun, IndexedVariant, StudyIndex
from inrvid.loading.plugins import Plugins
from inrvid.study.plan import StudyPlan, plan_study, study_folder
from inrvid.study.spec import load_study


def index_of(plan: StudyPlan) -> StudyIndex:
    """The `study.json` index of a plan."""
    spec = plan.study.spec
    return StudyIndex(
        name=spec.name,
        study_file=str(plan.study.path.resolve()),
        description=spec.description,
        budget_kimg=spec.budget_kimg,
        seeds=list(spec.seeds),
        prediction=spec.metrics.prediction is not None,
        variants=[IndexedVariant(v.name, v.description, v.changes) for v in plan.variants],
        runs=[IndexedRun(r.index, r.variant, r.seed, r.folder) for r in plan.runs],
    )


def run(args: argparse.Namespace) -> int:
    """Validate the study, then run, write the script, collect or run one task."""
    study = load_study(args.study)
    plan = plan_study(study, args.plugins)
    folder = study_folder(study, args.out)
    if args.task is not None:
        return _task(plan, folder, args.task)
    if args.collect:
        _collect(folder, args.plugins)
        return 0
    if args.sbatch and not args.slurm:
        raise InrvidError("--sbatch: goes with --slurm\n  add --slurm, or drop --sbatch")
    folder.mkdir(parents=True, exist_ok=True)
    index_of(plan).write(folder)
    if args.slurm:
        from inrvid.study.slurm import write_slurm

        script = write_slurm(plan, folder, args.sbatch, args.cpus_per_task)
        console.out.print(f"wrote {escape(str(script))}: {len(plan.runs)} array tasks\n"
                          f"submit:      sbatch {escape(str(script))}\n"
                          f"afterwards:  inrvid study {escape(args.study)} --out "
                          f"{escape(str(folder))} --collect", soft_wrap=True)
        return 0
    from inrvid.recipe.machine import check_machine
    from inrvid.study.local import run_local

    for planned in plan.runs:
        check_machine(planned.recipe, new_run=False)
    failed = run_local(plan, folder, args.jobs)
    _collect(folder, args.plugins)
    if failed:
        names = ", ".join(r.label for r in failed)
        raise InrvidError(f"study {study.spec.name}: {len(failed)} run(s) failed: {names}\n"
                          f"  see their logs in {folder / 'logs'}; run the study again to "
                          "resume them")
    return 0


def _task(plan: StudyPlan, folder: Path, index: int) -> int:
    """Run one task; a stop by a signal checkpoints, and after SIGUSR1 under SLURM requeues."""
    import signal

    from inrvid.study.execute import run_task
    from inrvid.train import slurm
    from inrvid.train.stopping import STOPPED_EXIT, RunStopped

    if index >= len(plan.runs):
        raise InrvidError(f"--task: got {index}, expected 0 .. {len(plan.runs) - 1} (the study "
                          f"has {len(plan.runs)} runs)\n  pass a run index of the study")
    label = escape(plan.runs[index].label)
    try:
        outcome = run_task(plan, folder, index, quiet=False)
    except RunStopped as stopped:
        console.err.print(f"{label}: stopped on {stopped.signal_name} at "
                          f"{stopped.images_seen / 1000:g} kimg, checkpoint written; the same "
                          "task resumes it")
        job = slurm.job_id()
        if job is not None and stopped.signum == signal.SIGUSR1:
            refused = slurm.request_requeue(job)
            console.err.print(f"SLURM job {job}: " + (
                "requeued" if refused is None else f"not requeued: {escape(refused)}"))
        return STOPPED_EXIT
    console.err.print(f"{label}: {outcome}")
    return 0


def _collect(folder: Path, plugins: Plugins) -> None:
    """Write the report into the study folder and print the table."""
    from inrvid.evaluation.study_report import RESULTS, write_report

    table = write_report(folder, plugins)
    console.out.print(table.rich())
    written = sorted(p.name for p in (folder / RESULTS).iterdir())
    console.err.print(f"wrote {escape(str(folder / RESULTS))}/: {', '.join(written)}",
                      soft_wrap=True)
