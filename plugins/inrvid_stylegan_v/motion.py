"""StyleGAN-V's motion encoder: a sequence of motion noise -> a motion code v(t) at any real time.

The paper's figure, step by step (times tau in frames of the source video, tau >= 0):

1. Motion noise: one vector per knot, i.i.d. N(0, I), placed every `delta` frames (plus the
   margin the unpadded convolutions eat). inrvid passes it as `z_motion`, flattened.
2. Motion codes u_i: two unpadded 1-D convolutions along the knots (kernel 11, equalized lr
   with lr multiplier 0.01, plain leaky ReLU), so neighbouring codes share noise.
3. Acyclic positional embedding (`AlignedTimeEncoder`): for tau in segment i (knots u_i and
   u_{i+1}, alpha = (tau mod delta) / delta), sinusoids whose frequencies and phases u_i
   modulates, minus their linear interpolation between the two knots, plus the linear
   interpolation of learned "aligners" A u_i, A u_{i+1}. At a knot the sinusoids cancel and
   v = A u_i, so v is continuous in tau and, far apart, follows the random (non-periodic)
   aligner path.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn


def knot_count(*, horizon_frames: int, spacing_frames: int) -> int:
    """Codes needed for times up to `horizon_frames - 1`: ceil((H - 1) / delta) + 2."""
    return math.ceil((horizon_frames - 1) / spacing_frames) + 2


def log_spaced_frequencies(*, features: int, min_period: float, max_period: float) -> Tensor:
    """Angular frequencies 2π/p `k`, periods log-uniform from `max_period` down to `min_period`."""
    periods = torch.logspace(math.log2(max_period), math.log2(min_period), features, base=2.0,
                             dtype=torch.float64)                              # k, descending
    return (2 * math.pi / periods).float()                                     # k, ascending


class MotionCodeNetwork(nn.Module):
    """Motion noise `b n d_z` -> codes `b (n - 2(k - 1)) d_u` by two unpadded convolutions."""

    def __init__(
        self, *, noise_dim: int, code_dim: int, kernel_size: int, lr_multiplier: float
    ) -> None:
        super().__init__()
        self.margin = 2 * (kernel_size - 1)
        self.convs = nn.Sequential(
            EqualConv1d(in_channels=noise_dim, out_channels=noise_dim, kernel_size=kernel_size,
                        lr_multiplier=lr_multiplier),
            EqualConv1d(in_channels=noise_dim, out_channels=code_dim, kernel_size=kernel_size,
                        lr_multiplier=lr_multiplier),
        )

    def forward(self, noise: Tensor) -> Tensor:
        """`b n d_z -> b (n - margin) d_u`."""
        codes = self.convs(rearrange(noise, "b n d -> b d n"))                 # b d_u n'
        return rearrange(codes, "b d n -> b n d")


class AlignedTimeEncoder(nn.Module):
    """The acyclic positional embedding v(tau) `2k` from the two knot codes around tau.

    Buffers: `omega` (k angular frequencies, periods from `max_period` down to `min_period`
    frames) and `phase_scale` = max_period / period. Learned, bias-free, lr 1: P (d_u -> k,
    frequency multipliers tanh(P u) + 1), Phi (d_u -> k, phases), A (d_u -> 2k, aligners).
    """

    omega: Tensor
    phase_scale: Tensor

    def __init__(
        self, *, code_dim: int, features: int, min_period: float, max_period: float
    ) -> None:
        super().__init__()
        self.code_dim = code_dim
        self.features = features
        omega = log_spaced_frequencies(features=features, min_period=min_period,
                                       max_period=max_period)
        self.register_buffer("omega", omega)                                   # k
        self.register_buffer("phase_scale", max_period * omega / (2 * math.pi))  # k
        self.frequency_map = nn.Parameter(torch.randn(features, code_dim))     # P
        self.phase_map = nn.Parameter(torch.randn(features, code_dim))         # Phi
        self.aligner_map = nn.Parameter(torch.randn(2 * features, code_dim))   # A
        self.gain = 1.0 / math.sqrt(code_dim)

    @property
    def out_features(self) -> int:
        """Size of v: sines and cosines of k frequencies."""
        return 2 * self.features

    def embed(self, tau: Tensor, rho: Tensor, phi: Tensor) -> Tensor:
        """[sin θ; cos θ] with θ = omega·rho·tau + phi: `n` times -> `n 2k`."""
        theta = self.omega * rho * tau[:, None] + phi                          # n k
        return torch.cat([theta.sin(), theta.cos()], dim=1)                    # n 2k

    def forward(
        self, tau: Tensor, t_left: Tensor, alpha: Tensor, u_left: Tensor, u_right: Tensor,
        spacing: float,
    ) -> Tensor:
        """The embedding v `n 2k` at times `n` (frames) in the segments starting at `t_left`.

        `alpha` = (tau - t_left) / spacing; `u_left`, `u_right` are the segments' knot codes.
        """
        alpha = alpha[:, None]                                                 # n 1
        rho = torch.tanh(F.linear(u_left, self.frequency_map) * self.gain) + 1  # n k, in (0, 2)
        phi = F.linear(u_left, self.phase_map) * self.gain * self.phase_scale  # n k
        aligner_left = F.linear(u_left, self.aligner_map) * self.gain          # n 2k
        aligner_right = F.linear(u_right, self.aligner_map) * self.gain        # n 2k
        sinusoid = self.embed(tau, rho, phi)                                   # n 2k
        at_knots = (1 - alpha) * self.embed(t_left, rho, phi) + alpha * self.embed(
            t_left + spacing, rho, phi)                                        # n 2k
        aligners = (1 - alpha) * aligner_left + alpha * aligner_right          # n 2k
        return sinusoid - at_knots + aligners


class MotionEncoder(nn.Module):
    """Motion noise `b (n d_z)` and times `b t` (frames) -> motion codes v `b t 2k`.

    The noise holds `noise_vectors` vectors: `knots` codes spaced `spacing` frames apart plus
    the convolutions' margin, so it covers times in [0, M], M = (knots - 1)·spacing. Inside,
    v is the release's. Outside, where there is no noise to make motion from (the release
    draws more on the fly, and wraps negative times around the sequence), time is folded back
    into [0, M] by reflection at both ends: before 0 the motion plays backwards (v(-tau) =
    v(tau)), past M it plays back from M. Frames stay continuous in time everywhere.
    """

    def __init__(
        self,
        *,
        noise_dim: int,
        code_dim: int,
        kernel_size: int,
        lr_multiplier: float,
        spacing_frames: int,
        horizon_frames: int,
        time_features: int,
        min_period: float,
        max_period: float,
    ) -> None:
        super().__init__()
        self.noise_dim = noise_dim
        self.spacing = spacing_frames
        self.knots = knot_count(horizon_frames=horizon_frames, spacing_frames=spacing_frames)
        self.codes = MotionCodeNetwork(noise_dim=noise_dim, code_dim=code_dim,
                                       kernel_size=kernel_size, lr_multiplier=lr_multiplier)
        self.noise_vectors = self.knots + self.codes.margin
        self.time_encoder = AlignedTimeEncoder(code_dim=code_dim, features=time_features,
                                               min_period=min_period, max_period=max_period)

    @property
    def max_time(self) -> float:
        """M: the last knot's time in frames; times outside [0, M] are reflected into it."""
        return float((self.knots - 1) * self.spacing)

    @property
    def out_features(self) -> int:
        """Size of v."""
        return self.time_encoder.out_features

    def fold(self, tau: Tensor) -> Tensor:
        """Times reflected into [0, M] at both ends (unchanged inside)."""
        period = 2 * self.max_time
        reflected = self.max_time - (torch.remainder(tau, period) - self.max_time).abs()
        return torch.where((tau >= 0) & (tau <= self.max_time), tau, reflected)

    def forward(self, z_motion: Tensor, tau: Tensor) -> Tensor:
        """`b (n d_z)` noise and times `b t` (frames) -> v `b t 2k`."""
        b = tau.shape[0]
        tau = rearrange(self.fold(tau), "b t -> (b t)")
        noise = rearrange(z_motion, "b (n d) -> b n d", d=self.noise_dim)      # b n d_z
        codes = self.codes(noise)                                              # b knots d_u
        left = torch.floor(tau / self.spacing).long().clamp(max=self.knots - 2)  # (b t)
        t_left = left.to(tau.dtype) * self.spacing                             # (b t)
        alpha = (tau - t_left) / self.spacing                                  # (b t), in [0, 1]
        rows = torch.arange(b, device=tau.device).repeat_interleave(tau.shape[0] // b)
        v = self.time_encoder(tau, t_left, alpha, codes[rows, left], codes[rows, left + 1],
                              float(self.spacing))                             # (b t) 2k
        return rearrange(v, "(b t) d -> b t d", b=b)


class EqualConv1d(nn.Module):
    """Equalized-lr 1-D convolution without padding, with a *plain* leaky ReLU 0.2 (no gain).

    Weights are stored N(0, 1) / lr_multiplier and scaled at run time by
    lr_multiplier / sqrt(in_channels · kernel_size); the bias (init 0) by lr_multiplier.
    The missing sqrt(2) gain is the release's choice for its motion convolutions.
    """

    def __init__(
        self, *, in_channels: int, out_channels: int, kernel_size: int, lr_multiplier: float
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.lr_multiplier = lr_multiplier
        self.weight = nn.Parameter(
            torch.randn(out_channels, in_channels, kernel_size) / lr_multiplier)
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.weight_gain = lr_multiplier / math.sqrt(in_channels * kernel_size)

    def forward(self, x: Tensor) -> Tensor:
        """`b i n -> b o (n - kernel_size + 1)`."""
        y = F.conv1d(x, self.weight * self.weight_gain, self.bias * self.lr_multiplier)
        return F.leaky_relu(y, 0.2)

    def extra_repr(self) -> str:
        """Sizes, for `print(module)`."""
        return f"{self.in_channels} -> {self.out_channels}, k={self.weight.shape[-1]}"
