"""Run the toy recipe's training in this or another process (toy plug-in loaded by hand)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, TOY_RECIPE

TRAIN_SCRIPT = """
import sys, json
sys.path.insert(0, {repo!r})
from tests.conftest import fixture_entry_point, install_entry_points
from inrvid.loading.plugins import load_plugins
install_entry_points([fixture_entry_point("toy")])
plugins = load_plugins()
from inrvid.recipe import load_recipe
from inrvid.train.loop import train
from inrvid.runtime import checkpoint as ckpt
args = json.loads(sys.argv[1])
if args.get("resume"):
    checkpoint = ckpt.load(args["resume"])
    recipe = checkpoint.validated_recipe(plugins)
    train(recipe, plugins, argv=[], resume_state=checkpoint, run_dir=checkpoint.run_dir,
          quiet=True)
else:
    recipe = load_recipe(args["recipe"], args["overrides"], plugins=plugins)
    print(train(recipe, plugins, argv=[], quiet=True), flush=True)
"""

FAST = [
    "train.log_every_kimg=0.004",
    "train.checkpoint_every_kimg=0.004",
    "train.sample_every_kimg=1000",
    "train.num_workers=0",
    "train.sample_frames=2",
    "train.sample_videos=1",
]


def write_recipe(folder: Path, extra: str = "") -> Path:
    path = folder / "toy.yaml"
    path.write_text(TOY_RECIPE + f"output: {{dir: {folder / 'runs'}}}\n" + extra)
    return path


def script_command(args: dict) -> list[str]:
    return [sys.executable, "-c", TRAIN_SCRIPT.format(repo=str(REPO)), json.dumps(args)]


def run_training(args: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        script_command(args), capture_output=True, text=True, check=False, timeout=300
    )


def losses(run_dir: Path) -> list[dict]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return [
        {k: v for k, v in json.loads(line).items() if "/" in k or k == "images_seen"}
        for line in lines
        if "s_per_kimg" in line
    ]
