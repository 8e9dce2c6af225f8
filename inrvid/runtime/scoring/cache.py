"""A cache of real-data features keyed by (dataset identity, protocol, weights hash, extractor).

Real features dominate evaluation time and never change for a fixed protocol and weight file,
so metrics store them once. Files are `<key>.npz` in `$INRVID_CACHE` (default
`~/.cache/inrvid/features`), written to a temporary file in the same folder, fsynced and
renamed over, so a reader never sees half a file. A file that does not load is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from inrvid.base import files

CACHE_ENV = "INRVID_CACHE"


def default_cache_dir() -> Path:
    """`$INRVID_CACHE`, else `~/.cache/inrvid/features`."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "inrvid" / "features"


def feature_key(
    dataset: str, protocol: dict[str, Any], weights_sha256: str, extractor: str
) -> str:
    """A hex key naming one set of real features; any change of an input changes it."""
    identity = {
        "dataset": dataset,
        "protocol": protocol,
        "weights_sha256": weights_sha256,
        "extractor": extractor,
    }
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class FeatureCache:
    """Feature arrays on disk under `root`, one `.npz` per key with a JSON `meta` record."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    def path(self, key: str) -> Path:
        """Where the features of `key` live."""
        return self.root / f"{key}.npz"

    def load(self, key: str) -> tuple[NDArray[np.float64], dict[str, Any]] | None:
        """(features, meta) of `key`, or None when absent or unreadable."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                return np.asarray(data["features"]), json.loads(str(data["meta"]))
        except (OSError, ValueError, KeyError):
            return None

    def save(self, key: str, features: NDArray[Any], meta: dict[str, Any]) -> Path:
        """Store `features` atomically under `key`; returns the file written."""
        target = self.path(key)
        with files.atomic_write(target) as f:
            np.savez(f, features=np.asarray(features), meta=np.array(json.dumps(meta)))
        return target
