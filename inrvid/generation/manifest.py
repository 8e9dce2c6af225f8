"""generate.json: the manifest of a folder `inrvid generate` wrote, and the folder's rules.

The manifest names the folder's videos and its grid (names inside the folder) and whether the
generation finished: `generate` writes it with `complete: false` before the first video and
again, complete, after the last. So a generation cut short still lists its files, `--replace`
can remove them, and `inrvid eval --fake` refuses them. `generate` never writes into a folder
that holds anything unless told to replace an earlier generation, and `--replace` removes
only the files that generation's manifest lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.markup import escape

from inrvid.base import files
from inrvid.base.console import counted, err
from inrvid.base.errors import DataError, InrvidError

MANIFEST = "generate.json"
FRAME_GLOB = "frame-*.png"  # the frames of a video written with --format png (a folder)


@dataclass(frozen=True)
class Manifest:
    """What one generation wrote into `folder`: its videos, its grid, whether it finished."""

    folder: Path
    videos: tuple[str, ...]
    grid: str | None
    complete: bool

    @property
    def video_paths(self) -> list[Path]:
        """The videos (files, or folders of PNG frames), in order."""
        return [self.folder / name for name in self.videos]

    @property
    def entries(self) -> list[str]:
        """Every name the generation wrote or was about to write, the manifest last."""
        return [*self.videos, *([self.grid] if self.grid else []), MANIFEST]


def _plain_names(value: Any, where: Path, key: str) -> tuple[str, ...]:
    """A list of file names inside the folder (no folders, no `..`), or a clear error."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(f"{where}: {key}: expected a list of file names, got {value!r}\n"
                        "  the manifest is damaged: generate into a new folder")
    bad = [v for v in value if Path(v).name != v or v in ("", ".", "..")]
    if bad:
        raise DataError(f"{where}: {key}: got {bad[0]!r}, expected a name inside the folder\n"
                        "  the manifest is damaged: generate into a new folder")
    return tuple(value)


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of `folder`, or None if it has none; a clear error if it is unreadable.

    Manifests written before `video_files` and `grid_file` existed list every path in `files`.
    """
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable manifest ({exc})\n"
                        "  generate into a new folder") from None
    if not isinstance(record, dict):
        raise DataError(f"{path}: expected a JSON object\n  generate into a new folder")
    if "video_files" in record:
        videos = _plain_names(record["video_files"], path, "video_files")
        grid = record.get("grid_file")
        grid_names = _plain_names([grid], path, "grid_file") if grid is not None else ()
        return Manifest(folder, videos, grid_names[0] if grid_names else None,
                        record.get("complete") is True)
    names = _plain_names([Path(p).name for p in record.get("files", [])], path, "files")
    grid = next((n for n in names if Path(n).stem == "grid"), None)
    return Manifest(folder, tuple(n for n in names if n != grid), grid, True)


def write_manifest(folder: Path, record: dict[str, Any], videos: list[str], grid: str,
                   complete: bool) -> None:
    """Write the manifest (atomically): `record` and the names of what is (to be) written."""
    files.write_json(folder / MANIFEST,
                     {**record, "video_files": videos, "grid_file": grid, "complete": complete})


def check_output(folder: Path, replace: bool) -> Manifest | None:
    """Refuse a non-empty `folder` unless `replace` and it holds an earlier generation.

    Returns the earlier generation's manifest to remove (None: the folder is empty or new).
    Nothing is removed here, so a command that fails later leaves the folder as it was.
    """
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if not present:
        return None
    shown = ", ".join(present[:4]) + (", ..." if len(present) > 4 else "")
    if not replace:
        raise InrvidError(
            f"--out {folder}: the folder is not empty ({counted(len(present), 'entry', 'entries')}"
            f": {shown})\n  choose a new or empty folder, or pass --replace to remove the earlier "
            f"generation written there (the files its {MANIFEST} lists)"
        )
    manifest = read_manifest(folder)
    if manifest is None:
        raise InrvidError(
            f"--replace: {folder} has no {MANIFEST}, so nothing in it is known to come from "
            f"inrvid generate ({shown}); --replace removes only the files a {MANIFEST} lists\n"
            "  choose a new or empty folder"
        )
    return manifest


def remove_generation(manifest: Manifest) -> None:
    """Delete what the manifest lists (the manifest last) and say what else stays."""
    removed = 0
    for name in manifest.entries:
        path = manifest.folder / name
        if path.is_dir():  # a video written as PNG frames: its frames, then the folder if empty
            for frame in path.glob(FRAME_GLOB):
                frame.unlink()
            if not any(path.iterdir()):
                path.rmdir()
        elif path.exists():
            path.unlink()
        else:
            continue
        removed += name != MANIFEST
    kept = sorted(p.name for p in manifest.folder.iterdir())
    err.print(f"--replace: removed the earlier generation in {escape(str(manifest.folder))} "
              f"({counted(removed, 'file')} listed in {MANIFEST})", soft_wrap=True)
    if kept:
        err.print(f"kept {counted(len(kept), 'entry', 'entries')} it does not list: "
                  f"{escape(', '.join(kept[:6]))}{', ...' if len(kept) > 6 else ''}",
                  soft_wrap=True)
