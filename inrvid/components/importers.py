"""The importer contract: what a plug-in provides to import a release's snapshots.

`inrvid import <release> SNAPSHOT.pkl --out CKPT` looks the release up in the table that
plug-ins fill through the `inrvid_snapshot_importers` hook, opens the snapshot with that
importer's `Allowance` (`inrvid.release.pickles`), and asks it to `convert` the records into
an `Imported`: a whole recipe (plain data, validated by the core) and weights under the names
of the networks that recipe builds. The core builds those networks, loads the weights strictly
(every tensor must fit) and writes the checkpoint.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor

from inrvid.base.errors import PluginError, SnapshotError
from inrvid.components.registry import VideoSpec
from inrvid.release import Allowance, KnownSource, ModuleRecord, ReleaseSnapshot


@dataclass
class Imported:
    """A snapshot converted: a recipe inrvid validates and weights under its networks' names.

    `generator` holds the raw weights (the release's `G`), `generator_ema` the averaged ones
    (`G_ema`, what the release evaluates); `discriminators` maps each recipe role to weights.
    `notes` says what was not carried over and why (one line each); `network_kwargs` keeps
    the release's constructor arguments as read, for the checkpoint's record.
    """

    recipe: dict[str, Any]
    video: VideoSpec
    generator: dict[str, Tensor]
    generator_ema: dict[str, Tensor]
    discriminators: dict[str, dict[str, Tensor]]
    images_seen: int = 0
    notes: list[str] = field(default_factory=list)
    network_kwargs: dict[str, Any] = field(default_factory=dict)


class SnapshotImporter(ABC):
    """Converts one release's snapshots into inrvid networks (implemented by plug-ins).

    `name` is the word on the command line (`digan`, `stylegan-v`); `release` the repository
    in words; `allowance` the globals its snapshots may name; `known_sources` the fingerprints
    of the release's source files, with the commit they were computed from.
    """

    name: str
    release: str
    allowance: Allowance
    known_sources: tuple[KnownSource, ...] = ()

    @abstractmethod
    def convert(self, snapshot: ReleaseSnapshot) -> Imported:
        """The recipe and weights of `snapshot`.

        Raises a `SnapshotError` naming what has no equivalent in inrvid (an argument, a
        buffer, a class).
        """

    def networks(self, snapshot: ReleaseSnapshot, classes: dict[str, str]
                 ) -> dict[str, ModuleRecord]:
        """The snapshot's networks by key (`G`), each checked to be of its release class."""
        found = {key: snapshot.network(key) for key in classes}
        for key, network in found.items():
            if network.class_name != classes[key]:
                raise SnapshotError(
                    f"{snapshot.path}: {key} is a {network.class_name}, a {self.release} "
                    f"snapshot's is a {classes[key]}")
        return found

    def known(self, sha256: str) -> KnownSource | None:
        """The release file whose fingerprint is `sha256`, if any."""
        return next((k for k in self.known_sources if k.sha256 == sha256), None)


@dataclass
class ImporterTable:
    """Importers by release name, filled by the `inrvid_snapshot_importers` hook."""

    importers: dict[str, SnapshotImporter] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    owner: str = "inrvid"

    def add(self, importer: SnapshotImporter) -> None:
        """Add `importer` under its `name`; a second importer of the same name is refused."""
        if importer.name in self.importers:
            raise PluginError(
                f"snapshot importer '{importer.name}' is added by both "
                f"'{self.owners[importer.name]}' and '{self.owner}'")
        self.importers[importer.name] = importer
        self.owners[importer.name] = self.owner
