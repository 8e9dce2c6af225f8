"""Reading real videos: metadata, exact random access, and errors that name file and reason."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import av
import pytest
import torch

from inrvid.base.errors import DataError
from inrvid.loading.plugins import load_plugins
from inrvid.video import VideoInfo, VideoReader, open_video
from inrvid.video.frames import natural_key
from inrvid.video.reader import compress_runs, expand_runs
from tests.conftest import have_shared_data
from tests.media import GENERATED

# path under shared/data -> (frames that decode, fps, width, height), from its README.
REAL_VIDEOS = {
    "ucf101/videos/ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi": (164, 25, 320, 240),
    "ucf101/videos/BaseballPitch/v_BaseballPitch_g01_c01.avi": (107, 29.97, 320, 240),
    "ucf101/videos/Basketball/v_Basketball_g01_c01.avi": (141, 29.97, 320, 240),
    "ucf101/videos/Biking/v_Biking_g01_c03.avi": (151, 29.97, 320, 240),
    "ucf101/videos/Biking/v_Biking_g05_c02.avi": (201, 29.97, 320, 240),
    "ucf101/videos/HeadMassage/v_HeadMassage_g02_c05.avi": (307, 25, 320, 240),
    "ucf101/videos/Punch/v_Punch_g03_c01.avi": (108, 25, 320, 240),
    "ucf101/videos/Shotput/v_Shotput_g05_c02.avi": (130, 25, 320, 240),
    "videos/demo.mp4": (280, 28, 340, 256),
    "videos/realshort.mp4": (36, 30.02, 320, 240),
    "videos/cockatoo.mp4": (280, 20, 1280, 720),
    "videos/echo-hereweare.webm": (836, 30, 480, 270),
    "videos/v_CricketShot_g04_c01_rgb.gif": (79, 25, 224, 224),
    "frames/mmaction2_imgs": (10, 25, 320, 240),
    "frames/v_BaseballPitch_g01_c01": (107, 25, 320, 240),
    "videos/corrupt/v_Punch_g03_c01_TRUNCATED_HALF.avi": (52, 25, 320, 240),
}
# without the real clips, the stand-ins of tests/media.py (same names and frame counts)
VIDEOS = REAL_VIDEOS if have_shared_data() else GENERATED


def digest(frame: torch.Tensor) -> str:
    return hashlib.sha1(frame.contiguous().numpy().tobytes()).hexdigest()


def probe_indices(info: VideoInfo, count: int, seed: int) -> list[int]:
    """Keyframes and their neighbours, both ends, and random frames."""
    n = info.frames
    picks = {0, n - 1}
    rng = random.Random(seed)
    keys = sorted(rng.sample(info.keyframes, min(5, len(info.keyframes))))
    for k in keys:
        picks.update(i for i in (k - 1, k, k + 1, k + 5) if 0 <= i < n)
    picks.update(rng.randrange(n) for _ in range(count))
    return sorted(picks)


def sequential_digests(path: Path, wanted: set[int]) -> tuple[int, dict[int, str]]:
    """An independent sequential decode with PyAV: (frames decoded, digests of `wanted`)."""
    if path.is_dir():
        files = sorted(path.iterdir(), key=lambda p: natural_key(p.name))
        frames = [av.open(str(f)) for f in files]
        decoded = (next(c.decode(video=0)) for c in frames)
    else:
        container = av.open(str(path))
        decoded = container.decode(video=0)
    out, count = {}, 0
    try:
        for i, frame in enumerate(decoded):
            count = i + 1
            if i in wanted:
                out[i] = digest(torch.from_numpy(frame.to_ndarray(format="rgb24")).permute(2, 0, 1))
    except av.FFmpegError:
        pass                                                  # a cut file ends early
    return count, out


@pytest.mark.parametrize("name", sorted(VIDEOS))
def test_every_shared_video_decodes_and_seeking_gives_the_sequential_frames(data: Path, name: str):
    frames, fps, width, height = VIDEOS[name]
    reader = open_video(data / name)
    info = reader.info
    assert (info.frames, info.width, info.height) == (frames, width, height)
    assert info.fps == pytest.approx(fps, abs=0.01)

    big = width * height > 500_000                           # 720p: fewer single seeks
    wanted = probe_indices(info, 4 if big else 12, seed=len(name))
    count, sequential = sequential_digests(data / name, set(wanted))
    assert count == frames
    assert tuple(reader.frame(0).shape) == (3, height, width)
    order = wanted[:]
    random.Random(1).shuffle(order)
    for i in order[: 5 if big else None]:                    # single seeks in random order
        assert digest(reader.frame(i)) == sequential[i], f"{name}: frame {i} differs after a seek"
    batch = reader.read(order)                               # one call, unsorted
    assert [digest(f) for f in batch] == [sequential[i] for i in order]
    if not big:
        assert len(list(reader)) == frames                   # the reader's own sequential pass
    reader.close()


def test_seek_table_survives_a_json_round_trip_and_is_compact(data: Path):
    info = open_video(data / "videos/demo.mp4").info
    assert VideoInfo.from_json(info.to_json()) == info
    assert len(info.to_json()["pts"]) < info.frames / 4      # runs, not one number per frame
    values = [0, 3, 6, 9, 10, 11, 20, 20, 7]
    assert list(expand_runs(compress_runs(values))) == values


def test_truncated_avi_decodes_its_first_half_and_reports_the_claimed_count(data: Path):
    info = open_video(data / "videos/corrupt/v_Punch_g03_c01_TRUNCATED_HALF.avi").info
    assert info.frames == 52 and info.claimed_frames == 108
    assert "claims 108 frames, only 52 decode" in info.truncation()
    full = open_video(data / "ucf101/videos/Punch/v_Punch_g03_c01.avi")
    assert full.info.truncation() == ""
    cut = open_video(data / "videos/corrupt/v_Punch_g03_c01_TRUNCATED_HALF.avi")
    # Every frame before the cut is intact (the last one, decoded from a cut packet, is not).
    assert torch.equal(cut.read(range(51)), full.read(range(51)))


def test_frame_folder_matches_the_avi_it_was_extracted_from(data: Path):
    folder = open_video(data / "frames/v_BaseballPitch_g01_c01")
    avi = open_video(data / "ucf101/videos/BaseballPitch/v_BaseballPitch_g01_c01.avi")
    picks = [0, 50, 106]
    diff = (folder.read(picks).float() - avi.read(picks).float()).abs().mean(dim=(1, 2, 3))
    assert (diff <= 2.0).all(), diff                           # README: mean abs diff <= 2/255


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_text("this is not a video\n" * 50), "PyAV cannot open it"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
    ids=["zero-byte", "text-named-mp4", "directory-named-mp4"],
)
def test_undecodable_file_raises_a_data_error_naming_file_and_reason(tmp_path, make, reason):
    path = tmp_path / "x.mp4"
    make(path)
    with pytest.raises(DataError) as err:
        open_video(path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_mp4_with_its_index_cut_off_is_reported_as_unopenable(data: Path):
    path = data / "videos/corrupt/realshort_TRUNCATED_HALF.mp4"
    with pytest.raises(DataError, match="PyAV cannot open it") as err:
        open_video(path)
    assert str(path) in str(err.value)


def test_missing_path_error_gives_the_absolute_path_tried(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as err:
        open_video("nowhere/clip.mp4")
    assert str(tmp_path / "nowhere" / "clip.mp4") in str(err.value)


class _ConstantReader(VideoReader):
    def scan(self) -> VideoInfo:
        return VideoInfo(frames=3, fps=10.0, width=4, height=2)

    def read(self, indices):
        return torch.stack([torch.full((3, 2, 4), i, dtype=torch.uint8) for i in indices])

    def __iter__(self):
        return iter(self.read(range(3)))


class _FakeFormatPlugin:
    from inrvid import hookimpl

    @staticmethod
    @hookimpl
    def inrvid_open_video(path: Path) -> VideoReader | None:
        return _ConstantReader(path) if path.suffix == ".const" else None


def test_a_plugin_reader_is_asked_before_the_core_pyav_reader(tmp_path, data: Path):
    plugins = load_plugins()
    plugins.pm.register(_FakeFormatPlugin(), name="test-const-reader")
    path = tmp_path / "a.const"
    path.write_text("anything")
    reader = open_video(path, plugins)
    assert isinstance(reader, _ConstantReader)
    assert reader.read([2, 0])[:, 0, 0, 0].tolist() == [2, 0]
    assert open_video(data / "videos/realshort.mp4", plugins).info.frames == 36  # core still used
