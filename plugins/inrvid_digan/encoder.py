"""DIGAN's coordinate/time embedder: w-conditioned Fourier features plus a motion phase.

For one scale, with K features (docs/reference/digan.md §1.3):

    A, b   = FC_{d_w -> 3K}(w)            frequencies A (K x 2, times sigma_xy) and phases b
    u      = FC_{d_w + d_m -> K}([w; z_M])  per-video temporal frequencies
    m(t)   = f_M(lrelu_0.01(sigma_t * t * u))   f_M: FC K->K lrelu, FC K->K
    e(x,y,t) = A (x, y) + b + m(t)
    out    = [sin(e_1..e_K), cos(e_1..e_K)]   (2K channels: all sines, then all cosines)

At t = 0 the motion term is f_M(0), a constant: the first frame depends on w only.
The generator asks for one encoder per scale through `ctx.make_encoder`.
"""

from __future__ import annotations

import contextlib
import math
from typing import ClassVar

import torch
import torch.nn.functional as F
from einops import rearrange, repeat
from inrvid_stylegan2.layers import EqualLinear
from pydantic import Field
from torch import Tensor, nn

from inrvid.base.errors import PluginError, ShapeError
from inrvid.base.tensor import expect_shape
from inrvid.components.encoder import CoordinateEncoder, EncoderConfig, EncoderContext
from inrvid.components.registry import BuildContext

SQRT_10 = math.sqrt(10.0)


class MotionMLP(nn.Module):
    """f_M: FC K->K with lrelu (0.2, gain sqrt 2), then FC K->K linear; biases start at 0."""

    def __init__(self, *, features: int) -> None:
        super().__init__()
        self.hidden = EqualLinear(in_features=features, out_features=features, activation="lrelu")
        self.out = EqualLinear(in_features=features, out_features=features)

    def forward(self, x: Tensor) -> Tensor:
        """`... k -> ... k`."""
        return self.out(self.hidden(x))


def _latent_dims(ctx: BuildContext, name: str) -> tuple[int, int]:
    """The sizes of w and z_M this encoder is fed (set by `ctx.make_encoder`)."""
    if not isinstance(ctx, EncoderContext):
        raise PluginError(
            f"encoder '{name}': the build context has no style_dim, expected the size of w\n"
            "  build the encoder through `ctx.make_encoder(style_dim=..., motion_dim=...)`"
        )
    return ctx.style_dim, ctx.motion_dim


def full_precision(x: Tensor) -> contextlib.AbstractContextManager[object]:
    """Autocast off: the encoder's phases (tens of radians) stay in float32 under `fast`."""
    return torch.autocast(device_type=x.device.type, enabled=False)


def _float32(x: Tensor | None) -> Tensor | None:
    return None if x is None else x.float()


class DiganFourierConfig(EncoderConfig):
    """Options of `digan_fourier_xyt`."""

    features: int = Field(128, gt=0, description="K: Fourier features per scale; output is 2K")
    sigma_xy: float = Field(
        SQRT_10, gt=0, description="sigma_x: scale of the generated spatial frequencies (sqrt 10)"
    )
    sigma_t: float = Field(
        0.25, gt=0, description="sigma_t: scale of the generated time frequencies (t * u)"
    )
    motion_slope: float = Field(
        0.01, ge=0, lt=1, description="slope of the plain leaky ReLU (no gain) in front of f_M"
    )


class DiganFourierEncoder(CoordinateEncoder):
    """w-conditioned Fourier features of (x, y) plus DIGAN's motion phase m(t).

    `forward(coords b n 3, style b d_w, z_motion b d_m | None) -> b n 2K` is the registry
    contract; `encode_grid(xy n 2, times b t, ...) -> b t n 2K` is the same map evaluated on a
    pixel grid shared by every frame, computing the motion term once per frame instead of once
    per point. With motion_dim = 0 (the no-z_M ablation) the time head sees w only and
    `z_motion` is ignored.
    """

    uses_motion_mlp: ClassVar[bool] = True

    def __init__(self, cfg: DiganFourierConfig | DiganFourierNoFMConfig, ctx: BuildContext) -> None:
        super().__init__()
        style_dim, motion_dim = _latent_dims(ctx, type(self).__name__)
        k = cfg.features
        self.features = k
        self.style_dim = style_dim
        self.motion_dim = motion_dim
        self.sigma_xy = cfg.sigma_xy
        self.sigma_t = cfg.sigma_t
        self.out_features = 2 * k
        self.motion_slope = cfg.motion_slope if isinstance(cfg, DiganFourierConfig) else 0.0
        with torch.random.fork_rng(devices=[]):   # initial weights depend on ctx.seed only
            torch.manual_seed(ctx.seed)
            self.spatial_head = EqualLinear(in_features=style_dim, out_features=3 * k)  # A, b
            self.time_head = EqualLinear(in_features=style_dim + motion_dim, out_features=k)
            self.motion_mlp = MotionMLP(features=k) if self.uses_motion_mlp else None

    def spatial_phase(self, xy: Tensor, style: Tensor) -> Tensor:
        """A (x, y) + b: xy `b n 2` or `n 2` (shared by the batch) -> `b n k`.

        Two multiply-adds per feature, written element-wise rather than as a matrix product so
        that TF32 or bfloat16 matrix units never round the phase (it reaches tens of radians).
        """
        head = self.spatial_head(style)                                            # b 3k
        k = self.features
        freqs = rearrange(head[:, : 2 * k], "b (k i) -> b 1 k i", i=2) * self.sigma_xy  # b 1 k 2
        shifts = rearrange(head[:, 2 * k :], "b k -> b 1 k")                       # b 1 k
        return xy[..., 0:1] * freqs[..., 0] + xy[..., 1:2] * freqs[..., 1] + shifts  # b n k

    def motion_phase(self, t: Tensor, style: Tensor, z_motion: Tensor | None) -> Tensor:
        """m(t) = f_M(lrelu_0.01(sigma_t t u)): times `b n` -> `b n k`."""
        u = self.time_head(self._time_head_input(style, z_motion))                 # b k
        phase = self.sigma_t * rearrange(t, "b n -> b n 1") * rearrange(u, "b k -> b 1 k")  # b n k
        if self.motion_mlp is None:
            return phase
        return self.motion_mlp(F.leaky_relu(phase, self.motion_slope))            # b n k

    def _time_head_input(self, style: Tensor, z_motion: Tensor | None) -> Tensor:
        """[w; z_M] (w first), or w alone when this encoder has no motion latent."""
        if self.motion_dim == 0:
            return style                                                           # b d_w
        if z_motion is None:
            raise ShapeError(
                f"{type(self).__name__}: z_motion is None, expected `b {self.motion_dim}`\n"
                "  this encoder was built with a motion latent; pass z_motion"
            )
        expect_shape(z_motion, "b d", b=style.shape[0], d=self.motion_dim)
        return torch.cat([style, z_motion], dim=-1)                                # b (d_w+d_m)

    def forward(self, coords: Tensor, style: Tensor, z_motion: Tensor | None) -> Tensor:
        """Encode coordinates (x, y, t) `b n 3` into `b n 2K` sin/cos features."""
        b = expect_shape(coords, "b n i", i=3)["b"]
        expect_shape(style, "b d", b=b, d=self.style_dim)
        with full_precision(coords):
            coords, style, z_motion = coords.float(), style.float(), _float32(z_motion)
            phase = self.spatial_phase(coords[..., :2], style)                    # b n k
            phase = phase + self.motion_phase(coords[..., 2], style, z_motion)     # b n k
            return torch.cat([phase.sin(), phase.cos()], dim=-1)                   # b n 2k

    def encode_grid(
        self, xy: Tensor, times: Tensor, style: Tensor, z_motion: Tensor | None
    ) -> Tensor:
        """The same features on a grid shared by all frames: xy `n 2`, times `b t` -> `b t n 2K`.

        Built channels-first (`b 2K t n` in memory, what the generator's 1x1 layers read) and
        returned as a `b t n 2K` view, so rearranging it to `b 2K t h w` copies nothing.
        """
        b = expect_shape(times, "b t")["b"]
        expect_shape(xy, "n i", i=2)
        expect_shape(style, "b d", b=b, d=self.style_dim)
        with full_precision(xy):
            times, style, z_motion = times.float(), style.float(), _float32(z_motion)
            spatial = self.spatial_phase(xy.float(), style)                        # b n k
            motion = self.motion_phase(times, style, z_motion)                     # b t k
            # both small operands made channels-first, so the sum (and all after it) is too
            spatial = rearrange(spatial, "b n k -> b k 1 n").contiguous()          # b k 1 n
            motion = rearrange(motion, "b t k -> b k t 1").contiguous()            # b k t 1
            phase = spatial + motion                                               # b k t n
            features = torch.cat([phase.sin(), phase.cos()], dim=1)                # b 2k t n
        return rearrange(features, "b d t n -> b t n d")                           # a view


class DiganFourierNoFMConfig(EncoderConfig):
    """Options of `digan_fourier_xyt_no_fm` (no f_M, hence no leaky-ReLU slope)."""

    features: int = Field(128, gt=0, description="K: Fourier features per scale; output is 2K")
    sigma_xy: float = Field(
        SQRT_10, gt=0, description="sigma_x: scale of the generated spatial frequencies (sqrt 10)"
    )
    sigma_t: float = Field(
        0.25, gt=0, description="sigma_t: scale of the generated time frequencies (t * u)"
    )


class DiganFourierNoFMEncoder(DiganFourierEncoder):
    """Ablation without f_M: m(t) = sigma_t t u is added to the phase as is (linear in t)."""

    uses_motion_mlp: ClassVar[bool] = False


def embed_grid(
    encoder: CoordinateEncoder,
    xy: Tensor,
    times: Tensor,
    style: Tensor,
    z_motion: Tensor | None,
) -> Tensor:
    """Features of every (pixel, frame) pair: xy `n 2`, times `b t` -> `b t n d`.

    Uses the encoder's `encode_grid` fast path when it has one, else the registry contract
    `forward(coords b (t n) 3, ...)`, so any `CoordinateEncoder` can be plugged in.
    """
    fast = getattr(encoder, "encode_grid", None)
    if callable(fast):
        return fast(xy, times, style, z_motion)                                   # b t n d
    b, t = times.shape
    coords = torch.cat([
        repeat(xy, "n i -> b t n i", b=b, t=t),                                   # b t n 2
        repeat(times, "b t -> b t n 1", n=xy.shape[0]),                           # b t n 1
    ], dim=-1)
    features = encoder(rearrange(coords, "b t n i -> b (t n) i"), style, z_motion)  # b (t n) d
    return rearrange(features, "b (t n) d -> b t n d", t=t)
