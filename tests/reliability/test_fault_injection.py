"""A small run of every fault class of scripts/fault_injection.py (issue 15).

The script runs them at full size (>= 20 kills, >= 10,000 fuzzed recipes); here each class
runs a few trials, so a regression in any guarantee fails the suite.
"""

from __future__ import annotations

import pytest

from inrvid.base.files import JsonLines
from inrvid.loading.plugins import load_plugins
from tests.reliability import faults


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder holding one uninterrupted toy training, the reference of the trials."""
    folder = tmp_path_factory.mktemp("faults")
    faults.reference(folder)
    return folder


def survived_all(tally: faults.Tally) -> None:
    assert tally.trials > 0
    assert (tally.data_lost, tally.tracebacks, tally.hangs) == (0, 0, 0), tally.notes
    assert tally.survived == tally.trials, tally.notes


def test_500_fuzzed_recipes_validate_or_fail_with_a_located_error_never_a_traceback():
    tally = faults.fuzz_recipes(500, seed=15)
    assert tally.trials == 500
    survived_all(tally)


def test_300_recipes_with_reshaped_discriminator_roles_validate_or_fail_located():
    # Discriminators removed, emptied, nulled or `{kind: !drop}`; losses naming absent
    # roles; empty and null sections: the shapes that once raised KeyError after validation.
    tally = faults.fuzz_recipes(300, seed=24, roles_only=True)
    assert tally.trials == 300
    survived_all(tally)


def test_bad_command_line_arguments_of_every_command_exit_2_without_traceback():
    try:
        survived_all(faults.cli_argument_trials())
    finally:
        load_plugins()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["checkpoint", "rewrite"])
def test_a_kill_inside_a_checkpoint_write_or_the_resume_log_rewrite_loses_nothing(work, kind):
    expected = faults.reference(work)
    folder = work / kind
    recipe = faults.write_toy(folder)
    killed = faults.cli(["run", str(recipe), "--quiet"], cwd=folder,
                        fault="kill@fsync:checkpoint-:2")
    assert killed.code is None  # SIGKILLed inside the second checkpoint write
    if kind == "rewrite":
        (run,) = faults.run_dirs(folder)
        before = JsonLines(run / "metrics.jsonl").read()
        killed = faults.cli(["run", "--resume", str(run), "--quiet"], cwd=folder,
                            fault="kill@fsync:.metrics.jsonl.:1")
        assert killed.code is None  # SIGKILLed while rewriting metrics.jsonl
        assert JsonLines(run / "metrics.jsonl").read() == before  # the old log, whole
    done, run = faults.recover(folder, recipe)
    assert done.code == 0, done.stderr
    assert run is not None and faults.metrics_whole(run)
    assert faults.loss_records(run) == expected
    assert list(run.rglob(".*.tmp")) == []  # what the killed writes left is cleaned up


@pytest.mark.slow
def test_disk_full_while_appending_metrics_is_one_line_and_resume_continues_exactly(work):
    expected = faults.reference(work)
    folder = work / "full"
    recipe = faults.write_toy(folder)
    full = faults.cli(["run", str(recipe), "--quiet"], cwd=folder,
                      fault="enospc@fsync:metrics.jsonl:5")
    assert full.code == 2
    assert "metrics.jsonl: the disk is full" in full.stderr
    assert "Traceback" not in full.stderr
    (run,) = faults.run_dirs(folder)
    with open(run / "metrics.jsonl", "ab") as log:  # and a torn line, as an older crash left
        log.write(b'{"images_seen": 99, "g_lo')
    done, run = faults.recover(folder, recipe)
    assert done.code == 0, done.stderr
    assert faults.metrics_whole(run)
    assert faults.loss_records(run) == expected


@pytest.mark.slow
def test_bit_flips_and_hostile_pickles_in_checkpoints_are_refused_and_run_no_code(work):
    try:
        survived_all(faults.byte_flip_trials(work, trials=1, seed=15))
        survived_all(faults.hostile_pickle_trials(work, trials=3))
    finally:
        load_plugins()
