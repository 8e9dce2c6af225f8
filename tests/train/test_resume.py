"""A killed run resumes exactly; checkpoints are written atomically."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
import torch

from inrvid.base.errors import CheckpointError
from inrvid.runtime import checkpoint as ckpt
from tests.train.helpers import FAST, losses, run_training, script_command, write_recipe

LAZY = "  r1: {kind: toy_r1, every: 2}\n"


def recipe_with_r1(folder):
    path = write_recipe(folder)
    path.write_text(
        path.read_text().replace(
            "  adversarial: {kind: toy_loss}\n", "  adversarial: {kind: toy_loss}\n" + LAZY
        )
    )
    return path


def test_run_killed_with_sigkill_and_resumed_repeats_the_uninterrupted_losses(tmp_path):
    steps = 12
    overrides = [*FAST, f"train.duration_kimg={steps * 4 / 1000}"]
    whole_dir = tmp_path / "whole"
    whole_dir.mkdir()
    whole = run_training({"recipe": str(recipe_with_r1(whole_dir)), "overrides": overrides})
    assert whole.returncode == 0, whole.stderr
    expected = losses(whole_dir.joinpath(whole.stdout.strip().splitlines()[-1]))
    assert len(expected) == steps

    killed_dir = tmp_path / "killed"
    killed_dir.mkdir()
    recipe = recipe_with_r1(killed_dir)
    kill_after = random.Random(os.getpid()).randint(2, steps - 3)
    proc = subprocess.Popen(
        script_command({"recipe": str(recipe), "overrides": overrides}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    runs = killed_dir / "runs" / "toy"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = list(runs.glob("*/checkpoints/checkpoint-*.pt")) if runs.exists() else []
        if len(found) >= 1 and max(int(p.stem.split("-")[1]) for p in found) >= kill_after * 4:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    (run_dir,) = runs.iterdir()
    resumed = run_training({"resume": str(run_dir)})
    assert resumed.returncode == 0, resumed.stderr
    assert losses(run_dir) == expected


def test_kill_during_a_checkpoint_write_leaves_the_previous_checkpoint_whole(tmp_path):
    folder = tmp_path / "checkpoints"
    first = ckpt.checkpoint_path(folder, 4)
    ckpt.write_payload({"weights": torch.arange(10.0)}, first)
    target = ckpt.checkpoint_path(folder, 8)
    ckpt.write_payload({"weights": torch.zeros(3)}, target)
    writer = (
        "import sys, torch\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from inrvid.runtime import checkpoint as ckpt\n"
        "from pathlib import Path\n"
        f"ckpt.write_payload({{'weights': torch.ones(150_000_000)}}, Path({str(target)!r}))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", writer])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(folder.glob(".checkpoint-*.tmp")):
        time.sleep(0.005)
    assert list(folder.glob(".checkpoint-*.tmp")), "the writer never started its temporary file"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert torch.equal(ckpt.read_payload(target)["weights"], torch.zeros(3))
    assert torch.equal(ckpt.read_payload(first)["weights"], torch.arange(10.0))
    assert ckpt.latest(folder) == target
    ckpt.prune(folder, keep=5)
    assert not list(folder.glob(".checkpoint-*.tmp"))


def test_truncated_checkpoint_gets_a_clear_error(tmp_path):
    path = ckpt.checkpoint_path(tmp_path, 4)
    ckpt.write_payload({"weights": torch.arange(1000.0)}, path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="not a readable inrvid checkpoint"):
        ckpt.load(path)
