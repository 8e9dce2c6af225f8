"""Release snapshots opened without running their code, and the contract of their importers.

- `pickles`: the restricted unpickler (every global listed and checked before loading;
  persistent objects recorded, their source kept as text; tensors read `weights_only`);
- `records`: the records as data (module trees, plain configs with OmegaConf references
  resolved, source fingerprints);
- `snapshot`: a snapshot file opened (`open_snapshot`) and the release-source fingerprints;
- `contract`: `SnapshotImporter`, `Imported` and `ImporterTable`, what plug-ins implement
  and fill through the `inrvid_snapshot_importers` hook.

This package imports only the foundation and the registry; the `inrvid import` command that
uses it is in `inrvid.interop`. See docs/release-snapshots.md.
"""

from inrvid.release.contract import Imported, ImporterTable, SnapshotImporter
from inrvid.release.pickles import CORE_RECORDED, Allowance, ObjectRecord, PersistentRecord
from inrvid.release.records import ModuleRecord, Options, Unresolved, plain, resolve_references
from inrvid.release.snapshot import KnownSource, ReleaseSnapshot, file_sha256, open_snapshot

__all__ = [
    "CORE_RECORDED",
    "Allowance",
    "Imported",
    "ImporterTable",
    "KnownSource",
    "ModuleRecord",
    "ObjectRecord",
    "Options",
    "PersistentRecord",
    "ReleaseSnapshot",
    "SnapshotImporter",
    "Unresolved",
    "file_sha256",
    "open_snapshot",
    "plain",
    "resolve_references",
]
