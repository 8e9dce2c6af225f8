"""The dataset index: each video's frame count, fps and seek table, or why it is unreadable.

Built once (one full decode per video, with a rich progress bar) and kept as JSON beside the
data, or in a cache folder when the data folder is read-only. An entry is reused while its
file's size and mtime (for a frame folder: its number of entries and mtime) are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import stat
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inrvid.base import files
from inrvid.base.errors import DataError, StorageError
from inrvid.base.progress import bar
from inrvid.components.registry import HookCaller
from inrvid.video import VideoInfo, open_video

INDEX_VERSION = 1
INDEX_NAME = ".inrvid-index.json"


@dataclass(frozen=True)
class IndexEntry:
    """One indexed path: its info if it decodes, else the reason it does not."""

    path: Path
    info: VideoInfo | None
    reason: str = ""


def _fingerprint(path: Path) -> list[int]:
    """What must stay the same for an entry to be reused: size and mtime (folders: entries)."""
    st = path.stat()
    if stat.S_ISDIR(st.st_mode):
        return [len(os.listdir(path)), st.st_mtime_ns, 1]
    return [st.st_size, st.st_mtime_ns, 0]


def _writable(folder: Path) -> bool:
    """Writable by permission bits too (root passes `os.access` even on read-only folders)."""
    try:
        mode = folder.stat().st_mode
    except OSError:
        return False
    return os.access(folder, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def cache_dir() -> Path:
    """`$INRVID_CACHE`, else `~/.cache/inrvid`."""
    env = os.environ.get("INRVID_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "inrvid"


def index_path(root: Path, index_dir: str | None = None) -> Path:
    """Where the index of `root` lives.

    Order: `index_dir` if given; `$INRVID_CACHE/index/` if that variable is set; beside the data
    (`<root>/.inrvid-index.json`) if the folder is writable; `~/.cache/inrvid/index/` otherwise.
    """
    root = root.resolve()
    key = f"{root.name}-{hashlib.sha1(str(root).encode()).hexdigest()[:12]}.json"
    if index_dir is not None:
        return Path(index_dir).resolve() / key
    if os.environ.get("INRVID_CACHE"):
        return cache_dir() / "index" / key
    if _writable(root):
        return root / INDEX_NAME
    return cache_dir() / "index" / key


def scan_one(path: Path, plugins: HookCaller | None) -> tuple[dict[str, Any] | None, str]:
    """Open and fully decode one video with `plugins`' readers: (info, "") or (None, why)."""
    try:
        reader = open_video(path, plugins)
        try:
            info = reader.scan()
        finally:
            reader.close()
    except DataError as exc:
        return None, _reason(str(exc), path)
    except (OSError, ValueError, RuntimeError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if info.frames == 0:
        return None, f"no frame decodes{': ' + info.error if info.error else ''}"
    return info.to_json(), ""


class _WorkerReaders:
    """The plug-ins whose readers an indexing worker process decodes with (set once per worker)."""

    plugins: HookCaller | None = None

    @classmethod
    def set(cls, plugins: HookCaller | None) -> None:
        cls.plugins = plugins

    @classmethod
    def scan(cls, path: Path) -> tuple[dict[str, Any] | None, str]:
        return scan_one(path, cls.plugins)


def _reason(message: str, path: Path) -> str:
    """A DataError's first line without the leading path (the summary shows the path)."""
    first = message.split("\n")[0]
    prefix = f"{path}: "
    return first[len(prefix):] if first.startswith(prefix) else first


class DatasetIndex:
    """The cached scan results for the videos under one root folder."""

    def __init__(
        self,
        root: Path,
        index_dir: str | None = None,
        workers: int = 1,
        plugins: HookCaller | None = None,
    ) -> None:
        self.root = root.resolve()
        self.file = index_path(self.root, index_dir)
        self.workers = workers
        self.plugins = plugins  # whose readers decode the videos (None: the core's)
        self.entries: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.file.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return {}
        entries = data.get("entries", {})
        return entries if isinstance(entries, dict) else {}

    def _save(self) -> None:
        payload = {"version": INDEX_VERSION, "root": str(self.root), "entries": self.entries}
        try:
            files.write_text(self.file, json.dumps(payload, separators=(",", ":")))
        except StorageError as exc:
            raise DataError(
                f"dataset index: {exc}\n"
                "  set INRVID_CACHE (or the dataset's index_dir) to a writable folder"
            ) from exc

    def _key(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path.resolve())

    def lookup(self, paths: Iterable[Path], describe: str = "indexing videos") -> list[IndexEntry]:
        """An entry per path (same order); paths new or changed since the last scan are scanned."""
        paths = list(paths)
        stale: list[tuple[Path, str, list[int]]] = []
        out: dict[str, IndexEntry] = {}
        for path in paths:
            key = self._key(path)
            try:
                fingerprint = _fingerprint(path)
            except OSError as exc:
                out[key] = IndexEntry(path, None, f"cannot stat: {exc.strerror}")
                continue
            known = self.entries.get(key)
            if known is not None and known.get("fingerprint") == fingerprint:
                out[key] = self._entry(path, known)
            else:
                stale.append((path, key, fingerprint))
        if stale:
            for (path, key, fingerprint), (info, reason) in zip(
                stale, self._scan([p for p, _, _ in stale], describe), strict=True
            ):
                self.entries[key] = {"fingerprint": fingerprint, "info": info, "reason": reason}
                out[key] = self._entry(path, self.entries[key])
            self._prune()
            self._save()
        return [out[self._key(p)] for p in paths]

    @staticmethod
    def _entry(path: Path, raw: dict[str, Any]) -> IndexEntry:
        info = raw.get("info")
        return IndexEntry(path, None if info is None else VideoInfo.from_json(info),
                          str(raw.get("reason", "")))

    def _prune(self) -> None:
        """Forget entries whose files are gone."""
        for key in list(self.entries):
            candidate = Path(key) if Path(key).is_absolute() else self.root / key
            if not candidate.exists():
                del self.entries[key]

    def _scan(self, paths: list[Path], describe: str) -> list[tuple[dict[str, Any] | None, str]]:
        results: list[tuple[dict[str, Any] | None, str]] = []
        with bar(f"{describe} ({self.root.name})", len(paths)) as advance:
            if self.workers > 1 and len(paths) > 8:
                # forked workers are handed the loaded plug-ins unpickled (fork copies them)
                fork = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(self.workers, mp_context=fork,
                                         initializer=_WorkerReaders.set,
                                         initargs=(self.plugins,)) as pool:
                    for result in pool.map(_WorkerReaders.scan, paths, chunksize=4):
                        results.append(result)
                        advance(1)
            else:
                for path in paths:
                    results.append(scan_one(path, self.plugins))
                    advance(1)
        return results
