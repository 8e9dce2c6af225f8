"""Release snapshots opened without running their code, and the contract of their importers.

- `pickles`: the restricted unpickler (every global listed and checked before loading;
  persistent objects recorded, their source kept as text; tensors read `weights_only`);
- `records`: the records as data (module trees, plain configs with OmegaConf references
  resolved, source fingerprints);
- `snapshot`: a snapshot file opened (`open_snapshot`) and the release-source fingerprints.

It imports only `base/`. The importer contract that plug-ins implement is
`inrvid.components.importers`; the `inrvid import` command is in `inrvid.interop`. See
docs/release-snapshots.md.
"""

from inrvid.release.pickles import CORE_RECORDED, Allowance, ObjectRecord, PersistentRecord
from inrvid.release.records import ModuleRecord, Options, Unresolved, plain, resolve_references
from inrvid.release.snapshot import KnownSource, ReleaseSnapshot, file_sha256, open_snapshot

__all__ = [
    "CORE_RECORDED",
    "Allowance",
    "KnownSource",
    "ModuleRecord",
    "ObjectRecord",
    "Options",
    "PersistentRecord",
    "ReleaseSnapshot",
    "Unresolved",
    "file_sha256",
    "open_snapshot",
    "plain",
    "resolve_references",
]
