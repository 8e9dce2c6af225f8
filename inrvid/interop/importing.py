"""A release snapshot converted into an inrvid checkpoint, through a plug-in's importer.

The importer (`inrvid.components.importers.SnapshotImporter`, from the
`inrvid_snapshot_importers` hook) reads the records; the core then validates the recipe it
wrote, builds that recipe's networks and loads the converted weights strictly
(`checkpoint.fit_weights`: every tensor present, every shape equal), so a converted checkpoint
is one that `generate`, `predict`, `eval`, `inrvid.load` and `train.init_from` read like any
other.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml

from inrvid.base.errors import PluginError, SnapshotError
from inrvid.base.streams import stream
from inrvid.base.version import __version__
from inrvid.components.importers import Imported, ImporterTable, SnapshotImporter
from inrvid.loading.plugins import Plugins, load_plugins, plugin_versions
from inrvid.recipe import recipe_from_text
from inrvid.release import Unresolved, open_snapshot
from inrvid.release.snapshot import ReleaseSnapshot
from inrvid.runtime import checkpoint as ckpt
from inrvid.runtime.build import build_models

HOOK = "inrvid_snapshot_importers"


def collect_importers(plugins: Plugins) -> ImporterTable:
    """The importers every plug-in adds (a failing plug-in loses only its own)."""
    pm = plugins.pm
    merged = ImporterTable()
    for name, plugin in pm.list_name_plugin():
        table = ImporterTable(owner=name)
        caller = pm.subset_hook_caller(
            HOOK, remove_plugins=[p for p in pm.get_plugins() if p is not plugin])
        ok, _ = plugins.guarded(name, HOOK, caller, importers=table)
        if not ok:
            continue
        for importer in table.importers.values():
            merged.owner = name
            plugins.guarded(name, f"{HOOK} ('{importer.name}')", merged.add, importer=importer)
    return merged


def find_importer(release: str, plugins: Plugins) -> SnapshotImporter:
    """The importer of `release`; the installed ones named when there is none."""
    importers = collect_importers(plugins).importers
    if release not in importers:
        names = ", ".join(sorted(importers)) or "none"
        raise PluginError(
            f"no importer for release '{release}' (installed: {names})\n"
            "  install the plug-in of that model family (DIGAN: inrvid_digan, StyleGAN-V: "
            "inrvid_stylegan_v, both part of inrvid)")
    return importers[release]


@dataclass
class SourceReport:
    """One pickled module source: its fingerprint, classes and the release file it matches."""

    sha256: str
    classes: tuple[str, ...]
    lines: int
    release_file: str | None


def source_reports(importer: SnapshotImporter, snapshot: ReleaseSnapshot) -> list[SourceReport]:
    """Each pickled module source, compared with the importer's release fingerprints."""
    out = []
    for source in snapshot.sources:
        known = importer.known(source.sha256)
        out.append(SourceReport(source.sha256, source.classes, source.lines,
                                None if known is None else known.describe()))
    return out


def jsonable(value: Any) -> Any:
    """`value` as plain data a checkpoint stores (unresolved references as their text)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Unresolved):
        return value.text
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def convert(release: str, path: str | Path, overrides: list[str] | None = None,
            plugins: Plugins | None = None
            ) -> tuple[ckpt.Checkpoint, list[SourceReport], Imported]:
    """The checkpoint of snapshot `path` of `release`, its source report and the conversion.

    `plugins`: the loaded plug-ins (None: load the installed ones now).
    """
    plugins = load_plugins() if plugins is None else plugins
    importer = find_importer(release, plugins)
    snapshot = open_snapshot(path, importer.allowance)
    imported = importer.convert(snapshot)
    where = str(snapshot.path)
    recipe = recipe_from_text(yaml.safe_dump(imported.recipe, sort_keys=False),
                              f"{where}:recipe", list(overrides or []), plugins=plugins)
    models = build_models(recipe, imported.video, torch.device("cpu"), plugins)
    hint = (f"the {importer.name} importer's names do not fit the networks its recipe builds; "
            "report it with the snapshot's origin")
    ckpt.fit_weights(models.generator, imported.generator, "G -> generator", where, hint)
    ema = copy.deepcopy(models.generator)
    ckpt.fit_weights(ema, imported.generator_ema, "G_ema -> generator_ema", where, hint)
    if set(models.discriminators) != set(imported.discriminators):
        raise SnapshotError(
            f"{where}: the recipe has discriminator roles {sorted(models.discriminators)}, the "
            f"conversion {sorted(imported.discriminators)}\n  {hint}")
    for role, network in models.discriminators.items():
        ckpt.fit_weights(network, imported.discriminators[role],
                         f"D -> discriminators.{role}", where, hint)
    sources = source_reports(importer, snapshot)
    checkpoint = ckpt.from_training(
        recipe, imported.video, step=0, images_seen=imported.images_seen, world_size=1,
        plugins=plugin_versions(plugins), generator=models.generator, generator_ema=ema,
        discriminators=models.discriminators, losses=models.losses, optimizers={},
        draws=stream(recipe.seed, "train/latents"), rng=[], loader={},
    )
    origin = {
        "release": importer.name,
        "repository": importer.release,
        "snapshot": {"file": snapshot.path.name, "sha256": snapshot.sha256,
                     "bytes": snapshot.path.stat().st_size},
        "globals": snapshot.globals,
        "sources": [dataclasses.asdict(s) | {"classes": list(s.classes)} for s in sources],
        "sources_match_release": all(s.release_file is not None for s in sources),
        "not_carried": list(imported.notes),
        "network_kwargs": jsonable(imported.network_kwargs),
        "converted_by": f"inrvid {__version__}",
    }
    return dataclasses.replace(checkpoint, origin=origin), sources, imported
