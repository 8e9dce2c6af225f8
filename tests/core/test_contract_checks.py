"""inrvid.testing catches each broken rule of a registry contract, and names the rule.

Each test breaks one rule of a component that otherwise keeps its contract (the components of
`contract_fixtures`, which pass every check) and asserts the rule named in the message.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import torch
from torch import Tensor

from inrvid.components.loss import PhaseInputs
from inrvid.components.registry import BuildContext
from inrvid.testing import (
    ContractError,
    check_generator,
    check_loss,
    check_sampler,
    tiny_context,
)
from tests.core.contract_fixtures import (
    Hinge,
    HingeConfig,
    PairSampler,
    PairSamplerConfig,
    PixelGenerator,
    PixelGeneratorConfig,
)

GEN_CONFIG = PixelGeneratorConfig(content_dim=8, motion_dim=4)


def ctx() -> BuildContext:
    return tiny_context()


def broken(rule: str) -> Any:
    """pytest.raises for a ContractError naming `rule`."""
    return pytest.raises(ContractError, match=re.escape(f"breaks the rule {rule}:"))


# ------------------------------------------------------------------ the unbroken components
def test_the_fixture_components_keep_every_rule() -> None:
    torch.manual_seed(0)
    gen = check_generator(PixelGenerator, GEN_CONFIG, ctx())
    assert gen(*gen.sample_latents(1), torch.zeros(1, 3)).shape == (1, 3, 3, 16, 16)
    check_sampler(PairSampler, PairSamplerConfig(), ctx())
    check_loss(Hinge, HingeConfig(), ctx())


# ------------------------------------------------------------------ losses
class RaisingLoss(Hinge):
    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        raise KeyError("motion")


def test_a_loss_whose_generator_terms_raise_is_caught_with_the_call_named() -> None:
    with broken("loss.terms") as info:
        check_loss(RaisingLoss, HingeConfig(), ctx(), "acme_hinge")
    assert "loss 'acme_hinge'" in str(info.value)
    assert "generator_terms(PhaseInputs of the generator phase) raised KeyError" in str(info.value)


class RaisingDiscriminatorTerms(Hinge):
    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        raise ValueError("no reals")


def test_a_loss_whose_discriminator_terms_raise_is_caught() -> None:
    with broken("loss.terms") as info:
        check_loss(RaisingDiscriminatorTerms, HingeConfig(), ctx())
    assert "discriminator_terms(PhaseInputs of the discriminator phase) raised ValueError" in (
        str(info.value)
    )


class NanLoss(Hinge):
    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        terms = super().discriminator_terms(inputs)
        return {**terms, "image_real": terms["image_real"] * float("nan")}


def test_a_loss_returning_nan_is_caught_naming_the_term() -> None:
    with broken("loss.finite") as info:
        check_loss(NanLoss, HingeConfig(), ctx())
    assert "discriminator_terms term 'image_real' is nan" in str(info.value)


class VectorLoss(Hinge):
    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        assert inputs.fake_frames is not None and inputs.fake_times is not None
        d = inputs.discriminators["image"]
        return {"image_fake": -d(inputs.augment(inputs.fake_frames), inputs.fake_times)}


def test_a_loss_returning_a_non_scalar_term_is_caught_with_its_shape() -> None:
    with broken("loss.terms") as info:
        check_loss(VectorLoss, HingeConfig(), ctx())
    assert "generator_terms term 'image_fake' is (4, 2), expected a scalar tensor" in (
        str(info.value)
    )


class UnaugmentedLoss(Hinge):
    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        assert inputs.fake_frames is not None and inputs.fake_times is not None
        d = inputs.discriminators["image"]
        return {"image_fake": -d(inputs.fake_frames, inputs.fake_times).mean()}


def test_a_loss_that_scores_frames_without_augmenting_them_is_caught() -> None:
    with broken("loss.augment") as info:
        check_loss(UnaugmentedLoss, HingeConfig(), ctx())
    assert "called a discriminator without calling inputs.augment" in str(info.value)


class LazyWithoutTarget(Hinge):
    lazy_interval = 4


def test_a_lazy_regulariser_without_regularizes_is_caught() -> None:
    with broken("loss.lazy") as info:
        check_loss(LazyWithoutTarget, HingeConfig(), ctx())
    assert "lazy_interval is 4 but regularizes is None" in str(info.value)


# ------------------------------------------------------------------ generators
class IgnoresScale(PixelGenerator):
    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1) -> Tensor:
        return super().forward(z_content, z_motion, times, 1)


def test_a_generator_that_ignores_scale_is_caught() -> None:
    with broken("generator.scale") as info:
        check_generator(IgnoresScale, GEN_CONFIG, ctx())
    assert "scale=2 gave (2, 4, 3, 16, 16), expected (2, 4, 3, 32, 32)" in str(info.value)


class UpsamplesForScale(PixelGenerator):
    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1) -> Tensor:
        frames = super().forward(z_content, z_motion, times, 1)
        return frames.repeat_interleave(scale, dim=-1).repeat_interleave(scale, dim=-2)


def test_a_generator_that_resizes_its_output_instead_of_a_denser_grid_is_caught() -> None:
    with broken("generator.scale") as info:
        check_generator(UpsamplesForScale, GEN_CONFIG, ctx())
    assert "scale-1 frames upsampled" in str(info.value)


class IgnoresMotion(PixelGenerator):
    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1) -> Tensor:
        return super().forward(z_content, torch.zeros_like(z_motion), times, scale)


def test_a_generator_that_ignores_z_motion_is_caught() -> None:
    with broken("generator.z-motion") as info:
        check_generator(IgnoresMotion, GEN_CONFIG, ctx())
    assert "motion_dim is 4 but other z_motion gave the same frames" in str(info.value)


class NormalisesOverFrames(PixelGenerator):
    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1) -> Tensor:
        frames = super().forward(z_content, z_motion, times, scale)
        return frames - frames.mean(dim=1, keepdim=True)  # depends on the other frames


def test_a_generator_whose_frames_change_with_the_chunk_of_times_is_caught() -> None:
    with broken("generator.chunking") as info:
        check_generator(NormalisesOverFrames, GEN_CONFIG, ctx())
    assert "rendering the times one at a time gave other frames" in str(info.value)


class NoisyForward(PixelGenerator):
    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1) -> Tensor:
        frames = super().forward(z_content, z_motion, times, scale)
        return frames + 0.1 * torch.randn_like(frames)


def test_a_generator_drawing_from_the_global_rng_in_forward_is_caught() -> None:
    with broken("generator.global-rng") as info:
        check_generator(NoisyForward, GEN_CONFIG, ctx())
    assert "forward must not draw random numbers" in str(info.value)


class ForgetsMotionDim(PixelGenerator):
    def __init__(self, cfg: PixelGeneratorConfig, ctx: BuildContext) -> None:
        super().__init__(cfg, ctx)
        del self.motion_dim


def test_a_generator_missing_a_required_attribute_gets_a_message_not_an_attribute_error() -> None:
    with broken("generator.attributes") as info:
        check_generator(ForgetsMotionDim, GEN_CONFIG, ctx(), "acme_gen")
    message = str(info.value)
    assert "generator 'acme_gen' breaks the rule generator.attributes" in message
    assert "ForgetsMotionDim does not set `motion_dim`" in message
    assert not isinstance(info.value, AttributeError)


# ------------------------------------------------------------------ samplers
class GlobalRngSampler(PairSampler):
    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        return torch.sort(torch.rand(batch, 2), dim=1).values  # ignores `gen`


def test_a_sampler_that_ignores_its_torch_generator_is_caught() -> None:
    with broken("sampler.generator") as info:
        check_sampler(GlobalRngSampler, PairSamplerConfig(), ctx())
    assert "draw only from the `gen` argument" in str(info.value)


def test_a_sampler_without_frames_shown_gets_a_message_naming_the_attribute() -> None:
    class Bare(PairSampler):
        def __getattribute__(self, name: str) -> Any:
            if name == "frames_shown":
                raise AttributeError(name)
            return super().__getattribute__(name)

    with broken("sampler.attributes") as info:
        check_sampler(Bare, PairSamplerConfig(), ctx())
    assert "Bare does not set `frames_shown`" in str(info.value)


# ------------------------------------------------------------------ class-conditional
class ClassPixelGenerator(PixelGenerator):
    """Conditional on 3 classes: a class embedding shifts the frames."""

    num_classes = 3

    def __init__(self, cfg: PixelGeneratorConfig, ctx: BuildContext) -> None:
        super().__init__(cfg, ctx)
        self.embed = torch.nn.Embedding(3, 3)

    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1, *, classes: Tensor | None = None) -> Tensor:
        assert classes is not None, "callers pass classes= to a conditional generator"
        frames = super().forward(z_content, z_motion, times, scale)
        return frames + self.embed(classes)[:, None, :, None, None]


class IgnoresClasses(ClassPixelGenerator):
    def forward(self, z_content: Tensor, z_motion: Tensor | None, times: Tensor,
                scale: int = 1, *, classes: Tensor | None = None) -> Tensor:
        return PixelGenerator.forward(self, z_content, z_motion, times, scale)


def test_a_conditional_generator_is_called_with_classes_and_passes() -> None:
    check_generator(ClassPixelGenerator, GEN_CONFIG, ctx())


def test_a_conditional_generator_that_ignores_its_classes_is_caught() -> None:
    with broken("generator.classes") as info:
        check_generator(IgnoresClasses, GEN_CONFIG, ctx())
    assert "num_classes is 3 but other classes gave the same frames" in str(info.value)


# ------------------------------------------------------------------ other registries
def test_the_reference_encoder_passes_and_a_noisy_encoder_is_caught() -> None:
    from inrvid.components.encoder import EncoderConfig
    from inrvid.testing import ReferenceEncoder, check_encoder

    def reference(cfg: EncoderConfig, ctx: BuildContext) -> ReferenceEncoder:
        return ReferenceEncoder(ctx)

    check_encoder(reference, EncoderConfig(), ctx())

    class Noisy(ReferenceEncoder):
        def forward(self, coords: Tensor, style: Tensor, z_motion: Tensor | None) -> Tensor:
            return super().forward(coords, style, z_motion) + torch.randn(1)

    with broken("encoder.global-rng"):
        check_encoder(lambda cfg, c: Noisy(c), EncoderConfig(), ctx())


def test_a_discriminator_that_scores_a_pair_of_any_length_is_caught() -> None:
    from inrvid.components.discriminator import Discriminator, DiscriminatorConfig
    from inrvid.testing import check_discriminator

    class Pair(Discriminator):
        frames_seen = 2

        def __init__(self, cfg: DiscriminatorConfig, ctx: BuildContext) -> None:
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(()))

        def forward(self, frames: Tensor, times: Tensor) -> Tensor:
            return (frames.mean(dim=(1, 2, 3, 4)) * self.scale)[:, None]  # any t accepted

    with broken("discriminator.frames-seen") as info:
        check_discriminator(Pair, DiscriminatorConfig(), ctx())
    assert "frames_seen is 2 but 3 frames were scored" in str(info.value)


def test_an_augment_drawing_per_frame_is_caught() -> None:
    from inrvid.components.augment import Augment, AugmentConfig
    from inrvid.testing import check_augment

    class PerFrame(Augment):
        def __init__(self, cfg: AugmentConfig, ctx: BuildContext) -> None:
            super().__init__()

        def forward(self, frames: Tensor) -> Tensor:
            b, t = frames.shape[:2]
            return frames + 0.1 * torch.rand(b, t, 1, 1, 1)  # a new draw for every frame

    with broken("augment.shared-draw"):
        check_augment(PerFrame, AugmentConfig(), ctx())
