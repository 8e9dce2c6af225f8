"""Fixtures for the dataset tests: the shared real data and a private index cache."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Index files go to a temporary cache, never beside the shared data."""
    cache = tmp_path_factory.getbasetemp() / "inrvid-cache"
    monkeypatch.setenv("INRVID_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def data() -> Path:
    """The shared test data folder (../shared/data from the repository root)."""
    if not (DATA / "README.md").is_file():
        pytest.skip(f"shared test data not found at {DATA.resolve()}")
    return DATA


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
