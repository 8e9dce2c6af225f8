import hashlib
import zipfile

import numpy as np
import pytest
import torch
from inrvid_metrics.extractors import I3DFeatures
from inrvid_metrics.weights import (
    C3D_WEIGHTS,
    I3D_WEIGHTS,
    detect_format,
    resolve_weights,
    weights_dir,
)

from inrvid.base.errors import WeightsError
from inrvid.testing import build_component


def test_building_fvd_without_a_weight_file_names_option_variable_file_and_folder():
    with pytest.raises(WeightsError) as info:
        build_component("metric", "fvd")
    message = str(info.value)
    assert "weights_path" in message
    assert "INRVID_I3D_WEIGHTS" in message
    assert "i3d_pretrained_400.pt" in message
    assert str(weights_dir()) in message and "INRVID_WEIGHTS_DIR" in message
    assert "never downloads" in message


@pytest.mark.parametrize("name", ["kvd", "inception_score", "fid"])
def test_every_weighted_metric_fails_at_build_time_without_weights(name):
    with pytest.raises(WeightsError, match=r"INRVID_(I3D|C3D|INCEPTION)_WEIGHTS"):
        build_component("metric", name)


def test_lookup_order_is_option_then_environment_then_weights_folder(tmp_path, monkeypatch):
    folder_file = weights_dir() / "i3d_pretrained_400.pt"
    folder_file.parent.mkdir(parents=True)
    folder_file.write_bytes(b"folder")
    env_file, option_file = tmp_path / "env.pt", tmp_path / "option.pt"
    env_file.write_bytes(b"env")
    option_file.write_bytes(b"option")
    assert resolve_weights(I3D_WEIGHTS, None, "fvd").path == folder_file
    monkeypatch.setenv("INRVID_I3D_WEIGHTS", str(env_file))
    assert resolve_weights(I3D_WEIGHTS, None, "fvd").path == env_file
    found = resolve_weights(I3D_WEIGHTS, str(option_file), "fvd")
    assert found.path == option_file and found.found_by == "option fvd.weights_path"
    assert found.sha256 == hashlib.sha256(b"option").hexdigest()


def test_an_explicit_path_that_does_not_exist_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    folder_file = weights_dir() / "c3d_ucf101.pt"
    folder_file.parent.mkdir(parents=True)
    folder_file.write_bytes(b"x")
    monkeypatch.setenv("INRVID_C3D_WEIGHTS", str(tmp_path / "missing.pt"))
    with pytest.raises(WeightsError, match=r"missing\.pt \(from INRVID_C3D_WEIGHTS\) does not"):
        resolve_weights(C3D_WEIGHTS, None, "inception_score")


def test_tf_savedmodel_folders_and_npz_archives_are_refused_with_a_conversion_hint(tmp_path):
    saved = tmp_path / "i3d-kinetics-400"
    saved.mkdir()
    (saved / "saved_model.pb").write_bytes(b"")
    with pytest.raises(WeightsError, match="TF SavedModel"):
        detect_format(saved, I3D_WEIGHTS)
    npz = tmp_path / "conv3d_deepnetA_ucf.npz"
    np.savez(npz, W=np.zeros(3))
    with pytest.raises(WeightsError, match="convert it"):
        detect_format(npz, C3D_WEIGHTS)


def test_a_state_dict_with_the_wrong_layout_lists_missing_and_unexpected_keys(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"conv.weight": torch.zeros(3)}, path)
    with pytest.raises(WeightsError) as info:
        I3DFeatures(resolve_weights(I3D_WEIGHTS, str(path), "fvd"), torch.device("cpu"))
    message = str(info.value)
    assert "missing: Conv3d_1a_7x7.conv3d.weight" in message
    assert "unexpected: conv.weight" in message


class _TinyI3DExport(torch.nn.Module):
    """Stands in for StyleGAN-V's TorchScript I3D: same call signature, 400 outputs."""

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(3, 400)

    def forward(self, x: torch.Tensor, rescale: bool = True, resize: bool = True,
                return_features: bool = False) -> torch.Tensor:
        if rescale or resize or not return_features:
            raise RuntimeError("inrvid must pass prepared input")
        return self.proj(x.mean(dim=(2, 3, 4)))


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_a_torchscript_i3d_is_detected_and_called_with_prepared_input(tmp_path):
    path = tmp_path / "i3d_torchscript.pt"
    torch.jit.script(_TinyI3DExport()).save(str(path))
    assert zipfile.is_zipfile(path)
    weights = resolve_weights(I3D_WEIGHTS, str(path), "fvd")
    assert weights.format == "torchscript"
    videos = torch.randint(0, 256, (3, 9, 3, 20, 20), dtype=torch.uint8)
    features = I3DFeatures(weights, torch.device("cpu"))(videos)
    assert features.shape == (3, 400) and features.dtype == torch.float64
