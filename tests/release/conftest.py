"""Tiny DIGAN networks written as a release snapshot by the tests, and converted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from inrvid.components.registry import VideoSpec
from inrvid.testing import build_component, tiny_context
from tests.generation.conftest import one_thread  # noqa: F401 - the autouse fixture
from tests.release.snapshots import digan_kwargs, write_digan_snapshot

SIZES: dict[str, Any] = {"resolution": 16, "z_dim": 16, "w_dim": 16, "channel_base": 256,
                         "channel_max": 16, "input_resolution": 4, "rank": 3, "features": 8,
                         "extra": 1}
VIDEO = VideoSpec(frames=16, height=16, width=16)


def perturb(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Every parameter moved by 0.1 N(0, 1) (biases non-zero; G differs from its EMA)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=gen))
    return module.eval()


def digan_networks(classes: int) -> dict[str, torch.nn.Module]:
    """inrvid DIGAN networks at the sizes of `SIZES` (the ones a snapshot is written from)."""
    ctx = tiny_context(VIDEO, encoder=("digan_fourier_xyt", {"features": SIZES["features"]}))
    g_cfg = {"content_dim": 16, "motion_dim": 16, "w_dim": 16, "mapping_layers": 2,
             "channel_base": 256, "channel_max": 16, "input_resolution": 4, "fmm_rank": 3,
             "extra_layers": 1, "num_classes": classes}
    d_cfg = {"channel_base": 256, "channel_max": 16, "num_classes": classes,
             "class_mapping_layers": 2}
    torch.manual_seed(0)
    return {
        "generator": perturb(build_component("generator", "digan", g_cfg, ctx), 1),
        "generator_ema": perturb(build_component("generator", "digan", g_cfg, ctx), 2),
        "image": perturb(build_component("discriminator", "digan_image_d", d_cfg, ctx), 3),
        "motion": perturb(build_component("discriminator", "digan_motion_d", d_cfg, ctx), 4),
    }


def write_snapshot(folder: Path, classes: int = 0, **kwargs: Any) -> tuple[Path, dict[str, Any]]:
    """A DIGAN release-style snapshot of fresh networks, and those networks."""
    networks = digan_networks(classes)
    g_kwargs, d_kwargs = digan_kwargs(classes=classes, **SIZES)
    path = write_digan_snapshot(folder / "network-snapshot-000480.pkl", g_kwargs=g_kwargs,
                                d_kwargs=d_kwargs, **networks, **kwargs)
    return path, networks


@pytest.fixture(scope="package")
def digan_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """An unconditional DIGAN snapshot and the networks it was written from."""
    return write_snapshot(tmp_path_factory.mktemp("snapshot"))


@pytest.fixture(scope="package")
def converted(digan_snapshot: tuple[Path, dict[str, Any]],
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unconditional snapshot converted with `inrvid import`."""
    from inrvid.cli import main

    out = tmp_path_factory.mktemp("converted") / "digan.pt"
    assert main(["import", "digan", str(digan_snapshot[0]), "--out", str(out)]) == 0
    return out
