"""`inrvid export`: config.json + model.safetensors that load and generate like the checkpoint."""

from __future__ import annotations

import json
import pickletools
from pathlib import Path

import pytest
import torch

import inrvid
from inrvid.base.errors import CheckpointError
from inrvid.cli import main
from inrvid.interop.importing import convert
from inrvid.runtime import checkpoint as ckpt
from tests.release.conftest import write_snapshot


def export(source: Path, out: Path) -> Path:
    assert main(["export", str(source), "--out", str(out)]) == 0
    return out


def generate(source: Path, out: Path, *extra: str) -> list[bytes]:
    assert main(["generate", str(source), "--num", "2", "--frames", "3", "--format", "png",
                 "--out", str(out), "--quiet", *extra]) == 0
    return [p.read_bytes() for p in sorted(out.rglob("*.png"))]


def test_export_generates_the_frames_of_the_checkpoint(converted: Path, tmp_path: Path) -> None:
    folder = export(converted, tmp_path / "export")
    from_checkpoint = generate(converted, tmp_path / "a")
    from_export = generate(folder, tmp_path / "b")
    assert from_checkpoint and from_export == from_checkpoint
    a, b = inrvid.load(converted), inrvid.load(folder)
    z = a.latents(2, seed=3)
    times = a.times(4)
    assert torch.equal(a.render(z.z_content, z.z_motion, times),
                       b.render(z.z_content, z.z_motion, times))
    assert b.info["exported"] and b.video == a.video


def test_export_holds_no_pickle(converted: Path, tmp_path: Path) -> None:
    folder = export(converted, tmp_path / "export")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    config = json.loads((folder / "config.json").read_text())
    assert config["format"] == "inrvid-export" and config["generator"]["kind"] == "digan"
    assert config["encoder"]["kind"] == "digan_fourier_xyt"
    assert config["source"]["origin"]["release"] == "digan"
    for path in folder.iterdir():
        data = path.read_bytes()
        assert not data.startswith((b"\x80", b"PK")), path      # no pickle, no torch zip
        with pytest.raises(Exception):                           # noqa: B017, PT011
            list(pickletools.genops(data))
    header = int.from_bytes((folder / "model.safetensors").read_bytes()[:8], "little")
    assert json.loads((folder / "model.safetensors").read_bytes()[8:8 + header])


def test_export_of_a_conditional_model_keeps_its_class_names(tmp_path: Path) -> None:
    path, _ = write_snapshot(tmp_path, classes=3)
    checkpoint, _, _ = convert("digan", path, ["generator.class_names=[cat,dog,owl]"])
    ckpt.save(checkpoint, tmp_path / "cond.pt")
    folder = export(tmp_path / "cond.pt", tmp_path / "export")
    assert json.loads((folder / "config.json").read_text())["class_names"] == ["cat", "dog",
                                                                               "owl"]
    model = inrvid.load(folder)
    assert model.generator.class_names == ("cat", "dog", "owl")
    assert generate(folder, tmp_path / "a", "--class", "owl") == generate(
        tmp_path / "cond.pt", tmp_path / "b", "--class", "owl")


def test_export_with_changed_weights_is_refused(converted: Path, tmp_path: Path) -> None:
    folder = export(converted, tmp_path / "export")
    data = bytearray((folder / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (folder / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupted: its sha256 does not match"):
        inrvid.load(folder)


def test_export_holds_the_ema_only(converted: Path, tmp_path: Path) -> None:
    folder = export(converted, tmp_path / "export")
    with pytest.raises(CheckpointError, match="EMA weights only"):
        inrvid.load(folder, ema=False)


def test_export_refuses_a_folder_that_is_not_an_export(converted: Path, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(CheckpointError, match="exists and is not an inrvid export"):
        ckpt.write_export(ckpt.load(converted), tmp_path / "busy")
