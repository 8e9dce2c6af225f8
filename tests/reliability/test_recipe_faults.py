"""Malformed YAML and values `run` would reject are located RecipeErrors, fast (issue 15)."""

from __future__ import annotations

import time

import pytest
import torch

from inrvid.base.errors import InrvidError
from inrvid.cli import main
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe, load_tree
from inrvid.recipe.errors import RecipeError
from tests.conftest import REPO, TOY_RECIPE

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name: a\x00b\n", "toy.yaml:1:8: control character U+0000 is not allowed"),
        (b"name: \x1b[31m\n", "toy.yaml:1:7: control character U+001B is not allowed"),
        (b"extends: !include other.yaml\n", "could not determine a constructor for the tag "
                                            "'!include'"),
        (b"name: caf\xe9\n", "toy.yaml:1:10: byte 0xe9 at offset 9 is not UTF-8"),
        (b"a: &a [*a]\n", "toy.yaml:1:4: a.0: an alias refers to a mapping or list that "
                          "contains it (a recursive alias)"),
        (b"a: &a {b: *a}\n", "a.b: an alias refers to a mapping or list that contains it"),
        (b"a: " + b"[" * 50_000 + b"]" * 50_000 + b"\n", "nest"),
        (BOMB.encode(), "the document expands to more than 10000 values (aliases included)"),
        (b"extends: " + b"x" * 5000 + b".yaml\n", "toy.yaml:1:10: extends: cannot use"),
        (b'extends: "a\\0b.yaml"\n', "embedded null byte"),
        (b"x: !!python/object/apply:os.system [true]\n", "unknown tag"),
        (b"x: !!set {a: null}\n", "x: unknown tag 'tag:yaml.org,2002:set'"),
        (b"a: " + b"x" * (2 << 20), "larger than the 1048576 bytes a recipe may have"),
    ],
    ids=["nul", "esc", "include-tag", "not-utf8", "recursive-list", "recursive-map",
         "deep-nesting", "alias-bomb", "long-extends", "nul-in-extends", "python-tag",
         "set-tag", "too-large"],
)
def test_malformed_yaml_is_a_located_recipe_error_within_a_second(tmp_path, content, message):
    path = tmp_path / "toy.yaml"
    path.write_bytes(content)
    started = time.monotonic()
    with pytest.raises(RecipeError) as caught:
        load_tree(path)
    assert time.monotonic() - started < 1.0
    assert message in str(caught.value)


def _toy(tmp_path, replace: tuple[str, str] | None = None, extra: str = ""):
    text = TOY_RECIPE if replace is None else TOY_RECIPE.replace(*replace)
    path = tmp_path / "toy.yaml"
    path.write_text(text + extra)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("data: {kind: toy_dataset, resolution: 8, clip_frames: 4, videos: 4}", "data: {}"),
         "data.kind: the dataset section is empty; it needs `kind: <registered name>`"),
        (("  image: {kind: toy_d, channels: 4}\n", "  image: {}\n"),
         "discriminators.image.kind: the discriminator section is empty"),
        (("discriminators:\n  image: {kind: toy_d, channels: 4}\n  motion: {kind: toy_d, "
          "channels: 2}\n", "discriminators: {}\n"),
         "discriminators: expected at least one `role: {kind: ...}`"),
        (("batch_size: 4", "batch_size: true"),
         "train.batch_size: expected a number, not a boolean"),
        (("batch_size: 4", "batch_size: 100000000000"),
         "train.batch_size: expected a value less than or equal to 65536"),
        (("duration_kimg: 0.004", "duration_kimg: 1.0e+300"),
         "train.duration_kimg: expected a value less than or equal to 999999"),
        (("duration_kimg: 0.004", "duration_kimg: .inf"),
         "train.duration_kimg: expected a finite number"),
        (("duration_kimg: 0.004}", "duration_kimg: 0.004, betas: [0.5, 1.0]}"),
         "train.betas.1: expected a value less than 1"),
        (("duration_kimg: 0.004}", "duration_kimg: 0.004, betas: [-0.1, 0.9]}"),
         "train.betas.0: expected a value greater than or equal to 0"),
        (("duration_kimg: 0.004}", "duration_kimg: 0.004, device: tpu}"),
         "train.device: expected a value 'auto', 'cpu' or 'cuda', got 'tpu'"),
    ],
    ids=["empty-data", "empty-discriminator", "no-discriminators", "bool-batch",
         "huge-batch", "huge-duration", "infinite-duration", "beta2-one", "beta1-negative",
         "tpu"],
)
def test_values_run_would_reject_fail_validation_naming_the_key(
    toy_recipe, tmp_path, change, message
):
    path = _toy(tmp_path, change)
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, plugins=load_plugins())
    assert message in str(caught.value)


def test_a_dataset_too_large_to_shuffle_in_memory_is_refused_before_training():
    load_plugins()  # the installed plug-ins: the quickstart's moving_shapes
    with pytest.raises(RecipeError, match=r"data.videos: expected a value less than or equal"):
        load_recipe(REPO / "recipes" / "quickstart.yaml", ["data.videos=1000000000000"], plugins=load_plugins())


def test_recipe_validate_refuses_what_run_would_an_output_dir_that_is_a_file(
    toy_recipe, tmp_path, capsys
):
    blocker = tmp_path / "runs-file"
    blocker.write_text("not a folder")
    path = _toy(tmp_path, extra=f"output: {{dir: {blocker}}}\n")
    for argv in (["recipe", "validate", str(path)], ["run", str(path), "--quiet"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "output.dir: " in err and "is a file, expected a folder" in err
        assert "Traceback" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_device_cuda_without_cuda_is_refused_by_validate_and_run_naming_the_fix(
    toy_recipe, tmp_path, capsys
):
    path = _toy(tmp_path, ("duration_kimg: 0.004}", "duration_kimg: 0.004, device: cuda}"))
    for argv in (["recipe", "validate", str(path)], ["run", str(path), "--quiet"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "train.device: train.device 'cuda' needs CUDA, which this machine lacks" in err
        assert "train.device=cpu" in err


def test_a_batch_that_does_not_fit_in_memory_is_refused_before_anything_is_allocated(
    toy_recipe, tmp_path, monkeypatch
):
    from inrvid.base import limits
    from inrvid.train.loop import train

    monkeypatch.setattr(limits, "memory_bytes", lambda: 16 << 10)  # a 16 KiB machine
    recipe = load_recipe(_toy(tmp_path), [f"output.dir={tmp_path / 'runs'}"], plugins=load_plugins())
    with pytest.raises(InrvidError, match=r"train.batch_size 4 of 4-frame 8x8 clips"):
        train(recipe, load_plugins(), argv=[], quiet=True)


QUICKSTART_IMAGE_D = "image: {kind: digan_image_d, channel_base: 1536, channel_max: 48}"
QUICKSTART_LOSS = "adversarial: {kind: nonsaturating_logistic}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([(QUICKSTART_IMAGE_D, "image:\n    kind: !drop")],
         "discriminators.image.kind: the discriminator section is empty"),
        ([(QUICKSTART_IMAGE_D, "image:\n    kind: !drop"),
          (QUICKSTART_LOSS, "adversarial: {kind: nonsaturating_logistic, roles: [image]}")],
         "discriminators.image.kind: the discriminator section is empty"),
        ([(QUICKSTART_IMAGE_D, "image: !drop"),
          (QUICKSTART_LOSS, "adversarial: {kind: nonsaturating_logistic, roles: [image]}")],
         "names discriminator role 'image', which this recipe does not have"),
        ([(QUICKSTART_IMAGE_D, "image: null")], "discriminators.image: expected dictionary"),
        ([("discriminators:\n", "discriminators:\nx:\n")], "discriminators: expected dictionary"),
        ([("losses:\n", "losses:\nx:\n")], "losses: expected dictionary"),
        ([("  metrics:\n", "  metrics:\nx:\n")], "eval.metrics: expected dictionary"),
    ],
    ids=["dropped-kind", "dropped-kind-named-by-a-loss", "dropped-role-named-by-a-loss",
         "null-discriminator", "null-discriminators", "null-losses", "null-metrics"],
)
def test_discriminator_role_shapes_are_located_recipe_errors_not_tracebacks(
    tmp_path, changes, message
):
    text = (REPO / "recipes" / "quickstart.yaml").read_text()
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "quickstart.yaml"
    path.write_text(text)
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, plugins=load_plugins())
    assert message in str(caught.value)
