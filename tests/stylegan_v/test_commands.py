"""Acceptance: `inrvid run` on the tiny StyleGAN-V recipe, then `generate --frames 64`,
`eval --metrics swd`, `predict` and `compare` against a tiny DIGAN run, all unchanged.

Module-scoped runs (two steps each at 16x16, narrow networks) keep this to about 20 s.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from inrvid.cli import main
from inrvid.video import open_video

pytestmark = pytest.mark.slow     # three tiny trainings, about 20 s on 2 cores

REPO = Path(__file__).resolve().parents[2]
SHRINK = [
    "train.duration_kimg=0.016", "train.batch_size=8", "train.sample_videos=1",
    "train.sample_frames=2", "data.resolution=16", "eval.every_kimg=1",
    "eval.metrics.swd.fake_videos=4", "eval.metrics.swd.real_videos=4",
]
RECIPES = {
    "stylegan_v": (REPO / "recipes" / "stylegan_v_tiny.yaml",
                   ["generator.channel_max=16", "discriminators.video.channel_max=16"]),
    "digan": (REPO / "recipes" / "quickstart.yaml",
              ["generator.channel_max=16", "discriminators.image.channel_max=16",
               "discriminators.motion.channel_max=16"]),
    "digan_3d_d": (REPO / "recipes" / "quickstart_3d_d.yaml",
                   ["generator.channel_max=16", "discriminators.video.channels=[8,8]"]),
}


def only_run(folder: Path) -> Path:
    (run,) = [p.parent for p in folder.glob("*/*/run-info.json")]
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two-step runs of the tiny StyleGAN-V, DIGAN and DIGAN-vs-3D-D recipes."""
    root = tmp_path_factory.mktemp("sgv-runs")
    out = {}
    for key, (recipe, extra) in RECIPES.items():
        status = main(["run", str(recipe), *SHRINK, *extra, f"output.dir={root / key}",
                       "--quiet"])
        assert status == 0, f"training {recipe.name} failed"
        out[key] = only_run(root / key)
    return out


def test_stylegan_v_run_generates_64_frames_evaluates_swd_and_compares_with_digan(
    runs, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("INRVID_CACHE", str(tmp_path / "cache"))
    sgv, digan = runs["stylegan_v"], runs["digan"]
    recorded = [json.loads(line) for line in (sgv / "metrics.jsonl").read_text().splitlines()]
    assert any("G/adversarial.video_fake" in str(r) for r in recorded)

    videos = tmp_path / "videos"
    assert main(["generate", str(sgv), "--frames", "64", "--num", "2", "--out", str(videos),
                 "--quiet"]) == 0
    with open_video(videos / "video-000.mp4") as reader:
        assert len(reader) == 64
        assert reader.read([63]).shape == (1, 3, 16, 16)

    report = tmp_path / "eval.json"
    assert main(["eval", str(sgv), "--metrics", "swd", "--videos", "4", "--out", str(report),
                 "--quiet"]) == 0
    scores = json.loads(report.read_text())
    assert "swd" in json.dumps(scores)

    table = tmp_path / "compare.csv"
    assert main(["compare", str(sgv), str(digan), "--csv", str(table)]) == 0
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert [r["run"].split("/")[0] for r in rows] == ["stylegan-v-tiny", "quickstart"]
    assert all(float(r["swd/swd final"]) > 0 for r in rows)
    capsys.readouterr()


def test_predict_inverts_a_generated_clip_in_w_and_motion_noise(runs, tmp_path):
    videos = tmp_path / "videos"
    assert main(["generate", str(runs["stylegan_v"]), "--frames", "16", "--num", "1", "--seed",
                 "7", "--out", str(videos), "--quiet"]) == 0
    out = tmp_path / "pred"
    assert main(["predict", str(runs["stylegan_v"]), "--video", str(videos / "video-000.mp4"),
                 "--observe", "0,4,8", "--render", "0-11", "--optimize", "w,motion", "--steps",
                 "5", "--out", str(out), "--quiet"]) == 0
    result = json.loads((out / "predict.json").read_text())
    assert result["optimized"] == ["w", "motion"]
    assert result["loss_final"] < result["loss_initial"]


def test_scale_2_on_a_stylegan_v_run_is_refused_with_the_reason(runs, tmp_path, capsys):
    status = main(["generate", str(runs["stylegan_v"]), "--frames", "2", "--num", "1",
                   "--scale", "2", "--out", str(tmp_path / "big"), "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert "scale: got 2, expected 1" in err and "renders one grid" in err


def test_the_3d_discriminator_ablation_trains_on_whole_clips(runs) -> None:
    info = json.loads((runs["digan_3d_d"] / "run-info.json").read_text())
    assert "video3d" in json.dumps(info)
    recorded = (runs["digan_3d_d"] / "metrics.jsonl").read_text()
    assert "G/adversarial.video_fake" in recorded and "D/adversarial.video_real" in recorded
