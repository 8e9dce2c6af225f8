"""A non-finite loss stops the run with the step and the term, keeping the last good checkpoint."""

from inrvid.runtime import checkpoint as ckpt
from tests.train.helpers import FAST, run_training, write_recipe


def test_nan_in_a_loss_stops_the_run_naming_step_and_term_and_keeps_the_checkpoint(tmp_path):
    recipe = write_recipe(tmp_path)
    recipe.write_text(
        recipe.read_text().replace(
            "  adversarial: {kind: toy_loss}\n",
            "  adversarial: {kind: toy_loss}\n  poison: {kind: toy_nan, nan_at_step: 3}\n",
        )
    )
    result = run_training({"recipe": str(recipe), "overrides": [*FAST, "train.duration_kimg=0.04"]})
    assert result.returncode != 0
    assert "step 3 (kimg 0.012): loss term 'poison.poison' of the D phase is nan" in result.stderr
    (run_dir,) = (tmp_path / "runs" / "toy").iterdir()
    last = ckpt.latest(run_dir / "checkpoints")
    assert last is not None and last.name == "checkpoint-000000012.pt"
    assert ckpt.load(last).step == 3
