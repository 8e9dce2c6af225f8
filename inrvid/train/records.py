"""What a run writes besides checkpoints.

Its folder, recipe.resolved.yaml, run-info.json, metrics.jsonl and TensorBoard events.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

from inrvid.base import files
from inrvid.base.errors import TrainingError
from inrvid.base.version import PLUGIN_API, __version__
from inrvid.loading.plugins import Plugins, plugin_versions
from inrvid.recipe import Recipe
from inrvid.recipe.resolved import resolved_yaml
from inrvid.train import slurm


def new_run_dir(recipe: Recipe, chosen: Path | None = None) -> Path:
    """`<output.dir>/<name>/<UTC time>/`, created (a suffix keeps two starts apart).

    `chosen`: this folder instead, created if absent; it must hold nothing yet, so that a new
    run never mixes its records with another's.
    """
    if chosen is not None:
        try:
            chosen.mkdir(parents=True, exist_ok=True)
            leftovers = sorted(p.name for p in chosen.iterdir())
        except OSError as exc:
            raise files.storage_error(chosen, exc, "create the run folder") from None
        if leftovers:
            raise TrainingError(
                f"{chosen}: the folder of a new run holds {', '.join(leftovers[:5])}, expected "
                "an empty folder\n  resume the run there (--resume) or pick another folder"
            )
        return chosen
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = Path(recipe.output.dir) / recipe.name / stamp
    path, n = base, 1
    while path.exists():
        path = base.with_name(f"{stamp}-{n}")
        n += 1
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise files.storage_error(path, exc, "create the run folder") from None
    return path


def git_commit() -> str | None:
    """The commit of the inrvid checkout this runs from, if it is one."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def run_info(
    recipe: Recipe, argv: list[str], plugins: Plugins, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The contents of run-info.json."""

    def origin(section: Any) -> dict[str, str]:
        o = section.component.origin
        return {
            "component": section.component.name,
            "registry": section.component.registry,
            "distribution": o.distribution,
            "version": o.version,
            "entry_point": o.entry_point,
        }

    return {
        "inrvid": __version__,
        "plugin_api": PLUGIN_API,
        "recipe": str(recipe.source.path),
        "recipe_chain": [str(p) for p in recipe.source.chain],
        "overrides": recipe.source.overrides,
        "argv": argv,
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "plugins": plugin_versions(plugins),
        "components": {s.path: origin(s) for s in recipe.sections()},
        "threads": torch.get_num_threads(),
        slurm.RUN_INFO_KEY: slurm.job_id(),  # a requeued job finds the run it started by it
        **(extra or {}),
    }


def write_run_records(
    run_dir: Path,
    recipe: Recipe,
    argv: list[str],
    plugins: Plugins,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write recipe.resolved.yaml and run-info.json before the first step."""
    files.write_text(run_dir / "recipe.resolved.yaml", resolved_yaml(recipe))
    files.write_json(run_dir / "run-info.json", run_info(recipe, argv, plugins, extra))


class MetricsLog:
    """metrics.jsonl (one JSON object per line) and TensorBoard scalars, written by rank 0.

    The file is an append-only `JsonLines` log: a line torn by a kill or a full disk is
    dropped when read and removed by the next append.
    """

    def __init__(self, run_dir: Path, tensorboard: bool = True) -> None:
        self.path = run_dir / "metrics.jsonl"
        self.lines = files.JsonLines(self.path)
        self.writer: Any = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:  # tensorboard is optional at run time
                self.writer = None
            else:
                self.writer = SummaryWriter(log_dir=str(run_dir / "tensorboard"))

    def truncate_after(self, images_seen: int) -> None:
        """Drop lines written after a checkpoint (a resumed run writes them again).

        The log is rewritten atomically: a kill during the rewrite leaves the old log whole.
        """
        self.lines.keep(lambda r: int(r.get("images_seen", 0)) <= images_seen)

    def write(self, record: dict[str, Any]) -> None:
        """Append one record; its numeric fields also go to TensorBoard."""
        self.lines.append(record)
        if self.writer is not None:
            step = int(record.get("images_seen", 0))
            for key, value in record.items():
                if isinstance(value, int | float) and key not in ("images_seen", "step"):
                    self.writer.add_scalar(key, value, step)
            self.writer.flush()

    def add_frames(self, tag: str, frames: torch.Tensor, images_seen: int) -> None:
        """A sample grid image in TensorBoard: uint8 `c h w`."""
        if self.writer is not None:
            self.writer.add_image(tag, frames, images_seen)

    def close(self) -> None:
        """Close TensorBoard."""
        if self.writer is not None:
            self.writer.close()
