"""Writing a user's files so that a kill or a full disk never leaves one half-written.

Two disciplines cover every file inrvid writes:

- A file rewritten whole (checkpoints, recipe.resolved.yaml, run-info.json, videos, JSON
  records, caches) goes through `atomic_write` / `atomic_path`: the bytes go to a temporary
  file beside the target, are flushed and fsynced, then renamed over the target, and the
  folder is fsynced. A kill at any moment leaves either the old file or the new one.
- An append-only log (metrics.jsonl) goes through `JsonLines`: each record is one line
  appended and fsynced. A line cut short by a kill or a full disk is a torn tail; readers
  drop it and the next append removes it, so the log always reads as whole records.

An `OSError` while writing (disk full, permission denied, read-only file system) becomes a
one-line `StorageError` naming the file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from inrvid.base.errors import StorageError

TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"

_REASONS = {
    errno.ENOSPC: ("the disk is full", "free space (or write elsewhere) and run the command again"),
    errno.EDQUOT: ("the disk quota is exceeded", "free space and run the command again"),
    errno.EACCES: ("permission denied", "write to a folder you own, or fix its permissions"),
    errno.EPERM: ("operation not permitted", "write to a folder you own"),
    errno.EROFS: ("the file system is read-only", "write to a writable folder"),
    errno.ENAMETOOLONG: ("the file name is too long", "choose a shorter path"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose another path"),
    errno.EISDIR: ("the path is a folder", "name a file, not a folder"),
}


def storage_error(
    path: str | Path,
    exc: OSError,
    verb: str = "write",
    outcome: str = "the previous file is intact",
) -> StorageError:
    """A one-line error for an `OSError` on `path`: what happened, the fix and what was kept."""
    reason, fix = _REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "check the path"))
    return StorageError(f"cannot {verb} {path}: {reason}; {fix} ({outcome})")


def temp_name(path: Path) -> str:
    """The prefix of the temporary files written for `path` (hidden, beside it)."""
    return f"{TEMP_PREFIX}{path.name}."


def remove_stale_temps(folder: Path, name: str = "*") -> list[Path]:
    """Delete temporary files left in `folder` by a killed write (of files matching `name`)."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for tmp in folder.glob(f"{TEMP_PREFIX}{name}.*{TEMP_SUFFIX}"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_temp(path: Path) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temp_name(path), suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise storage_error(path, exc) from None
    os.close(fd)
    return Path(tmp)


def _commit(tmp: Path, path: Path) -> None:
    """Flush `tmp` to disk, give it the usual permissions (mkstemp: 0600), rename to `path`."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    os.replace(tmp, path)
    fsync_folder(path.parent)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path to write `path`'s content to; renamed over `path` when the block ends.

    For writers that need a file name (video encoders). If the block raises, the temporary
    file is removed and `path` is untouched.
    """
    path = Path(path)
    tmp = _new_temp(path)
    try:
        yield tmp
        _commit(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise storage_error(path, exc) from None
        raise


@contextmanager
def atomic_write(path: str | Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """An open file whose content replaces `path` atomically when the block ends."""
    with atomic_path(path) as tmp:
        encoding = None if "b" in mode else "utf-8"
        with open(tmp, mode, encoding=encoding) as f:
            yield f
            f.flush()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_text(path: str | Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) atomically."""
    with atomic_write(path, "w") as f:
        f.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Replace `path` with `data` atomically."""
    with atomic_write(path, "wb") as f:
        f.write(data)


def write_json(path: str | Path, record: Any) -> None:
    """Replace `path` with `record` as indented JSON atomically."""
    write_text(path, json.dumps(record, indent=2, default=str) + "\n")


class JsonLines:
    """An append-only log of JSON objects, one per line, that tolerates a torn last line."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> list[dict[str, Any]]:
        """Every whole record; a torn or undecodable line is dropped, never an error."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise storage_error(self.path, exc, "read") from None
        end = data.rfind(b"\n") + 1  # bytes after the last newline are a torn tail
        records = []
        for line in data[:end].splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Append one record durably; on failure the log is left as it was."""
        line = (json.dumps(record) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as f:
                whole = self._whole_length(f)
                if whole != f.tell():
                    f.truncate(whole)  # drop a torn tail left by a kill or a full disk
                    f.seek(whole)
                try:
                    f.write(line)
                    f.flush()
                    os.fsync(f.fileno())
                except OSError:
                    f.truncate(whole)  # no torn tail of our own
                    raise
        except OSError as exc:
            raise storage_error(self.path, exc) from None

    def keep(self, predicate: Callable[[dict[str, Any]], bool]) -> None:
        """Rewrite the log (atomically) with the records that satisfy `predicate`."""
        if not self.path.exists():
            return
        kept = [r for r in self.read() if predicate(r)]
        write_text(self.path, "".join(json.dumps(r) + "\n" for r in kept))

    @staticmethod
    def _whole_length(f: IO[bytes]) -> int:
        """The length of the file up to and including its last newline."""
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        step = 4096
        pos = size
        with open(f.name, "rb") as reader:  # "ab" files cannot be read
            while pos > 0:
                start = max(0, pos - step)
                reader.seek(start)
                chunk = reader.read(pos - start)
                found = chunk.rfind(b"\n")
                if found >= 0:
                    return start + found + 1
                pos = start
        return 0
