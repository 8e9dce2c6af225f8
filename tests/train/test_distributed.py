"""Two gloo processes launched by torchrun train like one process with the same global batch."""

import json
import subprocess
import sys

import torch

from inrvid.runtime import checkpoint as ckpt
from tests.conftest import REPO
from tests.train.helpers import FAST, TRAIN_SCRIPT, write_recipe

# Summing gradients over two processes changes the order of float additions, so parameters
# agree to float32 rounding, not bit for bit.
TOLERANCE = 1e-5


def test_two_gloo_processes_keep_identical_parameters_and_match_one_process(tmp_path):
    overrides = [*FAST, "train.duration_kimg=0.024", "augment=[]", "train.batch_size=4"]
    script = tmp_path / "train_toy.py"
    script.write_text(TRAIN_SCRIPT.format(repo=str(REPO)))
    runs = {}
    for name, launcher in {
        "single": [sys.executable, str(script)],
        "ddp": [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            str(script),
        ],
    }.items():
        folder = tmp_path / name
        folder.mkdir()
        recipe = write_recipe(folder)
        args = json.dumps({"recipe": str(recipe), "overrides": overrides})
        result = subprocess.run(
            [*launcher, args], capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stderr[-3000:]
        (run_dir,) = (folder / "runs" / "toy").iterdir()
        runs[name] = run_dir
    records = [
        json.loads(line) for line in (runs["ddp"] / "metrics.jsonl").read_text().splitlines()
    ]
    assert [r["ddp_max_param_diff"] for r in records if "ddp_max_param_diff" in r] == [0.0]
    info = json.loads((runs["ddp"] / "run-info.json").read_text())
    assert info["world_size"] == 2
    single, ddp = ckpt.load(runs["single"]), ckpt.load(runs["ddp"])
    assert single.images_seen == ddp.images_seen == 24
    for key, weights in (("generator", lambda c: c.generator.weights),
                         ("generator_ema", lambda c: c.generator_ema)):
        for name, value in weights(single).items():
            assert torch.allclose(value, weights(ddp)[name], atol=TOLERANCE, rtol=0), (key, name)
    for role in single.discriminators:
        for name, value in single.discriminators[role].weights.items():
            assert torch.allclose(value, ddp.discriminators[role].weights[name], atol=TOLERANCE, rtol=0)
