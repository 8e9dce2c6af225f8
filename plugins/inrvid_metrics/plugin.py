"""Entry point `metrics`: FVD, KVD, IS, FID and SWD with their feature networks."""

from __future__ import annotations

from inrvid import Registrar, hookimpl
from inrvid_metrics.fid import FID, FIDConfig
from inrvid_metrics.fvd import FVD, KVD, FVDConfig, KVDConfig
from inrvid_metrics.inception_score import InceptionScore, InceptionScoreConfig
from inrvid_metrics.swd import SWD, SWDConfig

INRVID_API = "1.1"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the metrics."""
    registrar.metric(
        "fvd", FVDConfig, FVD, summary="Fréchet Video Distance on I3D Kinetics-400 logits"
    )
    registrar.metric(
        "kvd", KVDConfig, KVD, summary="Kernel Video Distance (polynomial MMD²) on I3D logits"
    )
    registrar.metric(
        "inception_score", InceptionScoreConfig, InceptionScore,
        summary="video Inception Score with the UCF-101 C3D classifier",
    )
    registrar.metric(
        "fid", FIDConfig, FID, summary="frame FID on Inception-v3 pool features"
    )
    registrar.metric(
        "swd", SWDConfig, SWD,
        summary="multi-scale patch sliced Wasserstein distance on frames and motion (no weights)",
    )
