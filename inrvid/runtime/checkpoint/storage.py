"""Checkpoint files: atomic writes, content digests, `weights_only` reads, run folders.

On disk a checkpoint is `{"format_version": 2, "digests": {part: sha256}, "content": {part:
...}}` of tensors and plain data, read with `torch.load(weights_only=True)` so it can never
run code. The digest of each part is taken over every tensor's bytes and every plain value;
`load` recomputes them, so flipped bytes inside tensor data are refused, naming the part.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from inrvid.base.errors import CheckpointError, StorageError
from inrvid.base.files import atomic_write, remove_stale_temps
from inrvid.runtime.checkpoint.content import (
    FORMAT_VERSION,
    Checkpoint,
    PartReader,
    from_content,
    from_format1,
)
from inrvid.runtime.checkpoint.export import is_export, read_export

NAME = re.compile(r"^checkpoint-(\d{9})\.pt$")


# ---------------------------------------------------------------- content digest
def digest(value: Any) -> str:
    """sha256 over a nested structure: every tensor's dtype, shape and bytes, every plain value."""
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, Tensor):
        t = value.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)};".encode())
        if t.numel():
            h.update(t.reshape(-1).view(torch.uint8).numpy())
    elif isinstance(value, Mapping):
        h.update(f"{{{len(value)};".encode())
        for key, item in value.items():
            _feed(h, key)
            _feed(h, item)
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}{len(value)};".encode())
        for item in value:
            _feed(h, item)
    else:
        h.update(f"{type(value).__name__}:{value!r};".encode())


def _verify(content: Mapping[str, Any], digests: Any, where: str) -> None:
    """Recompute each part's digest; refuse the file naming the parts that changed."""
    if not isinstance(digests, Mapping) or set(digests) != set(content):
        raise CheckpointError(
            f"{where}: the content digests do not list the file's parts\n"
            "  the file is damaged; use another checkpoint of the run (they are kept beside it)"
        )
    changed = [part for part, value in content.items() if digest(value) != digests[part]]
    if changed:
        raise CheckpointError(
            f"{where}: corrupted: the content digest of {', '.join(changed)} does not match "
            "the one written with it (the bytes changed on disk or in transfer)\n"
            "  use another checkpoint of the run (they are kept beside it) or a backup copy"
        )


# ---------------------------------------------------------------- files
def save(checkpoint: Checkpoint, path: Path) -> None:
    """Write a checkpoint atomically, with a content digest of each part."""
    content = checkpoint.to_payload()
    digests = {part: digest(value) for part, value in content.items()}
    write_payload({"format_version": FORMAT_VERSION, "digests": digests, "content": content}, path)


def write_payload(payload: dict[str, Any], path: Path) -> None:
    """Write `payload` to `path` atomically (`inrvid.base.files.atomic_write`).

    A full disk or a refused permission becomes a one-line `CheckpointError` naming the file;
    the previous file at `path` is then untouched and the temporary file removed.
    """
    buffer = io.BytesIO()
    torch.save(payload, buffer)  # in memory: torch's zip writer reports a full disk as a bare
    try:  # RuntimeError, while a plain write raises the OSError that names the cause
        with atomic_write(path, "wb") as f:
            f.write(buffer.getbuffer())
    except StorageError as exc:
        raise CheckpointError(f"checkpoint: {exc}") from None


def find(path: str | Path) -> Path:
    """A checkpoint file, or a run folder's newest checkpoint; a clear error if there is none."""
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
    return path


def read_payload(path: Path, map_location: str | torch.device = "cpu") -> Any:
    """`torch.load(weights_only=True)` of a file; a clear error if it cannot be unpickled."""
    try:
        return torch.load(path, map_location=map_location, weights_only=True)  # noqa: TID251
    except Exception as exc:  # noqa: BLE001 - unpickling a damaged file raises many kinds
        raise CheckpointError(
            f"{path.resolve()}: not a readable inrvid checkpoint: {type(exc).__name__}: {exc}\n"
            "  the file may be truncated; earlier checkpoints of the run are kept beside it"
        ) from None


def load(path: str | Path, map_location: str | torch.device = "cpu") -> Checkpoint:
    """Read, verify and check a checkpoint file (or a run folder's newest checkpoint).

    An `inrvid export` folder is read too (`export.read_export`: the generator only).
    """
    if is_export(Path(path)):
        return read_export(path)
    path = find(path)
    where = str(path.resolve())
    state = read_payload(path, map_location)
    version = state.get("format_version") if isinstance(state, dict) else None
    if version == 1:
        return from_format1(state, where, path)
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{where}: not an inrvid checkpoint of format 1 or {FORMAT_VERSION} "
            f"(format_version: {version!r})\n"
            "  a newer inrvid may have written it: upgrade inrvid to read it"
        )
    content = state.get("content")
    if not isinstance(content, dict):
        raise PartReader(where).fail("content", "missing")
    _verify(content, state.get("digests"), where)
    return from_content(content, where, path)


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


def remove_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files of checkpoint writes that never finished; return them.

    Call only where no other process is writing checkpoints into `folder` (a run's start).
    """
    return remove_stale_temps(folder, "checkpoint-*")


def prune(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints (and stale temporary files)."""
    for old in all_checkpoints(folder)[:-keep]:
        old.unlink(missing_ok=True)
    remove_temporaries(folder)
