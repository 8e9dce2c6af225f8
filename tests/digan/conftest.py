"""Fixtures of the DIGAN plug-in tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True, scope="package")
def _one_thread() -> Iterator[None]:
    """One intra-op thread: the tiny networks here lose far more to thread hand-offs than they
    gain (a 16-channel conv takes ~0.7 ms on one thread, 20-40 ms on two busy cores)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
