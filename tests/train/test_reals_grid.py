"""Each run writes a grid of real clips beside its sample grids (as StyleGAN's reals.png)."""

from __future__ import annotations

from pathlib import Path

import torch

from inrvid.cli import main
from inrvid.video import open_video
from tests.conftest import REPO

TINY = [
    "train.duration_kimg=0.004", "train.batch_size=4", "data.videos=8", "data.resolution=16",
    "eval.every_kimg=null", "train.sample_videos=4", "train.sample_frames=5",
    "generator.channel_max=16", "discriminators.image.channel_max=16",
    "discriminators.motion.channel_max=16",
]


def test_a_run_writes_real_clips_in_the_layout_of_its_sample_grids(tmp_path: Path) -> None:
    status = main(["run", str(REPO / "recipes/quickstart.yaml"), *TINY,
                   f"output.dir={tmp_path}", "--progress", "none"])
    assert status == 0
    (samples,) = list(tmp_path.glob("quickstart/*/samples"))
    reals = open_video(samples / "reals.mp4")
    first_grid = open_video(sorted(samples.glob("samples-*.mp4"))[0])
    assert (reals.info.frames, reals.info.width, reals.info.height) == (
        first_grid.info.frames, first_grid.info.width, first_grid.info.height)
    assert reals.info.frames == 5
    # real clips of moving shapes over gradients: they move, and they are not the samples
    frames = reals.read(range(5)).float()
    assert (frames[0] - frames[-1]).abs().mean() > 1.0
    assert not torch.equal(reals.read([0]), first_grid.read([0]))
