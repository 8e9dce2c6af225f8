"""The scripts that compare with the official DIGAN code, in the parts that need none of it:
the message without --official, the clips in the release's layout, the release's kwargs read
off a recipe, the run-time shims and the comparison helpers."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch

from inrvid.loading.plugins import load_plugins

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO / "benchmarks"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", ["vs_official", "phases_vs_official", "convergence_vs_official"])
def test_script_without_official_exits_2_with_one_line_saying_how_to_get_it(
    script: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [f"{script}.py"])
    with pytest.raises(SystemExit) as stop:
        load(script).main()
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert "--official" in lines[0] and "github.com/sihyun-yu/digan" in lines[0]


def control_args(recipe: Path, tmp_path: Path) -> argparse.Namespace:
    return load("convergence_vs_official").parse_args(
        ["--recipe", str(recipe), "--kimg", "2", "--every", "0.5", "--out", str(tmp_path)])


def test_export_writes_one_frame_folder_per_clip_in_the_release_layout(tmp_path: Path) -> None:
    from inrvid.runtime.build import build_dataset_of
    from inrvid.video.frames import decode_image

    control = load("convergence_vs_official")
    official = load("official_digan")
    args = control_args(REPO / "recipes" / "quickstart.yaml", tmp_path)
    recipe = control.control_recipe(args, 0, tmp_path, "data.videos=3", "data.clip_frames=4",
                                     "data.hflip=false")
    dataset = build_dataset_of(recipe, load_plugins())
    # the release lists frame folders only under a path naming one of its datasets
    assert "SKY" in official.RELEASE_FOLDER or "kinetics" in official.RELEASE_FOLDER
    root = official.export_frame_folders(dataset, tmp_path / official.RELEASE_FOLDER)
    videos = sorted(p.name for p in (root / "train").iterdir())
    assert videos == ["video-00000", "video-00001", "video-00002"]
    for index, name in enumerate(videos):
        frames = sorted(p.name for p in (root / "train" / name).iterdir())   # its order: sorted
        assert frames == [f"frame{k:05d}.png" for k in range(4)]
        clip = dataset[index]["video"]
        for k, frame in enumerate(frames):
            assert torch.equal(decode_image(root / "train" / name / frame), clip[k])


@pytest.mark.parametrize(("recipe", "policy"), [("quickstart.yaml", ""),
                                              ("digan_ucf.yaml", "color,translation")])
def test_release_kwargs_are_read_off_the_recipe(recipe: str, policy: str, tmp_path: Path) -> None:
    control = load("convergence_vs_official")
    args = control_args(REPO / "recipes" / recipe, tmp_path)
    r = control.control_recipe(args, 5, tmp_path)
    kw = control.official_kwargs(args, r, tmp_path / "data", 5, tmp_path / "run")
    g, t, video = r.generator.config, r.train, r.data.config
    r1 = r.losses["r1"].config
    assert kw["loss_kwargs"]["diffaugment"] == policy
    assert kw["loss_kwargs"]["r1_gamma"] == r1.gamma and kw["D_reg_interval"] == r1.every
    assert kw["G_reg_interval"] == t.g_reg_interval
    assert (kw["batch_size"], kw["batch_gpu"]) == (t.batch_size, t.batch_size)
    assert kw["G_opt_kwargs"]["lr"] == t.g_lr and kw["D_opt_kwargs"]["lr"] == t.d_lr
    assert kw["G_opt_kwargs"]["betas"] == list(t.betas)
    assert (kw["ema_kimg"], kw["ema_rampup"]) == (t.ema_kimg, t.ema_rampup)
    assert (kw["total_kimg"], kw["kimg_per_tick"], kw["random_seed"]) == (2, 0.5, 5)
    assert kw["G_kwargs"]["z_dim"] == g.content_dim and kw["G_kwargs"]["w_dim"] == g.w_dim == 512
    assert kw["G_kwargs"]["synthesis_kwargs"]["channel_max"] == g.channel_max
    cfg = kw["G_kwargs"]["cfg"]
    assert cfg["input"]["resolution"] == g.input_resolution
    assert cfg["coords"]["res_configs"]["32"]["predictable_emb_size"] == r.encoder.config.features
    image = r.discriminators["image"].config
    assert (kw["D_kwargs"]["channel_base"], kw["D_kwargs"]["channel_max"]) == (
        image.channel_base, image.channel_max)
    data = kw["training_set_kwargs"]
    assert (data["resolution"], data["nframes"], data["xflip"]) == (
        video.resolution, video.clip_frames, video.hflip)


def test_numpy_shim_gives_the_same_beta_draw_as_a_scalar() -> None:
    shim = load("official_digan").scalar_beta_numpy()
    np.random.seed(3)
    expected = np.random.beta(2, 1, size=1)[0]
    np.random.seed(3)
    got = shim.random.beta(2, 1, size=1)
    assert got == expected and int(got * 16) == int(expected * 16)
    assert shim.random.beta(1, 2, size=4).shape == (4,)
    assert shim.float32 is np.float32


def test_cpu_torch_shim_runs_the_release_loops_cuda_calls_on_the_cpu() -> None:
    shim = load("official_digan").cpu_torch()
    assert shim.device("cuda", 0) == torch.device("cpu")
    labels = np.arange(6, dtype=np.float32).reshape(3, 2)
    pinned = shim.from_numpy(labels).pin_memory().to(shim.device("cuda", 0))
    assert type(pinned) is torch.Tensor and torch.equal(pinned, torch.from_numpy(labels))
    start, end = shim.cuda.Event(enable_timing=True), shim.cuda.Event(enable_timing=True)
    start.record(shim.cuda.current_stream(None))
    end.synchronize()
    assert start.elapsed_time(end) == 0.0 and shim.cuda.max_memory_allocated(None) == 0
    assert shim.randn is torch.randn


def test_relative_difference_and_ks_distance_of_the_phase_check() -> None:
    phases = load("phases_vs_official")
    a = torch.tensor([3.0, 4.0])
    assert phases.relative(a, a) == 0.0
    assert phases.relative(a, torch.tensor([3.0, 4.5])) == pytest.approx(0.1)
    assert phases.relative(torch.zeros(2), torch.zeros(2)) == 0.0
    assert phases.relative(torch.zeros(2), torch.ones(2)) == float("inf")
    draws = np.random.default_rng(0).integers(0, 16, 5000)
    assert phases.ks_distance(draws, draws.copy()) == 0.0
    assert phases.ks_distance(draws, draws + 1) > 0.05


class StandInReleaseGenerator(torch.nn.Module):
    """What the control reads of a release G_ema: z_dim, mapping(z, c), synthesis(ws, t, z_M)."""

    z_dim = 4

    def mapping(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return z

    def synthesis(self, ws: torch.Tensor, ts: torch.Tensor, z_motion: torch.Tensor) -> torch.Tensor:
        frames = ts.shape[0] // ws.shape[0]                      # ts: (b t) 1 1 1
        level = ws[:, :1].repeat_interleave(frames, 0).tanh()   # (b t) 1
        return (level + ts.view(-1, 1) - 0.5).view(-1, 1, 1, 1).expand(-1, 3, 32, 32)


def test_a_finished_release_run_is_scored_again_without_training(tmp_path: Path) -> None:
    import json
    import pickle

    control = load("convergence_vs_official")
    run = tmp_path / "official-seed0"
    run.mkdir()
    kimgs = [0.008, 1.008, 2.0]
    (run / "stats.jsonl").write_text("".join(
        json.dumps({"Progress/kimg": {"num": 1, "mean": k}}) + "\n" for k in kimgs))
    for i in range(3):
        with open(run / f"tick-{i:04d}.pkl", "wb") as f:
            pickle.dump({"G_ema": StandInReleaseGenerator()}, f)
    snapshots = control.finished_official(run, 2.0)
    assert [k for k, _ in snapshots] == pytest.approx(kimgs)
    assert control.finished_official(run, 3.0) == []           # stopped short: train again
    (run / "tick-0002.pkl").unlink()
    assert control.finished_official(run, 2.0) == []           # a snapshot lost: train again
    args = control_args(REPO / "recipes" / "quickstart.yaml", tmp_path)
    recipe = control.control_recipe(args, 0, tmp_path, "eval.metrics.swd.fake_videos=8",
                                    "eval.metrics.swd.real_videos=8")
    curve = control.score_official(snapshots[:1], recipe, 0)
    assert [p["kimg"] for p in curve] == pytest.approx([0.008])
    assert curve[0]["frames"] > 0 and curve[0]["motion"] > 0
