"""benchmarks/discriminator_cost.py runs end to end and prints its table and JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_prints_four_rows_and_the_3d_d_at_digan_widths_costs_more_flops() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "discriminator_cost.py"), "--batch", "1",
         "--repeats", "1", "--resolution", "16", "--frames", "4",
         "--width-divisor", "8"],
        capture_output=True, text=True, check=True, timeout=300)
    lines = done.stdout.strip().splitlines()
    report = json.loads(lines[-1])
    rows = {r["discriminator"]: r for r in report["rows"]}
    assert len(rows) == 4 and "digan_motion_d (2D, pair + Δt)" in lines[2]
    motion = rows["digan_motion_d (2D, pair + Δt)"]["gflops_train_per_video"]
    both = rows["digan_image_d + digan_motion_d"]["gflops_train_per_video"]
    tgan = rows["conv3d_video_d, TGAN widths"]["gflops_train_per_video"]
    wide = rows["conv3d_video_d, DIGAN's widths"]["gflops_train_per_video"]
    assert both > motion > 0 and wide > tgan > 0
    assert "not measured (no GPU in this session)" in done.stdout or "CUDA figures" in done.stdout
