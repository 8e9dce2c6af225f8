"""One augmentation draw shared by DIGAN's two discriminators, as the release does (issue 13.1).

The release scores the image D on the frames split out of the motion D's augmented input. Each
test records what each discriminator's trunk receives in one evaluation and compares the image
D's frames with the motion D's frame channels.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from einops import rearrange
from inrvid_digan.augments import SharedDraw
from torch import Tensor

from inrvid.base.errors import ShapeError
from inrvid.components.loss import PhaseInputs
from inrvid.runtime.build import AugmentPipeline
from inrvid.testing import build_component
from tests.digan.helpers import TINY_VIDEO, context, tiny_discriminator


def diffaugment() -> AugmentPipeline:
    """DIGAN's augments: colour, then translation by up to 1/8 of the side."""
    ctx = context()
    return AugmentPipeline([
        build_component("augment", "diffaug_color", {}, ctx),
        build_component("augment", "diffaug_translation", {"ratio": 0.125}, ctx),
    ])


def recording_discriminators() -> tuple[dict[str, Any], dict[str, list[Tensor]]]:
    """Tiny image and motion Ds whose trunks record their inputs (image: `(b t) c h w`)."""
    discs = {"image": tiny_discriminator("digan_image_d"),
             "motion": tiny_discriminator("digan_motion_d")}
    seen: dict[str, list[Tensor]] = {"image": [], "motion": []}
    for role, disc in discs.items():
        disc.trunk.register_forward_pre_hook(
            lambda _m, args, role=role: seen[role].append(args[0].detach().clone()))
    return discs, seen


def frames_of(seen: dict[str, list[Tensor]], index: int) -> tuple[Tensor, Tensor]:
    """The index-th evaluation's frames as each D saw them, both as `b (2 c) h w`."""
    image = rearrange(seen["image"][index], "(b two) c h w -> b (two c) h w", two=2)
    return image, seen["motion"][index][:, :6]


def inputs(network: str, discs: dict[str, Any]) -> PhaseInputs:
    size = TINY_VIDEO.height
    frames = torch.rand(4, 2, 3, size, size) * 2 - 1
    times = torch.tensor([[0.1, 0.6]] * 4)
    real = network == "discriminator"
    return PhaseInputs(
        network=network, step=0, fake_frames=frames, fake_times=times,
        real_frames=frames.flip(0) if real else None, real_times=times if real else None,
        discriminators=discs, augment=diffaugment(),
    )


@pytest.mark.parametrize("network", ["generator", "discriminator"])
def test_shared_draw_shows_both_discriminators_the_same_augmented_frames(network: str) -> None:
    """Under `augment_draw: shared` the image D scores exactly the motion D's augmented frames."""
    torch.manual_seed(3)
    discs, seen = recording_discriminators()
    loss = build_component("loss", "nonsaturating_logistic", {"augment_draw": "shared"})
    phase = inputs(network, discs)
    if network == "generator":
        loss.generator_terms(phase)
    else:
        loss.discriminator_terms(phase)
    evaluations = 1 if network == "generator" else 2       # fakes; then fakes and reals
    assert len(seen["image"]) == len(seen["motion"]) == evaluations
    for index in range(evaluations):
        image, motion = frames_of(seen, index)
        assert torch.equal(image, motion)
    original = rearrange(phase.fake_frames, "b two c h w -> b (two c) h w")
    assert not torch.allclose(frames_of(seen, 0)[0], original)  # the frames were augmented


@pytest.mark.parametrize("network", ["generator", "discriminator"])
def test_per_discriminator_draws_show_them_different_frames(network: str) -> None:
    """Under `augment_draw: per_discriminator` each D gets its own colour/translation draw."""
    torch.manual_seed(3)
    discs, seen = recording_discriminators()
    loss = build_component("loss", "nonsaturating_logistic",
                           {"augment_draw": "per_discriminator"})
    phase = inputs(network, discs)
    if network == "generator":
        loss.generator_terms(phase)
    else:
        loss.discriminator_terms(phase)
    image, motion = frames_of(seen, 0)
    assert (image - motion).abs().amax(dim=(1, 2, 3)).min() > 1e-3   # every video differs


def r1_inputs(discs: dict[str, Any]) -> PhaseInputs:
    phase = inputs("discriminator", discs)
    return PhaseInputs(
        network="discriminator", step=0, fake_frames=None, fake_times=None,
        real_frames=phase.real_frames, real_times=phase.real_times,
        discriminators=discs, augment=phase.augment,
    )


def test_r1_shares_the_draw_and_moves_the_stream_by_one_draw() -> None:
    """Shared R1: one draw for both Ds (the motion D's, replayed inside its own graph), and the
    global random stream afterwards is where a single augmentation would have left it."""
    torch.manual_seed(5)
    discs, seen = recording_discriminators()
    r1 = build_component("loss", "r1_penalty", {"augment_draw": "shared"})
    phase = r1_inputs(discs)
    state_before = torch.get_rng_state()
    terms = r1.discriminator_terms(phase)
    after_r1 = torch.rand(3)
    image, motion = frames_of(seen, 0)
    assert torch.equal(image, motion)
    assert set(terms) == {"image_r1", "motion_r1"}
    assert all(float(v.detach()) > 0 for v in terms.values())
    torch.set_rng_state(state_before)
    phase.augment(phase.real_frames)
    assert torch.equal(torch.rand(3), after_r1)


def test_r1_per_discriminator_draws_differ() -> None:
    """Per-discriminator R1: the two Ds' real inputs carry different augmentation draws."""
    torch.manual_seed(5)
    discs, seen = recording_discriminators()
    r1 = build_component("loss", "r1_penalty", {"augment_draw": "per_discriminator"})
    r1.discriminator_terms(r1_inputs(discs))
    image, motion = frames_of(seen, 0)
    assert (image - motion).abs().amax(dim=(1, 2, 3)).min() > 1e-3


def test_shared_draw_rejects_a_differently_shaped_second_input() -> None:
    """A shared draw cannot be replayed on another batch: the message names the shapes."""
    draw = SharedDraw(diffaugment())
    draw(torch.zeros(4, 2, 3, 16, 16))
    with pytest.raises(ShapeError, match=r"\(3, 2, 3, 16, 16\) after \(4, 2, 3, 16, 16\)"):
        draw(torch.zeros(3, 2, 3, 16, 16))
