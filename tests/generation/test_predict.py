"""`inrvid predict`: inversion on a moving_shapes clip, comparison video, held-out PSNR."""

from __future__ import annotations

import json

import pytest
import torch

from inrvid.base.errors import DataError, InrvidError
from inrvid.generation.clips import parse_frames
from inrvid.loading.plugins import load_plugins
from inrvid.runtime.build import build_dataset_of
from inrvid.video import open_video, write_video
from tests.generation.conftest import clip_times


@pytest.fixture(scope="module")
def shapes_clip(tiny_model, tmp_path_factory):
    """A 16-frame moving_shapes clip from the dataset's exact renderer, as an mp4."""
    dataset = build_dataset_of(tiny_model.recipe, load_plugins())
    path = tmp_path_factory.mktemp("clip") / "shapes.mp4"
    write_video(path, dataset.render_uint8(5, clip_times(16)), fps=16)
    return path


def test_predict_lowers_the_observed_loss_tenfold_writes_the_comparison_and_prints_psnr(
    tiny_checkpoint, shapes_clip, run_command, tmp_path, capsys
):
    out = tmp_path / "pred"
    assert run_command("predict", tiny_checkpoint, "--video", shapes_clip, "--observe", "6,7,8",
                       "--render", "3-11", "--optimize", "w,motion", "--steps", 100, "--lr", 0.1,
                       "--out", out, "--quiet") == 0
    report = json.loads((out / "predict.json").read_text())
    assert report["loss_initial"] >= 10 * report["loss_final"]
    assert report["loss_drop"] >= 10 and report["optimized"] == ["w", "motion"]
    held_out = [f for f in report["frames"] if f["role"] == "predicted"]
    assert [f["index"] for f in held_out] == [3, 4, 5, 9, 10, 11]
    assert all(f["psnr"] is not None and f["t"] == pytest.approx(f["index"] / 15)
               for f in held_out)
    with open_video(out / "predict.mp4") as reader:   # observed | predicted | true
        assert len(reader) == 9
        assert reader.read([0]).shape == (1, 3, 32 + 4, 3 * (32 + 4))
    printed = capsys.readouterr().out
    assert "PSNR on the frames not observed" in printed
    assert f"{report['psnr_held_out']:.2f} dB" in printed


def test_inversion_history_ends_at_the_loss_of_the_returned_latents(tiny_model, shapes_clip):
    with open_video(shapes_clip) as reader:
        frames = reader.read([0, 4, 8])                                     # t c h w
    times = torch.tensor([0, 4, 8]) / 15
    fit = tiny_model.invert(frames, times, optimize=("w", "motion"), steps=10, restarts=3)
    assert fit.history.shape == (11, 1) and fit.w is not None
    assert int(fit.restart[0]) in (0, 1, 2)
    rendered = tiny_model.render(fit.z_content, fit.z_motion, times, w=fit.w)
    target = frames.float()[None] / 127.5 - 1
    loss = float((rendered - target).square().mean())
    assert loss == pytest.approx(float(fit.final_loss[0]), rel=1e-4)
    assert float(fit.final_loss[0]) < float(fit.initial_loss[0])


def test_frame_lists_accept_ranges_and_lists_and_reject_anything_else():
    assert parse_frames("3-5,9, 1", "--render") == [1, 3, 4, 5, 9]
    with pytest.raises(InrvidError, match=r"--observe: got '6\.\.8', expected frame indices"):
        parse_frames("6..8", "--observe")


def test_observing_frames_past_the_clip_end_is_an_error_naming_the_file(
    tiny_checkpoint, shapes_clip, run_command, tmp_path
):
    with pytest.raises(DataError, match=r"shapes\.mp4: --observe: frames \[20\] are past"):
        run_command("predict", tiny_checkpoint, "--video", shapes_clip, "--observe", "6,20",
                    "--render", "3", "--out", tmp_path, "--quiet")


def test_optimizing_content_and_w_together_is_refused(tiny_model, shapes_clip):
    frames = torch.zeros(2, 3, 32, 32, dtype=torch.uint8)
    with pytest.raises(InrvidError, match="got both content and w, expected one"):
        tiny_model.invert(frames, torch.tensor([0.0, 0.1]), optimize=("content", "w"))


def test_a_clip_of_another_size_is_cropped_and_resized_with_a_note_naming_both_sizes(
    tiny_checkpoint, run_command, tmp_path, capsys
):
    clip = tmp_path / "wide.mp4"
    frames = torch.randint(0, 256, (4, 3, 40, 48), generator=torch.Generator().manual_seed(0),
                           dtype=torch.uint8)
    write_video(clip, frames, fps=8)
    out = tmp_path / "pred"
    assert run_command("predict", tiny_checkpoint, "--video", clip, "--observe", "0,1",
                       "--render", "0-3", "--steps", 1, "--out", out, "--quiet") == 0
    note = " ".join(capsys.readouterr().err.split())
    assert f"{clip}: frames are 40x48 (height x width), the model's 32x32: centre-cropped to " \
           "40x40 and resized (bilinear) to 32x32" in note
    assert json.loads((out / "predict.json").read_text())["video_size"] == [40, 48]


def test_a_clip_of_the_models_size_is_used_without_a_note(
    tiny_checkpoint, shapes_clip, run_command, tmp_path, capsys
):
    assert run_command("predict", tiny_checkpoint, "--video", shapes_clip, "--observe", "0,1",
                       "--render", "0-3", "--steps", 1, "--out", tmp_path / "p", "--quiet") == 0
    assert "resized" not in capsys.readouterr().err
