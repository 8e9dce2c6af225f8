"""What `inrvid eval` scores, said and recorded: which generated videos, which files.

- Generated from a checkpoint: the latents are drawn from the seed evaluation during training
  uses (`training_fake_seed`) unless `--seed` is given, so the values match the training
  log's at that checkpoint; the training log's values are shown beside them.
- A folder (`--fake DIR`): a folder `inrvid generate` wrote is read through its manifest
  (generate.json), its videos only; any other folder without the sample grid it may hold.
  The files actually read are listed in the record's provenance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from inrvid.base.console import counted, err
from inrvid.base.errors import DataError
from inrvid.base.files import JsonLines
from inrvid.components.registry import HookCaller
from inrvid.generation.manifest import MANIFEST, read_manifest
from inrvid.runtime.scoring.runner import training_fake_seed
from inrvid.runtime.scoring.sources import FolderVideoSource, fake_folder_source, list_videos

GRID_STEM = "grid"  # the sample grid `inrvid generate` writes beside its videos
EVAL_PREFIX = "eval/"


def fake_folder(folder: str, seed: int, plugins: HookCaller | None) -> FolderVideoSource:
    """The generated videos of `folder`: its manifest's, else every video but a grid.

    They are read with `plugins`' readers (None: the core's reader).
    """
    root = Path(folder)
    manifest = read_manifest(root) if root.is_dir() else None
    if manifest is None:
        videos = list_videos(root) if root.is_dir() else None
        grids = [p for p in videos or [] if Path(p.relative_to(root).parts[0]).stem == GRID_STEM]
        if grids:
            err.print(f"left out {escape(', '.join(p.name for p in grids))}: a sample grid of "
                      f"inrvid generate, not a video to score", soft_wrap=True)
        paths = None if videos is None else [p for p in videos if p not in grids]
        return fake_folder_source(root, seed, paths, plugins)
    where = root / MANIFEST
    if not manifest.complete:
        raise DataError(f"{where}: the generation did not finish, so its videos are not all "
                        "there\n  generate again with --replace")
    missing = [p.name for p in manifest.video_paths if not p.exists()]
    if missing:
        raise DataError(f"{where}: lists {missing[0]}, which is not in the folder\n"
                        "  generate again with --replace")
    err.print(f"scoring the {counted(len(manifest.videos), 'video')} {MANIFEST} lists (not "
              "its grid, nor other files of the folder)", soft_wrap=True)
    return fake_folder_source(root, seed, manifest.video_paths, plugins)


def files_scored(source: Any) -> list[str] | None:
    """The files a folder source read, in order (None for generated videos)."""
    if isinstance(source, FolderVideoSource):
        return [str(p) for p in source.read]
    return None


def fake_seed(chosen: int | None, recipe_seed: int | None) -> int:
    """`--seed`, else (a checkpoint) the training log's seed, else (a folder) 0."""
    if chosen is not None:
        return chosen
    return training_fake_seed(recipe_seed) if recipe_seed is not None else 0


def seed_note(seed: int, recipe_seed: int) -> str:
    """Which generated videos are scored, against those evaluation during training scored."""
    training = training_fake_seed(recipe_seed)
    if seed == training:
        return (f"generated videos: latent seed {seed}, the videos evaluation during training "
                "scored (same metric settings: the same values as its log)")
    return (f"generated videos: latent seed {seed}; evaluation during training used seed "
            f"{training} (recipe seed {recipe_seed} + {training - recipe_seed}), so values "
            "differ from its log by the sampling noise: leave out --seed to score its videos")


def logged_values(run_dir: Path, images_seen: int) -> dict[str, float]:
    """`role/key -> value` that evaluation during training logged at `images_seen`."""
    log = run_dir / "metrics.jsonl"
    if not log.is_file():
        return {}
    found: dict[str, float] = {}
    for record in JsonLines(log).read():
        if record.get("images_seen") == images_seen:
            found.update({k.removeprefix(EVAL_PREFIX): float(v) for k, v in record.items()
                          if k.startswith(EVAL_PREFIX) and isinstance(v, int | float)})
    return found
