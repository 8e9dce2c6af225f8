"""A user's files are never left half-written: atomic rewrites and append-only logs (issue 15)."""

from __future__ import annotations

import errno
import json
import os

import pytest

from inrvid.base import files
from inrvid.base.errors import StorageError
from inrvid.train.records import MetricsLog


def _enospc(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_torn_last_line_is_dropped_when_read_and_removed_by_the_next_append(tmp_path):
    log = files.JsonLines(tmp_path / "metrics.jsonl")
    log.append({"images_seen": 4, "loss": 1.0})
    with open(log.path, "ab") as f:
        f.write(b'{"images_seen": 8, "lo')  # what a full disk or a kill mid-append leaves
    assert log.read() == [{"images_seen": 4, "loss": 1.0}]
    log.append({"images_seen": 8, "loss": 0.5})
    assert log.path.read_text().splitlines() == [
        '{"images_seen": 4, "loss": 1.0}',
        '{"images_seen": 8, "loss": 0.5}',
    ]


def test_disk_full_during_an_append_raises_one_line_naming_the_file_and_leaves_no_torn_line(
    tmp_path, monkeypatch
):
    log = files.JsonLines(tmp_path / "metrics.jsonl")
    log.append({"images_seen": 4})
    before = log.path.read_bytes()
    monkeypatch.setattr(os, "fsync", _enospc)
    with pytest.raises(StorageError) as caught:
        log.append({"images_seen": 8})
    message = str(caught.value)
    assert "\n" not in message
    assert str(log.path) in message and "the disk is full" in message
    assert log.path.read_bytes() == before


def test_metrics_truncation_on_resume_is_atomic_a_failed_rewrite_keeps_the_whole_history(
    tmp_path, monkeypatch
):
    log = MetricsLog(tmp_path, tensorboard=False)
    for seen in (4, 8, 12, 16):
        log.write({"images_seen": seen})
    before = log.path.read_bytes()
    # a kill or a full disk between writing the new log and renaming it over the old one
    monkeypatch.setattr(os, "replace", _enospc)
    with pytest.raises(StorageError):
        log.truncate_after(8)
    monkeypatch.undo()
    assert log.path.read_bytes() == before
    assert list(tmp_path.glob(".metrics.jsonl.*")) == []  # the temporary file is removed
    log.truncate_after(8)
    assert [r["images_seen"] for r in log.lines.read()] == [4, 8]


def test_an_atomic_write_that_fails_leaves_the_previous_file_and_no_temporary_file(
    tmp_path, monkeypatch
):
    target = tmp_path / "run-info.json"
    files.write_json(target, {"version": 1})
    monkeypatch.setattr(os, "fsync", _enospc)
    with pytest.raises(StorageError, match=r"run-info\.json: the disk is full"):
        files.write_json(target, {"version": 2})
    monkeypatch.undo()
    assert json.loads(target.read_text()) == {"version": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-info.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_writing_into_a_read_only_folder_is_a_one_line_permission_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError, match=r"locked/out\.json: permission denied"):
            files.write_json(folder / "out.json", {})
    finally:
        folder.chmod(0o700)


def test_writing_over_a_folder_names_the_folder(tmp_path):
    (tmp_path / "out.json").mkdir()
    with pytest.raises(StorageError, match=r"out\.json: the path is a folder"):
        files.write_json(tmp_path / "out.json", {})


def test_atomic_writes_get_the_usual_permissions_not_mkstemps_0600(tmp_path):
    target = tmp_path / "recipe.resolved.yaml"
    files.write_text(target, "name: x\n")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_stale_temporary_files_of_a_killed_write_are_removed(tmp_path):
    stale = tmp_path / ".checkpoint-000000004.pt.abc123.tmp"
    stale.write_bytes(b"partial")
    keep = tmp_path / "checkpoint-000000004.pt"
    keep.write_bytes(b"whole")
    assert files.remove_stale_temps(tmp_path) == [stale]
    assert keep.exists() and not stale.exists()
