"""`inrvid eval`: checkpoints and folders, weights, JSON records, real-feature caching."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import torch
from inrvid_metrics.i3d import InceptionI3d

from inrvid.base import console
from inrvid.cli import main
from inrvid.loading.plugins import load_plugins
from inrvid.video.writer import write_video


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def random_i3d(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised I3D saved as a state dict in the documented layout."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("weights") / "i3d_random.pt"
    torch.save(InceptionI3d(400).state_dict(), path)
    return path


def test_eval_scores_a_quickstart_checkpoint_with_swd_without_any_weight_file(
    trained_runs, tmp_path, capsys
):
    out = tmp_path / "swd.json"
    run = trained_runs["quickstart"]
    status = main(["eval", str(run), "--metrics", "swd", "--protocol", "proxy",
                   "swd.resolution=native", "--videos", "4", "--quiet", "--out", str(out)])
    assert status == 0
    record = read_json(out)
    assert record["checkpoint"]["recipe"] == "quickstart"
    assert record["checkpoint"]["images_seen"] == 8
    assert Path(record["checkpoint"]["path"]).name == "checkpoint-000000008.pt"
    values = record["values"]["swd"]
    assert values["swd"] > 0 and values["swd_motion"] > 0
    provenance = record["provenance"]["swd"]
    assert provenance["protocol"]["name"] == "proxy"
    assert provenance["videos_used"] == {"fake": 4, "real": 4}
    assert provenance.get("weights") is None
    assert {"inrvid", "torch", "numpy"} <= set(record["versions"])
    table = capsys.readouterr().out
    assert "swd/swd" in table and "quickstart" in table


def test_eval_with_an_i3d_state_dict_writes_the_weight_sha256_and_shares_cached_real_features(
    trained_runs, random_i3d, tmp_path, isolated_weights_and_cache
):
    out = tmp_path / "fvd.json"
    status = main(["eval", str(trained_runs["quickstart"]), "--metrics", "fvd,kvd",
                   "--protocol", "proxy", "--videos", "2", "--frames", "9", "--quiet",
                   "--weights", f"i3d={random_i3d}", "--out", str(out)])
    assert status == 0
    record = read_json(out)
    sha256 = hashlib.sha256(random_i3d.read_bytes()).hexdigest()
    for role in ("fvd", "kvd"):
        weights = record["provenance"][role]["weights"]
        assert weights["sha256"] == sha256
        assert weights["found_by"] == f"option {role}.weights_path"
        assert record["provenance"][role]["protocol"]["frames"] == 9
    assert set(record["values"]["fvd"]) == {"fvd", "fvd_std"}
    assert set(record["values"]["kvd"]) == {"kvd", "kvd_std"}
    # the dataset source has a cache key: fvd wrote the real features, kvd read them back
    cached = record["provenance"]["fvd"]["real_cache"]
    assert cached is not None and Path(cached).parent == isolated_weights_and_cache
    assert record["provenance"]["kvd"]["real_cache"] == cached
    assert len(list(isolated_weights_and_cache.glob("*.npz"))) == 1


def test_eval_without_a_weight_file_exits_2_with_one_message_naming_option_variable_and_file(
    trained_runs, capsys
):
    status = main(["eval", str(trained_runs["quickstart"]), "--metrics", "fvd",
                   "--protocol", "proxy", "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1
    assert "Traceback" not in err
    assert "weights_path" in err and "--weights i3d=" in err
    assert "INRVID_I3D_WEIGHTS" in err
    assert "i3d_pretrained_400.pt" in err


def test_eval_of_a_fake_folder_against_itself_gives_zero_swd(tmp_path):
    videos = tmp_path / "videos"
    generator = torch.Generator().manual_seed(1)
    for k in range(3):
        clip = torch.randint(0, 256, (16, 3, 16, 16), dtype=torch.uint8, generator=generator)
        write_video(videos / f"clip{k}.gif", clip, fps=8)
    out = tmp_path / "folder.json"
    status = main(["eval", "--fake", str(videos), "--real", str(videos), "--metrics", "swd",
                   "--protocol", "stylegan_v_fvd2048_16f", "swd.resolution=native",
                   "--videos", "2", "--quiet", "--out", str(out)])
    assert status == 0
    record = read_json(out)
    assert record["checkpoint"] is None
    assert record["values"]["swd"]["swd"] == 0.0
    assert record["values"]["swd"]["swd_motion"] == 0.0
    assert record["fake"].startswith("fake folder:")


def test_data_overrides_reach_the_real_dataset_and_a_short_clip_error_names_the_fix(
    trained_runs, capsys
):
    status = main(["eval", str(trained_runs["quickstart"]), "--metrics", "swd",
                   "--videos", "2", "data.clip_frames=8", "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert "asks for 16-frame clips, got clips of 8 frames" in err
    assert "data.clip_frames=16" in err


def test_an_unknown_metric_name_is_refused_with_the_close_matches(trained_runs, capsys):
    status = main(["eval", str(trained_runs["quickstart"]), "--metrics", "fdv", "--quiet"])
    assert status != 0
    err = capsys.readouterr().err
    assert "unknown metric 'fdv'" in err and "'fvd'" in err


def test_an_override_that_is_neither_data_nor_a_metric_option_is_refused(trained_runs, capsys):
    status = main(["eval", str(trained_runs["quickstart"]), "--metrics", "swd",
                   "train.batch_size=4", "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert "train.batch_size=…" in err and "expected one of the metrics evaluated (swd)" in err


def test_eval_of_a_metric_the_recipe_configures_starts_from_the_recipes_settings(
    trained_runs, tmp_path, capsys
):
    """The tiny run's recipe sets SWD to 4 + 4 videos; without --videos, eval uses them."""
    out = tmp_path / "swd.json"
    status = main(["eval", str(trained_runs["quickstart"]), "--metrics", "swd", "--quiet",
                   "--out", str(out)])
    assert status == 0
    provenance = read_json(out)["provenance"]["swd"]
    assert provenance["videos_used"] == {"fake": 4, "real": 4}
    assert provenance["protocol"]["name"] == "proxy"          # the recipe's, not the default
    # said before the work starts: how many videos will be generated and read
    assert "swd: protocol proxy: 4 generated + 4 real videos of 16 frames" in capsys.readouterr().err


def test_command_line_counts_still_override_the_recipes_metric_settings(trained_runs, tmp_path):
    out = tmp_path / "swd.json"
    status = main(["eval", str(trained_runs["quickstart"]), "--metrics", "swd", "--videos", "3",
                   "--quiet", "--out", str(out)])
    assert status == 0
    assert read_json(out)["provenance"]["swd"]["videos_used"] == {"fake": 3, "real": 3}


def test_recipe_metrics_of_uninstalled_plugins_do_not_stop_eval_of_a_named_metric():
    from inrvid.evaluation.metric_setup import plans_from_names
    sections = {"fvd": {"kind": "some_uninstalled_metric", "protocol": "digan"},
                "swd": {"kind": "swd", "fake_videos": 64, "real_videos": 64}}
    (plan,) = plans_from_names("swd", load_plugins().registry("metric"), sections)
    assert plan.config == {"fake_videos": 64, "real_videos": 64}
    (other,) = plans_from_names("swd", load_plugins().registry("metric"), {"frames_swd": {"kind": "metrics:swd", "repeats": 3}})
    assert other.config == {"repeats": 3}                  # matched by kind under another role


def test_a_single_trial_shows_no_interval_native_resolution_and_the_training_logs_values(
    trained_runs, capsys, monkeypatch
):
    monkeypatch.setattr(console.out, "width", 200)  # one table row per line
    assert main(["eval", str(trained_runs["quickstart"]), "--quiet"]) == 0
    captured = capsys.readouterr()
    table = captured.out
    assert "± std" not in table and "0.0000" not in table  # one trial: no interval
    assert "resolution=native" in table and "None" not in table
    assert "training log" in table
    assert "the videos evaluation during training scored" in captured.err.replace("\n", " ")


def test_another_seed_says_which_seed_training_logged_with(trained_runs, capsys):
    assert main(["eval", str(trained_runs["quickstart"]), "--seed", "0", "--trials", "2",
                 "--quiet"]) == 0
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())
    assert "latent seed 0; evaluation during training used seed 104729" in err
    assert "leave out --seed" in err
    assert "± std" in captured.out  # two trials: an interval
