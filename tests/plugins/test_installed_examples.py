"""The real entry-point path: the example distributions installed from their wheels' metadata."""

import importlib.metadata as md
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

INSTALL = (
    "pip install ./plugins/examples/inrvid-example-rff ./plugins/examples/inrvid-example-broken"
)


def require_examples():
    try:
        md.distribution("inrvid-example-rff")
        md.distribution("inrvid-example-broken")
    except md.PackageNotFoundError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the example plug-ins are not installed; CI must run `{INSTALL}`")
        pytest.skip(f"example plug-ins not installed: run `{INSTALL}`")


def inrvid(*args):
    return subprocess.run(
        [sys.executable, "-m", "inrvid", *args], capture_output=True, text=True, check=False
    )


def test_plugins_json_lists_the_example_encoder_ok_and_the_broken_example_failed():
    require_examples()
    result = inrvid("plugins", "--json")
    assert result.returncode == 0, result.stderr
    plugins = {p["entry_point"]: p for p in json.loads(result.stdout)["plugins"]}
    rff = plugins["example_rff"]
    assert rff["status"] == "ok"
    assert rff["distribution"] == "inrvid-example-rff"
    assert rff["provides"] == {"encoder": ["example_gaussian_rff"]}
    broken = plugins["broken"]
    assert broken["status"] == "failed: import"
    assert broken["distribution"] == "inrvid-example-broken"
    assert broken["module"] == "inrvid_example_broken.plugin"
    assert "No module named 'not_installed_dep'" in broken["reason"]
    for first_party in ("digan", "datasets", "metrics"):
        assert plugins[first_party]["status"] == "ok"
    assert "plug-in 'broken' (inrvid-example-broken 0.1.0) failed to load" in result.stderr


def test_strict_plugins_exits_with_status_3():
    require_examples()
    assert inrvid("plugins", "--strict-plugins").returncode == 3


def test_example_recipe_trains_and_its_run_info_names_the_example_distribution(tmp_path):
    require_examples()
    recipe = "plugins/examples/inrvid-example-rff/recipes/tiny_rff.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "inrvid", "run", recipe, "train.duration_kimg=0.016",
         f"output.dir={tmp_path}", "--quiet"],
        capture_output=True, text=True, check=False, cwd=REPO, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (run_dir,) = (tmp_path / "tiny-rff").iterdir()
    assert (run_dir / "recipe.resolved.yaml").is_file()
    assert list((run_dir / "checkpoints").glob("checkpoint-*.pt"))
    assert list((run_dir / "samples").glob("samples-*.mp4"))
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    info = json.loads((run_dir / "run-info.json").read_text())
    assert info["components"]["encoder"]["distribution"] == "inrvid-example-rff"
    assert info["components"]["encoder"]["version"] == "0.1.0"
    rff = [p for p in info["plugins"] if p["entry_point"] == "example_rff"]
    assert rff == [{"entry_point": "example_rff", "distribution": "inrvid-example-rff",
                    "version": "0.1.0", "status": "ok"}]


NEW_EXAMPLES = (
    "pip install ./plugins/examples/inrvid-example-film-siren "
    "./plugins/examples/inrvid-example-hinge"
)


def test_the_example_generator_family_and_loss_load_from_their_wheels():
    try:
        md.distribution("inrvid-example-film-siren")
        md.distribution("inrvid-example-hinge")
    except md.PackageNotFoundError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the example plug-ins are not installed; CI must run `{NEW_EXAMPLES}`")
        pytest.skip(f"example plug-ins not installed: run `{NEW_EXAMPLES}`")
    result = inrvid("plugins", "--json")
    plugins = {p["entry_point"]: p for p in json.loads(result.stdout)["plugins"]}
    siren, hinge = plugins["example_film_siren"], plugins["example_hinge"]
    assert (siren["status"], siren["distribution"]) == ("ok", "inrvid-example-film-siren")
    assert siren["provides"] == {
        "generator": ["example_film_siren", "example_film_siren_no_motion"]
    }
    assert (hinge["status"], hinge["provides"]) == ("ok", {"loss": ["example_hinge"]})
    assert siren["warnings"] == [] and hinge["warnings"] == []  # names carry their prefix
