"""Snapshot records read as data: OmegaConf nodes and `${...}` references, module trees."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from inrvid.base.errors import SnapshotError
from inrvid.release import ModuleRecord, Options, Unresolved, plain, resolve_references
from inrvid.release.pickles import recorded_class


def node(kind: str, **state: Any) -> Any:
    record = recorded_class(f"omegaconf.{kind}")()
    record.__setstate__(state)
    return record


def metadata(key: Any) -> Any:
    return node("base.ContainerMetadata", key=key, ref_type=recorded_class("typing.Any"))


def test_references_resolve_absolute_relative_and_inside_text() -> None:
    tree = {"a": {"x": 2, "y": "${a.x}", "z": "${.x}", "name": "n${a.x}_${.x}",
                  "mixed": "n${b}"},
            "b": "${a}", "c": "${hydra:runtime.cwd}", "d": "${missing.key}"}
    resolved = resolve_references(tree)
    assert resolved["a"] == {"x": 2, "y": 2, "z": 2, "name": "n2_2",
                             "mixed": Unresolved("n${b}")}     # a mapping cannot be text
    assert resolved["b"]["y"] == 2
    assert resolved["c"] == Unresolved("${hydra:runtime.cwd}")
    assert resolved["d"] == Unresolved("${missing.key}")


def test_a_pickled_omegaconf_node_resolves_against_its_root() -> None:
    root = node("dictconfig.DictConfig", _metadata=metadata(None), _parent=None, _content={})
    generator = node("dictconfig.DictConfig", _metadata=metadata("generator"), _parent=root,
                     _content={"sampling": node("nodes.AnyNode", _val="${sampling}"),
                               "distance": node("nodes.AnyNode", _val="${generator.t.min}"),
                               "t": node("dictconfig.DictConfig", _metadata=metadata("t"),
                                         _content={"min": node("nodes.AnyNode", _val=16)})})
    sampling = node("dictconfig.DictConfig", _metadata=metadata("sampling"), _parent=root,
                    _content={"max_dist": node("nodes.AnyNode", _val=32),
                              "dists": node("listconfig.ListConfig",
                                            _content=[node("nodes.AnyNode", _val=1)])})
    root.state["_content"] = {"generator": generator, "sampling": sampling}
    assert plain(generator) == {"sampling": {"max_dist": 32, "dists": [1]}, "distance": 16,
                                "t": {"min": 16}}


def test_options_refuse_by_key_and_name_unresolvable_references() -> None:
    options = Options({"a": {"b": 1}, "c": Unresolved("${hydra:x}")}, "G.cfg", "DIGAN")
    assert options.get("a.b") == 1 and options.get("a.z", 5) == 5
    with pytest.raises(SnapshotError, match=r"G\.cfg\.a\.b: 1: inrvid's DIGAN has no equivalent"):
        options.expect("a.b", 2)
    with pytest.raises(SnapshotError, match=r"G\.cfg\.c: \$\{hydra:x\} cannot be resolved"):
        options.get("c")


def test_module_record_lists_parameters_and_persistent_buffers_by_dotted_name() -> None:
    child = recorded_class("torch.nn.modules.container.Sequential")()
    child.__setstate__({"_parameters": {"w": torch.ones(2)}, "_modules": {},
                        "_buffers": {"kept": torch.zeros(1), "dropped": torch.zeros(1)},
                        "_non_persistent_buffers_set": {"dropped"}})
    top = recorded_class("torch.nn.modules.container.ModuleList")()
    top.__setstate__({"_parameters": {"bias": None}, "_buffers": {},
                      "_modules": {"0": child, "1": None}})
    module = ModuleRecord(top, "D")
    assert set(module.state_dict()) == {"0.w", "0.kept"}
    with pytest.raises(SnapshotError, match=r"D\.2: missing in the snapshot"):
        module.child("2")
