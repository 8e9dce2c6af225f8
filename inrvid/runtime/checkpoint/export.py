"""A generator shared as a folder: `config.json` and `model.safetensors`, no pickle anywhere.

`inrvid export CKPT --out DIR` writes the layout Hugging Face users know:

- `model.safetensors`: the EMA weights of the generator (safetensors: a JSON header and raw
  tensor bytes; reading it runs no code);
- `config.json`: `format` (`inrvid-export`) and `format_version`, the generator's component
  record (registry, kind, resolved config with class names, plug-in distribution, version and
  entry point), its encoder's, the video spec, the seed, the resolved recipe (for reference),
  the plug-in versions, where the weights came from (checkpoint counters and origin) and the
  sha256 of `model.safetensors`, checked when the folder is read.

`read_export` turns the folder into a `Checkpoint` holding the generator only (`exported`),
so `inrvid.load(DIR)`, `inrvid generate DIR`, `predict` and `eval` read it as they read a
checkpoint. The training checkpoint stays the format for resuming.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from inrvid.base.errors import CheckpointError
from inrvid.base.files import storage_error, write_bytes, write_json
from inrvid.components.registry import VideoSpec
from inrvid.runtime.checkpoint.content import Checkpoint, NetworkState, PartReader

FORMAT = "inrvid-export"
EXPORT_VERSION = 1
CONFIG = "config.json"
WEIGHTS = "model.safetensors"


def is_export(path: Path) -> bool:
    """Whether `path` is a folder holding an export's `config.json`."""
    return path.is_dir() and (path / CONFIG).is_file()


def export_config(checkpoint: Checkpoint, weights_sha256: str) -> dict[str, Any]:
    """The `config.json` of `checkpoint`'s generator (plain data)."""
    v = checkpoint.video
    return {
        "format": FORMAT,
        "format_version": EXPORT_VERSION,
        "generator": checkpoint.generator.component.to_payload(),
        "encoder": None if checkpoint.encoder is None else checkpoint.encoder.to_payload(),
        "video": {"frames": v.frames, "height": v.height, "width": v.width,
                  "channels": v.channels, "fps": float(v.fps)},
        "seed": checkpoint.seed,
        "name": checkpoint.name,
        "class_names": list(checkpoint.generator.component.config.get("class_names") or []),
        "recipe": checkpoint.recipe,
        "recipe_text": checkpoint.recipe_text,
        "plugins": checkpoint.plugins,
        "source": {"step": checkpoint.step, "images_seen": checkpoint.images_seen,
                   "origin": checkpoint.origin},
        "weights": {"file": WEIGHTS, "sha256": weights_sha256, "ema": True},
    }


def write_export(checkpoint: Checkpoint, folder: str | Path) -> Path:
    """Write `checkpoint`'s EMA generator to `folder` (created; each file written atomically).

    `model.safetensors` is written first and `config.json` last, so a folder with a config
    always has its weights. A non-empty folder that is not an export is refused.
    """
    folder = Path(folder)
    if checkpoint.generator_ema is None:
        raise CheckpointError(f"{checkpoint.where}: generator_ema: missing; an export holds the "
                              "EMA weights\n  export a checkpoint written by training")
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir())
                                                     and not is_export(folder))):
        raise CheckpointError(f"{folder.resolve()}: exists and is not an inrvid export\n"
                              "  choose a new folder for --out")
    tensors = {k: v.detach().to("cpu").contiguous().clone()
               for k, v in checkpoint.generator_ema.items() if isinstance(v, torch.Tensor)}
    data = save_safetensors(tensors, metadata={"format": "pt", "inrvid": FORMAT})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(folder / WEIGHTS, data)
        write_json(folder / CONFIG,
                   export_config(checkpoint, hashlib.sha256(data).hexdigest()))
    except OSError as exc:  # the folder itself (each file write names its own problem)
        raise storage_error(folder, exc) from None
    return folder


def read_export(folder: str | Path) -> Checkpoint:
    """The generator of an export folder as a `Checkpoint` (`exported`, EMA weights only)."""
    folder = Path(folder)
    where = str((folder / CONFIG).resolve())
    r = PartReader(where)
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{where}: not a readable export config: {exc}") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise CheckpointError(f"{where}: not an inrvid export (format: "
                              f"{config.get('format') if isinstance(config, dict) else None!r})")
    if config.get("format_version") != EXPORT_VERSION:
        raise CheckpointError(
            f"{where}: export format_version {config.get('format_version')!r}, this inrvid "
            f"reads {EXPORT_VERSION}\n  a newer inrvid may have written it: upgrade inrvid")
    weights = _weights(folder, r.get(config, "weights", dict), where)
    video = r.get(config, "video", dict)
    encoder = r.get(config, "encoder", dict, optional=True)
    source = r.get(config, "source", dict)
    return Checkpoint(
        recipe=r.get(config, "recipe", dict),
        recipe_text=r.get(config, "recipe_text", str),
        video=VideoSpec(frames=r.get(video, "frames", int, "video."),
                        height=r.get(video, "height", int, "video."),
                        width=r.get(video, "width", int, "video."),
                        channels=r.get(video, "channels", int, "video."),
                        fps=float(r.get(video, "fps", (int, float), "video."))),
        step=r.get(source, "step", int, "source."),
        images_seen=r.get(source, "images_seen", int, "source."),
        world_size=1,
        plugins=r.get(config, "plugins", list),
        generator=NetworkState(r.component(r.get(config, "generator", dict), "generator."), {}),
        generator_ema=weights,
        encoder=None if encoder is None else r.component(encoder, "encoder."),
        discriminators={},
        losses={},
        optimizers={},
        draws=torch.zeros(0, dtype=torch.uint8),
        rng=[],
        loader={},
        path=folder / WEIGHTS,
        origin=r.get(source, "origin", dict, optional=True),
        exported=True,
    )


def _weights(folder: Path, record: dict[str, Any], where: str) -> dict[str, Any]:
    """The tensors of `model.safetensors`, its sha256 checked against the config's."""
    path = folder / str(record.get("file", WEIGHTS))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"{path.resolve()}: cannot read the export's weights: "
                              f"{exc.strerror or exc}") from None
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        raise CheckpointError(
            f"{path.resolve()}: corrupted: its sha256 does not match the one in {where}\n"
            "  export the checkpoint again, or download the folder again")
    try:
        return dict(load_safetensors(data))
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error kinds
        raise CheckpointError(f"{path.resolve()}: not a readable safetensors file: "
                              f"{exc}") from None
