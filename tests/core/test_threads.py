"""torch's threads: the CPUs a process may use (affinity, cgroup v1/v2 quota), never more."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from inrvid.base import threads


def cgroup_v2(tmp_path: Path, levels: dict[str, str], member: str = "/job/step") -> tuple[Path, Path]:
    """A fake cgroup v2 tree: `cpu.max` text per folder, the process in `member`."""
    mount = tmp_path / "fs" / "cgroup"
    for folder, text in levels.items():
        (mount / folder.strip("/")).mkdir(parents=True, exist_ok=True)
        (mount / folder.strip("/") / "cpu.max").write_text(text + "\n")
    (mount / member.strip("/")).mkdir(parents=True, exist_ok=True)
    proc = tmp_path / "cgroup"
    proc.write_text(f"0::{member}\n")
    info = tmp_path / "mountinfo"
    info.write_text(
        "24 1 0:21 / /proc rw,nosuid - proc proc rw\n"
        f"31 23 0:26 / {mount} rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n"
    )
    return proc, info


def test_cgroup_v2_quota_is_the_smallest_cpu_max_from_the_process_up_to_the_mount(tmp_path):
    proc, info = cgroup_v2(tmp_path, {"/": "max 100000", "/job": "300000 100000",
                                      "/job/step": "150000 100000"})
    assert threads.cpu_quota(proc, info) == 1.5
    proc, info = cgroup_v2(tmp_path / "b", {"/job": "200000 100000", "/job/step": "max 100000"})
    assert threads.cpu_quota(proc, info) == 2.0  # a parent's quota caps its child


def test_cgroup_v2_without_a_quota_or_without_files_gives_none(tmp_path):
    proc, info = cgroup_v2(tmp_path, {"/job/step": "max 100000"})
    assert threads.cpu_quota(proc, info) is None
    assert threads.cpu_quota(tmp_path / "missing", info) is None
    assert threads.cpu_quota(proc, tmp_path / "missing") is None


def test_cgroup_v2_in_a_container_reads_the_namespace_root(tmp_path):
    proc, info = cgroup_v2(tmp_path, {"/": "400000 100000"}, member="/")
    assert threads.cpu_quota(proc, info) == 4.0


def test_cgroup_v1_quota_from_the_cpu_controller_with_an_escaped_mount_point(tmp_path):
    mount = tmp_path / "cgroup dir" / "cpu,cpuacct"
    step = mount / "slurm" / "uid_1" / "job_7"
    step.mkdir(parents=True)
    for folder, quota in ((mount, "-1"), (mount / "slurm", "-1"), (step, "250000")):
        (folder / "cpu.cfs_quota_us").write_text(quota + "\n")
        (folder / "cpu.cfs_period_us").write_text("100000\n")
    proc = tmp_path / "cgroup"
    proc.write_text("12:memory:/slurm/uid_1/job_7\n4:cpu,cpuacct:/slurm/uid_1/job_7\n0::/\n")
    escaped = str(mount).replace(" ", "\\040")
    info = tmp_path / "mountinfo"
    info.write_text(
        f"33 25 0:29 / {escaped} rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
        "34 25 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    )
    assert threads.cpu_quota(proc, info) == 2.5


def test_cgroup_v1_mounted_at_the_containers_own_cgroup_falls_back_to_the_mount_point(tmp_path):
    mount = tmp_path / "cpu"
    mount.mkdir()
    (mount / "cpu.cfs_quota_us").write_text("50000\n")
    (mount / "cpu.cfs_period_us").write_text("100000\n")
    proc = tmp_path / "cgroup"
    proc.write_text("3:cpu:/docker/0123abcd\n")  # the host's path, not visible inside
    info = tmp_path / "mountinfo"
    info.write_text(f"40 30 0:40 /docker/0123abcd {mount} rw - cgroup cgroup rw,cpu\n")
    assert threads.cpu_quota(proc, info) == 0.5


def test_available_cpus_is_the_affinity_capped_by_the_quota_and_at_least_one(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(threads, "affinity_cpus", lambda: 8)
    proc, info = cgroup_v2(tmp_path, {"/job/step": "250000 100000"})
    assert threads.available_cpus(proc, info) == 2
    proc, info = cgroup_v2(tmp_path / "b", {"/job/step": "20000 100000"})
    assert threads.available_cpus(proc, info) == 1
    proc, info = cgroup_v2(tmp_path / "c", {"/job/step": "max 100000"})
    assert threads.available_cpus(proc, info) == 8


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch):
    """A machine of `cpus` usable CPUs; torch's thread count restored afterwards."""
    saved = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("LOCAL_WORLD_SIZE", raising=False)

    def set_cpus(cpus: int, torch_threads: int) -> None:
        monkeypatch.setattr(threads, "available_cpus", lambda: cpus)
        torch.set_num_threads(torch_threads)

    yield set_cpus
    torch.set_num_threads(saved)


def test_by_default_torch_never_uses_more_threads_than_the_cpus_available(machine, monkeypatch):
    machine(cpus=2, torch_threads=3)
    assert threads.apply() == 2 and torch.get_num_threads() == 2
    machine(cpus=2, torch_threads=1)  # a caller's lower choice stays
    assert threads.apply() == 1
    machine(cpus=3, torch_threads=3)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")  # torchrun: two processes share the CPUs
    assert threads.apply() == 1


def test_the_option_beats_the_recipe_which_beats_omp_num_threads(machine, monkeypatch, capsys):
    machine(cpus=2, torch_threads=1)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert threads.apply(None, 2) == 2 and torch.get_num_threads() == 2
    assert threads.apply(1, 2) == 1 and torch.get_num_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert threads.apply() == 2
    assert capsys.readouterr().err == ""


def test_asking_for_more_threads_than_cpus_warns_naming_the_setting(machine, capsys):
    machine(cpus=1, torch_threads=1)
    assert threads.apply(None, 2) == 2
    err = capsys.readouterr().err
    assert "train.threads asks for 2 threads, over the 1 CPU this process may use" in err
