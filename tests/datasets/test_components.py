"""Every registered dataset passes the contract check; clip layouts follow docs/reference/digan.md §4.3."""

from __future__ import annotations

from pathlib import Path

import pytest
from inrvid_datasets.layout import ClipLayout, digan_layout

from inrvid.loading.plugins import load_plugins
from inrvid.testing import check_component

SMALL = {"resolution": 16, "clip_frames": 4}


def test_every_dataset_of_the_plugin_passes_check_component(data: Path, ucf_root: Path,
                                                          tmp_path: Path):
    kinetics = tmp_path / "kinetics" / "train"
    for name in ("making tea", "peeling apples"):
        (kinetics / name).mkdir(parents=True)
    (kinetics / "making tea" / "a.avi").symlink_to(data / "ucf101/videos/Punch/v_Punch_g03_c01.avi")
    (kinetics / "peeling apples" / "b.mp4").symlink_to(data / "videos/realshort.mp4")
    configs = {
        "moving_shapes": SMALL,
        "video_folder": {**SMALL, "root": str(data / "videos")},
        "ucf101": {**SMALL, "root": str(ucf_root)},
        "frame_folder": {**SMALL, "root": str(data / "frames")},
        "taichi": {**SMALL, "root": str(data / "frames/v_BaseballPitch_g01_c01")},
        "kinetics": {**SMALL, "root": str(tmp_path / "kinetics"),
                     "classes": ["peeling_apples", "Making Tea"]},
    }
    assert set(configs) == {c.name for c in load_plugins().registry("dataset")
                            if c.origin.entry_point == "datasets"}
    for name, config in configs.items():
        built = check_component("dataset", name, config)
        assert built.video_spec.frames == 4 and built.video_spec.height == 16
    kin = check_component("dataset", "kinetics", configs["kinetics"])
    assert [(v.path.name, v.label) for v in kin.videos] == [("b.mp4", 0), ("a.avi", 1)]


def test_digan_layouts_cut_clips_as_the_reference_says():
    ucf = digan_layout("ucf101", 16)
    assert ucf.count(20) == 5 and ucf.indices(4) == list(range(4, 20))
    sky = digan_layout("sky", 16)
    assert sky.count(47) == 2 and sky.indices(1) == list(range(16, 32))   # remainder dropped
    taichi = digan_layout("taichi", 16)
    assert taichi.count(130) == 8                                           # two 64-frame chunks
    assert taichi.indices(0) == list(range(0, 64, 4))
    assert taichi.indices(3) == list(range(3, 64, 4))
    assert taichi.indices(5) == list(range(65, 128, 4))
    assert taichi.count(63) == 0
    assert ClipLayout(4, step=3, frame_stride=2).count(10) == 2            # starts 0, 3


def test_frame_folder_clips_are_non_overlapping_chunks_of_the_sorted_frames(data: Path):
    ds = check_component("dataset", "frame_folder",
                         {**SMALL, "root": str(data / "frames"), "clip_frames": 16})
    frames = {v.path.name: v.info.frames for v in ds.videos}
    assert frames == {"v_BaseballPitch_g01_c01": 107}
    assert len(ds) == 107 // 16
    assert [Path(s.path).name for s in ds.summary().skipped] == ["mmaction2_imgs"]
    assert "too short: got 10 frames" in ds.summary().skipped[0].reason


@pytest.mark.parametrize("field", ["root", "resolution", "clip_frames", "hflip", "index_dir"])
def test_dataset_config_fields_are_described(field):
    config = load_plugins().registry("dataset").get("ucf101").config
    assert config.model_fields[field].description
