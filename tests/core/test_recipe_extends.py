"""`extends` chains, `!drop`, the kind rule and overrides resolve to a pinned result."""

import pytest

from inrvid.loading.plugins import load_plugins
from inrvid.recipe import RecipeError, load_recipe, load_tree
from inrvid.recipe.resolved import resolved_yaml

BASE = """\
name: base
seed: 1
data: {kind: toy_dataset, resolution: 8, clip_frames: 4, videos: 4}
augment:
  - {kind: toy_augment, strength: 0.1}
sampler: {kind: toy_sampler}
encoder: {kind: toy_encoder, features: 8}
generator: {kind: toy_generator, hidden: 8}
discriminators:
  image: {kind: toy_d, channels: 4}
  motion: {kind: toy_d, channels: 2}
losses:
  adversarial: {kind: toy_loss}
train: {batch_size: 4, duration_kimg: 1.0, g_lr: 0.002}
"""

MIDDLE = """\
extends: base.yaml
name: middle
discriminators:
  motion: !drop
train:
  batch_size: 8
"""

CHILD = """\
extends: sub/../middle.yaml
name: child
augment: []
encoder:
  kind: toy_encoder
  features: 16
train:
  duration_kimg: 2.0
"""


@pytest.fixture
def chain(toy_recipe):
    folder = toy_recipe.parent
    (folder / "sub").mkdir()
    (folder / "base.yaml").write_text(BASE)
    (folder / "middle.yaml").write_text(MIDDLE)
    (folder / "child.yaml").write_text(CHILD)
    return folder


def test_extends_chain_with_drop_and_overrides_resolves_to_the_pinned_recipe(chain):
    loaded = load_tree(chain / "child.yaml", ["train.g_lr=1e-3", "discriminators.image.channels=6"])
    assert loaded.plain() == {
        "name": "child",
        "seed": 1,
        "data": {"kind": "toy_dataset", "resolution": 8, "clip_frames": 4, "videos": 4},
        "augment": [],
        "sampler": {"kind": "toy_sampler"},
        "encoder": {"kind": "toy_encoder", "features": 16},
        "generator": {"kind": "toy_generator", "hidden": 8},
        "discriminators": {"image": {"kind": "toy_d", "channels": 6}},
        "losses": {"adversarial": {"kind": "toy_loss"}},
        "train": {"batch_size": 8, "duration_kimg": 2.0, "g_lr": 1e-3},
    }
    assert [p.name for p in loaded.chain] == ["child.yaml", "middle.yaml", "base.yaml"]


def test_resolved_yaml_writes_defaults_and_the_source_of_each_value(chain):
    recipe = load_recipe(chain / "child.yaml", ["train.g_lr=1e-3"], plugins=load_plugins())
    text = resolved_yaml(recipe)
    base, child = str(chain / "base.yaml"), str(chain / "child.yaml")
    assert f"  features: 16  # {child}:6" in text
    assert f"  batch_size: 8  # {chain / 'middle.yaml'}:6" in text
    assert "  g_lr: 0.001  # command line argument 1" in text
    assert "  eps: 1.0e-08  # default" in text
    assert f"    channels: 4  # {base}:10" in text
    assert "motion" not in text.split("discriminators:")[1].split("losses:")[0]
    # the resolved file is itself a runnable recipe that resolves to the same values
    again = chain / "again.yaml"
    again.write_text(text)
    assert load_recipe(again, plugins=load_plugins()).resolved() == recipe.resolved()


def test_kind_change_replaces_the_inherited_section_whole(chain):
    loaded = load_tree(chain / "base.yaml", ["discriminators.image.kind=other_d"])
    assert loaded.plain()["discriminators"]["image"] == {"kind": "other_d"}
    child = chain / "kind.yaml"
    child.write_text("extends: base.yaml\ngenerator:\n  kind: another\n  width: 3\n")
    assert load_tree(child).plain()["generator"] == {"kind": "another", "width": 3}


def test_drop_override_removes_an_inherited_entry(chain):
    loaded = load_tree(chain / "base.yaml", ["discriminators.motion=!drop"])
    assert list(loaded.plain()["discriminators"]) == ["image"]


def test_extends_cycle_is_reported_with_the_chain(chain):
    (chain / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (chain / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    with pytest.raises(RecipeError) as info:
        load_tree(chain / "a.yaml")
    assert "`extends` forms a cycle: " in str(info.value)
    assert "a.yaml -> " in str(info.value) and "b.yaml -> " in str(info.value)
    assert str(info.value).count("a.yaml") >= 2
