"""Fixtures for the dataset tests: the official UCF-101 layout over the shared clips."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ucf_root(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The official UCF-101 layout in a temporary folder, linking the shared clips and lists."""
    root = tmp_path_factory.mktemp("ucf") / "UCF101"
    for clip in sorted((data / "ucf101" / "videos").glob("*/*.avi")):
        target = root / "UCF-101" / clip.parent.name / clip.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(clip)
    lists = root / "ucfTrainTestlist"
    lists.mkdir()
    for split in (data / "ucf101" / "splits").glob("*.txt"):
        (lists / split.name).symlink_to(split)
    return root
