"""A release snapshot opened without running it, and the fingerprints of release sources."""

from __future__ import annotations

import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inrvid.base.errors import SnapshotError
from inrvid.base.files import sha256_file
from inrvid.release.pickles import Allowance, load_restricted, source_sha256
from inrvid.release.records import ModuleRecord, SourceModule, source_modules


@dataclass(frozen=True)
class KnownSource:
    """A source file of a release, fingerprinted as a persistent class pickles it."""

    path: str          # in the release's repository, e.g. src/training/networks.py
    sha256: str
    repository: str    # e.g. sihyun-yu/digan
    commit: str

    def describe(self) -> str:
        """`repository@commit12:path`."""
        return f"{self.repository}@{self.commit[:12]}:{self.path}"


def file_sha256(path: str | Path) -> str:
    """The fingerprint a persistent class gives its module's file (`inspect.getsource`).

    The text as Python reads it (encoding declaration or BOM honoured, newlines normalised),
    sha256 of its UTF-8 bytes.
    """
    with tokenize.open(path) as f:
        return source_sha256(f.read())


@dataclass
class ReleaseSnapshot:
    """A snapshot opened without running it: top-level entries, sources, file fingerprint."""

    path: Path
    sha256: str
    top: dict[str, Any]
    globals: list[str]
    sources: list[SourceModule]

    def network(self, key: str) -> ModuleRecord:
        """The network stored under `key` (`G`, `G_ema`, `D`); a clear error if absent."""
        value = self.top.get(key)
        if value is None:
            raise SnapshotError(
                f"{self.path}: no network '{key}' in the snapshot (it holds "
                f"{', '.join(sorted(k for k, v in self.top.items() if v is not None))})")
        return ModuleRecord(value, key)

    def images_seen(self) -> int:
        """Images trained on, from the release's file name `network-snapshot-<kimg>.pkl`."""
        found = re.search(r"snapshot-(\d+)", self.path.name)
        return int(found.group(1)) * 1000 if found else 0


def open_snapshot(path: str | Path, allowance: Allowance) -> ReleaseSnapshot:
    """Read `path` with the restricted unpickler (`pickles.load_restricted`): no code runs."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise SnapshotError(f"{where}: no such snapshot file")
    with path.open("rb") as f:
        top, names = load_restricted(f, allowance, where)
    if not isinstance(top, dict):
        raise SnapshotError(
            f"{where}: a snapshot is a dict of networks (G, D, G_ema, ...), this pickle holds "
            f"{type(top).__name__}")
    return ReleaseSnapshot(path, sha256_file(path), top, names, source_modules(top))
