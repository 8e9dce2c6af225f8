"""Tiny trained runs (the quickstart and an ablation of it) shared by the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from inrvid.cli import main

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "recipes" / "quickstart.yaml"
# One step of a narrow quickstart at 16x16; SWD on 4 videos at the start and at the end.
TINY_RUN = [
    "train.duration_kimg=0.008",
    "train.batch_size=8",
    "train.sample_videos=1",
    "train.sample_frames=2",
    "data.resolution=16",
    "eval.every_kimg=1",
    "eval.metrics.swd.fake_videos=4",
    "eval.metrics.swd.real_videos=4",
    "generator.channel_max=16",
    "discriminators.image.channel_max=16",
    "discriminators.motion.channel_max=16",
]
ABLATION = """\
# The quickstart without the motion MLP f_M of the encoder.
extends: {parent}
name: quickstart-no-fm
encoder:
  kind: digan_fourier_xyt_no_fm
  features: 32
"""


def only_run(folder: Path) -> Path:
    """The one run folder `inrvid run` wrote under `<output.dir>/<name>/`."""
    (run,) = [p.parent for p in folder.glob("*/*/run-info.json")]
    return run


@pytest.fixture(scope="session")
def trained_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run folders of a two-step quickstart and of its no-f_M ablation (both with SWD lines)."""
    root = tmp_path_factory.mktemp("eval-runs")
    ablation = root / "quickstart_no_fm.yaml"
    ablation.write_text(ABLATION.format(parent=QUICKSTART), encoding="utf-8")
    runs = {}
    for key, recipe in (("quickstart", QUICKSTART), ("ablation", ablation)):
        out = root / key
        status = main(["run", str(recipe), *TINY_RUN, f"output.dir={out}", "--quiet"])
        assert status == 0, f"training {recipe} failed"
        runs[key] = only_run(out)
    return runs


@pytest.fixture(autouse=True)
def isolated_weights_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No weight file is found unless a test passes one; features are cached in tmp."""
    for name in ("INRVID_I3D_WEIGHTS", "INRVID_C3D_WEIGHTS", "INRVID_INCEPTION_WEIGHTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INRVID_WEIGHTS_DIR", str(tmp_path / "no-weights"))
    monkeypatch.setenv("INRVID_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"
