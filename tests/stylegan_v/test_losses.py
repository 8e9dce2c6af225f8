"""StyleGAN-V's R1: gradient through the augmentation, averaged over frames (closed form)."""

from __future__ import annotations

import torch

from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import PhaseInputs
from inrvid.testing import build_component


class LinearD(Discriminator):
    """D(x) = sum of a_t · x_t: the gradient at frame t is a_t everywhere."""

    frames_seen = 3

    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))

    def forward(self, frames: torch.Tensor, times: torch.Tensor) -> torch.Tensor:
        return (frames.sum(dim=(2, 3, 4)) * self.a).sum(dim=1, keepdim=True)


def test_r1_is_gamma_over_2_times_the_frame_mean_of_the_squared_gradient_through_augment() -> None:
    loss = build_component("loss", "stylegan_v_r1", {"gamma": 0.5, "every": 16})
    real = torch.rand(2, 3, 3, 4, 4)
    inputs = PhaseInputs(network="discriminator", step=0, fake_frames=None, fake_times=None,
                         real_frames=real, real_times=torch.zeros(2, 3),
                         discriminators={"video": LinearD()}, augment=lambda x: 2 * x)
    terms = loss.discriminator_terms(inputs)
    pixels = 3 * 4 * 4
    per_frame = torch.tensor([1.0, 4.0, 9.0]) * 4 * pixels          # |2 a_t|^2 per pixel
    expected = per_frame.mean() * 0.5 / 2 * 16
    assert torch.allclose(terms["video_r1"], expected)
