"""Weight files the user supplies: where they are looked up, how they load, their hash.

Lookup order for each detector (docs/reference/metrics.md §1.6): the metric's `weights_path`
option (recipe key or command line) -> the detector's environment variable -> the weights
folder `$INRVID_WEIGHTS_DIR` (default `~/.cache/inrvid/weights`) searched for the canonical
file names. Nothing is ever downloaded. The format is detected from the content: a
TorchScript archive, a plain state dict, or (refused, with a message) a TF SavedModel folder
or a Chainer .npz.
"""

from __future__ import annotations

import os
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch

from inrvid.base.errors import WeightsError
from inrvid.base.files import sha256_file

WEIGHTS_DIR_ENV = "INRVID_WEIGHTS_DIR"
WeightsFormat = Literal["torchscript", "state_dict"]


@dataclass(frozen=True)
class WeightSpec:
    """What one detector needs: its environment variable, file names and where they come from."""

    detector: str
    env_var: str
    file_names: tuple[str, ...]
    provenance: str

    def describe_names(self) -> str:
        """`a` or `a or b`."""
        return " or ".join(self.file_names)


I3D_WEIGHTS = WeightSpec(
    detector="I3D (Kinetics-400, RGB)",
    env_var="INRVID_I3D_WEIGHTS",
    file_names=("i3d_pretrained_400.pt", "i3d_torchscript.pt"),
    provenance="i3d_pretrained_400.pt is VideoGPT's PyTorch state dict of the TF-Hub "
    "i3d-kinetics-400 model (used by DIGAN, TATS); i3d_torchscript.pt is StyleGAN-V's "
    "TorchScript export of the same model",
)
C3D_WEIGHTS = WeightSpec(
    detector="C3D (UCF-101 fine-tuned)",
    env_var="INRVID_C3D_WEIGHTS",
    file_names=("c3d_ucf101_state_dict.pt", "c3d_ucf101.pt"),
    provenance="c3d_ucf101_state_dict.pt is TGANv2's conv3d_deepnetA_ucf.npz (+ mean2.npz) "
    "converted to the key layout of docs/metrics.md; c3d_ucf101.pt is StyleGAN-V's TorchScript",
)
INCEPTION_WEIGHTS = WeightSpec(
    detector="Inception-v3 (FID, inception-2015-12-05)",
    env_var="INRVID_INCEPTION_WEIGHTS",
    file_names=("pt_inception-2015-12-05-6726825d.pth", "inception-2015-12-05.pt"),
    provenance="pt_inception-2015-12-05-6726825d.pth is the PyTorch state dict of the TF FID "
    "graph (pytorch-fid); inception-2015-12-05.pt is StyleGAN2-ADA's TorchScript export",
)


@dataclass(frozen=True)
class WeightsFile:
    """A resolved weight file: its path, how it was found, its format and sha256."""

    path: Path
    found_by: str
    format: WeightsFormat
    sha256: str

    def record(self) -> dict[str, str]:
        """What every metric result carries about its weights."""
        return {
            "path": str(self.path),
            "found_by": self.found_by,
            "format": self.format,
            "sha256": self.sha256,
        }


def weights_dir() -> Path:
    """`$INRVID_WEIGHTS_DIR`, else `~/.cache/inrvid/weights`."""
    env = os.environ.get(WEIGHTS_DIR_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "inrvid" / "weights"


def detect_format(path: Path, spec: WeightSpec) -> WeightsFormat:
    """TorchScript archive or plain state dict, from the content; other formats are refused."""
    if path.is_dir():
        kind = "a TF SavedModel folder" if (path / "saved_model.pb").exists() else "a folder"
        raise WeightsError(
            f"{path}: is {kind}, expected a PyTorch file for {spec.detector}\n"
            f"  convert it to {spec.describe_names()} (docs/metrics.md explains the key layout)"
        )
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        if any(n.endswith("constants.pkl") or "/code/" in n for n in names):
            return "torchscript"
        if names and all(n.endswith(".npy") for n in names):
            raise WeightsError(
                f"{path}: is a NumPy/Chainer .npz archive, expected a PyTorch file for "
                f"{spec.detector}\n  convert it to a state dict as docs/metrics.md shows"
            )
    return "state_dict"


def resolve_weights(spec: WeightSpec, weights_path: str | None, metric: str) -> WeightsFile:
    """Find the weight file of `spec` (option -> environment -> weights folder) and hash it.

    Raises one `WeightsError` naming the option, the environment variable, the expected file
    names and the folder to put them in when nothing is found.
    """
    folder = weights_dir()
    candidates: list[tuple[Path, str]] = []
    if weights_path:
        candidates.append((Path(weights_path).expanduser(), f"option {metric}.weights_path"))
    elif os.environ.get(spec.env_var):
        candidates.append((Path(os.environ[spec.env_var]).expanduser(), spec.env_var))
    else:
        candidates.extend((folder / name, f"weights folder {folder}") for name in spec.file_names)
    for path, found_by in candidates:
        if path.exists():
            return WeightsFile(path, found_by, detect_format(path, spec), sha256_file(path))
    if weights_path or os.environ.get(spec.env_var):
        path, found_by = candidates[0]
        raise WeightsError(
            f"{metric}: {spec.detector} weight file {path} (from {found_by}) does not exist\n"
            f"  fix the path; the file is {spec.describe_names()}"
        )
    raise WeightsError(
        f"{metric}: no {spec.detector} weight file: option `weights_path` is not set, "
        f"environment variable {spec.env_var} is not set, and {folder} has no "
        f"{spec.describe_names()}\n"
        f"  set `weights_path: /path/to/{spec.file_names[0]}` in the metric's config, or "
        f"export {spec.env_var}=/path/to/{spec.file_names[0]}, or put {spec.file_names[0]} "
        f"in {folder} (or in ${WEIGHTS_DIR_ENV}); inrvid never downloads weights "
        f"({spec.provenance})"
    )


def load_state_dict_file(path: Path) -> dict[str, Any]:
    """A state dict from `path` with `weights_only=True` (a weight file can never run code)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)  # noqa: TID251
    except Exception as exc:  # torch.load raises many types for a bad file: re-raised as one
        # WeightsError naming the file, with the original chained.
        raise WeightsError(
            f"{path}: does not load as a PyTorch state dict: {type(exc).__name__}: {exc}\n"
            "  check that the file is complete and is a state dict (not a pickled module)"
        ) from exc
    if not isinstance(state, dict):
        raise WeightsError(
            f"{path}: holds a {type(state).__name__}, expected a state dict (name -> tensor)"
        )
    return state


def load_torchscript_file(path: Path) -> torch.jit.ScriptModule:
    """A TorchScript module from `path`, on the CPU.

    torch deprecates TorchScript, but the published detector exports are TorchScript files;
    the deprecation warning is not the user's to act on, so it is silenced here.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return torch.jit.load(str(path), map_location="cpu")
    except Exception as exc:  # re-raised with the file named, as in load_state_dict_file
        raise WeightsError(
            f"{path}: does not load as TorchScript: {type(exc).__name__}: {exc}\n"
            "  check that the file is complete"
        ) from exc
