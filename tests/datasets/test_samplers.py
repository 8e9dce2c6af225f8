"""Time samplers against the exact laws of docs/reference/digan.md §2.3 (closed forms, 200k draws)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import integrate

from inrvid.components.registry import VideoSpec
from inrvid.testing import build_component, check_component, tiny_context

DRAWS = 200_000
F = 16


def cdf_a(x: float) -> float:          # Beta(2, 1)
    return x * x


def cdf_b(x: float) -> float:          # Beta(1, 2)
    return 1 - (1 - x) ** 2


def bin_probs(cdf) -> np.ndarray:
    """P(floor(F u) = k), k = 0..F-1."""
    edges = np.array([cdf(k / F) for k in range(F + 1)])
    return np.diff(edges)


def exact_real_law() -> dict[str, float]:
    """Exact moments of the real pair: indices floor(F a), floor(F b), sorted, times i/(F-1)."""
    pa, pb = bin_probs(cdf_a), bin_probs(cdf_b)
    joint = np.outer(pa, pb)                                    # P(i_a = i, i_b = j)
    i, j = np.meshgrid(np.arange(F), np.arange(F), indexing="ij")
    lo, hi = np.minimum(i, j) / (F - 1), np.maximum(i, j) / (F - 1)
    gap = hi - lo
    return {
        "t1": float((joint * lo).sum()), "t2": float((joint * hi).sum()),
        "dt": float((joint * gap).sum()),
        "p0": float(joint[gap == 0].sum()), "p1": float(joint[np.isclose(gap, 1)].sum()),
    }


def exact_fake_law() -> dict[str, float]:
    """E[min(a, b)] and E[max(a, b)] by integrating survival functions."""
    e_min = integrate.quad(lambda x: (1 - cdf_a(x)) * (1 - cdf_b(x)), 0, 1)[0]
    e_max = integrate.quad(lambda x: 1 - cdf_a(x) * cdf_b(x), 0, 1)[0]
    return {"t1": e_min, "t2": e_max, "dt": e_max - e_min}


@pytest.fixture(scope="module")
def draws():
    sampler = build_component("sampler", "digan_beta_pairs")
    gen = torch.Generator().manual_seed(0)
    real = sampler.sample_real(DRAWS, F, gen)
    fake = sampler.sample_fake(DRAWS, gen)
    return sampler, real, fake


def test_digan_fake_times_follow_sorted_beta_2_1_and_beta_1_2(draws):
    _, _, fake = draws
    exact = exact_fake_law()
    assert fake.shape == (DRAWS, 2) and (fake[:, 1] >= fake[:, 0]).all()
    assert fake.min() >= 0 and fake.max() <= 1
    assert fake[:, 0].mean().item() == pytest.approx(exact["t1"], abs=0.01)
    assert fake[:, 1].mean().item() == pytest.approx(exact["t2"], abs=0.01)
    assert (fake[:, 1] - fake[:, 0]).mean().item() == pytest.approx(exact["dt"], abs=0.01)
    assert exact["t1"] == pytest.approx(0.3, abs=0.001)           # reference §2.3: 0.300, 0.700


def test_digan_real_indices_are_floor_16u_of_the_same_laws(draws):
    sampler, real, _ = draws
    exact = exact_real_law()
    times = sampler.index_times(real, F)
    dt = times[:, 1] - times[:, 0]
    assert real.dtype == torch.long and real.min() >= 0 and real.max() <= F - 1
    assert times[:, 0].mean().item() == pytest.approx(exact["t1"], abs=0.01)
    assert times[:, 1].mean().item() == pytest.approx(exact["t2"], abs=0.01)
    assert dt.mean().item() == pytest.approx(exact["dt"], abs=0.01)
    assert (dt == 0).double().mean().item() == pytest.approx(exact["p0"], abs=0.005)
    assert (real[:, 1] - real[:, 0] == F - 1).double().mean().item() == pytest.approx(
        exact["p1"], abs=0.005)
    assert exact["p0"] == pytest.approx(0.042, abs=0.001)          # reference: ≈ 4.2 %
    assert exact["p1"] == pytest.approx(0.0145, abs=0.0005)        # reference: ≈ 1.45 %


def test_matched_sampler_gives_fake_times_the_law_of_the_real_pairs():
    ctx = tiny_context(VideoSpec(frames=F, height=8, width=8))
    sampler = build_component("sampler", "digan_beta_pairs_matched", ctx=ctx)
    gen = torch.Generator().manual_seed(1)
    fake = sampler.sample_fake(DRAWS, gen)
    exact = exact_real_law()
    grid = fake * (F - 1)
    assert torch.allclose(grid, grid.round(), atol=1e-4)              # on the frame grid
    dt = fake[:, 1] - fake[:, 0]
    assert dt.mean().item() == pytest.approx(exact["dt"], abs=0.01)
    assert (dt == 0).double().mean().item() == pytest.approx(exact["p0"], abs=0.005)
    assert exact["dt"] - exact_fake_law()["dt"] > 0.02                # the mismatch it removes


def test_uniform_and_whole_clip_samplers_keep_their_shapes_and_order():
    gen = torch.Generator().manual_seed(2)
    uniform = build_component("sampler", "uniform_pairs", {"frames": 3})
    fake = uniform.sample_fake(50_000, gen)
    assert fake.shape == (50_000, 3) and (fake.diff(dim=1) >= 0).all()
    assert fake[:, 0].mean().item() == pytest.approx(0.25, abs=0.01)  # min of 3 uniforms: 1/4
    ctx = tiny_context(VideoSpec(frames=8, height=8, width=8))
    whole = build_component("sampler", "whole_clip", ctx=ctx)
    assert whole.sample_real(2, 8, gen).tolist() == [list(range(8))] * 2
    assert torch.allclose(whole.sample_fake(1, gen)[0], torch.arange(8) / 7)


@pytest.mark.parametrize(
    "name", ["digan_beta_pairs", "digan_beta_pairs_matched", "uniform_pairs", "whole_clip"])
def test_every_sampler_passes_the_contract_check(name):
    check_component("sampler", name)
