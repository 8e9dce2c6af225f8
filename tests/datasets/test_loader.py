"""The DataLoader helper: seeded order, exact resume mid-epoch with workers, DDP sharding."""

from __future__ import annotations

import torch

from inrvid.data import ResumableSampler, make_loader
from inrvid.testing import build_component


def dataset():
    return build_component("dataset", "moving_shapes",
                           {"resolution": 8, "clip_frames": 3, "videos": 22, "hflip": True})


def batches(loader, count):
    out = []
    while len(out) < count:
        for batch in loader:
            out.append(batch)
            if len(out) == count:
                break
    return out


def same(a, b) -> bool:
    return torch.equal(a["index"], b["index"]) and torch.equal(a["video"], b["video"])


def test_loader_with_2_workers_resumed_mid_epoch_yields_the_uninterrupted_batches():
    reference = batches(make_loader(dataset(), batch_size=4, seed=7, num_workers=2), 12)
    first = make_loader(dataset(), batch_size=4, seed=7, num_workers=2)
    head = []
    for batch in first:                                       # stop after 3 of 5 batches
        head.append(batch)
        if len(head) == 3:
            break
    state = first.state_dict()
    assert state == {"epoch": 0, "position": 12}
    resumed = make_loader(dataset(), batch_size=4, seed=7, num_workers=2, state=state)
    tail = batches(resumed, 9)
    assert all(same(a, b) for a, b in zip(head + tail, reference, strict=True))
    # Epochs differ in order and in flips.
    assert not torch.equal(reference[0]["index"], reference[5]["index"])


def test_order_is_fixed_by_the_seed():
    a = [b["index"] for b in batches(make_loader(dataset(), batch_size=5, seed=1), 4)]
    b = [b["index"] for b in batches(make_loader(dataset(), batch_size=5, seed=1), 4)]
    c = [b["index"] for b in batches(make_loader(dataset(), batch_size=5, seed=2), 4)]
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(torch.equal(x, y) for x, y in zip(a, c, strict=True))


def test_ranks_split_every_epoch_into_disjoint_equal_shares():
    shares = [ResumableSampler(22, seed=3, rank=r, world_size=4).order(5) for r in range(4)]
    assert all(len(s) == 6 for s in shares)                   # ceil(22 / 4), padded by wrapping
    flat = [i for s in shares for i in s]
    assert set(flat) == set(range(22)) and len(flat) - len(set(flat)) == 2
