"""Entry point `datasets`: video datasets and time samplers."""

from __future__ import annotations

from inrvid import Registrar, hookimpl
from inrvid_datasets.folders import (
    FrameFolder,
    FrameFolderConfig,
    TaiChi,
    TaiChiConfig,
    VideoFolder,
    VideoFolderConfig,
)
from inrvid_datasets.kinetics import Kinetics, KineticsConfig
from inrvid_datasets.moving_shapes import MovingShapes, MovingShapesConfig
from inrvid_datasets.samplers import (
    DiganBetaPairs,
    DiganBetaPairsConfig,
    DiganBetaPairsMatched,
    DiganBetaPairsMatchedConfig,
    UniformPairs,
    UniformPairsConfig,
    WholeClip,
    WholeClipConfig,
)
from inrvid_datasets.ucf101 import UCF101, UCF101Config

INRVID_API = "1.1"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the datasets and time samplers."""
    registrar.dataset("moving_shapes", MovingShapesConfig, MovingShapes,
                      summary="procedural shapes with an exact renderer for any time t")
    registrar.dataset("video_folder", VideoFolderConfig, VideoFolder,
                      summary="any tree of videos, optionally one subfolder per class")
    registrar.dataset("ucf101", UCF101Config, UCF101,
                      summary="UCF-101, official layout and split lists; every 16-frame window")
    registrar.dataset("frame_folder", FrameFolderConfig, FrameFolder,
                      summary="one folder of frames per video (Sky Time-lapse); chunks")
    registrar.dataset("taichi", TaiChiConfig, TaiChi,
                      summary="TaiChi-HD: 64-frame chunks split into 4 clips of every 4th frame")
    registrar.dataset("kinetics", KineticsConfig, Kinetics,
                      summary="Kinetics class subsets (DIGAN's 29 food classes); chunks")
    registrar.sampler("digan_beta_pairs", DiganBetaPairsConfig, DiganBetaPairs,
                      summary="DIGAN: t1, t2 from Beta(2,1), Beta(1,2) sorted; real floor(F u)")
    registrar.sampler("digan_beta_pairs_matched", DiganBetaPairsMatchedConfig,
                      DiganBetaPairsMatched,
                      summary="DIGAN's pairs with fake times on the frame grid (matched Δt law)")
    registrar.sampler("uniform_pairs", UniformPairsConfig, UniformPairs,
                      summary="sorted uniform times; real: sorted uniform frame indices")
    registrar.sampler("whole_clip", WholeClipConfig, WholeClip,
                      summary="every frame of the clip at k/(F-1)")

