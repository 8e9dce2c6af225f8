"""A converted snapshot trains on (`train.init_from`) and generates."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

from inrvid.base.errors import CheckpointError
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import recipe_from_text
from inrvid.runtime import checkpoint as ckpt


def fine_tune_recipe(converted: Path, out: Path, **train: object) -> str:
    """The converted checkpoint's own recipe on procedural data: what a user would write."""
    recipe = ckpt.load(converted).recipe
    recipe["data"] = {"kind": "moving_shapes", "resolution": 16, "clip_frames": 16,
                      "videos": 8, "shapes": 1}
    recipe["train"] |= {"batch_size": 4, "duration_kimg": 0.008, "num_workers": 0,
                        "device": "cpu", "numerics": "fp32", "init_from": str(converted),
                        "sample_videos": 2, "sample_frames": 2, **train}
    recipe["eval"] = {"every_kimg": None, "metrics": {}}
    recipe["output"] = {"dir": str(out), "keep_checkpoints": 1}
    return yaml.safe_dump(recipe, sort_keys=False)


def max_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    return max(float((a[k].float() - b[k].float()).abs().max()) for k in a)


@pytest.mark.slow
def test_converted_snapshot_fine_tunes_from_its_weights_and_generates(
        converted: Path, tmp_path: Path) -> None:
    from inrvid.cli import main
    from inrvid.train.loop import train

    text = fine_tune_recipe(converted, tmp_path / "runs")
    run = train(recipe_from_text(text, tmp_path / "fine-tune.yaml", plugins=load_plugins()), load_plugins(), argv=[], quiet=True)
    start, tuned = ckpt.load(converted), ckpt.load(run)
    assert tuned.step == 2 and tuned.origin is None
    moved = max_difference(tuned.generator.weights, start.generator.weights)
    fresh = ckpt.rebuild_generator(start, load_plugins()).state_dict()      # where training would start without
    assert 0 < moved < 0.1 * max_difference(fresh, start.generator.weights)
    for role in ("image", "motion"):
        d_moved = max_difference(tuned.discriminators[role].weights,
                                 start.discriminators[role].weights)
        assert 0 < d_moved < 0.5
    assert main(["generate", str(run), "--num", "1", "--frames", "2", "--format", "png",
                 "--out", str(tmp_path / "videos"), "--quiet"]) == 0


def test_init_from_a_checkpoint_of_other_sizes_names_the_option(
        converted: Path, tmp_path: Path) -> None:
    from inrvid.train.loop import train

    text = fine_tune_recipe(converted, tmp_path / "runs")
    recipe = recipe_from_text(text, tmp_path / "fine-tune.yaml", ["generator.channel_max=8"], plugins=load_plugins())
    with pytest.raises(CheckpointError, match=r"generator\.channel_max: 16 in the run, 8 now"):
        train(recipe, load_plugins(), argv=[], quiet=True)


def test_resume_of_a_converted_checkpoint_points_to_init_from(
        converted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from inrvid.cli import main

    assert main(["run", "--resume", str(converted)]) == 2
    err = capsys.readouterr().err
    assert "written by `inrvid import`" in err and "train.init_from=" in err
