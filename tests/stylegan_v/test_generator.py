"""StyleGAN-V's generator: motion codes, the acyclic time embedding, continuity in t, times."""

from __future__ import annotations

import pytest
import torch
from inrvid_stylegan_v.motion import MotionCodeNetwork

from inrvid.base.errors import InrvidError
from tests.stylegan_v.helpers import TINY_VIDEO, tiny_generator

SPACING = 4            # TINY_GENERATOR's code_spacing_frames
FRAME = 1 / (TINY_VIDEO.frames - 1)   # one frame in clip units


def latents(gen, seed: int = 0):
    return gen.sample_latents(2, torch.Generator().manual_seed(seed))


def test_motion_code_at_a_knot_is_the_aligner_of_that_code() -> None:
    gen = tiny_generator()
    _, z_m = latents(gen)
    enc = gen.motion
    knots = torch.tensor([[0.0, 4.0, 8.0, 60.0]] * 2)                    # i·delta, frames
    with torch.no_grad():
        v = enc(z_m, knots)                                               # b t 2k
        codes = enc.codes(z_m.reshape(2, enc.noise_vectors, -1))          # b knots d_u
        aligners = torch.nn.functional.linear(codes, enc.time_encoder.aligner_map)
        aligners = aligners * enc.time_encoder.gain
    expected = aligners[:, [0, 1, 2, 15]]
    assert torch.allclose(v, expected, atol=1e-5)


@pytest.mark.parametrize("t0", [0.37 * FRAME, SPACING * FRAME, 0.0, 1.0])
def test_frames_are_continuous_in_t_on_a_fixed_latent(t0: float) -> None:
    gen = tiny_generator()
    z_c, z_m = latents(gen)
    gaps = []
    with torch.no_grad():
        base = gen(z_c, z_m, torch.full((2, 1), t0))
        for eps in (1e-2, 1e-3, 1e-4):
            near = gen(z_c, z_m, torch.full((2, 1), t0 + eps))
            gaps.append(float((near - base).abs().max()))
    assert gaps[0] > gaps[1] > gaps[2]                        # shrinks with the step
    assert gaps[2] < 1e-2 * max(float(base.abs().max()), 1e-3)


def test_the_first_frame_depends_on_the_motion_noise_unlike_digan() -> None:
    gen = tiny_generator()
    z_c, z_m = latents(gen)
    _, other = latents(gen, seed=1)
    t0 = torch.zeros(2, 1)
    with torch.no_grad():
        assert not torch.allclose(gen(z_c, z_m, t0), gen(z_c, other, t0), atol=1e-4)


def test_a_code_sees_21_noise_vectors_with_the_release_kernel_of_11() -> None:
    torch.manual_seed(0)
    net = MotionCodeNetwork(noise_dim=4, code_dim=4, kernel_size=11, lr_multiplier=0.01)
    noise = torch.randn(1, 86, 4)
    bumped = noise.clone()
    bumped[0, 30] += 1.0
    with torch.no_grad():
        changed = (net(bumped) - net(noise)).abs().amax(dim=2)[0] > 0    # 66 codes
    assert net(noise).shape == (1, 66, 4)
    assert changed.nonzero().flatten().tolist() == list(range(10, 31))


def test_a_64_frame_video_rendered_in_chunks_equals_one_call() -> None:
    gen = tiny_generator()
    z_c, z_m = latents(gen)
    times = torch.arange(64, dtype=torch.float32)[None].expand(2, -1) * FRAME
    with torch.no_grad():
        whole = gen(z_c, z_m, times)
        chunks = torch.cat([gen(z_c, z_m, times[:, k : k + 16]) for k in range(0, 64, 16)], 1)
    assert whole.shape == (2, 64, 3, 16, 16)
    assert torch.equal(whole, chunks)


def test_times_outside_the_noise_are_reflected_back_into_it() -> None:
    gen = tiny_generator()
    z_c, z_m = latents(gen)
    top = gen.max_time                                                    # last knot, clip units
    inside = torch.tensor([[0.3, 1.7]] * 2)
    with torch.no_grad():
        ref = gen(z_c, z_m, inside)
        assert torch.allclose(gen(z_c, z_m, -inside), ref, atol=1e-5)    # before 0: backwards
        assert torch.allclose(gen(z_c, z_m, 2 * top - inside), ref, atol=1e-4)  # past M


def test_scale_other_than_one_is_refused_with_the_reason() -> None:
    gen = tiny_generator()
    z_c, z_m = latents(gen)
    with pytest.raises(InrvidError, match=r"scale: got 2, expected 1 .*one grid"):
        gen(z_c, z_m, torch.zeros(2, 1), scale=2)


def test_a_given_style_replaces_the_mapping_of_z_content() -> None:
    gen = tiny_generator()
    z_c, z_m = latents(gen)
    times = torch.tensor([[0.0, 0.5]] * 2)
    with torch.no_grad():
        w = gen.style(z_c)
        assert torch.equal(gen(torch.zeros_like(z_c), z_m, times, w=w), gen(z_c, z_m, times))
