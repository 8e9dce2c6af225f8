"""Real clips of a recipe's dataset for `inrvid eval`: seeded draws and a cache identity."""

from __future__ import annotations

import pytest
import torch

from inrvid.base.errors import DataError
from inrvid.runtime.scoring.sources import DatasetClipSource, dataset_identity, folder_fingerprint
from inrvid.testing import build_component

SHAPES = {"videos": 6, "resolution": 8, "clip_frames": 4, "hflip": False}


def source(seed: int = 0, **config) -> DatasetClipSource:
    settings = {**SHAPES, **config}
    dataset = build_component("dataset", "moving_shapes", settings)
    identity = dataset_identity("moving_shapes", dataset.cfg.model_dump(mode="json"), 0)
    return DatasetClipSource(dataset, identity=identity, seed=seed, name="shapes")


def clips(src: DatasetClipSource, count: int = 3) -> torch.Tensor:
    return torch.cat(list(src.iter_videos(count, 4, batch_size=2)))


def test_each_call_draws_fresh_clips_and_a_rerun_with_the_seed_draws_the_same():
    first = source()
    trial_1, trial_2 = clips(first), clips(first)
    assert trial_1.shape == (3, 4, 3, 8, 8) and trial_1.dtype == torch.uint8
    assert not torch.equal(trial_1, trial_2)
    again = source()
    assert torch.equal(clips(again), trial_1) and torch.equal(clips(again), trial_2)


def test_a_dataset_smaller_than_the_count_gives_each_clip_once():
    got = clips(source(), count=10)
    assert got.shape[0] == 6
    assert len({tuple(v.flatten().tolist()) for v in got}) == 6


def test_cache_key_is_stable_and_changes_with_the_data_config_and_the_seed():
    key = source().cache_key
    assert source().cache_key == key
    assert source(seed=1).cache_key != key
    assert source(shapes=2).cache_key != key
    assert source(videos=7).cache_key != key


def test_clips_shorter_than_the_metric_asks_are_refused_naming_the_override():
    with pytest.raises(DataError, match=r"data\.clip_frames=16"):
        next(source().iter_videos(2, 16, batch_size=2))


def test_folder_fingerprint_ignores_hidden_files_but_sees_data_changes(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"x")
    before = folder_fingerprint(tmp_path)
    (tmp_path / ".inrvid-index.json").write_text("{}")
    assert folder_fingerprint(tmp_path) == before
    (tmp_path / "b.mp4").write_bytes(b"yy")
    assert folder_fingerprint(tmp_path) != before
