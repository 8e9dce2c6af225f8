"""Video sources of `inrvid eval`: a recipe's dataset with a cache identity, folders of fakes.

The generator and folder sources themselves live in `inrvid.metrics.sources`; this module adds
what the command needs on top: real clips of the checkpoint's dataset that carry a `cache_key`
(so FVD/KVD reuse cached real features), and a folder of generated videos read one clip each.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from inrvid.dataset import VideoDataset
from inrvid.errors import DataError
from inrvid.metrics.sources import FolderVideoSource


def folder_fingerprint(root: Path) -> str:
    """A hash of every file's relative path, size and mtime under `root` (hidden names skipped).

    Hidden files and folders are left out so that an index written beside the data (such as
    `.inrvid-index.json`) does not change the identity of the videos.
    """
    digest = hashlib.sha256()
    count = 0
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(folder) / name
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
            count += 1
    return f"{count}:{digest.hexdigest()[:16]}"


def dataset_identity(kind: str, config: dict[str, Any], recipe_seed: int) -> dict[str, Any]:
    """What decides a dataset's clips: its kind, config, the recipe seed and its files if any."""
    identity: dict[str, Any] = {"kind": kind, "config": config, "recipe_seed": recipe_seed}
    root = config.get("root")
    if isinstance(root, str):
        path = Path(root).expanduser().resolve()
        identity["root"] = str(path)
        identity["files"] = folder_fingerprint(path) if path.is_dir() else "missing"
    return identity


class DatasetClipSource:
    """Real clips of a recipe's dataset: a seeded random subset, fresh on every call.

    Call k draws its clips without replacement from a generator seeded once with `seed`, so
    trials see different clips and a rerun sees the same ones; a dataset with fewer clips than
    asked gives all of them. `identity` (see `dataset_identity`) plus the seed form the
    `cache_key` under which metrics cache real features.
    """

    def __init__(
        self, dataset: VideoDataset, *, identity: dict[str, Any], seed: int, name: str
    ) -> None:
        self.dataset = dataset
        self.identity = identity
        self.seed = seed
        self.name = name
        self._rng = torch.Generator().manual_seed(seed)

    @property
    def cache_key(self) -> str:
        """Identity of the clips this source yields (dataset, its files, seed, clip count)."""
        text = json.dumps(
            {**self.identity, "seed": self.seed, "clips": len(self.dataset)},
            sort_keys=True,
            default=str,
        )
        return f"dataset:{self.name}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[Tensor]:
        """Yield up to `count` clips of their first `frames` frames as uint8 `b t c h w`."""
        clip_frames = self.dataset.video_spec.frames
        if frames > clip_frames:
            raise DataError(
                f"{self.name}: the metric asks for {frames}-frame clips, got clips of "
                f"{clip_frames} frames\n  add data.clip_frames={frames} to the command line"
            )
        order = torch.randperm(len(self.dataset), generator=self._rng)[:count]
        for start in range(0, len(order), batch_size):
            picks = order[start : start + batch_size].tolist()
            yield torch.stack([self.dataset[i]["video"][:frames] for i in picks])  # b t c h w


def fake_folder_source(root: Path | str, seed: int) -> FolderVideoSource:
    """Generated videos on disk: the first videos in sorted order, one clip each, as stored."""
    return FolderVideoSource(
        root, selection="first_videos", seed=seed, name=f"fake folder:{Path(root).resolve()}"
    )
