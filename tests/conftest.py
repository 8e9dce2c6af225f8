"""Shared test helpers: fixture plug-ins loaded through injected entry points."""

from __future__ import annotations

import importlib.metadata as md
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from inrvid.loading import plugins as loading_plugins
from inrvid.loading.plugins import Plugins, load_plugins

REPO = Path(__file__).resolve().parents[1]
REAL_DISCOVERY = loading_plugins.discover_entry_points

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Under `pytest -n 2` on two cores, two intra-op threads per worker oversubscribe the
    # CPU and tiny convolutions slow down tenfold; one thread each (subprocesses inherit it).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    torch.set_num_threads(1)
# The real test clips live beside the repository; a user's clone has none. INRVID_TEST_DATA
# points elsewhere (CI sets it to a missing folder to run the suite as a user's clone would).
SHARED_DATA = Path(os.environ.get("INRVID_TEST_DATA", REPO.parent / "shared" / "data"))


class FixtureDistribution:
    """Just enough of `importlib.metadata.Distribution` for the loader: a name and a version."""

    def __init__(self, name: str, version: str) -> None:
        self.metadata = {"Name": name}
        self.version = version


def fixture_entry_point(
    name: str, module: str | None = None, dist: str | None = None, version: str = "1.0.0"
) -> md.EntryPoint:
    """An entry point of group inrvid.plugins for a module in tests/plugin_fixtures."""
    ep = md.EntryPoint(name, f"tests.plugin_fixtures.{module or name}", "inrvid.plugins")
    return ep._for(FixtureDistribution(dist or f"fixture-{name.replace('_', '-')}", version))


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Index and feature caches go to a temporary folder, never beside the shared data."""
    cache = tmp_path_factory.getbasetemp() / "inrvid-cache"
    monkeypatch.setenv("INRVID_CACHE", str(cache))
    return cache


def have_shared_data() -> bool:
    """Whether the real test clips are beside the repository (not on a user's clone)."""
    return (SHARED_DATA / "README.md").is_file()


@pytest.fixture(scope="session")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test data folder: the real clips of ../shared/data, or a stand-in made with PyAV.

    Both have the same layout and names (see `tests/media.py`), so every test runs on a
    user's clone too; the real clips add codecs and sizes where present.
    """
    if have_shared_data():
        return SHARED_DATA
    from tests.media import build_media

    return build_media(tmp_path_factory.getbasetemp() / "stand-in-data")


def install_entry_points(eps: list[md.EntryPoint] | None) -> Callable[[], list[md.EntryPoint]]:
    """For a whole process (a child script, a fault trial): make `eps` the installed entry
    points (None: the real ones again). Returns the discovery it replaced."""
    replaced = loading_plugins.discover_entry_points
    loading_plugins.discover_entry_points = (
        REAL_DISCOVERY if eps is None else (lambda: list(eps))  # type: ignore[assignment]
    )
    return replaced


def use_entry_points(monkeypatch: pytest.MonkeyPatch, eps: list[md.EntryPoint]) -> Plugins:
    """Make `eps` the installed entry points for this test (every `load_plugins()`, the CLI's
    included, finds these); return them loaded."""
    monkeypatch.setattr(loading_plugins, "discover_entry_points", lambda: list(eps))
    return load_plugins()


@pytest.fixture
def load_fixture_plugins(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Plugins]:
    """Make only the named fixture plug-ins installed for this test; return them loaded."""

    def load(*names: str, **modules: str) -> Plugins:
        eps = [fixture_entry_point(n) for n in names]
        eps += [fixture_entry_point(n, m) for n, m in modules.items()]
        return use_entry_points(monkeypatch, eps)

    return load


@pytest.fixture
def plugins() -> Plugins:
    """The installed plug-ins (or those a test made installed), loaded."""
    return load_plugins()


TOY_RECIPE = """\
name: toy
seed: 3
data: {kind: toy_dataset, resolution: 8, clip_frames: 4, videos: 4}
augment:
  - {kind: toy_augment, strength: 0.1}
sampler: {kind: toy_sampler}
encoder: {kind: toy_encoder, features: 8}
generator: {kind: toy_generator, hidden: 8}
discriminators:
  image: {kind: toy_d, channels: 4}
  motion: {kind: toy_d, channels: 2}
losses:
  adversarial: {kind: toy_loss}
train: {batch_size: 4, duration_kimg: 0.004}
"""


@pytest.fixture
def toy_recipe(tmp_path: Path, load_fixture_plugins: Callable[..., Plugins]) -> Path:
    """A valid recipe over the toy components, with only the toy plug-in loaded."""
    load_fixture_plugins("toy")
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_RECIPE)
    return path
