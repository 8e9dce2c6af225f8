"""The typed checkpoint: old files still load, generation needs the checkpoint alone, and a
damaged or mismatched checkpoint is a located error in generate, eval and --resume."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import inrvid
from inrvid.base.errors import CheckpointError, InrvidError
from inrvid.cli import main
from inrvid.generation.inversion import invert
from inrvid.loading.plugins import load_plugins
from inrvid.runtime import checkpoint as ckpt
from inrvid.runtime.render import render
from tests.generation.conftest import REPO

FORMAT1 = REPO / "tests" / "data" / "checkpoint-format1-quickstart.pt"
FORMAT1_FRAMES = REPO / "tests" / "data" / "checkpoint-format1-quickstart-frames.pt"
# written by a StyleGAN-V tiny run (16x16, channel_max 8) before the modules moved into layer
# folders (issue 21), with the frames it rendered then
FORMAT2_PREMOVE = REPO / "tests" / "data" / "checkpoint-format2-stylegan-v-tiny.pt"
FORMAT2_PREMOVE_FRAMES = REPO / "tests" / "data" / "checkpoint-format2-stylegan-v-tiny-frames.pt"


@pytest.fixture
def checkpoint_file(tiny_checkpoint: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny run's checkpoint file (tests damage it)."""
    (source,) = (tiny_checkpoint / "checkpoints").glob("checkpoint-*.pt")
    return Path(shutil.copy(source, tmp_path / source.name))


@pytest.fixture
def run_copy(tiny_checkpoint: Path, tmp_path: Path) -> Path:
    """A private copy of the whole tiny run folder (a resume writes into it)."""
    return Path(shutil.copytree(tiny_checkpoint, tmp_path / "run"))


def rewrite(path: Path, change) -> None:
    """Apply `change` to the file's format-2 content and write it back with fresh digests."""
    payload = ckpt.read_payload(path)
    change(payload["content"])
    payload["digests"] = {k: ckpt.digest(v) for k, v in payload["content"].items()}
    ckpt.write_payload(payload, path)


def failing(capsys, *argv: str) -> str:
    """Run the CLI, expect exit status 2, return what it printed on stderr."""
    assert main([str(a) for a in argv]) == 2
    return capsys.readouterr().err


# ---------------------------------------------------------------- formats
def test_a_format1_checkpoint_still_loads_and_renders_the_frames_it_rendered_before():
    model_ema = inrvid.load(FORMAT1)
    raw = inrvid.load(FORMAT1, ema=False)
    expected = torch.load(FORMAT1_FRAMES, weights_only=True)  # noqa: TID251 - plain tensors
    assert model_ema.checkpoint.format_version == 1
    assert (model_ema.video.frames, model_ema.video.height, model_ema.video.fps) == (4, 16, 16.0)
    # float32 summation order may change with performance work on the layers, nothing more
    torch.testing.assert_close(model_ema.sample(2, frames=6, seed=0, uint8=False),
                               expected["ema"], atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(raw.sample(2, frames=6, seed=0, uint8=False), expected["raw"],
                               atol=1e-4, rtol=1e-5)
    stored = ckpt.read_payload(FORMAT1)
    for model, key in ((model_ema, "generator_ema"), (raw, "generator")):
        loaded = model.generator.state_dict()
        assert all(torch.equal(loaded[k], v) for k, v in stored[key].items()), key
    # the comparison above can fail: untrained weights render other frames
    untrained = ckpt.rebuild_generator(model_ema.checkpoint, load_plugins()).eval()
    z = model_ema.latents(2, seed=0)
    with torch.no_grad():
        fresh = render(untrained, z.z_content, z.z_motion, model_ema.times(6))
    assert (fresh - expected["ema"]).abs().max() > 0.1


def test_a_checkpoint_written_before_the_layer_folders_loads_renders_and_resumes(tmp_path):
    expected = torch.load(FORMAT2_PREMOVE_FRAMES, weights_only=True)  # noqa: TID251 - plain tensors
    for ema, key in ((True, "ema"), (False, "raw")):
        model = inrvid.load(FORMAT2_PREMOVE, ema=ema)
        assert model.checkpoint.format_version == 2 and model.video.height == 16
        torch.testing.assert_close(model.sample(2, frames=6, seed=0, uint8=False), expected[key],
                                   atol=1e-4, rtol=1e-5)
    run = tmp_path / "old-run"
    (run / "checkpoints").mkdir(parents=True)
    shutil.copy(FORMAT2_PREMOVE, run / "checkpoints" / "checkpoint-000000016.pt")
    before = ckpt.load(run)
    assert main(["run", "--resume", str(run), "train.duration_kimg=0.024", "--quiet"]) == 0
    resumed = ckpt.load(run)
    assert resumed.images_seen > before.images_seen and resumed.step > before.step


def test_a_converted_format1_checkpoint_saves_as_format2_and_loads_back_field_for_field(tmp_path):
    old = ckpt.load(FORMAT1)
    ckpt.save(old, tmp_path / "checkpoint-000000004.pt")
    new = ckpt.load(tmp_path / "checkpoint-000000004.pt")
    assert new.format_version == 2 and new.video == old.video
    assert (new.step, new.images_seen, new.world_size) == (old.step, old.images_seen, 1)
    assert new.recipe == old.recipe and new.recipe_text == old.recipe_text
    assert new.generator.component == old.generator.component
    assert new.encoder == old.encoder and set(new.losses) == set(old.losses)
    for name, value in old.generator.weights.items():
        assert torch.equal(new.generator.weights[name], value), name
    assert torch.equal(new.draws, old.draws) and new.loader == old.loader


def test_a_format1_run_resumes_and_continues_with_format2_checkpoints(tmp_path):
    run = tmp_path / "old-run"
    (run / "checkpoints").mkdir(parents=True)
    shutil.copy(FORMAT1, run / "checkpoints" / "checkpoint-000000004.pt")
    assert main(["run", "--resume", str(run), "train.duration_kimg=0.012", "--quiet"]) == 0
    resumed = ckpt.load(run)
    assert (resumed.format_version, resumed.images_seen, resumed.step) == (2, 12, 3)
    assert "mixed_precision" not in resumed.recipe["train"]   # format 1 predates numerics


def test_a_checkpoint_records_each_network_with_its_plugin_and_the_video_spec(tiny_checkpoint):
    checkpoint = ckpt.load(tiny_checkpoint)
    generator = checkpoint.generator.component
    assert (generator.registry, generator.kind) == ("generator", "digan")
    origin = load_plugins().registry("generator").get("digan").origin
    assert (generator.distribution, generator.version) == (origin.distribution, origin.version)
    assert generator.entry_point == "digan"
    assert generator.config["channel_max"] == 16
    assert checkpoint.encoder is not None and checkpoint.encoder.kind == "digan_fourier_xyt"
    assert set(checkpoint.discriminators) == {"image", "motion"}
    assert (checkpoint.video.frames, checkpoint.video.height, checkpoint.video.width) == (16, 32, 32)


# ---------------------------------------------------------------- corrupted files (issue 15.3)
def test_flipped_bytes_inside_tensor_data_are_refused_by_generate_eval_and_resume(
    checkpoint_file, tmp_path, capsys
):
    checkpoint = ckpt.load(checkpoint_file)
    assert checkpoint.generator_ema is not None
    # a tensor of the EMA generator whose bytes appear once in the file
    name, tensor = max(
        ((n, t) for n, t in checkpoint.generator_ema.items()
         if not torch.equal(t, checkpoint.generator.weights[n])),
        key=lambda item: item[1].numel(),
    )
    data = bytearray(checkpoint_file.read_bytes())
    at = bytes(data).find(tensor.numpy().tobytes())
    assert at >= 0 and bytes(data).count(tensor.numpy().tobytes()) == 1, name
    size = len(data)
    data[at + tensor.numel() * 2] ^= 0xFF   # one byte in the middle of its data
    checkpoint_file.write_bytes(bytes(data))
    assert checkpoint_file.stat().st_size == size
    with pytest.raises(CheckpointError) as caught:
        ckpt.load(checkpoint_file)
    message = str(caught.value)
    assert str(checkpoint_file.resolve()) in message
    assert "corrupted: the content digest of generator_ema does not match" in message
    for argv in (["generate", checkpoint_file, "--num", "1", "--frames", "2",
                  "--out", tmp_path / "gen", "--quiet"],
                 ["eval", checkpoint_file, "--metrics", "swd", "--videos", "4", "--quiet"],
                 ["run", "--resume", checkpoint_file, "--quiet"]):
        err = failing(capsys, *argv)
        assert "corrupted: the content digest of generator_ema" in err, argv[0]
        assert "Traceback" not in err
    assert not (tmp_path / "gen").exists()


# ---------------------------------------------------------------- structure (issue 15.5)
def test_a_checkpoint_without_its_recipe_text_is_a_located_error_in_every_command(
    checkpoint_file, tmp_path, capsys
):
    rewrite(checkpoint_file, lambda content: content.pop("recipe_text"))
    for argv in (["generate", checkpoint_file, "--num", "1", "--frames", "2",
                  "--out", tmp_path / "gen", "--quiet"],
                 ["eval", checkpoint_file, "--metrics", "swd", "--videos", "4", "--quiet"],
                 ["run", "--resume", checkpoint_file, "--quiet"]):
        err = failing(capsys, *argv)
        assert f"{checkpoint_file.resolve()}: recipe_text: missing" in err, argv[0]
        assert "KeyError" not in err and "Traceback" not in err


def test_without_ema_weights_generate_asks_for_no_ema_eval_labels_the_raw_generator_and_resume_refuses(
    checkpoint_file, tmp_path, capsys
):
    rewrite(checkpoint_file, lambda content: content.update(generator_ema=None))
    err = failing(capsys, "generate", checkpoint_file, "--num", "1", "--frames", "2",
                  "--out", tmp_path / "gen", "--quiet")
    assert "generator_ema: missing" in err and "--no-ema" in err
    assert main(["generate", str(checkpoint_file), "--no-ema", "--num", "1", "--frames", "2",
                 "--out", str(tmp_path / "gen"), "--quiet"]) == 0
    real = tmp_path / "real"
    assert main(["generate", str(checkpoint_file), "--no-ema", "--num", "4", "--frames", "16",
                 "--out", str(real), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "swd.json"
    assert main(["eval", str(checkpoint_file), "--metrics", "swd", "--protocol", "proxy",
                 "swd.resolution=native", "--videos", "4", "--real", str(real), "--quiet",
                 "--out", str(out)]) == 0
    assert "no EMA weights (generator_ema) in the file: scoring the raw generator" in (
        capsys.readouterr().err.replace("\n", " "))
    record = json.loads(out.read_text())
    assert record["checkpoint"]["weights"] == "raw"
    assert "generator_ema" not in json.dumps(record["provenance"])
    err = failing(capsys, "run", "--resume", checkpoint_file, "--quiet")
    assert "generator_ema: missing; a resume needs the EMA weights" in err


def test_resume_with_an_override_that_changes_a_network_shape_names_the_option(run_copy, capsys):
    err = failing(capsys, "run", "--resume", run_copy, "generator.channel_max=8", "--quiet")
    assert "generator: the weights do not fit the network the recipe builds" in err
    assert "the checkpoint has [" in err and "the recipe builds [" in err
    assert "generator.channel_max: 16 in the run, 8 now" in err
    assert "size mismatch" not in err and "Traceback" not in err


def test_weights_that_do_not_fit_the_recorded_generator_name_the_tensor(checkpoint_file):
    checkpoint = ckpt.load(checkpoint_file)
    assert checkpoint.generator_ema is not None
    name = next(iter(checkpoint.generator_ema))
    checkpoint.generator_ema[name] = torch.zeros(3, 3)
    with pytest.raises(CheckpointError) as caught:
        ckpt.load_generator(checkpoint, load_plugins())
    assert f"generator_ema: the weights do not fit the network the recipe builds: {name}: " \
           "the checkpoint has [3, 3]" in str(caught.value)


# ---------------------------------------------------------------- the checkpoint alone (11.2, 11.3)
ALONE = """
import sys
from inrvid.cli import main
import inrvid
for argv in {commands!r}:
    status = main(argv)
    print("STATUS", argv[0], status, flush=True)
    if status:
        sys.exit(status)
model = inrvid.load("checkpoint.pt")
print("LOAD", tuple(model.sample(1, frames=3).shape), flush=True)
"""


@pytest.mark.slow
def test_generate_predict_eval_and_load_need_neither_the_dataset_nor_the_loss_or_sampler_plugins(
    tiny_checkpoint, tmp_path
):
    """Datasets plug-in disabled, loss and sampler kinds unknown, no recipe files, no data."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (source,) = (tiny_checkpoint / "checkpoints").glob("checkpoint-*.pt")
    checkpoint = ckpt.load(source)
    text = checkpoint.recipe_text.replace("nonsaturating_logistic", "absent_loss").replace(
        "digan_beta_pairs", "absent_sampler")
    assert text != checkpoint.recipe_text
    checkpoint.recipe_text = text
    checkpoint.recipe["losses"]["adversarial"]["kind"] = "absent_loss"
    checkpoint.recipe["sampler"]["kind"] = "absent_sampler"
    for role, network in checkpoint.losses.items():
        network.component = ckpt.ComponentRecord("loss", f"absent_{role}", {})
    ckpt.save(checkpoint, folder / "checkpoint.pt")
    commands = [
        ["generate", "checkpoint.pt", "--num", "4", "--frames", "16", "--out", "gen", "--quiet"],
        ["predict", "checkpoint.pt", "--video", "gen/video-000.mp4", "--observe", "0,1",
         "--render", "0-3", "--steps", "2", "--out", "pred", "--quiet"],
        ["eval", "checkpoint.pt", "--metrics", "swd", "--protocol", "proxy",
         "swd.resolution=native", "--videos", "4", "--real", "gen", "--quiet",
         "--out", "swd.json"],
    ]
    env = {**os.environ, "INRVID_DISABLE_PLUGINS": "datasets", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", ALONE.format(commands=commands)],
                            cwd=folder, env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line for line in result.stdout.splitlines() if line.startswith("STATUS")] == [
        "STATUS generate 0", "STATUS predict 0", "STATUS eval 0"]
    assert "LOAD (1, 3, 3, 32, 32)" in result.stdout
    assert json.loads((folder / "swd.json").read_text())["values"]["swd"]["swd"] > 0
    assert (folder / "pred" / "predict.json").is_file()


UNINSTALLED = """
import sys
import inrvid.loading.plugins as plugins
every = plugins.discover_entry_points
plugins.discover_entry_points = lambda: [ep for ep in every() if ep.name != "digan"]
from inrvid.cli import main
sys.exit(main(["generate", {path!r}, "--num", "1", "--frames", "2", "--out", "gen", "--quiet"]))
"""


@pytest.mark.slow
def test_generate_without_the_generator_plugin_exits_2_naming_the_recorded_distribution(
    tiny_checkpoint, tmp_path
):
    record = ckpt.load(tiny_checkpoint).generator.component
    result = subprocess.run(
        [sys.executable, "-c", UNINSTALLED.format(path=str(tiny_checkpoint))],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "generator 'digan' is not available here" in result.stderr
    assert f"from {record.distribution} {record.version}" in result.stderr
    assert f"pip install {record.distribution}=={record.version}" in result.stderr
    assert "did you mean" not in result.stderr and "Traceback" not in result.stderr


def test_the_install_advice_for_an_uninstalled_plugin_says_a_local_one_is_on_no_index():
    from types import SimpleNamespace

    from inrvid.runtime.checkpoint.content import ComponentRecord
    from inrvid.runtime.checkpoint.networks import component_for

    record = ComponentRecord("generator", "lab_generator", {}, "inrvid-lab", "0.1.0", "lab")
    where = SimpleNamespace(where="run/checkpoint-000000064.pt", plugins=[])
    with pytest.raises(CheckpointError) as caught:
        component_for(record, load_plugins(), where, "generator")  # type: ignore[arg-type]
    message = " ".join(str(caught.value).split())
    assert "generator 'lab_generator' is not available here" in message
    assert "pip install inrvid-lab==0.1.0 (that finds only a plug-in published on a package " \
           "index; if it was a local plug-in" in message
    assert "install it from its folder: pip install ./path/to/its/folder)" in message


# ---------------------------------------------------------------- the style interface
def test_w_replaces_the_style_of_z_content_in_a_style_generator(tiny_model):
    z = tiny_model.latents(2, seed=1)
    times = tiny_model.times(4)
    with torch.no_grad():
        w = tiny_model.generator.style(z.z_content)
        plain = render(tiny_model.generator, z.z_content, z.z_motion, times)
        styled = render(tiny_model.generator, torch.zeros_like(z.z_content), z.z_motion, times,
                        w=w)
    assert torch.equal(plain, styled)


def test_an_unrelated_mapping_attribute_does_not_make_a_generator_a_style_generator(
    load_fixture_plugins,
):
    load_fixture_plugins("toy", "no_encoder")
    from inrvid.components.registry import BuildContext, VideoSpec
    from tests.plugin_fixtures.no_encoder import MappingNotStyleGenerator, PlainGeneratorConfig

    generator = MappingNotStyleGenerator(PlainGeneratorConfig(),
                                         BuildContext(video=VideoSpec(2, 4, 4)))
    frames, times = torch.zeros(1, 2, 3, 4, 4), torch.tensor([[0.0, 1.0]])
    with pytest.raises(InrvidError, match=r"has no style vector w \(it does not derive from"):
        invert(generator, frames, times, optimize=("w",), steps=1)
    with pytest.raises(InrvidError, match="has no style vector w"):
        render(generator, torch.zeros(1, 4), None, times, w=torch.zeros(1, 3))
