"""Data parallelism with torch.distributed, launched by torchrun (RANK, WORLD_SIZE, LOCAL_RANK).

Gradients are all-reduced (averaged) after each phase's backward, as StyleGAN2-ADA does,
rather than through the DistributedDataParallel wrapper: a phase calls a discriminator
several times per backward (reals, fakes) and R1 takes a gradient of a gradient, neither of
which DDP's reducer supports cleanly. Parameters are broadcast from rank 0 at start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn


@dataclass(frozen=True)
class DistInfo:
    """This process's place: rank, world size, local rank and device."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Whether this process writes files (rank 0)."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """Whether more than one process takes part."""
        return self.world_size > 1


def setup(device_choice: str) -> DistInfo:
    """Read torchrun's environment, pick the device and init the process group (gloo/NCCL)."""
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = device_choice == "cuda" or (device_choice == "auto" and torch.cuda.is_available())
    if use_cuda:
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    else:
        device = torch.device("cpu")
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return DistInfo(rank, world, local, device)


def teardown(info: DistInfo) -> None:
    """Destroy the process group if this process made one."""
    if info.distributed and dist.is_initialized():
        dist.destroy_process_group()


def broadcast_parameters(module: nn.Module, info: DistInfo) -> None:
    """Copy rank 0's parameters and buffers to every rank."""
    if not info.distributed:
        return
    for tensor in [*module.parameters(), *module.buffers()]:
        dist.broadcast(tensor.data, src=0)


def average_gradients(modules: list[nn.Module], info: DistInfo) -> None:
    """All-reduce and average the gradients of `modules` in one flat buffer."""
    if not info.distributed:
        return
    params = [p for m in modules for p in m.parameters() if p.grad is not None]
    if not params:
        return
    flat = torch.cat([p.grad.flatten() for p in params])  # type: ignore[union-attr]
    dist.all_reduce(flat)
    flat /= info.world_size
    offset = 0
    for p in params:
        n = p.numel()
        p.grad.copy_(flat[offset : offset + n].view_as(p))  # type: ignore[union-attr]
        offset += n


def max_replica_difference(module: nn.Module, info: DistInfo) -> float:
    """The largest |parameter difference| between this rank and rank 0, maxed over ranks."""
    if not info.distributed:
        return 0.0
    flat = torch.cat([p.detach().flatten() for p in module.parameters()])
    reference = flat.clone()
    dist.broadcast(reference, src=0)
    diff = (flat - reference).abs().max().reshape(1)
    dist.all_reduce(diff, op=dist.ReduceOp.MAX)
    return float(diff)
