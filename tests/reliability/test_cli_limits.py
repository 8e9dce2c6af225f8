"""generate, predict and eval refuse absurd or invalid arguments up front (issue 15, item 8)."""

from __future__ import annotations

import pytest
import torch

from inrvid.base import limits
from inrvid.cli import main
from tests.conftest import REPO

CHECKPOINT = str(REPO / "tests" / "data" / "checkpoint-format1-quickstart.pt")
A_FILE, A_FOLDER = str(REPO / "README.md"), str(REPO / "docs")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", CHECKPOINT, "--scale", "100000"],
         "argument --scale: expected an integer from 1 to 64, got 100000"),
        (["generate", CHECKPOINT, "--frames", "100000000"],
         "argument --frames: expected an integer from 1 to 100000, got 100000000"),
        (["generate", CHECKPOINT, "--num", "100000000"],
         "argument --num: expected an integer from 1 to 100000, got 100000000"),
        (["generate", CHECKPOINT, "--fps", "-5"],
         "argument --fps: expected a number above 0 and at most 1000, got -5"),
        (["generate", CHECKPOINT, "--fps", "0"], "argument --fps: expected a number above 0"),
        (["generate", CHECKPOINT, "--frames", "0"], "argument --frames: expected an integer from"),
        (["generate", CHECKPOINT, "--time-start", "nan"],
         "argument --time-start: expected a finite number, got nan"),
        (["generate", CHECKPOINT, "--out", A_FILE],
         "README.md' is a file, expected a folder"),
        (["generate", CHECKPOINT, "--device", "tpu"],
         "argument --device: device 'tpu': expected auto, cpu, cuda or cuda:N"),
        (["predict", CHECKPOINT, "--video", "v.mp4", "--observe", "0", "--render", "1",
          "--lr", "nan"], "argument --lr: expected a finite number, got nan"),
        (["predict", CHECKPOINT, "--video", "v.mp4", "--observe", "0", "--render", "1",
          "--out", A_FILE], "README.md' is a file"),
        (["eval", CHECKPOINT, "--out", A_FOLDER], "docs' is a folder, expected a file name"),
        (["eval", CHECKPOINT, "--videos", "0"], "argument --videos: expected an integer from 1"),
        (["compare", "runs", "--csv", A_FOLDER], "docs' is a folder, expected a file name"),
    ],
    ids=["scale", "frames", "num", "negative-fps", "zero-fps", "zero-frames", "nan-time",
         "out-is-file", "tpu", "nan-lr", "predict-out-is-file", "eval-out-is-folder",
         "eval-zero-videos", "compare-csv-is-folder"],
)
def test_bad_arguments_are_refused_with_the_option_and_its_limits_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("command", ["generate", "eval"])
def test_device_cuda_without_cuda_is_a_usage_error_not_a_traceback(command, capsys):
    assert main([command, CHECKPOINT, "--device", "cuda"]) == 2
    assert "device 'cuda' needs CUDA, which this machine lacks" in capsys.readouterr().err


def test_a_set_of_videos_larger_than_memory_is_refused_before_rendering(capsys, tmp_path):
    argv = ["generate", CHECKPOINT, "--num", "100000", "--frames", "100000",
            "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "100000 videos of 100000 frames" in err and "over half this machine's" in err
    assert "lower --num, --steps, --frames, --slowmo or --scale" in err
    assert not (tmp_path / "out").exists()


def test_predict_refuses_frame_ranges_past_the_limit_before_expanding_them(capsys, tmp_path):
    argv = ["predict", CHECKPOINT, "--video", str(tmp_path / "v.mp4"), "--observe", "0",
            "--render", "0-100000000", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    assert "--render: got frame 100000000, expected indices below 100000" in (
        capsys.readouterr().err)


def test_check_fits_compares_with_half_the_machine_memory(monkeypatch):
    monkeypatch.setattr(limits, "memory_bytes", lambda: 4 << 30)
    limits.check_fits(2 << 30, "two GiB", "lower it")
    with pytest.raises(limits.SizeError, match=r"needs 2.0 GiB, over half this machine's 4.0"):
        limits.check_fits((2 << 30) + 1, "two GiB", "lower it")
