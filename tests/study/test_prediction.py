"""The prediction score against moving_shapes' analytic frames, on cases with known answers."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from inrvid.base.errors import DataError
from inrvid.components.dataset import GroundTruthVideos
from inrvid.components.generator import Generator
from inrvid.components.registry import VideoSpec
from inrvid.evaluation.prediction import (
    PredictionConfig,
    band_times,
    ground_truth_of,
    hold_last_fitted,
    score_prediction,
)
from inrvid.generation.quality import SSIM_K1, SSIM_K2, gaussian_window
from inrvid.testing import build_component

VIDEO = VideoSpec(frames=8, height=16, width=16, fps=8.0)


def shapes(speed: float = 1.0) -> GroundTruthVideos:
    dataset = build_component("dataset", "moving_shapes", {
        "resolution": 16, "clip_frames": 8, "videos": 5, "shapes": 1, "speed": speed})
    return ground_truth_of(dataset, "test")


class Oracle(Generator):
    """Renders held-out video i's true frames in row i, shifted by 0.05 * z_content.

    The inversion must drive z_content to 0 to match the truth, so a working fit scores
    nearly perfectly and a broken one does not.
    """

    def __init__(self, truth: GroundTruthVideos, videos: list[int]) -> None:
        super().__init__()
        self.truth, self.videos = truth, videos
        self.content_dim, self.motion_dim = 1, 0
        self.anchor = nn.Parameter(torch.zeros(()))  # a parameter: callers find the device
        self.rendered: dict[tuple[int, bytes], Tensor] = {}  # the fit asks for the same times

    def true(self, video: int, times: Tensor) -> Tensor:
        key = (video, times.numpy().tobytes())
        if key not in self.rendered:
            self.rendered[key] = self.truth.render(video, times, VIDEO.height)
        return self.rendered[key]

    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1) -> Tensor:
        frames = torch.stack([self.true(self.videos[i], times[i])
                              for i in range(z_content.shape[0])])              # b t c h w
        return frames * 2 - 1 + 0.05 * z_content[:, :, None, None, None] + self.anchor


class Constant(Generator):
    """Renders every pixel at `level` (in [-1, 1]) whatever the latents and times."""

    def __init__(self, level: float) -> None:
        super().__init__()
        self.content_dim, self.motion_dim, self.level = 2, 2, level
        self.anchor = nn.Parameter(torch.zeros(()))

    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1) -> Tensor:
        b, t = times.shape
        shift = 0 * (z_content.sum() + (z_motion.sum() if z_motion is not None else 0))
        return torch.full((b, t, 3, VIDEO.height, VIDEO.width), self.level) + shift + self.anchor


def test_bands_cover_fitted_half_steps_and_the_future_up_to_twice_the_clip():
    times = band_times(clip_frames=8, fitted_frames=4, horizon=2.0)
    step = 1 / 7
    assert torch.allclose(times["fitted"], torch.arange(4, dtype=torch.float64) * step)
    assert torch.allclose(times["interpolated"], (torch.arange(3) + 0.5).double() * step)
    assert times["extrapolated"][0] == pytest.approx(4 * step)
    assert times["extrapolated"][-1] == pytest.approx(2.0)        # twice the clip's duration
    assert times["past_end"][0] == pytest.approx(8 * step) and times["past_end"][0] > 1
    with pytest.raises(DataError, match=r"fitted_frames: got 8, expected 2 \.\. 7"):
        band_times(clip_frames=8, fitted_frames=8, horizon=2.0)


def test_a_generator_rendering_the_truth_scores_above_40_db_on_held_out_videos():
    truth = shapes()
    cfg = PredictionConfig(videos=2, fitted_frames=4, steps=150, lr=0.1)
    held_out = truth.held_out_videos(2)
    assert held_out == [5, 6]                            # past the 5 training videos
    score = score_prediction(Oracle(truth, held_out), VIDEO, truth, cfg)
    assert score.videos == held_out
    assert score.loss_final < score.loss_initial / 100
    for band in ("fitted", "interpolated", "extrapolated", "past_end"):
        assert score.bands[band]["psnr"] > 40, band
        assert score.bands[band]["ssim"] > 0.99, band


def closed_form_ssim_of_a_constant(level: float, truth: Tensor) -> Tensor:
    """SSIM of a constant image c against `truth` `n c h w`: sigma_x = sigma_xy = 0, so
    SSIM = (2 c mu_y + C1) / (c^2 + mu_y^2 + C1) * C2 / (sigma_y^2 + C2), averaged."""
    window = gaussian_window(11, 1.5)[None, None].repeat(3, 1, 1, 1)
    y = truth.double()
    mu = F.conv2d(y, window, groups=3)
    var = F.conv2d(y * y, window, groups=3) - mu**2
    c1, c2 = SSIM_K1**2, SSIM_K2**2
    ssim_map = (2 * level * mu + c1) / (level**2 + mu**2 + c1) * c2 / (var + c2)
    return ssim_map.flatten(1).mean(dim=1)


def test_a_constant_generator_scores_what_the_closed_form_says():
    truth = shapes()
    cfg = PredictionConfig(videos=2, fitted_frames=4, steps=3)
    grey = 0.6                                           # the generator's 0.2 in [-1, 1]
    score = score_prediction(Constant(2 * grey - 1), VIDEO, truth, cfg)
    for band, times in band_times(8, 4, 2.0).items():
        frames = torch.cat([truth.render(v, times, 16) for v in score.videos])  # (b t) c h w
        mse = (frames.double() - grey).square().flatten(1).mean(dim=1)
        psnr = (-10 * torch.log10(mse)).mean().item()
        assert score.bands[band]["psnr"] == pytest.approx(psnr, abs=1e-4), band
        expected_ssim = closed_form_ssim_of_a_constant(grey, frames).mean().item()
        assert score.bands[band]["ssim"] == pytest.approx(expected_ssim, abs=1e-5), band
        assert score.bands[band]["frames"] == len(times)
    assert math.isfinite(score.flat()["prediction/psnr_past_end"])


def test_a_dataset_without_ground_truth_is_refused_by_name():
    ucf = object()
    with pytest.raises(DataError, match="has no ground truth at every time"):
        ground_truth_of(ucf, "run/checkpoint.pt")


def test_holding_the_last_fitted_frame_is_exact_for_still_videos_and_drifts_for_moving_ones():
    cfg = PredictionConfig(videos=2, fitted_frames=4)
    still = hold_last_fitted(VIDEO, shapes(speed=1e-9), cfg)
    moving = hold_last_fitted(VIDEO, shapes(), cfg)
    assert set(moving) == {f"prediction/{q}_{b}" for q in ("psnr", "ssim")
                           for b in ("interpolated", "extrapolated", "past_end")}
    for key in ("prediction/psnr_extrapolated", "prediction/psnr_past_end"):
        assert still[key] > 60 and moving[key] < 30
    # interpolated times hold the fitted frame just before them: closer than the far future
    assert moving["prediction/psnr_interpolated"] > moving["prediction/psnr_past_end"]
