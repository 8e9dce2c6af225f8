"""The motion findings of docs/small-compute.md, each a check that fails if its cause returns.

1. A motion discriminator trained against fakes that look wrong learns their look and stays
   blind to motion: it scores a real pair and the same video frozen alike. Real negatives
   (`losses.adversarial.real_negatives`) make it see motion.
2. DIGAN's time path at the release's sigma_t = 0.25 renders a near-frozen video at
   initialisation (the phase moves by sigma_t * t * u, u of order 1), so neither the
   generator nor the motion discriminator has motion to work with; the small-compute recipe
   starts with frames that move about as much as the data's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from benchmarks.motion_diagnosis import auc, temporal_energy
from inrvid.base.time_axis import clip_times
from inrvid.components.loss import PhaseInputs
from inrvid.components.registry import VideoSpec
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.runtime.build import build_dataset_of, build_models
from inrvid.testing import build_component
from tests.digan.helpers import TINY_DISCRIMINATOR, context

REPO = Path(__file__).resolve().parents[2]
VIDEO = VideoSpec(frames=8, height=16, width=16)


def moving_clips(videos: int) -> torch.Tensor:
    """Real moving_shapes clips at 16x16, float `b f c h w` in [-1, 1]."""
    data = build_component("dataset", "moving_shapes",
                           {"resolution": 16, "clip_frames": 8, "videos": videos, "shapes": 1})
    return torch.stack([data[i]["video"] for i in range(videos)]).float() / 127.5 - 1


def pairs(clips: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A sorted frame pair of each clip with a non-zero gap, and its times `b 2`."""
    b, f = clips.shape[:2]
    first = torch.randint(0, f - 1, (b,), generator=gen)
    second = first + 1 + (torch.rand(b, generator=gen) * (f - 1 - first)).long()
    idx = torch.stack([first, second], dim=1)                                      # b 2
    return clips[torch.arange(b)[:, None], idx], idx.float() / (f - 1)


def train_motion_d(real_negatives: list[str], steps: int = 300) -> float:
    """Train D_M on reals vs frozen, noisy fakes; the AUC of reals vs the same reals frozen."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    disc = build_component("discriminator", "digan_motion_d", TINY_DISCRIMINATOR,
                           context(VIDEO))
    loss = build_component("loss", "nonsaturating_logistic",
                           {"real_negatives": real_negatives})
    opt = torch.optim.Adam(disc.parameters(), lr=2e-3, betas=(0.0, 0.99))
    train, held_out = moving_clips(64), moving_clips(96)[64:]
    for _ in range(steps):
        real, times = pairs(train[torch.randint(0, 64, (16,), generator=gen)], gen)
        # fakes that look wrong (noisy) and do not move: the early generator's failure
        noisy = real[:, :1] + 0.3 * torch.randn(real[:, :1].shape, generator=gen)
        fake = noisy.expand_as(real)
        inputs = PhaseInputs(network="discriminator", step=0, fake_frames=fake,
                             fake_times=times, real_frames=real, real_times=times,
                             discriminators={"motion": disc}, augment=lambda x: x)
        total = sum(loss.discriminator_terms(inputs).values())
        opt.zero_grad()
        total.backward()
        opt.step()
    with torch.no_grad():
        real, times = pairs(held_out, gen)
        frozen = real[:, :1].expand_as(real)
        return auc(disc(real, times)[:, 0], disc(frozen, times)[:, 0])


@pytest.mark.slow
def test_a_motion_d_against_bad_looking_fakes_is_blind_to_motion_unless_shown_real_negatives(
) -> None:
    blind = train_motion_d([])
    seeing = train_motion_d(["frozen", "foreign_times"])
    assert blind < 0.75, f"without real negatives D_M told frozen reals apart (AUC {blind:.2f})"
    assert seeing > 0.85, f"with real negatives D_M still misses frozen reals (AUC {seeing:.2f})"


def initial_motion(recipe: str, overrides: list[str]) -> float:
    """Step energy of the recipe's generator at initialisation over that of its real clips."""
    rec = load_recipe(REPO / "recipes" / recipe, [*overrides, "train.device=cpu"], plugins=load_plugins())
    data = build_dataset_of(rec, load_plugins())
    torch.manual_seed(0)
    models = build_models(rec, data.video_spec, torch.device("cpu"), load_plugins())
    g = models.generator
    clips = torch.stack([data[i]["video"] for i in range(8)]).float() / 127.5 - 1
    times = clip_times(clips.shape[1], torch.float32).expand(8, -1)
    with torch.no_grad():
        fake = g(torch.randn(8, g.content_dim), torch.randn(8, g.motion_dim), times)
    return temporal_energy(fake)["step_energy"] / temporal_energy(clips)["step_energy"]


def test_the_release_time_scale_starts_frozen_and_the_small_compute_recipe_does_not() -> None:
    frozen = initial_motion("moving_shapes_cpu.yaml", ["encoder.sigma_t=0.25"])
    moving = initial_motion("moving_shapes_cpu.yaml", [])
    assert frozen < 0.1, f"sigma_t 0.25 moved {frozen:.3f} of the data's step energy"
    assert 0.2 < moving < 5, f"the small-compute recipe starts at {moving:.3f} of the data's"
