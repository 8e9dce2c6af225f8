"""Checkpoint files under faults: a full disk or a refused permission is a one-line error
that keeps the previous checkpoint; a killed write's temporary file is cleaned at the next
start of a run in that folder (issue 15, item 4)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from inrvid.base.errors import CheckpointError
from inrvid.cli import main
from inrvid.runtime import checkpoint as ckpt

FORMAT1 = Path(__file__).resolve().parents[1] / "data" / "checkpoint-format1-quickstart.pt"


@pytest.fixture
def saved(tmp_path: Path) -> tuple[ckpt.Checkpoint, Path]:
    """A small checkpoint already saved in `<tmp>/checkpoints/`."""
    checkpoint = ckpt.load(FORMAT1)
    path = ckpt.checkpoint_path(tmp_path / "checkpoints", 4)
    ckpt.save(checkpoint, path)
    return checkpoint, path


def test_a_full_disk_during_a_checkpoint_write_is_one_line_naming_the_file_and_keeps_the_last(
    saved, monkeypatch
):
    checkpoint, first = saved
    target = ckpt.checkpoint_path(first.parent, 8)

    def disk_full(fd):
        # the bytes were written to the page cache; flushing them finds the disk full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(CheckpointError) as caught:
        ckpt.save(checkpoint, target)
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert str(target) in message and "the disk is full" in message
    assert "the previous file is intact" in message
    monkeypatch.undo()
    assert not target.exists()
    assert [p.name for p in first.parent.iterdir()] == [first.name]   # no temporary file left
    assert ckpt.load(first).images_seen == checkpoint.images_seen


def test_a_refused_permission_is_one_line_naming_the_file(saved, monkeypatch):
    checkpoint, first = saved

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refused)
    target = ckpt.checkpoint_path(first.parent, 8)
    with pytest.raises(CheckpointError) as caught:
        ckpt.save(checkpoint, target)
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert str(target) in message and "permission denied" in message


def test_a_killed_first_write_leaves_a_temporary_file_that_the_next_start_removes(
    tmp_path, capsys
):
    run = tmp_path / "run"
    stale = run / "checkpoints" / ".checkpoint-000000004.pt.k1ll3d.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a checkpoint")
    assert main(["run", "--resume", str(run), "--quiet"]) == 2
    assert "no checkpoint-*.pt in this run folder" in capsys.readouterr().err
    assert not stale.exists()


def test_a_file_that_is_not_a_checkpoint_names_what_it_lacks(tmp_path):
    path = tmp_path / "checkpoint-000000004.pt"
    ckpt.write_payload({"format_version": 2, "digests": {}, "content": {}}, path)
    with pytest.raises(CheckpointError, match=r"checkpoint-000000004\.pt: video: missing"):
        ckpt.load(path)
    ckpt.write_payload({"format_version": 7}, path)
    with pytest.raises(CheckpointError, match=r"not an inrvid checkpoint of format 1 or 2 "
                                              r"\(format_version: 7\)"):
        ckpt.load(path)
