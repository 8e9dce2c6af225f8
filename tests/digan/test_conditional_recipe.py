"""recipes/digan_ucf_cond.yaml (issue 13, acceptance 5): it validates, names the 101 classes
of the official classInd.txt in label order, trains a few steps on the UCF-101 test clips, and
`inrvid generate --class <name>` writes videos of that class."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from inrvid_metrics.c3d import C3D

from inrvid.cli import main
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.runtime import checkpoint as ckpt
from inrvid.runtime.scoring.sources import GeneratorVideoSource
from inrvid.train.loop import train
from tests.conftest import have_shared_data
from tests.digan.test_recipes import REPO, tiny_overrides

COND = REPO / "recipes" / "digan_ucf_cond.yaml"


def class_ind(data: Path) -> list[str]:
    """The class names of `<data>/ucf101/splits/classInd.txt`, in label order."""
    return [line.split()[1] for line in
            (data / "ucf101" / "splits" / "classInd.txt").read_text().splitlines()
            if line.strip()]


def test_the_conditional_recipe_names_the_101_classes_of_class_ind(data: Path) -> None:
    """generator.class_names: 101 distinct names, the official classInd.txt's in label order
    (compared where the real file is present), including every class of the local clips; G and
    both Ds have 101 classes."""
    recipe = load_recipe(COND, plugins=load_plugins())
    names = list(recipe.generator.config.class_names)
    assert len(set(names)) == 101
    local = {p.name for p in (data / "ucf101" / "videos").iterdir() if p.is_dir()}
    assert local and local <= set(names)
    if have_shared_data():
        assert names == class_ind(data)
    assert recipe.generator.config.num_classes == 101
    assert {r: d.config.num_classes for r, d in recipe.discriminators.items()} == {
        "image": 101, "motion": 101}


@pytest.fixture(scope="module")
def conditional_run(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three tiny steps of the conditional recipe on the local UCF-101 test-split clips (the
    class names of the data folder's classInd.txt: a stand-in's are partly synthetic)."""
    out = tmp_path_factory.mktemp("cond")
    base = load_recipe(COND, plugins=load_plugins())
    names = class_ind(data)
    recipe = load_recipe(COND, [
        f"generator.class_names=[{', '.join(names)}]",
        *tiny_overrides(base), f"data.root={data / 'ucf101'}", "data.splits=[testlist01]",
        f"data.index_dir={out / 'index'}", "train.batch_size=2", "train.duration_kimg=0.006",
        "train.num_workers=0", "train.sample_every_kimg=1000", "train.sample_videos=2",
        "train.sample_frames=2", "train.checkpoint_every_kimg=0.006",
        "train.log_every_kimg=0.002", f"output.dir={out / 'runs'}",
    ], plugins=load_plugins())
    return train(recipe, load_plugins(), argv=[], quiet=True)


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


def test_eval_per_class_refuses_metrics_that_compare_with_reals_of_every_class(
    conditional_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FVD is over all classes: `eval --class` with it exits 2 and says so."""
    assert main(["eval", str(conditional_run), "--class", "Biking", "--metrics", "fvd",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--class Biking: fvd compare generated with real videos of every class" in err
    assert "without --class" in err


def test_a_per_class_source_renders_every_video_of_that_class(conditional_run: Path) -> None:
    """GeneratorVideoSource(class_index=k) asks the generator for class k only; without it
    the classes are drawn at random."""
    generator = ckpt.load_generator(ckpt.latest(conditional_run / "checkpoints"), load_plugins())
    biking = list(generator.class_names).index("Biking")
    asked: list[torch.Tensor] = []
    generator.register_forward_pre_hook(
        lambda _m, _a, kwargs: asked.append(kwargs["classes"]), with_kwargs=True)
    list(GeneratorVideoSource(generator, class_index=biking).iter_videos(3, 2, 2))
    assert torch.cat(asked).tolist() == [biking] * 3
    asked.clear()
    list(GeneratorVideoSource(generator, seed=1).iter_videos(8, 2, 8))
    assert len(set(torch.cat(asked).tolist())) > 1


@pytest.mark.slow
def test_eval_per_class_scores_one_class_with_the_inception_score(
    conditional_run: Path, tmp_path: Path
) -> None:
    """`eval --class Biking --metrics inception_score` (a random C3D) scores 2 videos of Biking."""
    torch.manual_seed(0)
    weights = tmp_path / "c3d_random.pt"
    torch.save(C3D().state_dict(), weights)
    seen: list[torch.Tensor] = []
    original = GeneratorVideoSource.iter_videos

    def recording(self: GeneratorVideoSource, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(torch.tensor(self.class_index if self.class_index is not None else -1))
        return original(self, *args, **kwargs)

    out = tmp_path / "is.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(GeneratorVideoSource, "iter_videos", recording)
        assert main(["eval", str(conditional_run), "--class", "Biking", "--metrics",
                     "inception_score", "--protocol", "proxy", "--videos", "2", "--quiet",
                     "--weights", f"c3d={weights}", "--out", str(out)]) == 0
    biking = list(ckpt.load_generator(ckpt.latest(conditional_run / "checkpoints"), load_plugins())
                  .class_names).index("Biking")
    assert [int(x) for x in seen] == [biking]
    assert json.loads(out.read_text())["values"]["inception_score"]["is"] > 0
