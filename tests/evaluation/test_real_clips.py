"""Evaluation during training and `inrvid eval` on its checkpoint read the same real clips."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from inrvid.cli import main
from inrvid.evaluation.eval_command import CheckpointInputs, SourceFactory
from inrvid.loading.plugins import load_plugins
from inrvid.runtime.scoring.runner import EVAL_SEED_OFFSET, group_by_sources
from inrvid.train.distributed import DistInfo
from inrvid.train.loop import periodic_metrics


def last_eval_line(run: Path) -> dict:
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [line for line in lines if any(k.startswith("eval/") for k in line)][-1]


def test_inrvid_eval_of_the_last_checkpoint_gives_the_swd_training_logged_at_its_end(
    trained_runs, tmp_path
):
    run = trained_runs["quickstart"]
    logged = last_eval_line(run)
    out = tmp_path / "eval.json"
    # the recipe's own metrics and settings; by default fakes drawn from the seed training uses
    status = main(["eval", str(run), "--quiet", "--out", str(out)])
    assert status == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["checkpoint"]["images_seen"] == logged["images_seen"] == 8
    assert record["seed"] == EVAL_SEED_OFFSET  # the quickstart's seed is 0
    assert record["values"]["swd"]["swd"] == logged["eval/swd/swd"]
    assert record["values"]["swd"]["swd_motion"] == logged["eval/swd/swd_motion"]
    assert record["training_log"]["swd/swd"] == logged["eval/swd/swd"]


def test_training_and_inrvid_eval_build_identical_unflipped_real_sources_per_protocol(
    trained_runs,
):
    cpu = torch.device("cpu")
    inputs = CheckpointInputs(str(trained_runs["quickstart"]), [], cpu, load_plugins())
    recipe = inputs.checkpoint.validated_recipe(load_plugins())
    assert recipe.data.config.hflip  # the training clips are flipped; evaluation's are not
    during_training = periodic_metrics(
        recipe, inputs.generator(), inputs.checkpoint.video, DistInfo(0, 1, 0, cpu),
        load_plugins()
    )
    args = argparse.Namespace(real=None, fake=None)
    command = SourceFactory(args, inputs)
    ((protocol, group),) = group_by_sources(during_training.metrics)
    assert protocol is not None and "swd" in group
    ours = during_training.real_clips().source(protocol.seed)
    theirs = command.real(protocol)
    assert ours.cache_key == theirs.cache_key  # FVD/KVD share cached real features
    assert not during_training.real_clips().dataset.cfg.hflip
    for _trial in range(2):  # every call draws fresh clips, the same on both sides
        a = torch.cat(list(ours.iter_videos(6, protocol.frames, batch_size=4)))
        b = torch.cat(list(theirs.iter_videos(6, protocol.frames, batch_size=4)))
        assert a.shape[0] == 6 and torch.equal(a, b)
