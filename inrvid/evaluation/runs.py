"""Reading finished runs for `inrvid compare`: records, metric curves and recipe differences.

A run folder holds `run-info.json` (recipe file, its `extends` chain, the command-line
overrides), `recipe.resolved.yaml` (every value, defaults included) and `metrics.jsonl`,
whose evaluation lines carry `eval/<role>/<key>` values at a `kimg`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inrvid.base.files import JsonLines
from inrvid.evaluation.errors import EvalArgumentError
from inrvid.recipe import load_tree
from inrvid.recipe.delta import difference

EVAL_PREFIX = "eval/"
# Metric config fields that change a protocol's counts (shown next to the protocol name).
PROTOCOL_FIELDS = (
    "fake_videos",
    "real_videos",
    "frames",
    "trials",
    "resolution",
    "covariance_divisor",
    "subsets",
    "subset_size",
    "splits",
)
PER_LEVEL_KEY = re.compile(r"_\d+$")


@dataclass
class MetricCurve:
    """The values of one `role/key` over training: kimg and value, in order."""

    kimg: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def final(self) -> float:
        """The value of the last evaluation."""
        return self.values[-1]

    def best(self, higher_is_better: bool) -> tuple[float, float]:
        """(value, kimg) of the best evaluation."""
        pick = max if higher_is_better else min
        index = pick(range(len(self.values)), key=lambda i: self.values[i])
        return self.values[index], self.kimg[index]


@dataclass
class RunRecord:
    """What `inrvid compare` reads from one run folder."""

    path: Path
    name: str
    info: dict[str, Any]
    resolved: dict[str, Any]
    images_seen: int
    curves: dict[str, MetricCurve]

    @property
    def label(self) -> str:
        """`<recipe name>/<run folder>`: unique among runs of one output folder."""
        return f"{self.name}/{self.path.name}"

    @property
    def overrides(self) -> list[str]:
        """The command-line overrides the run was started with."""
        return [str(o) for o in self.info.get("overrides") or []]

    def metric_section(self, role: str) -> dict[str, Any]:
        """The resolved `eval.metrics.<role>` section (empty if the recipe lacks it)."""
        metrics = (self.resolved.get("eval") or {}).get("metrics") or {}
        section = metrics.get(role)
        return section if isinstance(section, dict) else {}

    def protocol(self, role: str) -> str:
        """`proxy (fake_videos=128)`: the role's protocol and the counts it overrides."""
        section = self.metric_section(role)
        name = section.get("protocol")
        if name is None:
            return "-"
        changes = [f"{k}={section[k]}" for k in PROTOCOL_FIELDS if section.get(k) is not None]
        return f"{name} ({', '.join(changes)})" if changes else str(name)


def find_runs(paths: list[str]) -> list[Path]:
    """Run folders: each path that holds run-info.json, or the runs one or two levels below."""
    found: list[Path] = []
    for text in paths:
        path = Path(text).expanduser()
        if (path / "run-info.json").is_file():
            found.append(path)
            continue
        below = sorted(
            {p.parent for p in [*path.glob("*/run-info.json"), *path.glob("*/*/run-info.json")]}
        )
        if not below:
            raise EvalArgumentError(
                f"{path}: got no run-info.json in it or in the folders below, expected a run "
                "folder\n  pass folders written by `inrvid run` (<output.dir>/<name>/<time>)"
            )
        found.extend(below)
    return list(dict.fromkeys(p.resolve() for p in found))


def read_curves(path: Path) -> tuple[int, dict[str, MetricCurve]]:
    """Images seen (the largest logged) and every `role/key` curve of metrics.jsonl."""
    curves: dict[str, MetricCurve] = {}
    images = 0
    log = path / "metrics.jsonl"
    if not log.is_file():
        return images, curves
    for entry in JsonLines(log).read():  # a line torn by a kill or a full disk is dropped
        images = max(images, int(entry.get("images_seen", 0)))
        kimg = float(entry.get("kimg", entry.get("images_seen", 0) / 1000))
        for key, value in entry.items():
            if key.startswith(EVAL_PREFIX) and isinstance(value, int | float):
                curve = curves.setdefault(key.removeprefix(EVAL_PREFIX), MetricCurve())
                curve.kimg.append(kimg)
                curve.values.append(float(value))
    return images, curves


def read_run(path: Path) -> RunRecord:
    """Read one run folder."""
    try:
        info = json.loads((path / "run-info.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalArgumentError(
            f"{path / 'run-info.json'}: does not read as JSON: {exc}\n  check the run folder"
        ) from None
    resolved_file = path / "recipe.resolved.yaml"
    resolved: dict[str, Any] = {}
    if resolved_file.is_file():
        loaded = yaml.safe_load(resolved_file.read_text(encoding="utf-8"))
        resolved = loaded if isinstance(loaded, dict) else {}
    images, curves = read_curves(path)
    name = str(resolved.get("name") or path.parent.name)
    return RunRecord(path, name, info, resolved, images, curves)


# ---------------------------------------------------------------- recipe differences
def tree_difference(parent: Any, child: Any) -> list[str]:
    """Changes from `parent` to `child` as `dotted.key: old → new` lines (whole subtrees once)."""
    return [change.describe() for change in difference(parent, child)]


def recipe_difference(info: dict[str, Any]) -> list[str]:
    """What the run's recipe file changes in its parent (`extends`), from run-info.json.

    An empty list means the recipe has no parent or changes nothing; a file that has gone
    missing since the run gives one line saying so.
    """
    chain = [Path(p) for p in info.get("recipe_chain") or []]
    if len(chain) < 2:
        return []
    missing = [p for p in chain if not p.is_file()]
    if missing:
        return [f"(recipe file missing: {missing[0]})"]
    child = load_tree(chain[0]).plain()
    parent = load_tree(chain[1]).plain()
    return tree_difference(parent, child)


def headline_keys(keys: list[str]) -> list[str]:
    """`role/key` names without `_std` and per-level (`swd_16`) entries, in first-seen order."""
    return [k for k in keys if not k.endswith("_std") and not PER_LEVEL_KEY.search(k)]
