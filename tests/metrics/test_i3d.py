import pytest
import torch
from inrvid_metrics.extractors import I3DFeatures
from inrvid_metrics.i3d import InceptionI3d, i3d_temporal_positions
from inrvid_metrics.weights import I3D_WEIGHTS, resolve_weights

from inrvid.base.errors import ShapeError


def test_state_dict_keys_and_shapes_follow_the_documented_i3d_layout():
    state = InceptionI3d(400).state_dict()
    assert list(state["Conv3d_1a_7x7.conv3d.weight"].shape) == [64, 3, 7, 7, 7]
    assert list(state["Mixed_3b.b1b.conv3d.weight"].shape) == [128, 96, 3, 3, 3]
    assert list(state["logits.conv3d.weight"].shape) == [400, 1024, 1, 1, 1]
    assert list(state["logits.conv3d.bias"].shape) == [400]
    assert not any("num_batches_tracked" in k for k in state)
    assert "Conv3d_1a_7x7.conv3d.bias" not in state
    for part in ("weight", "bias", "running_mean", "running_var"):
        assert f"Conv3d_1a_7x7.bn.{part}" in state
    tops = {k.split(".")[0] for k in state}
    assert tops == {"Conv3d_1a_7x7", "Conv3d_2b_1x1", "Conv3d_2c_3x3", "Mixed_3b", "Mixed_3c",
                    "Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_4f", "Mixed_5b",
                    "Mixed_5c", "logits"}
    branches = {k.split(".")[1] for k in state if k.startswith("Mixed_4c.")}
    assert branches == {"b0", "b1a", "b1b", "b2a", "b2b", "b3b"}


def test_temporal_arithmetic_16_and_9_frames_leave_one_position_128_leave_15_8_none():
    assert [i3d_temporal_positions(t) for t in (16, 9, 128, 8)] == [1, 1, 15, 0]


def test_eight_frame_clips_are_refused_before_any_computation():
    with pytest.raises(ShapeError, match="at least 9 frames"):
        InceptionI3d(400).logits_per_position(torch.zeros(1, 3, 8, 224, 224))


def test_i3d_loads_a_saved_state_dict_found_by_lookup_and_returns_400_logits(
    i3d_weights, monkeypatch
):
    monkeypatch.setenv("INRVID_I3D_WEIGHTS", str(i3d_weights))
    weights = resolve_weights(I3D_WEIGHTS, None, "fvd")
    assert weights.format == "state_dict" and weights.found_by == "INRVID_I3D_WEIGHTS"
    extractor = I3DFeatures(weights, torch.device("cpu"))
    reference = torch.load(i3d_weights, weights_only=True)  # noqa: TID251
    loaded = extractor.net.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in reference.items())

    clips = torch.rand(2, 3, 16, 224, 224, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        per_position = extractor.net.logits_per_position(clips)
    assert per_position.shape == (2, 400, 1)
    assert torch.isfinite(per_position).all()
    assert not torch.allclose(per_position[0], per_position[1])
