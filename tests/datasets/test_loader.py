"""The training loader: seeded order, exact resume mid-epoch with workers, DDP sharding."""

from __future__ import annotations

import itertools

import torch

from inrvid.testing import build_component
from inrvid.train.loader import GlobalBatchSampler, TrainingLoader


def dataset():
    return build_component("dataset", "moving_shapes",
                           {"resolution": 8, "clip_frames": 3, "videos": 22, "hflip": True})


def loader(batch: int, seed: int, workers: int = 0, state: dict | None = None) -> TrainingLoader:
    return TrainingLoader(dataset(), global_batch=batch, seed=seed, rank=0, world_size=1,
                          num_workers=workers, pin_memory=False, state=state)


def batches(training_loader: TrainingLoader, count: int) -> list[dict]:
    return list(itertools.islice(iter(training_loader), count))


def same(a, b) -> bool:
    return torch.equal(a["index"], b["index"]) and torch.equal(a["video"], b["video"])


def test_loader_with_2_workers_resumed_mid_epoch_yields_the_uninterrupted_batches():
    reference = batches(loader(4, seed=7, workers=2), 12)
    first = loader(4, seed=7, workers=2)
    head = batches(first, 3)                                  # stop after 3 of 5 batches
    state = first.state_dict(len(head))
    assert state == {"global_batches": 3}
    resumed = loader(4, seed=7, workers=2, state=state)
    tail = batches(resumed, 9)
    assert all(same(a, b) for a, b in zip(head + tail, reference, strict=True))
    # Epochs differ in order and in flips: batch 6 holds items 24..27, the second epoch's.
    assert not torch.equal(reference[0]["index"], reference[6]["index"])
    second_epoch = {int(i) for b in reference[6:11] for i in b["index"]}
    assert len(second_epoch) == 20


def test_order_is_fixed_by_the_seed():
    a = [b["index"] for b in batches(loader(5, seed=1), 4)]
    b = [b["index"] for b in batches(loader(5, seed=1), 4)]
    c = [b["index"] for b in batches(loader(5, seed=2), 4)]
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(torch.equal(x, y) for x, y in zip(a, c, strict=True))


def test_ranks_split_every_global_batch_into_disjoint_equal_shares():
    samplers = [GlobalBatchSampler(22, 8, seed=3, rank=r, world_size=4) for r in range(4)]
    for k, shares in enumerate(zip(*(iter(s) for s in samplers), strict=True)):
        assert all(len(s) == 2 for s in shares)               # 8 / 4
        flat = [item for s in shares for item in s]
        assert flat == samplers[0].global_batch_items(k)      # the one-process batch, in order
        if k == 5:
            break
