"""`generate` writes only into an empty folder or over its own earlier generation, by its
manifest; `eval --fake` scores exactly the manifest's videos, never a grid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inrvid.base.errors import DataError, InrvidError
from inrvid.cli import main
from inrvid.generation import generate
from inrvid.generation.manifest import MANIFEST, read_manifest

SMALL = ["--frames", "4", "--quiet"]


def generate_into(checkpoint: Path, out: Path, num: int, *extra: str) -> int:
    return main(["generate", str(checkpoint), "--num", str(num), "--out", str(out), *SMALL,
                 *extra])


def real_videos(checkpoint: Path, folder: Path) -> Path:
    """A folder of four videos (a generation without its grid and manifest)."""
    assert generate_into(checkpoint, folder, 4, "--seed", "1") == 0
    (folder / "grid.mp4").unlink()
    (folder / MANIFEST).unlink()
    return folder


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text())


def test_a_second_generation_is_refused_then_replaces_the_first_and_eval_scores_its_videos_only(
    tiny_checkpoint, tmp_path, capsys
):
    out, real = tmp_path / "gen", real_videos(tiny_checkpoint, tmp_path / "real")
    assert generate_into(tiny_checkpoint, out, 4) == 0
    (out / "mine.mp4").write_bytes((real / "video-000.mp4").read_bytes())  # the user's own
    capsys.readouterr()

    assert generate_into(tiny_checkpoint, out, 3, "--seed", "5") == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert f"--out {out}: the folder is not empty (7 entries" in err and "--replace" in err
    assert manifest(out)["seed"] == 0 and (out / "video-003.mp4").exists()  # untouched

    assert generate_into(tiny_checkpoint, out, 3, "--seed", "5", "--replace") == 0
    err = capsys.readouterr().err.replace("\n", " ")
    assert "removed the earlier generation" in err and "kept 1 entry it does not list: mine.mp4" in err
    assert "wrote 3 videos of 4 frames" in err
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST, "grid.mp4", "mine.mp4", "video-000.mp4", "video-001.mp4", "video-002.mp4"]
    record = manifest(out)
    assert record["seed"] == 5 and record["complete"] is True
    assert record["video_files"] == ["video-000.mp4", "video-001.mp4", "video-002.mp4"]

    result = tmp_path / "eval.json"
    assert main(["eval", "--fake", str(out), "--real", str(real), "--metrics", "swd",
                 "--protocol", "proxy", "swd.resolution=native", "--videos", "8", "--frames", "4", "--quiet",
                 "--out", str(result)]) == 0
    provenance = json.loads(result.read_text())["provenance"]["swd"]
    expected = [str((out / name).resolve()) for name in record["video_files"]]
    assert provenance["fake_files"] == expected  # not the grid, not mine.mp4
    assert provenance["videos_used"]["fake"] == 3


def test_replace_refuses_a_folder_without_a_manifest_and_removes_nothing(
    tiny_checkpoint, tmp_path, capsys
):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.mp4").write_bytes(b"not ours")
    assert generate_into(tiny_checkpoint, out, 1, "--replace") == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert f"--replace: {out} has no {MANIFEST}" in err and "holiday.mp4" in err
    assert [p.name for p in out.iterdir()] == ["holiday.mp4"]


def test_a_png_generation_is_replaced_frame_by_frame_leaving_foreign_files(
    tiny_checkpoint, tmp_path
):
    out = tmp_path / "frames"
    assert generate_into(tiny_checkpoint, out, 2, "--format", "png") == 0
    (out / "video-001" / "notes.txt").write_text("mine")
    assert generate_into(tiny_checkpoint, out, 1, "--format", "gif", "--replace") == 0
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "grid.gif", "video-000.gif",
                                                     "video-001"]
    assert [p.name for p in (out / "video-001").iterdir()] == ["notes.txt"]


def test_an_unfinished_generation_is_listed_replaceable_and_refused_by_eval(
    tiny_checkpoint, tmp_path, monkeypatch, capsys
):
    out, real = tmp_path / "cut", real_videos(tiny_checkpoint, tmp_path / "real")

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(generate, "write_set", interrupted)
    assert generate_into(tiny_checkpoint, out, 2) == 130  # Ctrl-C while writing
    monkeypatch.undo()
    cut = read_manifest(out)
    assert cut is not None and not cut.complete and cut.videos == ("video-000.mp4",
                                                                    "video-001.mp4")
    capsys.readouterr()
    assert main(["eval", "--fake", str(out), "--metrics", "swd", "--real", str(real),
                 "--quiet"]) == DataError.exit_code
    assert "the generation did not finish" in capsys.readouterr().err
    assert generate_into(tiny_checkpoint, out, 2, "--replace") == 0
    assert read_manifest(out).complete  # type: ignore[union-attr]


def test_eval_of_a_folder_without_manifest_leaves_out_the_grid(tiny_checkpoint, tmp_path,
                                                               capsys):
    out, real = tmp_path / "plain", real_videos(tiny_checkpoint, tmp_path / "real")
    assert generate_into(tiny_checkpoint, out, 2) == 0
    (out / MANIFEST).unlink()
    result = tmp_path / "eval.json"
    assert main(["eval", "--fake", str(out), "--real", str(real), "--metrics", "swd",
                 "--protocol", "proxy", "swd.resolution=native", "--videos", "4", "--frames", "4", "--quiet",
                 "--out", str(result)]) == 0
    assert "left out grid.mp4" in capsys.readouterr().err
    scored = json.loads(result.read_text())["provenance"]["swd"]["fake_files"]
    assert [Path(p).name for p in scored] == ["video-000.mp4", "video-001.mp4"]


def test_a_scale_above_the_generators_max_scale_is_refused_before_anything_renders(
    tiny_checkpoint, tiny_model, tmp_path, run_command, monkeypatch
):
    rendered = []
    monkeypatch.setattr(generate.VideoModel, "render", lambda *a, **k: rendered.append(1))
    out = tmp_path / "big"
    monkeypatch.setattr(type(tiny_model.generator), "max_scale", 2)
    with pytest.raises(InrvidError, match=r"--scale: got 3, expected at most 2: .* max_scale"):
        run_command("generate", tiny_checkpoint, "--scale", 3, "--out", out, "--quiet")
    monkeypatch.setattr(type(tiny_model.generator), "max_scale", 1)
    with pytest.raises(InrvidError, match=r"--scale: got 2, expected 1: .* renders one grid"):
        run_command("generate", tiny_checkpoint, "--scale", 2, "--out", out, "--quiet")
    assert not rendered and not out.exists()


def test_one_video_is_counted_in_the_singular(tiny_checkpoint, tmp_path, capsys):
    assert generate_into(tiny_checkpoint, tmp_path / "one", 1, "--frames", "1") == 0
    assert "wrote 1 video of 1 frame (" in capsys.readouterr().err
