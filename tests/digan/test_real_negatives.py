"""Real negatives (plugins/inrvid_digan/negatives.py): real frames with wrong motion, as fakes."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from inrvid_digan.negatives import masked_mean, real_negative

from inrvid.testing import build_component
from tests.digan.test_losses import LinearImageD, LinearPairD, phase


def clips(batch: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    frames = torch.arange(batch * 2 * 3 * 4 * 4, dtype=torch.float32).reshape(batch, 2, 3, 4, 4)
    times = torch.tensor([[0.0, 0.5], [0.2, 0.2], [0.1, 0.9], [0.3, 0.6]])[:batch]
    return frames, times


def test_frozen_negative_repeats_the_first_frame_and_leaves_out_zero_spans() -> None:
    frames, times = clips()
    negative, neg_times, keep = real_negative("frozen", frames, times)
    assert torch.equal(negative[:, 1], frames[:, 0])
    assert torch.equal(neg_times, times)
    assert keep.tolist() == [True, False, True, True]     # item 1 has t1 = t2: it is a real


def test_foreign_times_negative_keeps_the_frames_and_takes_the_next_videos_times() -> None:
    frames, times = clips()
    negative, neg_times, keep = real_negative("foreign_times", frames, times)
    assert torch.equal(negative, frames)
    assert torch.equal(neg_times, times[[3, 0, 1, 2]])
    assert keep.all()


def test_foreign_frames_negative_takes_the_last_frame_from_another_video() -> None:
    frames, times = clips()
    negative, _, keep = real_negative("foreign_frames", frames, times)
    assert torch.equal(negative[:, 0], frames[:, 0])
    assert torch.equal(negative[:, 1], frames[[3, 0, 1, 2], 1])
    assert keep.all()


def test_masked_mean_averages_the_kept_items_only() -> None:
    values = torch.tensor([[1.0], [100.0], [3.0]])
    assert float(masked_mean(values, torch.tensor([True, False, True]))) == 2.0
    assert float(masked_mean(values, torch.tensor([False, False, False]))) == 0.0


def test_real_negatives_are_softplus_of_the_motion_ds_logits_in_the_d_phase_only() -> None:
    torch.manual_seed(0)
    image, motion = LinearImageD(), LinearPairD()
    loss = build_component("loss", "nonsaturating_logistic", {
        "real_negatives": ["frozen", "foreign_frames"], "negative_weight": 0.5})
    g_terms = loss.generator_terms(phase("generator", {"image": image, "motion": motion}))
    assert set(g_terms) == {"image_fake", "motion_fake"}
    d_in = phase("discriminator", {"image": image, "motion": motion})
    terms = loss.discriminator_terms(d_in)
    assert {"motion_negative_frozen", "motion_negative_foreign_frames"} <= set(terms)
    assert not any(k.startswith("image_negative") for k in terms)   # default roles: motion
    real, times = d_in.real_frames, d_in.real_times
    frozen = real[:, :1].expand_as(real)
    expected = 0.5 * F.softplus(motion(2 * frozen, times)).mean()  # the phase's augment doubles
    torch.testing.assert_close(terms["motion_negative_frozen"], expected)


def test_without_real_negatives_the_discriminator_terms_are_the_releases() -> None:
    loss = build_component("loss", "nonsaturating_logistic", {})
    terms = loss.discriminator_terms(phase("discriminator", {"motion": LinearPairD()}))
    assert set(terms) == {"motion_fake", "motion_real"}
