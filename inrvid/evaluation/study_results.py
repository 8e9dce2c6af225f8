"""A study folder as `inrvid study --collect` and `inrvid compare` read it.

`inrvid study` writes `study.json` (the index: variants, seeds, budget, one entry per run)
at the top of the study folder, and each (variant, seed) is an ordinary run folder below it
(`runs/<variant>/seed-<seed>/`), with `prediction.json` beside its checkpoints when the study
scores predictions. A run is complete when its newest checkpoint has seen the budget and,
if asked for, its prediction score is written.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from inrvid.base import files
from inrvid.evaluation.errors import EvalArgumentError
from inrvid.evaluation.runs import RunRecord, headline_keys, read_run
from inrvid.runtime.checkpoint import NAME, latest

INDEX = "study.json"
PREDICTION = "prediction.json"


@dataclass
class IndexedVariant:
    """A row of the study: the base or a variant, and what it changes in the base."""

    name: str
    description: str = ""
    changes: list[str] = field(default_factory=list)


@dataclass
class IndexedRun:
    """One (variant, seed) and its run folder, relative to the study folder."""

    index: int
    variant: str
    seed: int
    folder: str


@dataclass
class StudyIndex:
    """What `study.json` holds."""

    name: str
    study_file: str
    description: str
    budget_kimg: float
    seeds: list[int]
    prediction: bool
    variants: list[IndexedVariant]
    runs: list[IndexedRun]

    @property
    def base(self) -> str:
        """The reference row: the first variant (the base recipe)."""
        return self.variants[0].name

    def write(self, folder: Path) -> None:
        """Write `study.json` atomically."""
        files.write_json(folder / INDEX, asdict(self))

    @classmethod
    def read(cls, folder: Path) -> StudyIndex:
        """Read `study.json`; a clear error if it is missing or malformed."""
        path = folder / INDEX
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                **{k: v for k, v in data.items() if k not in ("variants", "runs")},
                variants=[IndexedVariant(**v) for v in data["variants"]],
                runs=[IndexedRun(**r) for r in data["runs"]],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EvalArgumentError(
                f"{path}: does not read as a study index: {exc}\n"
                "  pass a folder written by `inrvid study`"
            ) from None


def is_study(folder: Path) -> bool:
    """Whether `folder` is a study folder (it holds study.json)."""
    return (folder / INDEX).is_file()


def images_trained(run: Path) -> int:
    """Images seen by the newest checkpoint of a run folder (0 if none), from its name."""
    newest = latest(run / "checkpoints")
    match = NAME.match(newest.name) if newest is not None else None
    return int(match.group(1)) if match else 0


def run_complete(run: Path, budget_kimg: float, prediction: bool) -> bool:
    """Whether a run has trained its budget and, if asked for, written its prediction score."""
    trained = images_trained(run) >= int(budget_kimg * 1000)
    return trained and (not prediction or (run / PREDICTION).is_file())


@dataclass
class StudyRun:
    """A complete run of a study: its record (metric curves) and its final values."""

    variant: str
    seed: int
    record: RunRecord
    finals: dict[str, float]


@dataclass
class StudyResults:
    """The index and the complete runs of a study folder, and which runs are missing."""

    folder: Path
    index: StudyIndex
    runs: list[StudyRun]
    missing: list[IndexedRun]

    def metric_keys(self) -> list[str]:
        """Every final metric key, in-training ones first (headline keys only)."""
        found = [k for run in self.runs for k in run.finals]
        return list(dict.fromkeys(headline_keys(found)))

    def of(self, variant: str) -> list[StudyRun]:
        """The complete runs of one variant, in seed order."""
        return sorted((r for r in self.runs if r.variant == variant), key=lambda r: r.seed)


def read_prediction(run: Path) -> dict[str, float]:
    """The `prediction/...` values of a run's prediction.json (empty if there is none)."""
    path = run / PREDICTION
    if not path.is_file():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8"))["values"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvalArgumentError(
            f"{path}: does not read as a prediction score: {exc}\n  delete it and run the study "
            "again to score the run anew"
        ) from None
    return {str(k): float(v) for k, v in values.items()}


def read_study(folder: Path) -> StudyResults:
    """The complete runs of a study folder with their final values (in-training and prediction)."""
    index = StudyIndex.read(folder)
    runs, missing = [], []
    for entry in index.runs:
        path = folder / entry.folder
        if not run_complete(path, index.budget_kimg, index.prediction):
            missing.append(entry)
            continue
        record = read_run(path)
        finals: dict[str, Any] = {k: c.final for k, c in record.curves.items() if c.values}
        finals.update(read_prediction(path))
        runs.append(StudyRun(entry.variant, entry.seed, record, finals))
    return StudyResults(folder, index, runs, missing)
