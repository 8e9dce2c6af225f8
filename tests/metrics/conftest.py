import pytest
import torch
from inrvid_metrics.i3d import InceptionI3d
from inrvid_metrics.layers import init_random


@pytest.fixture(autouse=True)
def _isolated_weights_and_cache(monkeypatch, tmp_path):
    """No test sees the user's weights, weight folder or feature cache."""
    for var in ("INRVID_I3D_WEIGHTS", "INRVID_C3D_WEIGHTS", "INRVID_INCEPTION_WEIGHTS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("INRVID_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setenv("INRVID_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def i3d_weights(tmp_path_factory):
    """A randomly initialised I3D saved as a plain state dict with torch.save."""
    model = InceptionI3d(400)
    init_random(model, seed=0)
    path = tmp_path_factory.mktemp("i3d") / "i3d_pretrained_400.pt"
    torch.save(model.state_dict(), path)
    return path
