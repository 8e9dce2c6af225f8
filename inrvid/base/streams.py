"""Named random streams: one seed per component and per purpose, derived from the recipe seed.

Seeding everything with the recipe seed itself makes streams coincide: two components whose
weights are both drawn from `randn` after `manual_seed(seed)` start with equal entries, and
latents drawn from a generator seeded the same way equal scaled rows of those weights. So every
consumer gets its own seed, `stream_seed(seed, purpose)`: a stable hash (BLAKE2b) of the parent
seed and a purpose name, the same on every machine and Python version.

The purposes of a run (docs/training.md lists them):
- `init/<section path>`: a component's parameters (`generator`, `discriminators.<role>`,
  `augment.<i>`, `sampler`, `losses.<role>`); keyed by role name, so dropping or adding a
  role leaves the others' initial weights unchanged. A component's `BuildContext.seed` is its
  stream; it derives sub-streams from it (`ctx.substream("encoder.0")`, one per scale).
- `train/latents`: latents, times and real-frame indices of the training steps (all ranks).
- `train/augment/rank<r>`: the torch default generator of rank r (augmentation draws).
- `train/data`: the order of the training clips.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import torch

SEED_BITS = 32   # fits numpy's seeds and leaves room for `seed * k + epoch` arithmetic


def stream_seed(seed: int, purpose: str) -> int:
    """The seed of stream `purpose` under `seed`: a 32-bit stable hash of both."""
    digest = hashlib.blake2b(f"{seed}/{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> (64 - SEED_BITS)


def stream(seed: int, purpose: str) -> torch.Generator:
    """A CPU `torch.Generator` on stream `purpose`."""
    return torch.Generator().manual_seed(stream_seed(seed, purpose))


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block with torch's CPU default generator at `seed`; restore it afterwards.

    Parameters are initialised on the CPU (the loop moves the networks to their device), so
    the CPU generator is the one `randn` initialisers draw from.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
