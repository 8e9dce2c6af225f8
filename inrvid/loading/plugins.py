"""Plug-in loading: the `Plugins` value a command builds once and passes to what needs it.

`load_plugins()` discovers the entry points of the group `inrvid.plugins`, imports and checks
each plug-in (API version, hooks), lets it register its components through a `Registrar`, and
returns a `Plugins`: the registries of every kind (made from the table of kinds), the pluggy
manager and the report of what loaded. Nothing is kept in the process: the CLI and
`inrvid.load` build one `Plugins` and pass it to validation, building, rebuilding a generator
and opening videos.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import traceback
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import pluggy

from inrvid.base.errors import InrvidError, PluginError
from inrvid.base.version import PLUGIN_API, __version__
from inrvid.components import kinds as kind_table
from inrvid.components.kinds import Kind, kind_named
from inrvid.components.registry import ComponentLookupError, Origin, Registry, close_matches
from inrvid.loading import hookspecs
from inrvid.loading.registrar import Registrar, article
from inrvid.loading.report import PluginRecord, PluginReport
from inrvid.recipe import cross_checks
from inrvid.video import hooks as video_hooks

GROUP = "inrvid.plugins"

# The core's own plug-ins: hook implementations that ship with inrvid, registered in every
# plug-in manager before the installed plug-ins, by name. The core's commands are not hooks:
# they are listed in one table, `inrvid.cli.CORE_COMMANDS`.
INTERNAL_PLUGINS: dict[str, ModuleType] = {
    "inrvid.video.hooks": video_hooks,  # inrvid_open_video: PyAV files and frame folders
    "inrvid.recipe.cross_checks": cross_checks,  # inrvid_check_recipe: checks across sections
}


class Plugins:
    """The loaded plug-ins: a registry per kind, the hooks, and the report of the loading pass.

    Made by `load_plugins`; the layers below this one see it through the protocols they
    declare (`HookCaller`, `inrvid.recipe.Catalog`).
    """

    def __init__(
        self,
        kinds: tuple[Kind, ...],
        registries: dict[str, Registry[Any]],
        pm: pluggy.PluginManager,
        report: PluginReport,
    ) -> None:
        self.kinds = kinds
        self.registries = registries
        self.pm = pm
        self.report = report

    def registry(self, kind: str) -> Registry[Any]:
        """The registry of `kind`; a `PluginError` naming the kinds if there is none."""
        return self.registries[kind_named(self.kinds, kind).name]

    def failed_count(self) -> int:
        """How many plug-ins failed to load (disabled ones do not count)."""
        return len(self.report.failures)

    def call_hook(self, name: str, *, first: bool = False, **kwargs: Any) -> list[Any]:
        """Call hook `name` of each plug-in in turn, each call guarded (`guarded`).

        Returns the results in pluggy's call order (None results dropped); `first` (for a
        `firstresult` hook): only the first result.
        """
        results = []
        for impl in reversed(getattr(self.pm.hook, name).get_hookimpls()):  # pluggy's order
            others = [p for p in self.pm.get_plugins() if p is not impl.plugin]
            caller = self.pm.subset_hook_caller(name, remove_plugins=others)
            ok, result = self.guarded(impl.plugin_name, name, caller, **kwargs)
            if not ok:
                continue
            if not first:
                results.extend(result)  # pluggy's list of this one plug-in's non-None results
            elif result is not None:
                return [result]  # a firstresult hook: pluggy gave the value itself
        return results

    def guarded(
        self, plugin: str, what: str, call: Callable[..., Any], **kwargs: Any
    ) -> tuple[bool, Any]:
        """`(True, call(**kwargs))`, or `(False, None)` if plug-in code raised or exited.

        A failing plug-in is skipped with a warning naming it and `what` failed, is not called
        for `what` again by this `Plugins`, and counts as a plug-in failure for
        `--strict-plugins`; the other plug-ins and the command go on. Any exception is the
        plug-in's failure except an `InrvidError` other than `PluginError` (or a component
        lookup the plug-in made): that explains the user's input (a video no reader decodes)
        and reaches the user as such.
        """
        key = (plugin, what)
        if key in self.report.hook_failures:
            return False, None
        try:
            return True, call(**kwargs)
        except InrvidError as exc:
            if not isinstance(exc, (PluginError, ComponentLookupError)):
                raise  # an explained error about the user's input (a file no reader decodes)
            failure: BaseException = exc
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - as for imports: isolate it
            failure = exc
        problem = self._hook_failure(plugin, what, failure)
        self.report.hook_failures[key] = problem
        from inrvid.base.console import warn  # deferred: loading plug-ins needs no console

        warn(problem)
        return False, None

    def _hook_failure(self, plugin: str, hook: str, exc: BaseException) -> str:
        record = next((r for r in self.report.records if r.entry_point == plugin), None)
        label = record.label() if record else f"'{plugin}'"
        what = f"{type(exc).__name__}: {exc}" if not isinstance(exc, SystemExit) else (
            f"it called sys.exit({exc.code!r})"
        )
        return (
            f"plug-in {label} failed in {hook} and was skipped there\n  {what}\n"
            "  other plug-ins are unaffected; report it to the plug-in's authors"
        )


def plugin_versions(plugins: Plugins) -> list[dict[str, Any]]:
    """Each plug-in's entry point, distribution, version and status (run and checkpoint records)."""
    return [
        {
            "entry_point": r.entry_point,
            "distribution": r.distribution,
            "version": r.version,
            "status": r.status,
        }
        for r in plugins.report.records
    ]


def new_plugin_manager() -> pluggy.PluginManager:
    """A pluggy manager with inrvid's hook specs and the core's own implementations."""
    pm = pluggy.PluginManager("inrvid")
    pm.add_hookspecs(hookspecs)
    for name, module in INTERNAL_PLUGINS.items():
        pm.register(module, name=name)
    if os.environ.get("INRVID_TRACE_PLUGINS") == "1":
        pm.trace.root.setwriter(print)
        pm.enable_tracing()
    return pm


def load_plugins(
    entry_points: Iterable[md.EntryPoint] | None = None, kinds: tuple[Kind, ...] | None = None
) -> Plugins:
    """Load every plug-in (the installed ones, or `entry_points`) into a fresh `Plugins`.

    A plug-in that fails is recorded and skipped; it never stops the others. `kinds` is the
    table of kinds the registries and the `Registrar` are made from (None: the core's,
    `inrvid.components.kinds.KINDS`).
    """
    kinds = kind_table.KINDS if kinds is None else kinds
    registries = {kind.name: kind.registry() for kind in kinds}
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
        _load_one(pm, ep, record, kinds, registries)
    report = PluginReport(records=records, ambiguous=_ambiguous(registries))
    return Plugins(kinds, registries, pm, report)


def _load_one(
    pm: pluggy.PluginManager,
    ep: md.EntryPoint,
    record: PluginRecord,
    kinds: tuple[Kind, ...],
    registries: dict[str, Registry[Any]],
) -> None:
    """Import, check and register one plug-in, recording any failure on `record`."""
    try:
        module = ep.load()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a third-party import may raise anything
        # (sys.exit included); we record it and keep loading the other plug-ins.
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
    registrar = Registrar(origin, kinds)
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
        registries[component.registry].add(component)
        record.provides.setdefault(component.registry, []).append(component.name)
    record.warnings = registrar.warnings


def _ambiguous(registries: dict[str, Registry[Any]]) -> dict[str, list[str]]:
    out = {}
    for reg in registries.values():
        for name, comps in reg.ambiguous().items():
            out[f"{reg.name} '{name}'"] = [c.origin.describe() for c in comps]
    return out


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
