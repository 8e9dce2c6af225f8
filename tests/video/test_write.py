"""Writing MP4, GIF and grids, read back with the same frame count, size and close pixels."""

from __future__ import annotations

import math

import pytest
import torch

from inrvid.base.errors import DataError
from inrvid.video import open_video, tile_grid, to_uint8, write_grid, write_video
from inrvid.video import writer as writer_module


def smooth_video(frames: int, height: int, width: int) -> torch.Tensor:
    """A moving colour blob over a gradient: uint8 `f c h w`, smooth like natural video."""
    y = torch.linspace(-1, 1, height)[:, None]
    x = torch.linspace(-1, 1, width)[None, :]
    out = []
    for k in range(frames):
        cx, cy = 0.5 * math.sin(k / 3), 0.4 * math.cos(k / 4)
        blob = torch.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 0.15)
        ramp = (0.3 + 0.3 * (x + 1) / 2).expand_as(blob)
        out.append(torch.stack([0.2 + 0.7 * blob, ramp, 0.8 - 0.5 * blob]))
    return (torch.stack(out) * 255).round().to(torch.uint8)


def errors(a: torch.Tensor, b: torch.Tensor) -> tuple[float, float]:
    diff = (a.float() - b.float()).abs()
    return diff.mean().item(), torch.quantile(diff.flatten(), 0.99).item()


def test_mp4_round_trip_keeps_count_size_and_pixels_within_tolerance(tmp_path):
    video = smooth_video(12, 48, 64)
    codec = write_video(tmp_path / "a.mp4", video, fps=25)
    assert codec == "libx264"
    back = open_video(tmp_path / "a.mp4")
    assert back.info.frames == 12 and back.size == (48, 64)
    assert back.fps == pytest.approx(25)
    mean, p99 = errors(back.read_all(), video)
    assert mean <= 3.0 and p99 <= 16.0, (mean, p99)         # stated tolerance: crf 18, yuv420p


def test_mp4_with_odd_size_is_written_in_yuv444_and_keeps_its_size(tmp_path):
    video = smooth_video(5, 33, 47)
    write_video(tmp_path / "odd.mp4", video, fps=30)
    back = open_video(tmp_path / "odd.mp4")
    assert back.size == (33, 47) and back.info.frames == 5
    assert errors(back.read_all(), video)[0] <= 2.0


def test_gif_round_trip_keeps_count_size_and_palette_error_is_small(tmp_path):
    video = smooth_video(10, 40, 40)
    write_video(tmp_path / "a.gif", video, fps=25)
    back = open_video(tmp_path / "a.gif")
    assert back.info.frames == 10 and back.size == (40, 40)
    assert back.fps == pytest.approx(25)
    mean, p99 = errors(back.read_all(), video)
    assert mean <= 4.0 and p99 <= 16.0, (mean, p99)          # stated tolerance: 256 colours


def test_without_h264_the_writer_warns_and_names_the_codec_it_used(tmp_path, monkeypatch):
    real = writer_module.has_encoder
    monkeypatch.setattr(writer_module, "has_encoder",
                        lambda name: name not in writer_module.H264_ENCODERS and real(name))
    video = smooth_video(6, 32, 32)
    with pytest.warns(UserWarning, match="mpeg4"):
        codec = write_video(tmp_path / "b.mp4", video, fps=25)
    assert codec == "mpeg4"
    back = open_video(tmp_path / "b.mp4")
    assert back.info.frames == 6 and back.info.codec == "mpeg4"
    assert errors(back.read_all(), video)[0] <= 4.0


def test_tile_grid_puts_each_video_in_its_cell_row_by_row():
    videos = torch.stack([torch.full((3, 3, 4, 5), 10 * (i + 1), dtype=torch.uint8)
                          for i in range(5)])                 # b f c h w
    grid = tile_grid(videos, columns=3, padding=1)
    assert grid.shape == (3, 3, 2 * 6, 3 * 7)
    for i in range(6):
        r, k = divmod(i, 3)
        cell = grid[:, :, r * 6 + 1 : r * 6 + 5, k * 7 + 1 : k * 7 + 6]
        assert (cell == (10 * (i + 1) if i < 5 else 0)).all()
    assert (grid[:, :, 0, :] == 0).all()                      # padding


def test_write_grid_writes_one_file_of_the_tiled_size(tmp_path):
    videos = torch.stack([smooth_video(4, 16, 16)] * 4)
    write_grid(tmp_path / "grid.mp4", videos, fps=10, columns=2, padding=2)
    back = open_video(tmp_path / "grid.mp4")
    assert back.size == (40, 40) and back.info.frames == 4


def test_writer_rejects_float_frames_and_points_to_to_uint8(tmp_path):
    with pytest.raises(DataError, match="to_uint8"):
        write_video(tmp_path / "c.mp4", torch.zeros(2, 3, 8, 8), fps=10)
    assert to_uint8(torch.tensor([-1.0, 0.0, 1.0, 3.0])).tolist() == [0, 128, 255, 255]
