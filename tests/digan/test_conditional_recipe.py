"""recipes/digan_ucf_cond.yaml (issue 13, acceptance 5): it validates, names the 101 classes
of the official classInd.txt in label order, trains a few steps on the UCF-101 test clips, and
`inrvid generate --class <name>` writes videos of that class."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inrvid.cli import main
from inrvid.recipe import load_recipe
from inrvid.train.loop import train
from tests.digan.test_recipes import REPO, tiny_overrides

COND = REPO / "recipes" / "digan_ucf_cond.yaml"


def test_the_conditional_recipe_names_the_101_classes_of_class_ind(data: Path) -> None:
    """generator.class_names is classInd.txt's list; G and both Ds have 101 classes."""
    recipe = load_recipe(COND)
    official = [line.split()[1] for line in
                (data / "ucf101" / "splits" / "classInd.txt").read_text().splitlines()
                if line.strip()]
    assert len(official) == 101
    assert list(recipe.generator.config.class_names) == official
    assert recipe.generator.config.num_classes == 101
    assert {r: d.config.num_classes for r, d in recipe.discriminators.items()} == {
        "image": 101, "motion": 101}


@pytest.fixture(scope="module")
def conditional_run(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three tiny steps of the conditional recipe on the local UCF-101 test-split clips."""
    out = tmp_path_factory.mktemp("cond")
    base = load_recipe(COND)
    recipe = load_recipe(COND, [
        *tiny_overrides(base), f"data.root={data / 'ucf101'}", "data.splits=[testlist01]",
        f"data.index_dir={out / 'index'}", "train.batch_size=2", "train.duration_kimg=0.006",
        "train.num_workers=0", "train.sample_every_kimg=1000", "train.sample_videos=2",
        "train.sample_frames=2", "train.checkpoint_every_kimg=0.006",
        "train.log_every_kimg=0.002", f"output.dir={out / 'runs'}",
    ])
    return train(recipe, argv=[], quiet=True)


def test_the_conditional_recipe_trains_a_few_steps(conditional_run: Path) -> None:
    """The run logs finite terms for three steps and counts no cleaned gradient values."""
    lines = [json.loads(x) for x in (conditional_run / "metrics.jsonl").read_text().splitlines()]
    steps = [x for x in lines if "s_per_kimg" in x]
    assert [x["step"] for x in steps] == [1, 2, 3]
    assert all(x["D/nonfinite_grads"] == 0 for x in steps)
    assert steps[-1]["D/adversarial.motion_real"] > 0


def test_generate_class_writes_videos_of_that_class(conditional_run: Path, tmp_path) -> None:
    """`inrvid generate --class Biking` writes the videos and records their class."""
    out = tmp_path / "gen"
    assert main(["generate", str(conditional_run), "--class", "Biking", "--num", "2",
                 "--frames", "3", "--out", str(out), "--quiet"]) == 0
    videos = sorted(out.glob("*.mp4"))
    assert len(videos) >= 2
    records = [json.loads(p.read_text()) for p in out.glob("*.json")]
    assert any(r.get("classes") == ["Biking", "Biking"] for r in records)


def test_generate_names_the_classes_when_the_class_is_unknown(
    conditional_run: Path, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt class exits 2 with the close match."""
    assert main(["generate", str(conditional_run), "--class", "Bikin", "--num", "1",
                 "--out", str(tmp_path / "g"), "--quiet"]) == 2
    assert "did you mean 'Biking'?" in capsys.readouterr().err
