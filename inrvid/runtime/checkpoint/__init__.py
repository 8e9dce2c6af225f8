"""One typed checkpoint for training, generation and evaluation, written atomically.

A `Checkpoint` holds the resolved recipe, the video spec, the counters and, for each network,
the component that built it (registry, kind, config, plug-in distribution and version) with
its weights; for an exact resume also the optimiser, EMA, loss, random and loader states.
`load_generator` rebuilds the generator from the checkpoint alone: it needs the generator's
(and its encoder's) plug-in, not the dataset, the recipe files or any other plug-in.

- `content`: the dataclass, and each part of a file read back, checked and typed;
- `storage`: atomic writes (a kill or a full disk leaves the previous file whole), content
  digests verified at load, `weights_only` reads, the checkpoints of a run folder;
- `networks`: the generator rebuilt from a checkpoint, a run's networks saved and restored;
- `export`: a generator shared as `config.json` + `model.safetensors` (`inrvid export`),
  read back as a generator-only `Checkpoint`.

See docs/checkpoints.md for the format.
"""

from inrvid.runtime.checkpoint.content import (
    FORMAT_VERSION,
    Checkpoint,
    ComponentRecord,
    NetworkState,
)
from inrvid.runtime.checkpoint.export import is_export, read_export, write_export
from inrvid.runtime.checkpoint.networks import (
    component_for,
    fit_weights,
    from_training,
    initialize_from,
    load_discriminators,
    load_generator,
    rebuild_generator,
    restore_training,
    warn_plugin_drift,
)
from inrvid.runtime.checkpoint.storage import (
    NAME,
    all_checkpoints,
    checkpoint_path,
    digest,
    find,
    latest,
    load,
    prune,
    read_payload,
    remove_temporaries,
    save,
    write_payload,
)

__all__ = [
    "FORMAT_VERSION",
    "NAME",
    "Checkpoint",
    "ComponentRecord",
    "NetworkState",
    "all_checkpoints",
    "checkpoint_path",
    "component_for",
    "digest",
    "find",
    "fit_weights",
    "from_training",
    "initialize_from",
    "is_export",
    "latest",
    "load",
    "load_discriminators",
    "load_generator",
    "prune",
    "read_export",
    "read_payload",
    "rebuild_generator",
    "remove_temporaries",
    "restore_training",
    "save",
    "warn_plugin_drift",
    "write_export",
    "write_payload",
]
