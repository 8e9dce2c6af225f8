"""One checkpoint format for training, generation and evaluation, written atomically.

A checkpoint is a dict of tensors and plain data, read with `torch.load(weights_only=True)`
so it can never run code. Writes go to a temporary file in the same folder, are flushed and
fsynced, then renamed over the target, so a kill mid-write leaves the previous file whole.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import torch

from inrvid.errors import CheckpointError

FORMAT_VERSION = 1
NAME = re.compile(r"^checkpoint-(\d{9})\.pt$")


def save(state: dict[str, Any], path: Path) -> None:
    """Write `state` to `path` atomically (temp file, fsync, rename, fsync the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save({"format_version": FORMAT_VERSION, **state}, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint with `weights_only=True`; a clear error if it is missing or corrupt."""
    path = Path(path)
    if path.is_dir():
        found = latest(path / "checkpoints") or latest(path)
        if found is None:
            raise CheckpointError(
                f"{path.resolve()}: no checkpoint-*.pt in this run folder or its checkpoints/\n"
                "  pass a run folder that has written a checkpoint, or a checkpoint file"
            )
        path = found
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path.resolve()}")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)  # noqa: TID251
    except Exception as exc:  # noqa: BLE001 - unpickling a damaged file raises many kinds
        raise CheckpointError(
            f"{path.resolve()}: not a readable inrvid checkpoint: {type(exc).__name__}: {exc}\n"
            "  the file may be truncated; earlier checkpoints of the run are kept beside it"
        ) from None
    if not isinstance(state, dict) or state.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path.resolve()}: not an inrvid checkpoint of format {FORMAT_VERSION}"
        )
    state["path"] = str(path)
    return state


def checkpoint_path(folder: Path, images_seen: int) -> Path:
    """`checkpoint-<images seen, 9 digits>.pt` in `folder`."""
    return folder / f"checkpoint-{images_seen:09d}.pt"


def all_checkpoints(folder: Path) -> list[Path]:
    """The checkpoints in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if NAME.match(p.name)), key=lambda p: p.name)


def latest(folder: Path) -> Path | None:
    """The newest checkpoint in `folder`, or None."""
    found = all_checkpoints(folder)
    return found[-1] if found else None


def prune(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints (and stale temporary files)."""
    for old in all_checkpoints(folder)[:-keep]:
        old.unlink(missing_ok=True)
    for tmp in folder.glob(".checkpoint-*.tmp"):
        tmp.unlink(missing_ok=True)
