"""Plug-in discovery: the pluggy manager, the loading loop, plug-in records and the Registrar."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import inspect
import os
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy
from pydantic.fields import FieldInfo

from inrvid.base.errors import InrvidError, PluginError
from inrvid.base.version import PLUGIN_API, __version__
from inrvid.components import hookspecs
from inrvid.components.augment import AUGMENTS
from inrvid.components.dataset import DATASETS
from inrvid.components.discriminator import DISCRIMINATORS
from inrvid.components.encoder import ENCODERS
from inrvid.components.generator import GENERATORS
from inrvid.components.loss import LOSSES
from inrvid.components.metric import METRICS
from inrvid.components.registry import (
    NAME_PATTERN,
    BuildContext,
    Component,
    ComponentConfig,
    ComponentLookupError,
    Origin,
    Registry,
    close_matches,
)
from inrvid.components.sampler import SAMPLERS

GROUP = "inrvid.plugins"

REGISTRIES: dict[str, Registry[Any]] = {
    r.name: r
    for r in (GENERATORS, ENCODERS, DISCRIMINATORS, LOSSES, DATASETS, METRICS, AUGMENTS, SAMPLERS)
}

# The core's own plug-ins: hook implementations that ship with inrvid, registered in every
# plug-in manager before the installed plug-ins, by name. The core's commands are not hooks:
# they are listed in one table, `inrvid.cli.CORE_COMMANDS`. Imported when a manager is made:
# the recipe package, which holds the cross checks, itself looks components up here.
INTERNAL_PLUGINS: tuple[str, ...] = (
    "inrvid.video.hooks",  # inrvid_open_video: PyAV files and frame folders
    "inrvid.recipe.cross_checks",  # inrvid_check_recipe: checks across sections
)


@dataclass
class PluginRecord:
    """What happened to one entry point: its status, and what it provides or why it failed."""

    entry_point: str
    distribution: str
    version: str
    module: str
    api: str | None = None
    status: str = "ok"  # ok | failed: import|incompatible|invalid|registration | disabled
    reason: str = ""
    traceback: str = ""
    provides: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. a name without the prefix

    @property
    def ok(self) -> bool:
        """Whether the plug-in loaded and registered."""
        return self.status == "ok"

    @property
    def failed(self) -> bool:
        """Whether it failed (disabled plug-ins are not failures)."""
        return self.status.startswith("failed")

    def label(self) -> str:
        """`'ep' (dist version)`, for messages."""
        return f"'{self.entry_point}' ({self.distribution} {self.version})"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for `inrvid plugins --json` and run-info.json)."""
        return {
            "entry_point": self.entry_point,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "api": self.api,
            "status": self.status,
            "reason": self.reason,
            "provides": self.provides,
            "warnings": self.warnings,
        }


@dataclass
class PluginReport:
    """The outcome of one loading pass: every record, and the ambiguous component names."""

    records: list[PluginRecord]
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # "registry:name" -> origins
    # "(entry point, hook)" -> warning, for plug-ins that loaded but raised in a hook later
    hook_failures: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def failures(self) -> list[PluginRecord]:
        """The records that failed."""
        return [r for r in self.records if r.failed]

    def notices(self) -> list[str]:
        """Warnings about plug-ins that loaded (names without their prefix); never fatal."""
        return [w for r in self.records for w in r.warnings]

    def problems(self) -> list[str]:
        """One warning per failed plug-in and per ambiguous name, fix on the last line."""
        out = []
        for r in self.failures:
            why = r.reason if r.reason else r.status
            out.append(
                f"plug-in {r.label()} failed to load and was skipped ({r.status})\n  {why}\n"
                "  other plug-ins are unaffected; `inrvid plugins -v` shows the traceback"
            )
        for name, origins in self.ambiguous.items():
            listed = "\n  ".join(origins)
            out.append(
                f"{name} is provided by several plug-ins\n  {listed}\n"
                "  a recipe must select one as `kind: <entry point>:<name>`"
            )
        return out


class Registrar:
    """Handed to `inrvid_register_components`: stages this plug-in's components.

    The core sets each component's origin; the staged components are committed to the
    registries only if the whole hook returns normally.
    """

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.staged: list[Component[Any]] = []
        self.warnings: list[str] = []

    def add(
        self,
        registry: str,
        name: str,
        config: type[ComponentConfig],
        factory: Callable[[Any, BuildContext], Any],
        *,
        summary: str,
    ) -> None:
        """Stage a component for `registry`; the specific methods below are shorthands."""
        where = f"plug-in '{self.origin.entry_point}' ({self.origin.distribution})"
        if registry not in REGISTRIES:
            raise PluginError(f"{where}: unknown registry '{registry}'")
        if not NAME_PATTERN.fullmatch(name):
            raise PluginError(
                f"{where}: {registry} name '{name}' is not lower_snake ([a-z][a-z0-9_]{{0,39}})"
            )
        if not (isinstance(config, type) and issubclass(config, ComponentConfig)):
            raise PluginError(f"{where}: config of {registry} '{name}' is not a ComponentConfig")
        if config.model_config.get("extra") != "forbid":
            raise PluginError(
                f"{where}: config {config.__name__} of {registry} '{name}' relaxes `extra`; "
                "unknown recipe keys must stay forbidden"
            )
        undocumented = [k for k, f in config.model_fields.items() if not _described(f)]
        if undocumented:
            raise PluginError(
                f"{where}: config {config.__name__} of {registry} '{name}' has fields "
                f"without a description: {', '.join(undocumented)}"
            )
        if not callable(factory):
            raise PluginError(f"{where}: factory of {registry} '{name}' is not callable")
        if any(c.name == name and c.registry == registry for c in self.staged):
            raise PluginError(f"{where}: registers {registry} '{name}' twice")
        self.staged.append(Component(name, config, factory, summary, self.origin, registry))
        prefixes = name_prefixes(self.origin)
        if prefixes and not name.startswith(tuple(prefixes)):
            self.warnings.append(
                f"{where}: {registry} '{name}' does not start with the plug-in's prefix\n"
                f"  third-party names start with {' or '.join(repr(p) for p in prefixes)}, so "
                "that two plug-ins never claim the same name\n"
                f"  rename it, e.g. '{prefixes[0]}{name}'"
            )

    def generator(
        self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str
    ) -> None:
        """Stage a generator."""
        self.add("generator", name, config, factory, summary=summary)

    def encoder(
        self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str
    ) -> None:
        """Stage a coordinate encoder."""
        self.add("encoder", name, config, factory, summary=summary)

    def discriminator(
        self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str
    ) -> None:
        """Stage a discriminator."""
        self.add("discriminator", name, config, factory, summary=summary)

    def loss(self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str) -> None:
        """Stage a loss."""
        self.add("loss", name, config, factory, summary=summary)

    def dataset(
        self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str
    ) -> None:
        """Stage a dataset."""
        self.add("dataset", name, config, factory, summary=summary)

    def metric(
        self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str
    ) -> None:
        """Stage a metric."""
        self.add("metric", name, config, factory, summary=summary)

    def augment(
        self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str
    ) -> None:
        """Stage an augment."""
        self.add("augment", name, config, factory, summary=summary)

    def sampler(
        self, name: str, config: type[ComponentConfig], factory: Any, *, summary: str
    ) -> None:
        """Stage a time sampler."""
        self.add("sampler", name, config, factory, summary=summary)


def article(word: str) -> str:
    """`an` before a vowel (`an inrvid-probe release`), else `a`."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def name_prefixes(origin: Origin) -> list[str]:
    """The prefixes a third-party component name may start with; [] for inrvid's own.

    The entry-point name and the first word of the distribution name after `inrvid-`
    (`acme-video` -> `acme_`; `inrvid-example-rff` -> `example_`), each followed by `_`.
    """
    if origin.distribution == "inrvid" or origin.entry_point.startswith("inrvid."):
        return []
    words = [w for w in re.split(r"[-_.]+", origin.distribution.lower()) if w]
    if words[:1] == ["inrvid"]:
        words = words[1:]
    found = [f"{origin.entry_point.lower()}_"] + ([f"{words[0]}_"] if words else [])
    return list(dict.fromkeys(found))


def _described(f: FieldInfo) -> bool:
    return bool(f.description and f.description.strip())


def new_plugin_manager() -> pluggy.PluginManager:
    """A pluggy manager with inrvid's hook specs and the core's own implementations."""
    pm = pluggy.PluginManager("inrvid")
    pm.add_hookspecs(hookspecs)
    for name in INTERNAL_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if os.environ.get("INRVID_TRACE_PLUGINS") == "1":
        pm.trace.root.setwriter(print)
        pm.enable_tracing()
    return pm


def _api_problem(module: ModuleType, record: PluginRecord) -> str | None:
    """Why the plug-in's INRVID_API does not fit ours, or None."""
    declared = getattr(module, "INRVID_API", None)
    if declared is None:
        return (
            f"{record.distribution} {record.version} declares no INRVID_API in {record.module}; "
            f'add `INRVID_API = "{PLUGIN_API}"` for the plug-in API it was written for'
        )
    record.api = str(declared)
    try:
        major, minor = (int(p) for p in str(declared).split("."))
    except ValueError:
        return f"INRVID_API = {declared!r} in {record.module} is not 'MAJOR.MINOR'"
    our_major, our_minor = (int(p) for p in PLUGIN_API.split("."))
    if major != our_major or minor > our_minor:
        return (
            f"{record.distribution} {record.version} targets plug-in API {declared}; "
            f"inrvid {__version__} provides {PLUGIN_API}. Upgrade inrvid, or install "
            f"{article(record.distribution)} {record.distribution} release made for "
            f"{our_major}.x"
        )
    return None


def _hook_problems(pm: pluggy.PluginManager, module: ModuleType, name: str) -> str | None:
    """A misspelt hook (no such spec) or an unmarked `inrvid_*` function, or None."""
    known = sorted(
        n for n in dir(pm.hook) if n.startswith("inrvid_") and getattr(pm.hook, n).has_spec()
    )
    for caller in pm.get_hookcallers(module) or []:
        if not caller.has_spec():
            hint = close_matches(caller.name, known)
            return f"{name} implements unknown hook '{caller.name}'" + (
                f"; did you mean '{hint[0]}'?" if hint else f"; hooks are: {', '.join(known)}"
            )
    for attr, value in vars(module).items():
        if attr.startswith("inrvid_") and callable(value):
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if not hasattr(value, "inrvid_impl"):
                return f"{name} defines {attr}() without @hookimpl; pluggy would ignore it"
    return None


def _distribution(ep: md.EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "unknown", "?"
    return dist.metadata["Name"] or "unknown", dist.version or "?"


def discover_entry_points() -> list[md.EntryPoint]:
    """The installed entry points of the group `inrvid.plugins`."""
    return list(md.entry_points(group=GROUP))


class PluginState:
    """The loaded plug-ins of this process: manager, report and filled registries."""

    def __init__(self) -> None:
        self._pm: pluggy.PluginManager | None = None  # made on first use: see INTERNAL_PLUGINS
        self.report = PluginReport(records=[])
        self.loaded = False

    @property
    def pm(self) -> pluggy.PluginManager:
        """The plug-in manager (the core's own plug-ins only, until `load_plugins`)."""
        if self._pm is None:
            self._pm = new_plugin_manager()
        return self._pm

    @pm.setter
    def pm(self, value: pluggy.PluginManager) -> None:
        self._pm = value


STATE = PluginState()


def load_plugins(entry_points: Iterable[md.EntryPoint] | None = None) -> PluginReport:
    """Load every plug-in afresh, fill the registries, and return the report.

    A plug-in that fails is recorded and skipped; it never stops the others.
    """
    for registry in REGISTRIES.values():
        registry.clear()
    pm = new_plugin_manager()
    eps = discover_entry_points() if entry_points is None else list(entry_points)
    disabled = {n.strip() for n in os.environ.get("INRVID_DISABLE_PLUGINS", "").split(",") if n}

    unique: dict[tuple[str, str], md.EntryPoint] = {}
    for ep in eps:
        unique.setdefault((_distribution(ep)[0], ep.name), ep)
    records: list[PluginRecord] = []
    taken: dict[str, PluginRecord] = {}
    for _, ep in sorted(unique.items()):
        dist, version = _distribution(ep)
        record = PluginRecord(ep.name, dist, version, ep.value)
        records.append(record)
        if ep.name in taken:
            other = taken[ep.name]
            record.status = "failed: invalid"
            record.reason = (
                f"entry point name '{ep.name}' is already used by {other.distribution}; "
                "entry-point names must be unique"
            )
            continue
        taken[ep.name] = record
        if ep.name in disabled:
            record.status = "disabled"
            record.reason = "listed in INRVID_DISABLE_PLUGINS"
            continue
        _load_one(pm, ep, record)

    STATE.pm = pm
    STATE.report = PluginReport(records=records, ambiguous=_ambiguous())
    STATE.loaded = True
    return STATE.report


def _load_one(pm: pluggy.PluginManager, ep: md.EntryPoint, record: PluginRecord) -> None:
    """Import, check and register one plug-in, recording any failure on `record`."""
    try:
        module = ep.load()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a third-party import may raise anything
        # (sys.exit included); we
        # record it and keep loading the other plug-ins instead of letting it escape.
        record.status = "failed: import"
        record.reason = f"{type(exc).__name__}: {exc} (while importing {ep.value})"
        record.traceback = traceback.format_exc()
        return
    problem = _api_problem(module, record)
    if problem:
        record.status, record.reason = "failed: incompatible", problem
        return
    try:
        pm.register(module, name=ep.name)
    except pluggy.PluginValidationError as exc:
        if pm.is_registered(module):
            pm.unregister(module)
        record.status, record.reason = "failed: invalid", str(exc)
        return
    problem = _hook_problems(pm, module, f"{record.distribution} ({ep.value})")
    if problem:
        pm.unregister(module)
        record.status, record.reason = "failed: invalid", problem
        return
    origin = Origin(record.distribution, record.version, ep.name, ep.value)
    registrar = Registrar(origin)
    others = [p for p in pm.get_plugins() if p is not module]
    try:
        pm.subset_hook_caller("inrvid_register_components", remove_plugins=others)(
            registrar=registrar
        )
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - same reason as the import above
        pm.unregister(module)
        record.status = "failed: registration"
        record.reason = f"{type(exc).__name__}: {exc}"
        record.traceback = traceback.format_exc()
        return
    for component in registrar.staged:
        REGISTRIES[component.registry].add(component)
        record.provides.setdefault(component.registry, []).append(component.name)
    record.warnings = registrar.warnings


def _ambiguous() -> dict[str, list[str]]:
    out = {}
    for reg in REGISTRIES.values():
        for name, comps in reg.ambiguous().items():
            out[f"{reg.name} '{name}'"] = [c.origin.describe() for c in comps]
    return out


def ensure_plugins() -> PluginReport:
    """Load the installed plug-ins once per process and return the report."""
    if not STATE.loaded:
        load_plugins()
    return STATE.report


def plugin_versions() -> list[dict[str, Any]]:
    """Each plug-in's entry point, distribution, version and status."""
    return [
        {
            "entry_point": r.entry_point,
            "distribution": r.distribution,
            "version": r.version,
            "status": r.status,
        }
        for r in ensure_plugins().records
    ]


def plugin_manager() -> pluggy.PluginManager:
    """The process's plug-in manager (plug-ins loaded)."""
    ensure_plugins()
    return STATE.pm


def call_hook(name: str, *, first: bool = False, **kwargs: Any) -> list[Any]:
    """Call hook `name` of each plug-in in turn, each call guarded like its import (`guarded`).

    Returns the results in pluggy's call order (None results dropped); `first` (for a
    `firstresult` hook): only the first result.
    """
    pm = plugin_manager()
    results = []
    for impl in reversed(getattr(pm.hook, name).get_hookimpls()):  # pluggy's call order
        others = [p for p in pm.get_plugins() if p is not impl.plugin]
        ok, result = guarded(
            impl.plugin_name, name, pm.subset_hook_caller(name, remove_plugins=others), **kwargs
        )
        if not ok:
            continue
        if not first:
            results.extend(result)  # pluggy's list of this one plug-in's non-None results
        elif result is not None:
            return [result]  # a firstresult hook: pluggy gave the value itself
    return results


def guarded(plugin: str, what: str, call: Callable[..., Any], **kwargs: Any) -> tuple[bool, Any]:
    """`(True, call(**kwargs))`, or `(False, None)` if plug-in code raised or called sys.exit.

    A failing plug-in is skipped with a warning naming it and `what` failed, is not called
    for `what` again in this process, and counts as a plug-in failure for `--strict-plugins`;
    the other plug-ins and the command go on. Any exception is the plug-in's failure except
    an `InrvidError` other than `PluginError` (or a component lookup the plug-in made): that
    explains the user's input (a video no reader decodes) and reaches the user as such.
    """
    report = STATE.report
    key = (plugin, what)
    if key in report.hook_failures:
        return False, None
    try:
        return True, call(**kwargs)
    except InrvidError as exc:
        if not isinstance(exc, (PluginError, ComponentLookupError)):
            raise  # an explained error about the user's input (a file no reader decodes)
        failure: BaseException = exc
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - as for imports: isolate the plug-in
        failure = exc
    problem = _hook_failure(plugin, what, failure)
    report.hook_failures[key] = problem
    from inrvid.base.console import warn  # deferred: loading plug-ins needs no console

    warn(problem)
    return False, None


def _hook_failure(plugin: str, hook: str, exc: BaseException) -> str:
    record = next((r for r in STATE.report.records if r.entry_point == plugin), None)
    label = record.label() if record else f"'{plugin}'"
    what = f"{type(exc).__name__}: {exc}" if not isinstance(exc, SystemExit) else (
        f"it called sys.exit({exc.code!r})"
    )
    return (
        f"plug-in {label} failed in {hook} and was skipped there\n  {what}\n"
        "  other plug-ins are unaffected; report it to the plug-in's authors"
    )


def component_origins() -> dict[str, list[dict[str, str]]]:
    """Every registered component with its origin, for run-info.json."""
    ensure_plugins()
    out: dict[str, list[dict[str, str]]] = {}
    for reg in REGISTRIES.values():
        out[reg.name] = [
            {
                "name": c.name,
                "distribution": c.origin.distribution,
                "version": c.origin.version,
                "entry_point": c.origin.entry_point,
            }
            for c in reg
        ]
    return out


def signature_of(func: Callable[..., Any]) -> str:
    """A function's signature, for hook documentation checks."""
    return str(inspect.signature(func))
