"""`inrvid import digan`: a release-style snapshot becomes a checkpoint with the same networks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

import inrvid
from inrvid.base.errors import SnapshotError
from inrvid.interop.importing import convert
from inrvid.loading.plugins import load_plugins
from inrvid.runtime import checkpoint as ckpt
from tests.release.conftest import write_snapshot


def inputs(classes: bool) -> dict[str, Any]:
    gen = torch.Generator().manual_seed(5)
    return {"z_content": torch.randn(3, 16, generator=gen),
            "z_motion": torch.randn(3, 16, generator=gen),
            "times": torch.tensor([[0.0, 0.3, 1.0], [0.2, 0.5, 1.5], [0.0, 0.1, 0.9]]),
            "classes": torch.tensor([0, 2, 1]) if classes else None}


def render(generator: torch.nn.Module, classes: bool = False) -> torch.Tensor:
    x = inputs(classes)
    with torch.no_grad():
        return generator(x["z_content"], x["z_motion"], x["times"], classes=x["classes"])


def test_converted_snapshot_renders_the_frames_of_the_networks_it_was_written_from(
        digan_snapshot: tuple[Path, dict[str, Any]], converted: Path) -> None:
    _, networks = digan_snapshot
    model = inrvid.load(converted)
    assert torch.equal(render(model.generator), render(networks["generator_ema"]))
    raw = ckpt.load_generator(converted, load_plugins(), ema=False)
    assert torch.equal(render(raw), render(networks["generator"]))
    assert not torch.equal(render(raw), render(model.generator))    # G and G_ema both carried


def test_converted_discriminators_score_as_the_snapshot_s(
        digan_snapshot: tuple[Path, dict[str, Any]], converted: Path) -> None:
    _, networks = digan_snapshot
    frames = torch.rand(2, 2, 3, 16, 16, generator=torch.Generator().manual_seed(1)) * 2 - 1
    times = torch.tensor([[0.1, 0.4], [0.0, 0.9]])
    loaded = ckpt.load_discriminators(converted, load_plugins())
    with torch.no_grad():
        for role in ("image", "motion"):
            assert torch.equal(loaded[role](frames, times), networks[role](frames, times))


def test_class_conditional_snapshot_keeps_its_classes(tmp_path: Path) -> None:
    path, networks = write_snapshot(tmp_path, classes=3)
    checkpoint, _, imported = convert("digan", path)
    generator = ckpt.load_generator(checkpoint, load_plugins())
    assert generator.num_classes == 3
    assert torch.equal(render(generator, classes=True),
                       render(networks["generator_ema"], classes=True))
    assert any("class names" in note for note in imported.notes)   # 3 indices, no names known


def test_converted_checkpoint_records_where_it_came_from(
        digan_snapshot: tuple[Path, dict[str, Any]], converted: Path) -> None:
    checkpoint = ckpt.load(converted)
    origin = checkpoint.origin
    assert origin is not None and origin["release"] == "digan"
    assert origin["snapshot"]["file"] == digan_snapshot[0].name
    assert len(origin["snapshot"]["sha256"]) == 64
    assert "torch_utils.persistence._reconstruct_persistent_obj" in origin["globals"]
    assert origin["sources_match_release"] is False       # the test's source is not the release's
    assert origin["sources"][0]["release_file"] is None
    assert any("w_avg" in note for note in origin["not_carried"])
    assert origin["network_kwargs"]["G"]["cfg"]["input"]["coord_fuser_cfg"] == "${coords}"
    assert checkpoint.images_seen == 480_000              # network-snapshot-000480.pkl
    assert checkpoint.recipe["generator"]["extra_layers"] == 1
    assert checkpoint.recipe["encoder"]["features"] == 8


def test_snapshot_from_unmodified_release_sources_is_recognised(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inrvid_digan.release_import import DiganImporter

    from inrvid.release import KnownSource
    from inrvid.release.pickles import source_sha256

    source = "# networks.py as released\n"
    known = KnownSource("src/training/networks.py", source_sha256(source), "sihyun-yu/digan",
                        "0" * 40)
    monkeypatch.setattr(DiganImporter, "known_sources", (known,))
    path, _ = write_snapshot(tmp_path, source=source)
    checkpoint, sources, _ = convert("digan", path)
    assert [s.release_file for s in sources] == [known.describe()]
    assert checkpoint.origin is not None and checkpoint.origin["sources_match_release"]


@pytest.mark.parametrize(("option", "value", "named"), [
    ("use_noise", True, "G.cfg.use_noise"),
    ("upsampling_mode", "bilinear", "G.cfg.upsampling_mode"),
    ("num_extra_convs", {"4": 1, "16": 1}, "G.cfg.num_extra_convs"),
])
def test_an_option_without_inrvid_equivalent_is_refused_by_name(
        tmp_path: Path, option: str, value: Any, named: str) -> None:
    from tests.release import snapshots
    from tests.release.conftest import SIZES, digan_networks

    g_kwargs, d_kwargs = snapshots.digan_kwargs(classes=0, **SIZES)
    g_kwargs["cfg"][option] = value
    path = snapshots.write_digan_snapshot(tmp_path / "s.pkl", g_kwargs=g_kwargs,
                                          d_kwargs=d_kwargs, **digan_networks(0))
    with pytest.raises(SnapshotError, match=named.replace(".", r"\.")):
        convert("digan", path)


def test_import_command_writes_a_checkpoint_generate_reads(
        converted: Path, tmp_path: Path) -> None:
    from inrvid.cli import main

    assert main(["generate", str(converted), "--num", "1", "--frames", "3", "--out",
                 str(tmp_path / "videos"), "--format", "png", "--quiet"]) == 0
    assert len(list((tmp_path / "videos").rglob("*.png"))) >= 3


def test_import_of_an_unknown_release_names_the_installed_importers(tmp_path: Path) -> None:
    from inrvid.base.errors import PluginError

    with pytest.raises(PluginError, match="installed: digan, stylegan-v"):
        convert("mocogan", tmp_path / "x.pkl")


# the user's data at eval time (here procedural shapes; for a release: data.root=...)
SHAPES = ["data.kind=moving_shapes", "data.resolution=16", "data.videos=8", "data.shapes=1"]


def test_converted_checkpoint_is_scored_by_eval_on_the_user_s_data(
        converted: Path, tmp_path: Path) -> None:
    import json

    from inrvid.cli import main

    out = tmp_path / "swd.json"
    assert main(["eval", str(converted), "--metrics", "swd", "--protocol", "proxy",
                 "swd.resolution=native", "--videos", "4", "--quiet", "--out", str(out),
                 *SHAPES]) == 0
    record = json.loads(out.read_text())
    assert record["values"]["swd"]["swd"] > 0
    assert record["checkpoint"]["origin"]["release"] == "digan"


def test_converted_checkpoint_predicts_frames_of_a_clip(converted: Path, tmp_path: Path) -> None:
    import json

    from inrvid.base.time_axis import clip_times
    from inrvid.cli import main
    from inrvid.runtime.build import build_dataset_of
    from inrvid.video import write_video

    recipe = ckpt.load(converted).validated_recipe(load_plugins(), SHAPES)
    clip = tmp_path / "shapes.mp4"
    write_video(clip, build_dataset_of(recipe, load_plugins()).render_uint8(0, clip_times(8)), fps=16)
    out = tmp_path / "pred"
    assert main(["predict", str(converted), "--video", str(clip), "--observe", "0,1,2",
                 "--render", "0-5", "--steps", "3", "--out", str(out), "--quiet"]) == 0
    report = json.loads((out / "predict.json").read_text())
    assert len(report["frames"]) == 6


def test_release_check_without_the_official_code_exits_2_with_one_line() -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "scripts" / "release_snapshot_check.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--official" in done.stderr
