"""Each registry's docs page (docs/plugins/<registry>.md) documents its whole contract.

A public member of a registry base class (or a field of its base config, or of PhaseInputs)
that its page does not mention fails here; so does a page example that breaks the contract.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import types
from pathlib import Path

import pytest
import torch
from pydantic import BaseModel

from inrvid.components.augment import Augment, AugmentConfig
from inrvid.components.dataset import DatasetConfig, VideoDataset
from inrvid.components.discriminator import Discriminator, DiscriminatorConfig
from inrvid.components.encoder import CoordinateEncoder, EncoderConfig
from inrvid.components.generator import Generator, GeneratorConfig, StyleGenerator
from inrvid.components.kinds import KINDS
from inrvid.components.loss import Loss, LossConfig, PhaseInputs
from inrvid.components.metric import Metric, MetricConfig
from inrvid.components.sampler import SamplerConfig, TimeSampler
from inrvid.testing import CHECKS, tiny_context

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins"
DOCUMENTED: dict[str, list[type]] = {
    "generator": [Generator, StyleGenerator, GeneratorConfig],
    "encoder": [CoordinateEncoder, EncoderConfig],
    "discriminator": [Discriminator, DiscriminatorConfig],
    "loss": [Loss, LossConfig, PhaseInputs],
    "dataset": [VideoDataset, DatasetConfig],
    "metric": [Metric, MetricConfig],
    "augment": [Augment, AugmentConfig],
    "sampler": [TimeSampler, SamplerConfig],
}
# (the example's class, its config's options) of each page's first code block
EXAMPLES: dict[str, tuple[str, dict[str, object]]] = {
    "generator": ("AcmeMlp", {"content_dim": 8, "motion_dim": 4, "hidden": 16}),
    "encoder": ("AcmeRff", {"features": 16}),
    "discriminator": ("AcmeFrameD", {"channels": 8}),
    "loss": ("AcmeHinge", {}),
    "dataset": ("AcmeNoise", {"resolution": 16, "clip_frames": 4, "videos": 4}),
    "metric": ("AcmeBrightnessGap", {"videos": 4}),
    "augment": ("AcmeBrightness", {}),
    "sampler": ("AcmeGapPairs", {}),
}


def public_members(cls: type) -> set[str]:
    """Fields of a config or dataclass; else attributes and methods the inrvid classes define."""
    if issubclass(cls, BaseModel):
        return set(cls.model_fields)
    if dataclasses.is_dataclass(cls):
        return {f.name for f in dataclasses.fields(cls)}
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("inrvid."):
            names |= {n for n in vars(klass) if not n.startswith("_")}
            names |= {n for n in getattr(klass, "__annotations__", {}) if not n.startswith("_")}
    return names


def test_every_registry_has_a_contract_page() -> None:
    registries = [k.name for k in KINDS]
    assert sorted(DOCUMENTED) == sorted(registries)
    for registry in registries:
        assert (DOCS / f"{registry}.md").is_file(), f"docs/plugins/{registry}.md is missing"


@pytest.mark.parametrize("registry", sorted(DOCUMENTED))
def test_every_public_member_of_the_base_classes_is_on_the_registry_page(registry: str) -> None:
    text = (DOCS / f"{registry}.md").read_text()
    for cls in DOCUMENTED[registry]:
        missing = sorted(n for n in public_members(cls) if not re.search(rf"`{n}[(`]", text))
        assert not missing, (
            f"{cls.__module__}.{cls.__name__} has public members that docs/plugins/"
            f"{registry}.md does not mention: {', '.join(missing)}"
        )


def test_the_member_check_sees_a_member_added_to_a_base_class(monkeypatch) -> None:
    monkeypatch.setattr(TimeSampler, "warm_up", lambda self: None, raising=False)
    text = (DOCS / "sampler.md").read_text()
    assert "warm_up" in public_members(TimeSampler)
    assert not re.search(r"`warm_up[(`]", text)


@pytest.mark.parametrize("registry", sorted(EXAMPLES))
def test_the_page_example_keeps_the_contract(registry: str, monkeypatch) -> None:
    text = (DOCS / f"{registry}.md").read_text()
    example = text.split("## A minimal complete example", 1)[1]
    code = re.search(r"```python\n(.*?)```", example, flags=re.S)
    assert code is not None, f"docs/plugins/{registry}.md has no example code"
    module = types.ModuleType(f"docs_example_{registry}")  # pydantic resolves types there
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code.group(1), f"docs/plugins/{registry}.md", "exec"), module.__dict__)
    namespace = module.__dict__
    name, options = EXAMPLES[registry]
    factory = namespace[name]
    config = namespace[f"{name}Config"](**options)  # type: ignore[operator]
    torch.manual_seed(0)
    ctx = tiny_context(None if registry == "dataset" else tiny_context().video)
    CHECKS[registry](factory, config, ctx, name)
