"""The DIGAN coordinate/time embedder and its no-f_M ablation (docs/reference/digan.md §1.3, §6)."""

from __future__ import annotations

import math

import pydantic
import pytest
import torch
from inrvid_digan.encoder import embed_grid
from inrvid_digan.grid import coordinate_grid

from inrvid.base.errors import ShapeError
from inrvid.components.encoder import EncoderContext
from inrvid.testing import build_component
from tests.digan.helpers import n_params


def encoder(name: str = "digan_fourier_xyt", motion_dim: int = 6, **config: object) -> torch.nn.Module:
    torch.manual_seed(0)
    ctx = EncoderContext(style_dim=10, motion_dim=motion_dim)
    return build_component("encoder", name, {"features": 8, **config}, ctx)


def test_release_defaults_are_k128_sigma_x_sqrt10_sigma_t_quarter_slope_one_hundredth() -> None:
    enc = build_component("encoder", "digan_fourier_xyt", {},
                          EncoderContext(style_dim=512, motion_dim=512))
    assert enc.out_features == 256
    assert enc.sigma_xy == pytest.approx(math.sqrt(10))
    assert enc.sigma_t == 0.25
    assert enc.motion_slope == 0.01
    assert enc.time_head.in_features == 1024                      # [w; z_M]


def test_features_are_all_sines_then_all_cosines_of_one_phase() -> None:
    enc = encoder()
    coords = torch.rand(2, 5, 3) * 2 - 1
    out = enc(coords, torch.randn(2, 10), torch.randn(2, 6))
    sines, cosines = out[..., :8], out[..., 8:]
    torch.testing.assert_close(sines.square() + cosines.square(), torch.ones(2, 5, 8))


def test_phase_is_linear_in_x_and_y_with_frequencies_scaled_by_sigma_x() -> None:
    enc = encoder()
    style = torch.randn(1, 10)
    xy = torch.tensor([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [0.5, 0.5]])
    phase = enc.spatial_phase(xy, style)[0]                         # n k
    torch.testing.assert_close(phase[3] - phase[0], (phase[1] - phase[0]) + (phase[2] - phase[0]))
    head = enc.spatial_head(style)[0]
    freqs = head[:16].reshape(8, 2) * math.sqrt(10)                 # (k i)
    torch.testing.assert_close(phase[1] - phase[0], 0.5 * freqs[:, 0])
    torch.testing.assert_close(phase[0], head[16:])                 # b_k at the origin


def test_motion_term_at_t0_is_f_m_of_zero_whatever_the_motion_latent() -> None:
    enc = encoder()
    style = torch.randn(3, 10)
    t = torch.zeros(3, 1)
    a = enc.motion_phase(t, style, torch.randn(3, 6))
    b = enc.motion_phase(t, style, torch.randn(3, 6))
    assert torch.equal(a, b)
    torch.testing.assert_close(a[0, 0], enc.motion_mlp(torch.zeros(8)))


def test_motion_term_is_f_m_of_a_leaky_relu_with_slope_one_hundredth() -> None:
    enc = encoder()
    style, z_motion = torch.randn(1, 10), torch.randn(1, 6)
    t = torch.tensor([[0.8]])
    u = enc.time_head(torch.cat([style, z_motion], dim=-1))         # [w; z_M], w first
    x = 0.25 * 0.8 * u
    expected = enc.motion_mlp(torch.where(x > 0, x, 0.01 * x))
    torch.testing.assert_close(enc.motion_phase(t, style, z_motion)[0], expected)


def test_grid_fast_path_equals_the_contract_forward() -> None:
    enc = encoder()
    style, z_motion = torch.randn(2, 10), torch.randn(2, 6)
    xy, times = coordinate_grid(4), torch.rand(2, 3)
    fast = enc.encode_grid(xy, times, style, z_motion)              # b t n d
    coords = torch.cat([xy.expand(2, 3, 16, 2), times[..., None, None].expand(2, 3, 16, 1)], -1)
    slow = enc(coords.reshape(2, 48, 3), style, z_motion).reshape(2, 3, 16, 16)
    torch.testing.assert_close(fast, slow, rtol=1e-5, atol=1e-5)


def test_embed_grid_falls_back_to_forward_for_an_encoder_without_a_fast_path() -> None:
    enc = encoder()
    style, z_motion = torch.randn(2, 10), torch.randn(2, 6)
    xy, times = coordinate_grid(4), torch.rand(2, 3)

    class ContractOnly(torch.nn.Module):
        out_features = 16

        def forward(self, coords, style, z_motion):
            return enc(coords, style, z_motion)

    torch.testing.assert_close(embed_grid(ContractOnly(), xy, times, style, z_motion),
                               enc.encode_grid(xy, times, style, z_motion), rtol=1e-5, atol=1e-5)


def test_encoder_with_a_motion_latent_refuses_none() -> None:
    enc = encoder()
    with pytest.raises(ShapeError, match="z_motion is None, expected `b 6`"):
        enc(torch.zeros(1, 2, 3), torch.randn(1, 10), None)


def test_without_a_motion_latent_the_time_head_sees_w_only() -> None:
    enc = encoder(motion_dim=0)
    assert enc.time_head.in_features == 10
    coords = torch.rand(1, 4, 3)
    out = enc(coords, torch.randn(1, 10), None)
    assert out.shape == (1, 4, 16)


def test_no_fm_ablation_has_no_f_m_parameters_and_a_phase_linear_in_t() -> None:
    full, ablated = encoder(), encoder("digan_fourier_xyt_no_fm")
    assert ablated.motion_mlp is None
    assert not any("motion_mlp" in name for name, _ in ablated.named_parameters())
    assert n_params(full) - n_params(ablated) == 2 * (8 * 8 + 8)
    style, z_motion = torch.randn(2, 10), torch.randn(2, 6)
    t = torch.tensor([[0.3, -0.7], [1.5, 2.0]])
    phase = ablated.motion_phase(t, style, z_motion)
    torch.testing.assert_close(ablated.motion_phase(2 * t, style, z_motion), 2 * phase)
    u = ablated.time_head(torch.cat([style, z_motion], -1))
    torch.testing.assert_close(phase, 0.25 * t[..., None] * u[:, None])


def test_no_fm_config_has_no_leaky_relu_slope_option() -> None:
    with pytest.raises(pydantic.ValidationError, match="motion_slope"):
        encoder("digan_fourier_xyt_no_fm", motion_slope=0.02)
