
import pytest
import torch
from torch import nn

from inrvid.base.errors import DataError
from inrvid.components.generator import Generator
from inrvid.runtime.scoring.protocols import get_protocol
from inrvid.runtime.scoring.sources import (
    FolderVideoSource,
    GeneratorVideoSource,
    TensorVideoSource,
)


class _RampGenerator(Generator):
    """Frames whose value is |z_content[0]|/10 + time, to check times and the uint8 cast."""

    def __init__(self):
        super().__init__()
        self.content_dim, self.motion_dim = 4, 2
        self.anchor = nn.Parameter(torch.zeros(()))

    def forward(self, z_content, z_motion, times, scale=1):
        value = z_content[:, :1].abs() * 0.1 + times                     # b t, >= times
        return value[:, :, None, None, None].expand(-1, -1, 3, 8, 8) + self.anchor


def test_generator_source_renders_times_k_over_f_minus_1_and_casts_to_uint8():
    source = GeneratorVideoSource(_RampGenerator(), seed=0)
    assert source.times(5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    batches = list(source.iter_videos(5, 5, batch_size=2))
    assert [b.shape for b in batches] == [(2, 5, 3, 8, 8), (2, 5, 3, 8, 8), (1, 5, 3, 8, 8)]
    video = torch.cat(batches)
    assert video.dtype == torch.uint8
    assert (video[:, 1:].int() - video[:, :-1].int() >= 0).all()    # brighter with time
    assert (video[:, -1] == 255).all()                               # values past 1 are clamped


def test_generator_source_draws_fresh_latents_per_call_and_repeats_for_a_seed():
    first = next(GeneratorVideoSource(_RampGenerator(), seed=3).iter_videos(4, 2, 4))
    source = GeneratorVideoSource(_RampGenerator(), seed=3)
    again, later = next(source.iter_videos(4, 2, 4)), next(source.iter_videos(4, 2, 4))
    assert torch.equal(first, again) and not torch.equal(again, later)


def test_generator_source_renders_long_videos_in_chunks_of_times():
    whole = GeneratorVideoSource(_RampGenerator(), seed=1, time_step=0.01)
    chunked = GeneratorVideoSource(_RampGenerator(), seed=1, time_step=0.01, frames_per_call=3)
    assert torch.equal(next(whole.iter_videos(2, 8, 2)), next(chunked.iter_videos(2, 8, 2)))


def test_tensor_source_takes_the_first_videos_or_random_ones_with_a_seed():
    videos = torch.arange(6, dtype=torch.uint8).view(6, 1, 1, 1, 1).expand(6, 3, 3, 2, 2)
    ordered = torch.cat(list(TensorVideoSource(videos).iter_videos(4, 2, 3)))
    assert ordered[:, 0, 0, 0, 0].tolist() == [0, 1, 2, 3] and ordered.shape[1] == 2
    shuffled = TensorVideoSource(videos, seed=0)
    draws = [torch.cat(list(shuffled.iter_videos(6, 3, 6)))[:, 0, 0, 0, 0] for _ in range(2)]
    assert sorted(draws[0].tolist()) == list(range(6)) and not torch.equal(*draws)
    with pytest.raises(DataError, match="asked for 7 videos"):
        next(TensorVideoSource(videos).iter_videos(7, 3, 2))


def test_folder_source_reads_random_windows_of_frame_folders_at_the_protocol_size(
    tmp_path, data
):
    folders = data / "frames"
    (tmp_path / "short").symlink_to(folders / "mmaction2_imgs")          # 10 frames
    (tmp_path / "pitch").symlink_to(folders / "v_BaseballPitch_g01_c01")  # 107 frames
    protocol = get_protocol("proxy", frames=16, resolution=32)
    source = FolderVideoSource.for_protocol(tmp_path, protocol)
    batches = list(source.iter_videos(3, 16, batch_size=2))
    assert [tuple(b.shape) for b in batches] == [(2, 16, 3, 32, 32), (1, 16, 3, 32, 32)]
    assert source.lengths() == [107, 10]                              # sorted: pitch, short
    assert source.cache_key == FolderVideoSource.for_protocol(tmp_path, protocol).cache_key


def test_folder_source_first_videos_drops_videos_shorter_than_a_clip(tmp_path, data):
    folders = data / "frames"
    (tmp_path / "a").symlink_to(folders / "mmaction2_imgs")
    (tmp_path / "b").symlink_to(folders / "v_BaseballPitch_g01_c01")
    source = FolderVideoSource(tmp_path, selection="first_videos", resolution=16)
    clips = torch.cat(list(source.iter_videos(5, 12, batch_size=4)))
    assert clips.shape == (1, 12, 3, 16, 16)


def test_folder_source_without_videos_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no videos found"):
        FolderVideoSource(tmp_path)
