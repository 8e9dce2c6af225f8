"""`inrvid generate`: lengths, resolutions, modes and output formats."""

from __future__ import annotations

import json

import pytest
import torch

from inrvid.cli import CORE_COMMANDS
from inrvid.video import open_video
from inrvid.video.frames import decode_image


def test_generate_writes_four_videos_of_64_frames_at_twice_the_resolution_and_a_grid(
    tiny_checkpoint, run_command, tmp_path
):
    out = tmp_path / "gen"
    assert run_command("generate", tiny_checkpoint, "--num", 4, "--frames", 64, "--scale", 2,
                       "--out", out, "--quiet") == 0
    for i in range(4):
        with open_video(out / f"video-{i:03d}.mp4") as reader:
            assert len(reader) == 64
            assert reader.read([0]).shape == (1, 3, 64, 64)
    with open_video(out / "grid.mp4") as reader:
        assert len(reader) == 64
        assert reader.read([63]).shape == (1, 3, 2 * (64 + 4), 2 * (64 + 4))
    record = json.loads((out / "generate.json").read_text())
    # 64 frames at the training step 1/15 run to t = 63/15: extrapolation past the clip
    assert record["times"] == pytest.approx([0.0, 63 / 15])
    assert record["size"] == [64, 64] and record["videos"] == 4 and record["ema"] is True


def test_same_content_gives_bit_identical_first_frames_and_different_later_frames(
    tiny_checkpoint, run_command, tmp_path
):
    out = tmp_path / "same"
    assert run_command("generate", tiny_checkpoint, "--same-content", 4, "--frames", 8,
                       "--format", "png", "--out", out, "--quiet") == 0
    first = [decode_image(out / f"video-{i:03d}" / "frame-0000.png") for i in range(4)]
    last = [decode_image(out / f"video-{i:03d}" / "frame-0007.png") for i in range(4)]
    assert all(torch.equal(first[0], f) for f in first[1:])
    assert all(not torch.equal(last[0], f) for f in last[1:])
    assert len(list((out / "grid").glob("frame-*.png"))) == 8


def test_same_content_first_frames_are_bit_identical_as_floats(tiny_model):
    videos = tiny_model.sample(4, frames=6, same_content=True, uint8=False, seed=3)
    assert all(torch.equal(videos[0, 0], videos[i, 0]) for i in range(1, 4))
    assert all((videos[0, -1] - videos[i, -1]).abs().max() > 1e-4 for i in range(1, 4))


def test_slowmo_renders_k_times_the_frames_over_the_same_span(
    tiny_checkpoint, tiny_model, tmp_path, run_command
):
    out = tmp_path / "slow"
    assert run_command("generate", tiny_checkpoint, "--num", 1, "--frames", 16,
                       "--slowmo", 4, "--out", out, "--quiet") == 0
    record = json.loads((out / "generate.json").read_text())
    assert record["frames"] == 61 and record["times"] == pytest.approx([0.0, 1.0])
    # every 4th slow-motion frame is the frame of the normal-speed video
    z = tiny_model.latents(1, seed=0)
    slow = tiny_model.render(z.z_content, z.z_motion, tiny_model.times(61, 0.0, 1.0))
    normal = tiny_model.render(z.z_content, z.z_motion, tiny_model.times(16))
    torch.testing.assert_close(slow[:, ::4], normal, atol=1e-5, rtol=1e-5)


def test_time_range_and_interpolation_paths_are_recorded_and_tiled_one_path_per_row(
    tiny_checkpoint, run_command, tmp_path
):
    out = tmp_path / "interp"
    assert run_command("generate", tiny_checkpoint, "--interpolate", "content", "--num", 2,
                       "--steps", 3, "--frames", 5, "--time-start", "-0.5", "--time-end", "2",
                       "--out", out, "--quiet") == 0
    record = json.loads((out / "generate.json").read_text())
    assert record["videos"] == 6 and record["times"] == pytest.approx([-0.5, 2.0])
    assert record["mode"] == {"interpolate": "content", "steps": 3, "method": "slerp",
                              "slowmo": 1}
    with open_video(out / "grid.mp4") as reader:
        assert reader.read([0]).shape == (1, 3, 2 * 36, 3 * 36)   # 2 paths x 3 steps


def test_raw_weights_differ_from_the_ema_weights(tiny_checkpoint):
    from inrvid.generation.api import load

    ema, raw = load(tiny_checkpoint), load(tiny_checkpoint, ema=False)
    a, b = ema.sample(1, frames=2, uint8=False), raw.sample(1, frames=2, uint8=False)
    assert not torch.allclose(a, b)


def test_bad_options_are_refused_before_loading_naming_the_option_and_its_range(
    tiny_checkpoint, run_command, tmp_path, capsys
):
    with pytest.raises(SystemExit):
        run_command("generate", tiny_checkpoint, "--slowmo", 0, "--out", tmp_path, "--quiet")
    assert "argument --slowmo: expected an integer from 1 to 1000, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_command("generate", tiny_checkpoint, "--interpolate", "motion", "--steps", 1,
                    "--out", tmp_path, "--quiet")
    assert "argument --steps: expected an integer from 2 to" in capsys.readouterr().err


def test_generate_and_predict_are_core_commands_in_the_command_table():
    table = {c.name: c for c in CORE_COMMANDS}
    assert {"generate", "predict"} <= set(table)
    import argparse

    parser = argparse.ArgumentParser()
    table["predict"].configure(parser)
    args = parser.parse_args(["ck", "--video", "v.mp4", "--observe", "1", "--render", "2"])
    assert args.optimize == "content,motion"
