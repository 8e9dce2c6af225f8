"""Fuzzed recipe documents (hypothesis): the real recipes mutated, and documents from scratch.

`recipe_documents(n, seed)` yields `n` documents as bytes, deterministically for a seed.
Mutations work on the text (bytes inserted, control characters, spans deleted, lines
swapped or replaced by hostile YAML, truncation), on the data (a value anywhere replaced
by an odd one, keys removed or added, `extends` pointed anywhere) and on the roles
(discriminators removed, emptied or dropped, losses naming absent roles, empty and null
sections); scratch documents are arbitrary YAML structures, text and bytes.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
RECIPES = Path(__file__).resolve().parents[2] / "recipes"

HOSTILE_LINES = [
    "extends: !include other.yaml",
    "a: &a [*a]",
    "a: &a {b: *a}",
    "deep: " + "[" * 200 + "]" * 200,
    "deep: " + "{a: " * 100 + "1" + "}" * 100,
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: [*d, *d, *d, *d, *d, *d, *d, *d]",
    "x: !!python/object/apply:os.system ['true']",
    "x: !!binary aGVsbG8=",
    "x: !!set {a, b}",
    "x: 2001-12-14t21:59:43.10-05:00",
    "? [a, b]\n: 1",
    "? {a: 1}\n: 2",
    "<<: *missing",
    "x: *undefined",
    "extends: " + "a" * 5000,
    "extends: \"a\\0b.yaml\"",
    "extends: /",
    "extends: .",
    "extends: 12",
    "data:",
    "data: {}",
    "discriminators: {}",
    "losses: {}",
    "generator: []",
    "train: {batch_size: true}",
    "train: {batch_size: 99999999999999999999}",
    "train: {duration_kimg: .inf}",
    "train: {betas: [1.5, 0.9]}",
    "train: {device: tpu}",
    "train: {device: cuda}",
    "output: {dir: /dev/null}",
    "output: {dir: README.md}",
    "%YAML 1.1\n---",
    "--- \n...\n---",
    "\t- tab",
    "x: '\\x00'",
    "x: \"\\e[31m\"",
]
DROP = "__inrvid_drop__"  # `!drop` while the data is plain Python
CONTROL = ["\x00", "\x1b", "\x7f", "\ufeff", "\x0b", "\x85", "\u2028", "\ud800"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "auto", "cuda", "cpu", "tpu", "../../etc/passwd", "a" * 300,
                     "toy_d", "digan", "swd", "none", "null", "~", ".inf", "1e400"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)


def real_recipes() -> list[tuple[Path, str]]:
    """Every shipped recipe, `extends` made absolute so a copy elsewhere still resolves."""
    out = []
    for path in sorted(RECIPES.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")

        def absolute(match: re.Match[str], folder: Path = path.parent) -> str:
            return f"extends: {(folder / match.group(1).strip()).resolve()}"

        out.append((path, re.sub(r"(?m)^extends:\s*(\S+)\s*$", absolute, text)))
    return out


@functools.cache
def _plain(text: str) -> Any:
    """A real recipe's data (`!drop` kept as a marker string)."""
    loader = LOADER(text.replace("!drop", DROP))
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _set(data: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> Any:
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> bytes:
    """A real recipe's text with one to three textual faults."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        kind = draw(st.integers(0, 7))
        at = draw(st.integers(0, len(text)))
        line = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == 0:
            text = text[:at] + draw(st.text(max_size=6)) + text[at:]
        elif kind == 1:
            text = text[:at] + draw(st.sampled_from(CONTROL)) + text[at:]
        elif kind == 2:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == 3:
            lines[line] = draw(st.sampled_from(HOSTILE_LINES))
            text = "\n".join(lines)
        elif kind == 4:
            other = draw(st.integers(0, max(len(lines) - 1, 0)))
            lines[line], lines[other] = lines[other], lines[line]
            text = "\n".join(lines)
        elif kind == 5:
            lines.insert(line, lines[line])
            text = "\n".join(lines)
        elif kind == 6:
            text = text[:at]
        else:
            lines[line] = " " * draw(st.integers(0, 6)) + lines[line].lstrip()
            text = "\n".join(lines)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 20)) == 0:  # now and then, bytes that are not UTF-8
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=3)) + raw[at:]
    return raw


@st.composite
def data_mutation(draw: st.DrawFn, text: str) -> bytes:
    """A real recipe's data with values replaced, keys removed or added; dumped as YAML."""
    data = copy.deepcopy(_plain(text))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        kind = draw(st.integers(0, 3))
        if kind == 0 or not path:
            data = _set(data, path, draw(values))
        elif kind == 1:
            data = _set(data, path, None, delete=True)
        elif kind == 2 and isinstance(data, dict):
            data[draw(st.text(max_size=12))] = draw(values)
        else:
            data = _set(data, path, draw(scalars))
    if isinstance(data, dict) and draw(st.integers(0, 9)) == 0:
        data["extends"] = draw(st.one_of(st.text(max_size=40), values))
    try:
        dumped = yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
        return dumped.replace(DROP, "!drop").encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, RecursionError):
        return text.encode()


@st.composite
def scratch(draw: st.DrawFn) -> bytes:
    """A document from nothing: a YAML structure, any text, or any bytes."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        try:
            return yaml.dump(draw(values), Dumper=DUMPER, allow_unicode=True).encode(
                "utf-8", "surrogatepass")
        except yaml.YAMLError:
            return b""
    if kind == 1:
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    return draw(st.binary(max_size=200))


# What a discriminator or loss section, or a whole roles section, may be replaced by: the
# shapes that reach the assembly of roles after validation (`{kind: !drop}` is one that did).
EMPTY_SHAPES: list[Any] = [{}, None, [], "", {"kind": DROP}, DROP, {"kind": None}, "x", 0]
ROLE_SECTIONS = ("discriminators", "losses")


@st.composite
def role_mutation(draw: st.DrawFn, text: str) -> bytes:
    """A real recipe's roles reshaped: discriminators removed, emptied, nulled or dropped,
    losses whose `roles` name present, removed or absent discriminators, and empty or null
    `discriminators`, `losses`, `eval` and `eval.metrics` sections."""
    data = copy.deepcopy(_plain(text))
    if not isinstance(data, dict):
        return text.encode()
    discriminators = data.get("discriminators")
    known = list(discriminators) if isinstance(discriminators, dict) else ["image", "motion"]
    removed: list[str] = []
    if isinstance(discriminators, dict):
        for role in list(discriminators):
            fate = draw(st.integers(0, 3))
            if fate == 1:
                del discriminators[role]
                removed.append(role)
            elif fate == 2:
                discriminators[role] = draw(st.sampled_from(EMPTY_SHAPES))
                removed.append(role)
    names = st.sampled_from([*known, *removed, "nothing", "", "Image", DROP])
    losses = data.get("losses")
    if isinstance(losses, dict):
        for body in list(losses.values()):
            if not isinstance(body, dict) or draw(st.integers(0, 2)) == 0:
                continue
            body["roles"] = draw(st.one_of(
                st.lists(names, max_size=3), names, st.none(), st.sampled_from(EMPTY_SHAPES)))
    for key in draw(st.lists(st.sampled_from([*ROLE_SECTIONS, "eval", "eval.metrics"]),
                             max_size=2, unique=True)):
        shape = draw(st.sampled_from(EMPTY_SHAPES))
        if key == "eval.metrics":
            if isinstance(data.get("eval"), dict):
                data["eval"]["metrics"] = shape
        else:
            data[key] = shape
    try:
        dumped = yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
        return dumped.replace(DROP, "!drop").encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, RecursionError):
        return text.encode()


def role_documents_strategy() -> st.SearchStrategy[bytes]:
    """Real recipes with their discriminator and loss roles reshaped (`role_mutation`)."""
    texts = [text for _, text in real_recipes()]
    return st.sampled_from(texts).flatmap(role_mutation)


def documents() -> st.SearchStrategy[bytes]:
    """The strategy: mutated real recipes (four in five; one of them reshapes the roles)
    and scratch documents."""
    texts = [text for _, text in real_recipes()]
    mutated = st.sampled_from(texts).flatmap(
        lambda text: st.one_of(text_mutation(text), data_mutation(text))
    )
    return st.one_of(mutated, mutated, mutated, role_documents_strategy(), scratch())


def recipe_documents(
    count: int, seed: int = 0, strategy: st.SearchStrategy[bytes] | None = None
) -> Iterator[bytes]:
    """`count` fuzzed documents (of `documents()` by default), the same for the same seed."""
    found: list[bytes] = []

    @settings(max_examples=count, database=None, deadline=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(documents() if strategy is None else strategy)
    def collect(document: bytes) -> None:
        found.append(document)

    collect._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    collect()
    yield from found
