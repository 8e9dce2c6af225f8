"""Kinetics class subsets, e.g. DIGAN's 29 food classes (docs/reference/digan.md §4.3)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field

from inrvid.base.errors import DataError
from inrvid.components.dataset import SkippedFile
from inrvid.components.registry import BuildContext
from inrvid_datasets.base import FileDatasetConfig, IndexedVideoDataset
from inrvid_datasets.files import VIDEO_SUFFIXES, find_frame_folders, find_videos, require_folder
from inrvid_datasets.layout import digan_layout

# The Kinetics-600 classes of DIGAN's Kinetics-food set ([D] prepare_data/train.txt).
DIGAN_FOOD_CLASSES = (
    "baking cookies", "barbequing", "breading or breadcrumbing", "cooking egg",
    "cooking on campfire", "cooking sausages (not on barbeque)", "cooking scallops",
    "cutting apple", "cutting nails", "cutting orange", "cutting pineapple",
    "cutting watermelon", "flipping pancake", "chopping vegetables", "frying vegetables",
    "chopping meat", "grinding meat", "making a cake", "eating cake", "making a sandwich",
    "making pizza", "making sushi", "making tea", "peeling apples", "peeling potatoes",
    "picking fruit", "scrambling eggs", "separating eggs", "preparing salad",
)


class KineticsConfig(FileDatasetConfig):
    """Kinetics: `<root>/[<split>/]<class name>/<video>` (videos or frame folders)."""

    root: str = Field("data/kinetics", description="Kinetics folder: class folders, directly "
                      "or inside the split folder")
    split: str | None = Field("train", description="subfolder of root holding the class folders, "
                              "used when it exists; None: the class folders are in root")
    classes: list[str] | Literal["digan_food"] = Field(
        default_factory=list, description="class names to use, in label order; [] every class "
        "folder (sorted); 'digan_food' DIGAN's 29 food classes",
    )
    classes_file: str | None = Field(
        None, description="text file with one class name per line (overrides `classes`)"
    )


def normalise(name: str) -> str:
    """Class-name key that ignores case, spaces versus underscores, and quotes."""
    return re.sub(r"[\s_]+", " ", name.strip().strip("'\"").lower())


class Kinetics(IndexedVideoDataset):
    """Kinetics clips: non-overlapping 16-frame chunks of each video of the chosen classes."""

    def __init__(self, cfg: KineticsConfig, ctx: BuildContext) -> None:
        root = require_folder(cfg.root, "root", "kinetics", "Kinetics class folders")
        if cfg.split and (root / cfg.split).is_dir():
            root = root / cfg.split
        super().__init__(cfg, ctx, root)
        folders = {normalise(p.name): p for p in sorted(root.iterdir()) if p.is_dir()
                   and not p.name.startswith(".")}
        self.classes = self._class_list(cfg, sorted(p.name for p in folders.values()))
        candidates: list[tuple[Path, int]] = []
        for label, name in enumerate(self.classes):
            folder = folders.get(normalise(name))
            if folder is None:
                self.skipped.append(SkippedFile(str(root / name),
                                                "class folder missing: no videos for this class"))
                continue
            videos = find_videos(folder, VIDEO_SUFFIXES)
            frame_dirs = [f for f in find_frame_folders(folder) if f != folder]
            candidates += [(p, label) for p in sorted(videos + frame_dirs)]
        self._build(candidates, digan_layout("kinetics", cfg.clip_frames))

    @staticmethod
    def _class_list(cfg: KineticsConfig, on_disk: list[str]) -> list[str]:
        if cfg.classes_file is not None:
            path = Path(cfg.classes_file).expanduser().resolve()
            if not path.is_file():
                raise DataError(f"data.classes_file (kinetics dataset): no such file: got {path}, "
                                "expected one class name per line\n  fix the path")
            names = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        elif cfg.classes == "digan_food":
            names = list(DIGAN_FOOD_CLASSES)
        else:
            names = list(cfg.classes) or on_disk
        if not names:
            raise DataError("data.classes (kinetics dataset): got no class, expected class "
                            "folders in root or a class list\n  set data.classes or "
                            "data.classes_file")
        return names
