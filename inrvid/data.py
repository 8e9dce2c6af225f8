"""Loading clips for training: a seeded, shardable sampler whose position survives a restart.

`make_loader(dataset, batch_size=..., seed=...)` returns a `ResumableLoader`. Epoch e visits a
permutation drawn from (seed, e); rank r of `world_size` takes every world_size-th index of it
(padded by wrapping so every rank gets the same count). `state_dict()` records the epoch and
how many of this rank's samples the consumer has taken (prefetched batches are not counted),
and `load_state_dict` resumes with exactly the batches an uninterrupted run would yield.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler, get_worker_info

from inrvid.dataset import ClipItem, VideoDataset


class ResumableSampler(Sampler[int]):
    """Indices of one epoch for one rank, from a saved position on."""

    def __init__(
        self,
        length: int,
        *,
        seed: int = 0,
        shuffle: bool = True,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if not 0 <= rank < world_size:
            raise ValueError(f"rank: got {rank}, expected 0 <= rank < world_size={world_size}")
        self.length, self.seed, self.shuffle = length, seed, shuffle
        self.rank, self.world_size = rank, world_size
        self.epoch = 0
        self.position = 0          # samples of this rank already consumed in `epoch`

    @property
    def per_rank(self) -> int:
        """Samples each rank sees per epoch."""
        return -(-self.length // self.world_size)

    def order(self, epoch: int) -> list[int]:
        """This rank's indices for `epoch`, in order."""
        if self.shuffle:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            perm = torch.randperm(self.length, generator=gen).tolist()
        else:
            perm = list(range(self.length))
        padded = perm + perm[: self.per_rank * self.world_size - self.length]
        return padded[self.rank :: self.world_size]

    def __iter__(self) -> Iterator[int]:
        return iter(self.order(self.epoch)[self.position :])

    def __len__(self) -> int:
        return self.per_rank - self.position

    def set_epoch(self, epoch: int, position: int = 0) -> None:
        """Start `epoch` at `position` samples in."""
        self.epoch, self.position = epoch, position

    def state_dict(self) -> dict[str, int]:
        """Epoch and position (for a checkpoint)."""
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from a saved `state_dict()`."""
        self.set_epoch(int(state["epoch"]), int(state["position"]))


def seed_worker(worker_id: int) -> None:
    """Seed python, numpy and torch in a DataLoader worker from the loader's base seed."""
    info = get_worker_info()
    base = info.seed if info is not None else worker_id
    random.seed(base)
    np.random.seed(base % 2**32)
    torch.manual_seed(base)


class ResumableLoader:
    """Batches of clips, epoch after epoch; `state_dict()` is the consumer's position.

    Iterating yields the batches from the current position to the end of the epoch, then
    moves to the next epoch (iterate again for it). The dataset's epoch (its flips) is set
    before the workers start, which is why workers are not persistent.
    """

    def __init__(
        self,
        dataset: VideoDataset,
        *,
        batch_size: int,
        seed: int = 0,
        num_workers: int = 0,
        pin_memory: bool = False,
        shuffle: bool = True,
        drop_last: bool = True,
        rank: int = 0,
        world_size: int = 1,
        prefetch_factor: int | None = None,
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.seed = seed
        self.sampler = ResumableSampler(len(dataset), seed=seed, shuffle=shuffle, rank=rank,
                                        world_size=world_size)
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.prefetch_factor = prefetch_factor if num_workers > 0 else None

    def _loader(self) -> DataLoader[ClipItem]:
        gen = torch.Generator().manual_seed(self.seed * 7919 + self.sampler.epoch)
        return DataLoader(
            self.dataset, batch_size=self.batch_size, sampler=self.sampler,
            num_workers=self.num_workers, pin_memory=self.pin_memory, drop_last=self.drop_last,
            worker_init_fn=seed_worker, generator=gen, persistent_workers=False,
            prefetch_factor=self.prefetch_factor,
        )

    def __iter__(self) -> Iterator[Any]:
        self.dataset.set_epoch(self.sampler.epoch)
        for batch in self._loader():
            self.sampler.position += len(batch["index"])
            yield batch
        self.sampler.set_epoch(self.sampler.epoch + 1)

    def __len__(self) -> int:
        """Batches left in the current epoch."""
        remaining = len(self.sampler)
        return remaining // self.batch_size if self.drop_last else -(-remaining // self.batch_size)

    @property
    def epoch(self) -> int:
        """The epoch being (or about to be) iterated."""
        return self.sampler.epoch

    def state_dict(self) -> dict[str, int]:
        """Epoch and samples consumed by the caller in it."""
        return self.sampler.state_dict()

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Resume from `state_dict()`."""
        self.sampler.load_state_dict(state)


def make_loader(
    dataset: VideoDataset,
    *,
    batch_size: int,
    seed: int = 0,
    num_workers: int = 0,
    pin_memory: bool | None = None,
    rank: int = 0,
    world_size: int = 1,
    state: dict[str, int] | None = None,
    drop_last: bool = True,
) -> ResumableLoader:
    """A `ResumableLoader`; pinned memory defaults to on when CUDA is available."""
    loader = ResumableLoader(
        dataset, batch_size=batch_size, seed=seed, num_workers=num_workers,
        pin_memory=torch.cuda.is_available() if pin_memory is None else pin_memory,
        rank=rank, world_size=world_size, drop_last=drop_last,
    )
    if state is not None:
        loader.load_state_dict(state)
    return loader
