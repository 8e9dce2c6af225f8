"""Non-saturating logistic loss and lazy R1 against closed forms (docs/reference/digan.md §3, §9.10)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from einops import rearrange

from inrvid.base.errors import TrainingError
from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import PhaseInputs
from inrvid.testing import build_component


class LinearImageD(Discriminator):
    """D(frame) = <a, frame> + c for each frame: logits `b t`."""

    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(3, 4, 4))
        self.c = torch.nn.Parameter(torch.tensor(0.3))

    def forward(self, frames: torch.Tensor, times: torch.Tensor) -> torch.Tensor:
        return (frames * self.a).sum(dim=(2, 3, 4)) + self.c


class LinearPairD(Discriminator):
    """D(pair) = <A, [frames; Δt plane]>: builds its own 7-channel input, logits `b 1`."""

    frames_seen = 2

    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(7, 4, 4))

    def build_input(self, frames: torch.Tensor, times: torch.Tensor) -> torch.Tensor:
        dt = (times[:, 1] - times[:, 0])[:, None, None, None].expand(-1, 1, 4, 4)
        return torch.cat([rearrange(frames, "b two c h w -> b (two c) h w"), dt], dim=1)

    def score_input(
        self, x: torch.Tensor, augment: Callable[[torch.Tensor], torch.Tensor] | None = None
    ) -> torch.Tensor:
        if augment is not None:
            pair = augment(rearrange(x[:, :6], "b (two c) h w -> b two c h w", two=2))
            x = torch.cat([rearrange(pair, "b two c h w -> b (two c) h w"), x[:, 6:]], dim=1)
        return (x * self.a).sum(dim=(1, 2, 3))[:, None]

    def forward(self, frames: torch.Tensor, times: torch.Tensor) -> torch.Tensor:
        return self.score_input(self.build_input(frames, times))


def double(x: torch.Tensor) -> torch.Tensor:
    return 2 * x


def reals(batch: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.rand(batch, 2, 3, 4, 4) * 2 - 1, torch.tensor([[0.2, 0.7]] * batch)


def phase(network: str, discriminators: dict, augment=double, fakes=True) -> PhaseInputs:
    torch.manual_seed(0)
    real, real_times = reals()
    fake, fake_times = (torch.rand(5, 2, 3, 4, 4) * 2 - 1, torch.tensor([[0.1, 0.4]] * 5))
    return PhaseInputs(
        network=network, step=0,
        fake_frames=fake if fakes else None, fake_times=fake_times if fakes else None,
        real_frames=real if network == "discriminator" else None,
        real_times=real_times if network == "discriminator" else None,
        discriminators=discriminators, augment=augment,
    )


def test_r1_of_a_linear_image_d_is_gamma_half_norm_squared_times_every() -> None:
    torch.manual_seed(0)
    disc = LinearImageD()
    r1 = build_component("loss", "r1_penalty", {"gamma": 0.7, "every": 16})
    terms = r1.discriminator_terms(phase("discriminator", {"image": disc}, fakes=False))
    # Gradient w.r.t. the augmented frames: a for each frame, whatever the augment.
    expected = 0.7 / 2 * disc.a.detach().square().sum() * 16
    torch.testing.assert_close(terms["image_r1"], expected)


def test_r1_of_the_motion_d_is_taken_on_its_7_channel_input_before_augmentation() -> None:
    torch.manual_seed(0)
    disc = LinearPairD()
    r1 = build_component("loss", "r1_penalty", {"gamma": 1.0, "every": 16})
    terms = r1.discriminator_terms(phase("discriminator", {"motion": disc}, fakes=False))
    a = disc.a.detach()
    # d/dx <A, [2 frames; Δt]> = [2 A_frames; A_Δt]: the augment's factor and the Δt plane count.
    expected = 0.5 * (4 * a[:6].square().sum() + a[6].square().sum()) * 16
    torch.testing.assert_close(terms["motion_r1"], expected)


def test_r1_terms_carry_gradients_to_the_discriminator() -> None:
    torch.manual_seed(0)
    disc = LinearImageD()
    r1 = build_component("loss", "r1_penalty", {})
    r1.discriminator_terms(phase("discriminator", {"image": disc}))["image_r1"].backward()
    torch.testing.assert_close(disc.a.grad, 0.5 * 2 * disc.a.detach() * 16)


def test_r1_is_a_lazy_discriminator_regulariser_with_the_release_interval() -> None:
    r1 = build_component("loss", "r1_penalty", {})
    assert (r1.lazy_interval, r1.regularizes) == (16, "discriminator")
    assert r1.generator_terms(phase("generator", {"image": LinearImageD()})) == {}
    main = build_component("loss", "nonsaturating_logistic", {})
    assert (main.lazy_interval, main.regularizes) == (None, None)


def test_nonsaturating_terms_are_softplus_of_the_augmented_logits_per_role() -> None:
    torch.manual_seed(0)
    image, motion = LinearImageD(), LinearPairD()
    loss = build_component("loss", "nonsaturating_logistic", {})
    g_in = phase("generator", {"image": image, "motion": motion})
    g_terms = loss.generator_terms(g_in)
    assert set(g_terms) == {"image_fake", "motion_fake"}
    fake = 2 * g_in.fake_frames
    torch.testing.assert_close(g_terms["image_fake"], F.softplus(-image(fake, g_in.fake_times)).mean())
    d_in = phase("discriminator", {"image": image, "motion": motion})
    d_terms = loss.discriminator_terms(d_in)
    assert set(d_terms) == {"image_fake", "image_real", "motion_fake", "motion_real"}
    real = 2 * d_in.real_frames
    torch.testing.assert_close(d_terms["motion_real"],
                               F.softplus(-motion(real, d_in.real_times)).mean())
    torch.testing.assert_close(d_terms["motion_fake"],
                               F.softplus(motion(2 * d_in.fake_frames, d_in.fake_times)).mean())


def test_losses_can_be_restricted_to_some_roles_and_name_a_missing_one() -> None:
    loss = build_component("loss", "nonsaturating_logistic", {"roles": ["image"]})
    terms = loss.generator_terms(phase("generator", {"image": LinearImageD(),
                                                     "motion": LinearPairD()}))
    assert set(terms) == {"image_fake"}
    with pytest.raises(TrainingError, match=r"roles \['image'\] are not discriminator roles"):
        loss.generator_terms(phase("generator", {"motion": LinearPairD()}))


def test_r1_without_reals_says_what_is_missing() -> None:
    r1 = build_component("loss", "r1_penalty", {})
    with pytest.raises(TrainingError, match="r1_penalty': real_frames is None"):
        r1.discriminator_terms(phase("generator", {"image": LinearImageD()}))
