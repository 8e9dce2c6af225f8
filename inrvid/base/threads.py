"""How many CPU threads torch uses: never more than the CPUs this process may use.

torch starts one intra-op thread per CPU of the machine. A process often may use fewer: its
CPU affinity (`taskset`, a SLURM allocation's cpuset) and its cgroup's CPU quota (a container's
`--cpus`, SLURM's cgroup plug-in) cap what it gets, and threads beyond that cap only wait
for each other. So by default a command lowers torch's thread count to the CPUs available,
shared by the processes torchrun started on this machine (`LOCAL_WORLD_SIZE`).
An explicit choice wins: `--threads N`, then the recipe's `train.threads`, then
`OMP_NUM_THREADS`.

The quota is read from cgroup v2 (`cpu.max`) and v1 (`cpu.cfs_quota_us` / `cpu.cfs_period_us`)
along the process's cgroup path up to the mount point (a parent's quota caps its children),
located through /proc/self/cgroup and /proc/self/mountinfo.
"""

from __future__ import annotations

import argparse
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from inrvid.base.console import counted, warn
from inrvid.base.limits import int_in

PROC_CGROUP = Path("/proc/self/cgroup")
MOUNTINFO = Path("/proc/self/mountinfo")
MAX_THREADS = 4096


def add_argument(parser: argparse.ArgumentParser) -> None:
    """The `--threads N` option of a command that runs torch."""
    parser.add_argument(
        "--threads", type=int_in(1, MAX_THREADS), metavar="N",
        help="CPU threads of torch (default: the CPUs this process may use, never more)",
    )


@dataclass(frozen=True)
class Mount:
    """One cgroup hierarchy's mount: where it is, which cgroup it shows, its controllers."""

    point: Path
    root: str
    version: int
    controllers: frozenset[str]


def _unescape(field: str) -> str:
    """Undo mountinfo's octal escapes of space, tab, newline and backslash (a space: 040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def cgroup_mounts(mountinfo: Path = MOUNTINFO) -> list[Mount]:
    """The cgroup v1 and v2 mounts listed in a mountinfo file (none if it is unreadable)."""
    try:
        lines = mountinfo.read_text().splitlines()
    except OSError:
        return []
    mounts = []
    for line in lines:
        head, sep, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not sep or len(fields) < 5 or len(rest) < 3 or rest[0] not in ("cgroup", "cgroup2"):
            continue
        version = 2 if rest[0] == "cgroup2" else 1
        options = frozenset(rest[2].split(",")) if version == 1 else frozenset()
        mounts.append(Mount(Path(_unescape(fields[4])), _unescape(fields[3]), version, options))
    return mounts


def _cgroup_dir(mount: Mount, path: str) -> Path:
    """The folder of cgroup `path` under `mount` (its mount point if the path is outside it)."""
    root = mount.root.rstrip("/")
    if path == root or path.startswith(root + "/"):
        candidate = mount.point / path[len(root):].lstrip("/")
        if candidate.is_dir():
            return candidate
    return mount.point


def _read_quota(folder: Path, version: int) -> float | None:
    """CPUs allowed by the quota set on `folder` itself (None: no quota or no file)."""
    try:
        if version == 2:
            quota, _, period = (folder / "cpu.max").read_text().strip().partition(" ")
            if quota == "max":
                return None
            return int(quota) / int(period or "100000")
        quota_us = int((folder / "cpu.cfs_quota_us").read_text())
        period_us = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def cpu_quota(proc_cgroup: Path = PROC_CGROUP, mountinfo: Path = MOUNTINFO) -> float | None:
    """The CPUs this process's cgroup quota allows (e.g. 1.5), or None without a quota.

    The smallest quota along the cgroup path, from the process's cgroup up to the mount
    point, over the v2 hierarchy and the v1 `cpu` controller.
    """
    try:
        memberships = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    mounts = cgroup_mounts(mountinfo)
    found: list[float] = []
    for line in memberships:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and not controllers:
            matching = [m for m in mounts if m.version == 2]
        elif "cpu" in controllers.split(","):
            matching = [m for m in mounts if m.version == 1 and "cpu" in m.controllers]
        else:
            continue
        for mount in matching[:1]:
            folder = _cgroup_dir(mount, path)
            while True:
                quota = _read_quota(folder, mount.version)
                if quota is not None:
                    found.append(quota)
                if folder == mount.point or folder.parent == folder:
                    break
                folder = folder.parent
    return min(found) if found else None


def affinity_cpus() -> int:
    """CPUs this process may run on (its affinity mask; the CPU count where there is none)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def available_cpus(proc_cgroup: Path = PROC_CGROUP, mountinfo: Path = MOUNTINFO) -> int:
    """CPUs this process may use: its affinity, capped by its cgroup quota (at least 1)."""
    cpus = affinity_cpus()
    quota = cpu_quota(proc_cgroup, mountinfo)
    if quota is not None:
        cpus = min(cpus, max(1, math.floor(quota)))
    return max(1, cpus)


def local_processes() -> int:
    """Processes torchrun started on this machine (1 without torchrun)."""
    try:
        return max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
    except ValueError:
        return 1


def choose(option: int | None = None, recipe: int | None = None) -> tuple[int | None, str]:
    """The thread count asked for and where from; (None, why) when none was asked for."""
    if option is not None:
        return option, "--threads"
    if recipe is not None:
        return recipe, "train.threads"
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env), "OMP_NUM_THREADS"
    return None, "default"


def apply(option: int | None = None, recipe: int | None = None) -> int:
    """Set torch's intra-op threads (see the module's docstring); return the count in force.

    With no explicit choice the count only ever goes down, to this process's share of the
    CPUs available, so a caller that chose fewer threads keeps its choice.
    """
    import torch  # here: building the argument parser must not import torch

    share = max(1, available_cpus() // local_processes())
    asked, source = choose(option, recipe)
    if asked is None:
        count = min(torch.get_num_threads(), share)
    else:
        count = asked
        if asked > share:
            warn(
                f"{source} asks for {counted(asked, 'thread')}, over the {counted(share, 'CPU')} "
                "this process may use "
                "(affinity, cgroup quota, processes on this machine): they will wait for "
                f"each other\n  set {source} to {share} or less"
            )
    if count != torch.get_num_threads():
        torch.set_num_threads(count)
    return count
