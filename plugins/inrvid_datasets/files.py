"""Finding videos and frame folders under a dataset root."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from inrvid.base.errors import DataError
from inrvid.video.frames import IMAGE_SUFFIXES, natural_key

VIDEO_SUFFIXES = (".avi", ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".gif", ".mpg", ".mpeg", ".flv")


def require_folder(root: str | Path, option: str, dataset: str, expected: str) -> Path:
    """`root` as an absolute path; a `DataError` naming the path tried if it is no folder.

    The message names the key a user sets, `data.<option>` (a dataset is always the recipe's
    `data` section), and the dataset it belongs to.
    """
    path = Path(root).expanduser().resolve()
    if not path.is_dir():
        what = "is a file" if path.exists() else "no such folder"
        key = f"data.{option}"
        raise DataError(
            f"{key} ({dataset} dataset): {what}: got {path}, expected {expected}\n"
            f"  set {key} to the folder that holds the data: `{key}=/path/to/it` after the "
            f"recipe on the command line (relative paths start at {Path.cwd()})"
        )
    return path


def _sorted_walk(root: Path) -> list[tuple[Path, list[str], list[str]]]:
    out = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted((d for d in dirs if not d.startswith(".")), key=natural_key)
        out.append((Path(folder), dirs, sorted(files, key=natural_key)))
    return out


def excluded(relative: Path, patterns: list[str]) -> bool:
    """Whether a path relative to the root matches any glob pattern (or any of its parts does)."""
    text = relative.as_posix()
    return any(
        fnmatch.fnmatch(text, p) or any(fnmatch.fnmatch(part, p) for part in relative.parts)
        for p in patterns
    )


def find_videos(root: Path, suffixes: tuple[str, ...] = VIDEO_SUFFIXES,
                exclude: list[str] | None = None) -> list[Path]:
    """Every entry under `root` whose name ends in a video suffix, in natural order.

    Directories with a video suffix are returned too: the index reports them as unreadable
    instead of silently dropping them.
    """
    found = []
    for folder, dirs, files in _sorted_walk(root):
        for name in [*files, *dirs]:
            if name.startswith(".") or not name.lower().endswith(suffixes):
                continue
            path = folder / name
            if exclude and excluded(path.relative_to(root), exclude):
                continue
            found.append(path)
    return sorted(found, key=lambda p: natural_key(p.relative_to(root).as_posix()))


def find_frame_folders(root: Path, exclude: list[str] | None = None) -> list[Path]:
    """Every folder under `root` (itself included) that directly holds image files."""
    found = []
    for folder, _, files in _sorted_walk(root):
        if not any(Path(f).suffix.lower() in IMAGE_SUFFIXES for f in files):
            continue
        if exclude and folder != root and excluded(folder.relative_to(root), exclude):
            continue
        found.append(folder)
    return found


def top_folder(path: Path, root: Path) -> str:
    """The first folder of `path` below `root` ("" for a file directly in `root`)."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else ""
