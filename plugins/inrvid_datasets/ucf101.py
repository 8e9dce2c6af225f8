"""UCF-101 in its official layout, with the official split lists (docs/reference/digan.md §4.3)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from inrvid.base.errors import DataError
from inrvid.components.dataset import SkippedFile
from inrvid.components.registry import BuildContext
from inrvid_datasets.base import FileDatasetConfig, IndexedVideoDataset
from inrvid_datasets.files import find_videos, require_folder
from inrvid_datasets.layout import ClipLayout

SPLIT_DIR_NAMES = ("", "ucfTrainTestlist", "splits")
VIDEO_DIR_NAMES = ("UCF-101", "videos")


class UCF101Config(FileDatasetConfig):
    """UCF-101: `<videos>/<Class>/v_<Class>_gXX_cYY.avi` plus classInd.txt and split lists."""

    root: str = Field("data/ucf101", description="UCF-101 folder: class folders (directly, or "
                      "in UCF-101/ or videos/) and the split lists (directly, or in "
                      "ucfTrainTestlist/ or splits/)")
    splits_dir: str | None = Field(
        None, description="folder of classInd.txt and the split lists; None: searched in root"
    )
    splits: list[str] = Field(
        default_factory=lambda: ["trainlist01", "testlist01"],
        description="split lists to take videos from (names without .txt); DIGAN trains on "
        "trainlist01 + testlist01 (all 13,320 videos)",
    )
    clip_step: int = Field(1, ge=1, description="frames between window starts (DIGAN: 1, every "
                           "16-frame window)")

    @field_validator("splits")
    @classmethod
    def _some_split(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("splits: got [], expected at least one list such as 'trainlist01'")
        return value


def read_class_index(path: Path) -> list[str]:
    """Class names from classInd.txt (`<1-based id> <Class>` lines), in id order."""
    names: dict[int, str] = {}
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise DataError(f"{path}:{n}: got {line.strip()!r}, expected '<id> <ClassName>'\n"
                            "  use the official ucfTrainTestlist/classInd.txt")
        names[int(parts[0])] = parts[1]
    if sorted(names) != list(range(1, len(names) + 1)):
        raise DataError(f"{path}: class ids are not 1..{len(names)}\n"
                        "  use the official ucfTrainTestlist/classInd.txt")
    return [names[i] for i in range(1, len(names) + 1)]


def read_split(path: Path) -> list[str]:
    """Relative video paths of a split list (`Class/v_...avi [label]` lines, CRLF or LF)."""
    return [line.split()[0] for line in path.read_text().splitlines() if line.strip()]


class UCF101(IndexedVideoDataset):
    """UCF-101 clips: every 16-frame window at start step 1, labels from classInd.txt."""

    def __init__(self, cfg: UCF101Config, ctx: BuildContext) -> None:
        root = require_folder(cfg.root, "root", "ucf101",
                              "UCF-101 class folders <Class>/v_<Class>_gXX_cYY.avi")
        videos_root = next((root / n for n in VIDEO_DIR_NAMES if (root / n).is_dir()), root)
        super().__init__(cfg, ctx, videos_root)
        splits = self._splits_dir(root, cfg.splits_dir)
        self.classes = read_class_index(splits / "classInd.txt")
        by_name = {c.lower(): i for i, c in enumerate(self.classes)}
        on_disk = {p.relative_to(videos_root).as_posix().lower(): p
                   for p in find_videos(videos_root, (".avi",))}
        candidates: list[tuple[Path, int]] = []
        missing: list[str] = []
        seen: set[str] = set()
        for split in cfg.splits:
            list_file = splits / f"{split}.txt"
            if not list_file.is_file():
                raise DataError(f"data.splits (ucf101 dataset): no list {list_file}: got "
                                f"'{split}', expected a file {split}.txt in {splits}\n"
                                "  use names like 'trainlist01'")
            for rel in read_split(list_file):
                key = rel.lower()
                if key in seen:
                    continue
                seen.add(key)
                label = by_name.get(rel.split("/")[0].lower(), -1)
                if key in on_disk:
                    candidates.append((on_disk[key], label))
                else:
                    missing.append(rel)
        if missing:
            self.skipped.append(SkippedFile(
                f"{len(missing)} videos listed in {', '.join(cfg.splits)}",
                f"missing from {videos_root} (first: {missing[0]})"))
        self._build(candidates, ClipLayout(cfg.clip_frames, step=cfg.clip_step))

    @staticmethod
    def _splits_dir(root: Path, configured: str | None) -> Path:
        if configured is not None:
            return require_folder(configured, "splits_dir", "ucf101",
                                  "a folder with classInd.txt and the split lists")
        for base in (root, root.parent):
            for name in SPLIT_DIR_NAMES:
                if (base / name / "classInd.txt").is_file():
                    return base / name
        raise DataError(f"data.splits_dir (ucf101 dataset): no classInd.txt: got {root}, expected "
                        "it in root, root/ucfTrainTestlist or root/splits\n"
                        "  set data.splits_dir to its folder")
