"""Data-loading throughput: frames per second per worker on random UCF-101 clips, raw and prepared.

raw:      the `ucf101` dataset as training uses it (seek + decode the AVI, centre crop, bilinear
          resize to the recipe resolution, flip) in one process; then a DataLoader with
          --workers processes (total and per worker).
prepared: the same clips from frames stored once at training resolution as uint8 .npy files
          (memory-mapped), i.e. the cost a prepared format would have.

The UCF-101 clips of ../shared/data are linked into the official layout in a temporary folder.
Prints a table and one JSON line. Defaults finish in well under a minute on 2 CPU cores:

    python benchmarks/data_loading.py [--seconds 6] [--workers 2] [--resolution 128]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from inrvid_datasets.ucf101 import UCF101

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def link_layout(data: Path, into: Path) -> Path:
    """The shared UCF-101 clips and split lists in the official layout under `into`."""
    root = into / "UCF101"
    for clip in sorted((data / "ucf101" / "videos").glob("*/*.avi")):
        target = root / "UCF-101" / clip.parent.name / clip.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(clip)
    (root / "ucfTrainTestlist").mkdir(parents=True)
    for split in (data / "ucf101" / "splits").glob("*.txt"):
        (root / "ucfTrainTestlist" / split.name).symlink_to(split)
    return root


def time_items(
    get: Callable[[int], object], count_max: int, seconds: float, seed: int
) -> tuple[int, float]:
    """Call `get(i)` on random indices for about `seconds`; (items, elapsed)."""
    rng = random.Random(seed)
    start = time.perf_counter()
    items = 0
    while items < count_max and time.perf_counter() - start < seconds:
        get(rng.randrange(1 << 30))
        items += 1
    return items, time.perf_counter() - start


def prepare_npy(dataset: UCF101, folder: Path) -> list[np.ndarray]:
    """Every frame of every video at training resolution, uint8 `f c r r`, memory-mapped."""
    from inrvid.base.pixels import centre_crop_resize
    from inrvid.video import open_video

    arrays = []
    for k, video in enumerate(dataset.videos):
        frames = centre_crop_resize(open_video(video.path).read_all(), dataset.cfg.resolution)
        path = folder / f"{k}.npy"
        np.save(path, frames.numpy())
        arrays.append(np.load(path, mmap_mode="r"))
    return arrays


def main() -> None:
    """Run the benchmark and print figures plus one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds per measurement")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    parser.add_argument("--resolution", type=int, default=128, help="training resolution")
    parser.add_argument("--clip-frames", type=int, default=16, help="frames per clip")
    parser.add_argument("--batch-size", type=int, default=8, help="DataLoader batch size")
    args = parser.parse_args()

    from inrvid.testing import build_component
    from inrvid.train.loader import TrainingLoader

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["INRVID_CACHE"] = str(Path(tmp) / "cache")
        root = link_layout(args.data.resolve(), Path(tmp))
        t0 = time.perf_counter()
        dataset = build_component("dataset", "ucf101", {
            "root": str(root), "resolution": args.resolution, "clip_frames": args.clip_frames})
        index_s = time.perf_counter() - t0
        n = len(dataset)
        f = args.clip_frames

        raw_items, raw_s = time_items(lambda i: dataset[i % n], 10**9, args.seconds, 0)
        raw_fps = raw_items * f / raw_s

        loader = TrainingLoader(dataset, global_batch=args.batch_size, seed=0, rank=0,
                                world_size=1, num_workers=args.workers, pin_memory=False)
        start = time.perf_counter()
        loaded = 0
        for batch in loader:
            loaded += batch["video"].shape[0]
            if time.perf_counter() - start > args.seconds:
                break
        loader_s = time.perf_counter() - start
        loader_fps = loaded * f / loader_s

        t0 = time.perf_counter()
        arrays = prepare_npy(dataset, Path(tmp))
        prepare_s = time.perf_counter() - t0

        def prepared(i: int) -> torch.Tensor:
            video, indices = dataset.locate(i % n)
            frames = arrays[dataset.videos.index(video)][indices]              # f c r r
            clip = torch.from_numpy(np.ascontiguousarray(frames))
            return clip.flip(-1) if dataset.flipped(i % n) else clip

        prep_items, prep_s = time_items(prepared, 10**9, args.seconds, 0)
        prep_fps = prep_items * f / prep_s

    figures = {
        "videos": len(dataset.videos), "clips": n, "resolution": args.resolution,
        "clip_frames": f, "index_seconds": round(index_s, 2),
        "raw_frames_per_s_per_worker": round(raw_fps, 1),
        "raw_clips_per_s_per_worker": round(raw_fps / f, 1),
        "loader_workers": args.workers, "loader_frames_per_s": round(loader_fps, 1),
        "loader_frames_per_s_per_worker": round(loader_fps / max(args.workers, 1), 1),
        "prepared_frames_per_s_per_worker": round(prep_fps, 1),
        "prepare_seconds": round(prepare_s, 2),
    }
    from rich.console import Console
    from rich.table import Table

    table = Table(title="data loading (random UCF-101 clips)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, str(value))
    Console(stderr=True).print(table)
    print(json.dumps({"benchmark": "data_loading", **figures}))


if __name__ == "__main__":
    main()
