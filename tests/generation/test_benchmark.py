"""benchmarks/extrapolation.py: bands of t and one JSON line from a tiny checkpoint."""

from __future__ import annotations

import importlib.util
import json

import torch

from tests.generation.conftest import REPO


def load_benchmark():
    spec = importlib.util.spec_from_file_location(
        "extrapolation_benchmark", REPO / "benchmarks" / "extrapolation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bands_split_the_clip_into_even_and_odd_frames_then_whole_units_of_t():
    bands = load_benchmark().bands(16, 3.0)
    assert bands["observed"].tolist() == list(range(0, 16, 2))
    assert bands["interpolation"].tolist() == list(range(1, 16, 2))
    assert bands["extrap (1,2]"].tolist() == list(range(16, 31))
    assert bands["extrap (2,3]"].tolist() == list(range(31, 46))     # t = 45/15 = 3


def test_benchmark_prints_a_json_line_with_psnr_and_ssim_per_band(tiny_checkpoint, capsys):
    results = load_benchmark().main([str(tiny_checkpoint), "--videos", "1", "--steps", "3",
                                     "--max-t", "2"])
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(line) == results
    assert set(results["bands"]) == {"observed", "interpolation", "extrap (1,2]"}
    for band in results["bands"].values():
        assert torch.isfinite(torch.tensor([band["psnr"], band["ssim"]])).all()
        assert -1 <= band["ssim"] <= 1
