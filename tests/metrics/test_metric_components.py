import math

import pydantic
import pytest
import torch
from inrvid_metrics.c3d import C3D
from inrvid_metrics.inception import InceptionV3
from inrvid_metrics.layers import init_random

from inrvid.base.errors import DataError
from inrvid.loading.plugins import load_plugins
from inrvid.runtime.scoring.runner import evaluate
from inrvid.runtime.scoring.sources import TensorVideoSource
from inrvid.testing import build_component, check_component, check_config

METRICS = ["fvd", "kvd", "inception_score", "fid", "swd"]
TINY = {"protocol": "proxy", "fake_videos": 2, "real_videos": 2}


def _videos(seed, n=2, t=16, size=32, low=0, high=256):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(low, high, (n, t, 3, size, size), generator=g, dtype=torch.uint8)


class CachedTensorSource(TensorVideoSource):
    """In-memory real videos that declare an identity, so their features may be cached."""

    def __init__(self, videos, key):
        super().__init__(videos, name=f"tensor:{key}")
        self.cache_key = key


@pytest.mark.parametrize("name", METRICS)
def test_every_metric_config_round_trips_rejects_unknown_keys_and_is_described(name):
    metrics = load_plugins().registry("metric")
    check_config(metrics.get(name))
    check_config(metrics.get(name), {"protocol": "stylegan_v_fvd2048_16f"})


def test_an_unknown_protocol_is_rejected_when_the_config_is_read():
    component = load_plugins().registry("metric").get("fvd")
    with pytest.raises(pydantic.ValidationError, match="did you mean 'proxy'"):
        component.config.model_validate({"protocol": "proxi"})


def test_inception_score_refuses_clips_that_are_not_16_frames():
    component = load_plugins().registry("metric").get("inception_score")
    with pytest.raises(pydantic.ValidationError, match="16-frame clips, got frames=128"):
        component.config.model_validate({"protocol": "stylegan_v_fvd2048_128f"})


def test_swd_scores_in_memory_videos_without_weights_zero_for_itself_growing_with_shift():
    cfg = {"protocol": "proxy", "fake_videos": 6, "real_videos": 6, "frames": 4,
           "directions": 64, "repeats": 1}
    swd = check_component("metric", "swd", cfg)
    real = _videos(0, n=6, t=4, size=128, high=200)
    same = swd.compute(TensorVideoSource(real), TensorVideoSource(real))
    assert same["swd"] == 0.0 and same["swd_motion"] == 0.0
    brighter = [
        swd.compute(TensorVideoSource((real.int() + d).clamp(0, 255).to(torch.uint8)),
                    TensorVideoSource(real))["swd"]
        for d in (20, 55)
    ]
    assert 0 < brighter[0] < brighter[1]
    assert swd.provenance()["weights"] is None
    assert swd.provenance()["videos_used"] == {"real": 6, "fake": 6}


def test_evaluate_runs_fvd_kvd_and_swd_end_to_end_with_a_saved_random_i3d(i3d_weights, tmp_path):
    weights = {"weights_path": str(i3d_weights)}
    metrics = {
        "fvd": build_component("metric", "fvd", {**TINY, **weights, "report_kvd": True}),
        "kvd": build_component("metric", "kvd", {**TINY, **weights}),
        "swd": build_component("metric", "swd", {**TINY, "frames": 4, "directions": 32}),
    }
    fake, real = TensorVideoSource(_videos(1)), CachedTensorSource(_videos(2, high=128), "r2")
    result = evaluate(metrics, fake, real, progress=False)

    assert set(result.values) == {"fvd", "kvd", "swd"}
    assert result.values["fvd"]["fvd"] > 0 and result.values["fvd"]["fvd_std"] == 0.0
    assert math.isfinite(result.values["fvd"]["kvd"])
    assert result.values["kvd"]["kvd"] == pytest.approx(result.values["fvd"]["kvd"], rel=1e-9)
    assert result.values["swd"]["swd"] > 0
    assert result.protocols["fvd"]["name"] == "proxy"
    assert result.protocols["fvd"]["fake_videos"] == 2
    assert result.weights["fvd"]["sha256"] == result.weights["kvd"]["sha256"]
    assert len(result.weights["fvd"]["sha256"]) == 64 and result.weights["swd"] is None
    assert result.provenance["fvd"]["features"] == "i3d_kinetics400_logits"
    assert result.provenance["kvd"]["real_cache"] == result.provenance["fvd"]["real_cache"]
    assert result.versions["torch"] == torch.__version__
    assert result.flat()["fvd/fvd"] == result.values["fvd"]["fvd"]


def test_evaluate_refuses_metrics_that_need_real_videos_when_none_are_given():
    swd = build_component("metric", "swd", {**TINY, "frames": 4})
    with pytest.raises(DataError, match="swd compare with real videos"):
        evaluate({"swd": swd}, TensorVideoSource(_videos(0, t=4)), None, progress=False)


def test_inception_score_and_frame_fid_run_from_saved_c3d_and_inception_state_dicts(tmp_path):
    c3d, inception = C3D(), InceptionV3()
    init_random(c3d, seed=1)
    init_random(inception, seed=2)
    torch.save(c3d.state_dict(), tmp_path / "c3d.pt")
    torch.save(inception.state_dict(), tmp_path / "inception.pth")
    del c3d, inception
    is_metric = build_component(
        "metric", "inception_score",
        {"protocol": "tgan2", "fake_videos": 2, "trials": 1,
         "weights_path": str(tmp_path / "c3d.pt")},
    )
    fid = build_component(
        "metric", "fid",
        {"protocol": "tgan2", "fake_videos": 1, "real_videos": 1, "frames": 2, "trials": 1,
         "weights_path": str(tmp_path / "inception.pth")},
    )
    result = evaluate({"is": is_metric}, TensorVideoSource(_videos(3)), None, progress=False)
    assert 1.0 <= result.values["is"]["is"] <= 2.0 + 1e-9                # 2 samples: IS ≤ 2
    assert result.provenance["is"]["features"] == "c3d_ucf101_probabilities"
    fid_result = evaluate({"fid": fid}, TensorVideoSource(_videos(4, n=1, t=2)),
                          TensorVideoSource(_videos(5, n=1, t=2, high=100)), progress=False)
    assert fid_result.values["fid"]["fid"] > 0
    assert fid_result.provenance["fid"]["videos_used"] == {"real": 2, "fake": 2}  # frames
