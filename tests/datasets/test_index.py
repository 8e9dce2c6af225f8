"""The dataset index: built once, reused, rebuilt on change, stored where it may be written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import inrvid_datasets.index as index_module
import pytest

from inrvid.cli import main
from inrvid.testing import build_component


@pytest.fixture
def folder(data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "clips"
    root.mkdir()
    shutil.copy(data / "videos/realshort.mp4", root / "a.mp4")
    (root / "b.avi").symlink_to(data / "ucf101/videos/Punch/v_Punch_g03_c01.avi")
    return root


def build(root: Path, **extra):
    return build_component("dataset", "video_folder",
                           {"root": str(root), "resolution": 16, "clip_frames": 4, **extra})


def count_scans(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    scanned: list[Path] = []
    real = index_module.scan_one

    def spy(path: Path, plugins):
        scanned.append(path)
        return real(path, plugins)

    monkeypatch.setattr(index_module, "scan_one", spy)
    return scanned


def test_index_is_built_once_and_rebuilt_only_for_changed_files(folder: Path, monkeypatch):
    scanned = count_scans(monkeypatch)
    first = build(folder)
    assert sorted(p.name for p in scanned) == ["a.mp4", "b.avi"]
    scanned.clear()
    again = build(folder)
    assert scanned == [] and len(again) == len(first)
    stat = (folder / "a.mp4").stat()
    os.utime(folder / "a.mp4", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    build(folder)
    assert [p.name for p in scanned] == ["a.mp4"]


def test_index_goes_to_inrvid_cache_when_set(folder: Path, private_cache: Path):
    ds = build(folder)
    assert ds.index_file.parent == private_cache / "index"
    entries = json.loads(ds.index_file.read_text())["entries"]
    assert entries["a.mp4"]["info"]["frames"] == 36


def test_index_sits_beside_writable_data_and_in_home_cache_for_read_only_data(
    folder: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.delenv("INRVID_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert build(folder).index_file == folder / ".inrvid-index.json"
    (folder / ".inrvid-index.json").unlink()
    folder.chmod(0o555)
    try:
        ds = build(folder)
    finally:
        folder.chmod(0o755)
    assert ds.index_file.is_relative_to(tmp_path / "home" / ".cache" / "inrvid" / "index")
    assert not (folder / ".inrvid-index.json").exists()


def test_data_inspect_prints_clips_and_skipped_files_with_reasons(data: Path, folder: Path,
                                                                  capsys):
    (folder / "bad.mp4").write_text("text")
    recipe = Path(__file__).resolve().parents[2] / "recipes" / "quickstart.yaml"
    status = main(["data", "inspect", str(recipe), "data.kind=video_folder",
                   f"data.root={folder}", "data.resolution=16", "data.clip_frames=4", "--json"])
    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["videos"] == 2 and summary["clips"] == 9 + 27
    assert summary["skipped"] == [{"path": str(folder / "bad.mp4"),
                                   "reason": summary["skipped"][0]["reason"]}]
    assert "PyAV cannot open it" in summary["skipped"][0]["reason"]
    assert main(["data", "inspect", str(recipe), "data.videos=3"]) == 0
    assert "clips" in capsys.readouterr().out
