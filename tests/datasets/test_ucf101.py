"""`ucf101` over the official layout: labels from classInd.txt, split selection, clip tensors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from inrvid.base.errors import DataError
from inrvid.base.pixels import centre_crop_resize
from inrvid.testing import build_component
from inrvid.video import open_video


def class_ids(data: Path) -> dict[str, int]:
    lines = (data / "ucf101/splits/classInd.txt").read_text().splitlines()
    return {name: int(i) - 1 for i, name in (line.split() for line in lines if line.strip())}


@pytest.fixture(scope="module")
def ucf(ucf_root: Path):
    return build_component("dataset", "ucf101", {"root": str(ucf_root)})


def test_ucf101_labels_come_from_class_ind_and_clips_are_16x3x128x128_uint8(ucf, data: Path):
    ids = class_ids(data)
    assert len(ucf.classes) == 101 and ucf.classes[ids["Punch"]] == "Punch"
    assert {v.path.parent.name: v.label for v in ucf.videos} == {
        v.path.parent.name: ids[v.path.parent.name] for v in ucf.videos}
    assert len(ucf.videos) == 8
    item = ucf[0]
    assert item["video"].shape == (16, 3, 128, 128) and item["video"].dtype == torch.uint8
    assert item["label"] == ucf.videos[0].label and item["index"] == 0


def test_ucf101_has_every_16_frame_window_with_start_step_1(ucf):
    frames = {v.path.name: v.info.frames for v in ucf.videos}
    assert frames["v_Punch_g03_c01.avi"] == 108
    assert len(ucf) == sum(n - 15 for n in frames.values())
    video, indices = ucf.locate(len(ucf) - 1)
    assert indices == list(range(video.info.frames - 16, video.info.frames))
    _, second = ucf.locate(1)
    assert second == list(range(1, 17))


def test_ucf101_clip_is_the_centre_crop_of_the_source_frames_flipped_as_decided(ucf):
    for index in (0, 5, 777):
        video, indices = ucf.locate(index)
        source = open_video(video.path).read(indices)                       # f c 240 320
        expected = centre_crop_resize(source, 128)
        if ucf.flipped(index):
            expected = expected.flip(-1)
        assert torch.equal(ucf[index]["video"], expected)


def test_ucf101_split_selection_reads_only_the_listed_videos(ucf_root: Path):
    test_only = build_component("dataset", "ucf101", {"root": str(ucf_root),
                                                      "splits": ["testlist01"]})
    assert len(test_only.videos) == 8
    missing = test_only.summary().skipped[0]
    assert missing.path.startswith("3775 videos listed in testlist01")   # 3783 listed, 8 here
    with pytest.raises(DataError, match="no usable video"):
        build_component("dataset", "ucf101", {"root": str(ucf_root), "splits": ["trainlist01"]})
    with pytest.raises(DataError, match=r"trainlist09\.txt"):
        build_component("dataset", "ucf101", {"root": str(ucf_root), "splits": ["trainlist09"]})


def test_missing_dataset_folder_error_names_the_absolute_path_and_what_was_expected(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as err:
        build_component("dataset", "ucf101", {"root": "data/nothing"})
    message = str(err.value)
    assert str(tmp_path / "data" / "nothing") in message
    assert "data.root (ucf101 dataset): no such folder" in message
    assert "<Class>/v_<Class>_gXX_cYY.avi" in message
