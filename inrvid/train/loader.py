"""The training data order: an endless, seeded stream of global batches, sharded over ranks.

Epoch e is a permutation of the dataset drawn from (seed, e); the stream is the epochs one
after another and global batch k is stream[k B : (k + 1) B]. Rank r takes its contiguous
share of every global batch, so N processes see exactly the videos one process would. The
position is the number of global batches consumed, so a resumed run continues exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from inrvid.components.dataset import ClipItem, VideoDataset
from inrvid.train.stopping import ignore_stop_signals


class EpochItems(Dataset[ClipItem]):
    """Items addressed as (epoch, index), so a worker draws the flips of the right epoch."""

    def __init__(self, dataset: VideoDataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, key: tuple[int, int]) -> ClipItem:  # type: ignore[override]
        epoch, index = key
        self.dataset.set_epoch(epoch)
        return self.dataset[index]


class GlobalBatchSampler(Sampler[list[tuple[int, int]]]):
    """Yields this rank's share of each global batch, forever, from `start` global batches on."""

    def __init__(
        self, size: int, global_batch: int, seed: int, rank: int, world_size: int, start: int = 0
    ) -> None:
        self.size, self.global_batch, self.seed = size, global_batch, seed
        self.rank, self.world_size, self.start = rank, world_size, start

    def order(self, epoch: int) -> list[int]:
        """The permutation of epoch `epoch`."""
        gen = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
        return torch.randperm(self.size, generator=gen).tolist()

    def global_batch_items(self, k: int) -> list[tuple[int, int]]:
        """Global batch `k` as (epoch, index) pairs."""
        first = k * self.global_batch
        items = []
        for pos in range(first, first + self.global_batch):
            epoch, offset = divmod(pos, self.size)
            items.append((epoch, self.order(epoch)[offset]))
        return items

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        share = self.global_batch // self.world_size
        k = self.start
        while True:
            items = self.global_batch_items(k)
            yield items[self.rank * share : (self.rank + 1) * share]
            k += 1


class TrainingLoader:
    """A DataLoader over the global-batch stream whose position can be saved and restored."""

    def __init__(
        self,
        dataset: VideoDataset,
        *,
        global_batch: int,
        seed: int,
        rank: int,
        world_size: int,
        num_workers: int,
        pin_memory: bool,
        state: dict[str, int] | None = None,
    ) -> None:
        """`state`: what `state_dict` returned, to continue from there (None: the start)."""
        start = 0 if state is None else int(state["global_batches"])
        self.sampler = GlobalBatchSampler(len(dataset), global_batch, seed, rank, world_size, start)
        self.loader = DataLoader(
            EpochItems(dataset),
            batch_sampler=self.sampler,
            num_workers=num_workers,
            pin_memory=pin_memory,
            persistent_workers=False,
            # the run stops on a signal after its step; a worker killed by it would fail that step
            worker_init_fn=ignore_stop_signals,
            # its own generator: creating an iterator must not draw from the global RNG, which
            # the augments use and a checkpoint restores
            generator=torch.Generator().manual_seed(seed * 100_003 + start),
        )

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.loader)

    def state_dict(self, consumed_global_batches: int) -> dict[str, int]:
        """The position to resume from: global batches consumed (prefetched ones excluded)."""
        return {"global_batches": consumed_global_batches}

