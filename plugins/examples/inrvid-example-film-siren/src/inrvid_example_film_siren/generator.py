"""FiLM-SIREN video generators: a sine network of (x, y, t) whose layers the latents modulate.

As in pi-GAN (Chan et al., 2021), a mapping network turns z_content into w, and w gives every
SIREN layer a FiLM gain and phase: h_l = sin(omega (1 + gamma_l) * (W_l h_{l-1} + b_l) + beta_l).
For video the first layer also sees t, through per-video time frequencies generated from
z_motion: W_1 [x, y] + t * m(z_motion). Pixels follow inrvid's coordinate convention
(docs/plugins/generator.md), so `scale` evaluates the same field of view on a denser grid and
every frame depends only on the latents and its own time.
"""

from __future__ import annotations

import itertools
import math
from typing import ClassVar, cast

import torch
from einops import rearrange, repeat
from pydantic import Field
from torch import Tensor, nn

from inrvid.base.tensor import expect_shape
from inrvid.components.generator import GeneratorConfig, StyleGenerator
from inrvid.components.registry import BuildContext


class FilmSirenConfig(GeneratorConfig):
    """Options of `example_film_siren`."""

    w_dim: int = Field(64, gt=0, description="size of the style vector w")
    hidden: int = Field(64, gt=0, description="width of the SIREN layers")
    layers: int = Field(3, ge=1, description="FiLM-modulated SIREN layers")
    mapping_layers: int = Field(2, ge=1, description="layers of the mapping network z -> w")
    omega: float = Field(
        15.0, gt=0, description="sine frequency scale omega_0 (SIREN uses 30; lower is smoother)"
    )


class FilmSirenNoMotionConfig(FilmSirenConfig):
    """Options of `example_film_siren_no_motion`: as `example_film_siren`, no motion latent."""

    motion_dim: int = Field(0, ge=0, le=0, description="always 0: no z_motion")


def pixel_grid(height: int, width: int, scale: int) -> Tensor:
    """Pixel coordinates `(h w) 2` (inrvid's convention) of the `height*s` x `width*s` grid.

    x = -1 + 2j/W left to right, y = 1 - 2(i + 1)/H top to bottom: the grids of scale s and 1
    nest (coarse pixel (i, j) is fine pixel (s i + s - 1, s j)).
    """
    big_h, big_w = height * scale, width * scale
    x = -1 + 2 * torch.arange(big_w, dtype=torch.float32) / big_w                     # w
    y = 1 - 2 * (torch.arange(big_h, dtype=torch.float32) + 1) / big_h                # h
    grid = torch.stack([repeat(x, "w -> h w", h=big_h), repeat(y, "h -> h w", w=big_w)], -1)
    return rearrange(grid, "h w i -> (h w) i")                                         # (h w) 2


class MappingNetwork(nn.Module):
    """z `b d_z` -> w `b d_w`: an MLP with leaky ReLUs."""

    def __init__(self, z_dim: int, w_dim: int, layers: int) -> None:
        super().__init__()
        widths = [z_dim] + [w_dim] * layers
        blocks: list[nn.Module] = []
        for a, b in itertools.pairwise(widths):
            blocks += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*blocks[:-1])

    def forward(self, z: Tensor) -> Tensor:
        """`b d_z -> b d_w`."""
        return self.net(z)


def siren_init(layer: nn.Linear, omega: float, first: bool) -> None:
    """SIREN's initialisation: U(-1/n, 1/n) for the first layer, else U(-sqrt(6/n)/omega, .)."""
    n = layer.in_features
    bound = 1 / n if first else math.sqrt(6 / n) / omega
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound)
        layer.bias.uniform_(-bound, bound)


class FilmSiren(StyleGenerator):
    """z_content `b d_c` (through w), z_motion `b d_m`, times `b t` -> frames `b t c h w`."""

    needs_encoder: ClassVar[bool] = False   # it embeds the coordinates itself

    def __init__(self, cfg: FilmSirenConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.video = ctx.require_video()
        self.content_dim, self.motion_dim, self.w_dim = cfg.content_dim, cfg.motion_dim, cfg.w_dim
        self.hidden, self.layers, self.omega = cfg.hidden, cfg.layers, cfg.omega
        self.mapping = MappingNetwork(cfg.content_dim, cfg.w_dim, cfg.mapping_layers)
        self.film = nn.Linear(cfg.w_dim, 2 * cfg.layers * cfg.hidden)      # gamma, beta
        self.time_freq = nn.Linear(max(cfg.motion_dim, 1), cfg.hidden)     # m(z_motion)
        self.first = nn.Linear(2, cfg.hidden)                              # W_1 [x, y] + b_1
        self.body = nn.ModuleList(
            [nn.Linear(cfg.hidden, cfg.hidden) for _ in range(cfg.layers - 1)]
        )
        self.to_rgb = nn.Linear(cfg.hidden, self.video.channels)
        siren_init(self.first, cfg.omega, first=True)
        for layer in self.body:
            siren_init(cast(nn.Linear, layer), cfg.omega, first=False)
        with torch.no_grad():   # small FiLM at init: every layer starts near a plain SIREN
            self.film.weight.mul_(0.1)
            self.film.bias.zero_()

    def style(self, z_content: Tensor) -> Tensor:
        """The style vector w `b d_w` of `z_content b d_c`."""
        return self.mapping(z_content)

    def forward(
        self,
        z_content: Tensor,
        z_motion: Tensor | None,
        times: Tensor,
        scale: int = 1,
        *,
        w: Tensor | None = None,
    ) -> Tensor:
        """Render frames `b t c h w` (the video's size times `scale`) at `times b t`."""
        b = expect_shape(z_content, "b d", d=self.content_dim)["b"]
        expect_shape(times, "b t", b=b)
        w = self.style(z_content) if w is None else w
        expect_shape(w, "b d", b=b, d=self.w_dim)
        if self.motion_dim == 0:
            z_motion = z_content.new_ones(b, 1)           # shared time frequencies
        assert z_motion is not None
        expect_shape(z_motion, "b d", b=b)
        film = rearrange(self.film(w), "b (two l d) -> two l b 1 1 d", two=2, l=self.layers)
        gamma, beta = 1 + film[0], film[1]                                          # l b 1 1 d
        xy = pixel_grid(self.video.height, self.video.width, scale).to(times.device)  # n 2
        freq = rearrange(self.time_freq(z_motion), "b d -> b 1 1 d")                 # b 1 1 d
        x = self.first(xy) + rearrange(times, "b t -> b t 1 1") * freq               # b t n d
        h = torch.sin(self.omega * gamma[0] * x + beta[0])                           # b t n d
        for k, layer in enumerate(self.body, start=1):
            h = torch.sin(self.omega * gamma[k] * layer(h) + beta[k])                # b t n d
        rgb = self.to_rgb(h)                                                         # b t n c
        return rearrange(rgb, "b t (h w) c -> b t c h w", h=self.video.height * scale)


class FilmSirenNoMotion(FilmSiren):
    """The ablation without z_motion: every video moves with the same time frequencies."""
