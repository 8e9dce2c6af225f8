"""Corrupt, empty, fake and unreadable files are listed with reasons, left out, never fatal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inrvid.testing import build_component


@pytest.fixture
def messy_folder(data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "videos"
    root.mkdir()
    for name in ("v_Punch_g03_c01_TRUNCATED_HALF.avi", "realshort_TRUNCATED_HALF.mp4"):
        (root / name).symlink_to(data / "videos/corrupt" / name)
    shutil.copy(data / "ucf101/videos/Punch/v_Punch_g03_c01.avi", root / "good.avi")
    shutil.copy(data / "videos/realshort.mp4", root / "good.mp4")
    (root / "zero.mp4").write_bytes(b"")
    (root / "notes.mp4").write_text("not a video, just text\n" * 40)
    (root / "folder.mp4").mkdir()                          # unreadable as a file (tests run as root)
    return root


def build(root: Path):
    return build_component("dataset", "video_folder",
                           {"root": str(root), "resolution": 16, "clip_frames": 4})


def test_every_bad_file_is_in_the_summary_with_its_reason(messy_folder: Path):
    summary = build(messy_folder).summary()
    reasons = {Path(s.path).name: s.reason for s in summary.skipped}
    assert "claims 108 frames, only 52 decode" in reasons["v_Punch_g03_c01_TRUNCATED_HALF.avi"]
    assert "PyAV cannot open it" in reasons["realshort_TRUNCATED_HALF.mp4"]
    assert "empty file" in reasons["zero.mp4"]
    assert "PyAV cannot open it" in reasons["notes.mp4"]
    assert "is a directory" in reasons["folder.mp4"]
    assert summary.videos == 2 and len(summary.skipped) == 5


def test_iterating_a_dataset_with_bad_files_completes(messy_folder: Path):
    dataset = build(messy_folder)
    assert sum(1 for _ in (dataset[i] for i in range(len(dataset)))) == len(dataset)


def test_a_file_that_breaks_after_indexing_is_replaced_by_another_clip_with_a_warning(
    messy_folder: Path,
):
    dataset = build(messy_folder)
    broken = next(i for i in range(len(dataset)) if dataset.locate(i)[0].path.name == "good.mp4")
    (messy_folder / "good.mp4").write_bytes(b"\0" * 100)
    with pytest.warns(UserWarning, match="used clip"):
        item = dataset[broken]
    assert item["index"] == broken and item["video"].shape == (4, 3, 16, 16)


def test_a_changed_file_is_rescanned_and_then_reported(messy_folder: Path):
    build(messy_folder)
    (messy_folder / "good.mp4").write_text("now text")
    reasons = {Path(s.path).name: s.reason for s in build(messy_folder).summary().skipped}
    assert "PyAV cannot open it" in reasons["good.mp4"]
