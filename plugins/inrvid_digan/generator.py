"""DIGAN's generator: a mapping network and an FMM-modulated 1x1 INR body with ToRGB skips.

Read top to bottom like the paper's figure (docs/reference/digan.md §1):
mapping z_I -> w; per-video weights of the body generated from w (factorized multiplicative
modulation, rank 10, demodulated); coordinates and time embedded at three scales by encoders
from the recipe's `encoder` section; 1x1 layers at each pixel; nearest x2 between scales;
ToRGB heads summed along a skip path. Frames are independent given (w, z_M, t).

Body layout rule, for a square video of resolution R (a power of two):
- blocks at nominal resolutions 4, 8, ..., R; channels(r) = min(channel_base / r, channel_max);
- block r works at max(r, I) with I = min(input_resolution, R), so with I = 32 the blocks up to
  32 form one coordinate MLP on a 32x32 grid (DIGAN: 128 -> embedders at 32, 64, 128);
- the first block embeds coordinates and has one layer (embedding -> channels(4)); every block
  whose working resolution doubles upsamples features and RGB (nearest) and concatenates a new
  embedding (features first, then sines, cosines); other blocks have two layers;
- the last block has `extra_layers` more layers; every block ends with a ToRGB head.
`scale = s` evaluates every grid at s times the density (32s, 64s, 128s, ...).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import ClassVar, cast

import torch
import torch.nn.functional as F
from einops import rearrange
from inrvid_stylegan2.layers import LRELU_GAIN, LRELU_SLOPE, EqualLinear
from inrvid_stylegan2.mapping import MappingNetwork, check_classes
from inrvid_stylegan2.video import square_resolution
from pydantic import Field, field_validator, model_validator
from torch import Tensor, nn

from inrvid.base.errors import ShapeError
from inrvid.base.tensor import expect_shape
from inrvid.components.encoder import CoordinateEncoder
from inrvid.components.generator import GeneratorConfig, GeneratorContext, StyleGenerator
from inrvid_digan.encoder import embed_grid
from inrvid_digan.grid import coordinate_grid, upsample_nearest


class ModulatedLinear(nn.Module):
    """A 1x1 layer whose weight is modulated per video by a rank-r factorization (FMM).

    Shared: base W (`o i`, N(0, 1), no run-time gain) and bias (`o`). Generated from w:
    L (`o r`) and R (`r i`) by an FC head; W' = W * (1 + L R / sqrt(r)), each row of W'
    normalised to unit L2 norm (demodulation), then y = lrelu(W' x + bias).
    """

    def __init__(self, *, in_channels: int, out_channels: int, w_dim: int, rank: int) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.rank = rank
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.style = EqualLinear(in_features=w_dim,
                                 out_features=(in_channels + out_channels) * rank)

    def modulate(self, w: Tensor) -> Tensor:
        """The per-video weight W' `b o i` from w `b d_w`."""
        s = self.style(w)                                                          # b (o+i)r
        split = self.out_channels * self.rank
        left = rearrange(s[:, :split], "b (o r) -> b o r", r=self.rank)            # b o r
        right = rearrange(s[:, split:], "b (r i) -> b r i", r=self.rank)           # b r i
        modulation = torch.bmm(left, right) / math.sqrt(self.rank)                 # b o i
        weight = self.weight * (1.0 + modulation)                                  # b o i
        return weight / (weight.norm(dim=-1, keepdim=True) + 1e-8)                 # b o i

    def forward(self, x: Tensor, weight: Tensor) -> Tensor:
        """`b i t h w` with W' `b o i` -> lrelu(W' x + bias) `b o t h w`.

        The lrelu gain sqrt(2) is folded into W' and the bias (lrelu is positively homogeneous),
        so the layer is one batched multiply-add and one activation.
        """
        t, h = x.shape[2], x.shape[3]
        bias = rearrange(self.bias * LRELU_GAIN, "o -> 1 o 1")
        y = torch.baddbmm(bias, weight * LRELU_GAIN,
                          rearrange(x, "b i t h w -> b i (t h w)"))                # b o (t h w)
        y = F.leaky_relu(y, LRELU_SLOPE)
        return rearrange(y, "b o (t h w) -> b o t h w", t=t, h=h)

    def extra_repr(self) -> str:
        """Sizes, for `print(module)`."""
        return f"{self.in_channels} -> {self.out_channels}, rank={self.rank}"


class ToRGB(nn.Module):
    """Modulated 1x1 output head, no demodulation: W_rgb scaled column-wise by FC(w)/sqrt(i)."""

    def __init__(self, *, in_channels: int, out_channels: int, w_dim: int) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.style = EqualLinear(in_features=w_dim, out_features=in_channels, bias_init=1.0)

    def modulate(self, w: Tensor) -> Tensor:
        """The per-video weight `b c i` from w `b d_w`."""
        scales = self.style(w) / math.sqrt(self.in_channels)                       # b i
        return self.weight * rearrange(scales, "b i -> b 1 i")                     # b c i

    def forward(self, x: Tensor, weight: Tensor) -> Tensor:
        """`b i t h w` with `b c i` -> RGB `b c t h w`, linear (unbounded)."""
        y = torch.einsum("bci,bithw->bcthw", weight, x)                           # b c t h w
        return y + rearrange(self.bias, "c -> 1 c 1 1 1")


@dataclass(frozen=True)
class BlockSpec:
    """One block of the body: where it works and what it holds (see the module docstring)."""

    nominal: int           # the StyleGAN2 block name, b4 ... bR
    working: int           # resolution of its grid at scale 1
    in_channels: int       # feature channels coming in (0 for the first block), before embedding
    out_channels: int
    num_layers: int
    embeds: bool           # concatenates a new coordinate embedding
    upsample: bool         # doubles the incoming features and RGB (nearest)


def body_layout(
    *,
    resolution: int,
    input_resolution: int,
    channel_base: int,
    channel_max: int,
    extra_layers: int,
    embed_every_scale: bool = True,
) -> list[BlockSpec]:
    """The blocks of a body rendering `resolution`² frames (the rule of the module docstring)."""
    def channels(r: int) -> int:
        return min(channel_base // r, channel_max)

    first = min(input_resolution, resolution)
    specs: list[BlockSpec] = []
    r = 4
    while r <= resolution:
        previous = specs[-1].working if specs else None
        working = max(r, first)
        upsample = previous is not None and working > previous
        specs.append(BlockSpec(
            nominal=r, working=working,
            in_channels=0 if r == 4 else channels(r // 2), out_channels=channels(r),
            num_layers=(1 if r == 4 else 2) + (extra_layers if r == resolution else 0),
            embeds=r == 4 or (upsample and embed_every_scale), upsample=upsample,
        ))
        r *= 2
    return specs


class SynthesisBlock(nn.Module):
    """One scale of the body: [upsample], [⊕ embedding], FMM layers, ToRGB added to the skip."""

    def __init__(
        self,
        *,
        in_channels: int,
        out_channels: int,
        num_layers: int,
        working_resolution: int,
        upsample: bool,
        encoder: CoordinateEncoder | None,
        w_dim: int,
        rank: int,
        image_channels: int,
    ) -> None:
        super().__init__()
        self.working_resolution = working_resolution
        self.upsample = upsample
        self.encoder = encoder
        width = in_channels + (encoder.out_features if encoder is not None else 0)
        widths = [width] + [out_channels] * num_layers
        self.layers = nn.ModuleList([
            ModulatedLinear(in_channels=a, out_channels=b, w_dim=w_dim, rank=rank)
            for a, b in itertools.pairwise(widths)
        ])
        self.to_rgb = ToRGB(in_channels=out_channels, out_channels=image_channels, w_dim=w_dim)

    def modulate(self, w: Tensor) -> list[Tensor]:
        """Every per-video weight of this block: the FMM layers', then ToRGB's."""
        layers = cast("list[ModulatedLinear]", list(self.layers))
        return [layer.modulate(w) for layer in layers] + [self.to_rgb.modulate(w)]

    def embed(self, w: Tensor, z_motion: Tensor | None, times: Tensor, size: int) -> Tensor:
        """Coordinate/time features on a `size`² grid: `b d t h w`."""
        assert self.encoder is not None
        xy = coordinate_grid(size, device=w.device)                                # (h w) 2
        features = embed_grid(self.encoder, xy, times, w, z_motion)                # b t (h w) d
        return rearrange(features, "b t (h w) d -> b d t h w", h=size)

    def forward(
        self,
        x: Tensor | None,
        rgb: Tensor | None,
        *,
        weights: list[Tensor],
        w: Tensor,
        z_motion: Tensor | None,
        times: Tensor,
        scale: int,
    ) -> tuple[Tensor, Tensor]:
        """Features `b c t h w` and RGB `b 3 t h w` in, the same at this block's grid out."""
        if self.upsample and x is not None and rgb is not None:
            x, rgb = upsample_nearest(x), upsample_nearest(rgb)                   # b c t 2h 2w
        if self.encoder is not None:
            features = self.embed(w, z_motion, times, self.working_resolution * scale)
            x = features if x is None else torch.cat([x, features], dim=1)        # b (c+d) t h w
        assert x is not None
        for layer, weight in zip(self.layers, weights[:-1], strict=True):
            x = layer(x, weight)                                                   # b c' t h w
        new_rgb = self.to_rgb(x, weights[-1])                                      # b 3 t h w
        return x, new_rgb if rgb is None else rgb + new_rgb


class DiganGeneratorConfig(GeneratorConfig):
    """Options of `digan` (docs/reference/digan.md §1; defaults are the 128x128 release)."""

    w_dim: int = Field(512, gt=0, description="size of the style vector w")
    mapping_layers: int = Field(2, ge=1, description="FC layers of the mapping network z_I -> w")
    mapping_lr_multiplier: float = Field(
        0.01, gt=0, description="learning-rate multiplier of the mapping layers"
    )
    channel_base: int = Field(
        32768, gt=0, description="body channels at resolution r: min(channel_base / r, channel_max)"
    )
    channel_max: int = Field(512, gt=0, description="upper bound on body channels")
    input_resolution: int = Field(
        32, ge=4, description="grid of the first scale (a power of two; min with the video size)"
    )
    fmm_rank: int = Field(10, gt=0, description="rank r of the factorized weight modulation")
    extra_layers: int = Field(1, ge=0, description="extra FMM layers in the last block")
    chunk_frames: int = Field(
        16, gt=0, description="frames rendered per pass; memory grows with batch x chunk_frames"
    )
    num_classes: int = Field(
        0, ge=0, description="class-conditional on this many classes (a class embedding into "
        "the mapping network, as the release's --cond); 0: unconditional"
    )
    class_names: tuple[str, ...] = Field(
        (), description="names of the classes in label order (the dataset's), so that "
        "`inrvid generate --class <name>` works from a checkpoint; empty: indices only"
    )

    @field_validator("input_resolution")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError(f"input_resolution must be a power of two, got {value}")
        return value

    @model_validator(mode="after")
    def _one_name_per_class(self) -> DiganGeneratorConfig:
        if self.class_names and len(self.class_names) != self.num_classes:
            raise ValueError(
                f"class_names: got {len(self.class_names)} names, expected num_classes = "
                f"{self.num_classes} (one per class, in label order)"
            )
        return self


class DiganGenerator(StyleGenerator):
    """DIGAN: content latent z_I and motion latent z_M -> the weights of a video INR.

    `forward(z_content b d, z_motion b d, times b t, scale=1) -> b t c h w`. Any real times;
    any integer `scale` (grids 32s, 64s, 128s, ...). Frames are rendered `chunk_frames` at a
    time; the per-video weights are generated once per call.
    """

    embed_every_scale: ClassVar[bool] = True

    def __init__(self, cfg: DiganGeneratorConfig, ctx: GeneratorContext) -> None:
        super().__init__()
        video = ctx.require_video()
        self.resolution = square_resolution(ctx, f"generator '{type(self).__name__}'", 4)
        self.content_dim = cfg.content_dim
        self.motion_dim = cfg.motion_dim
        self.w_dim = cfg.w_dim
        self.chunk_frames = cfg.chunk_frames
        self.num_classes = cfg.num_classes
        self.class_names = tuple(cfg.class_names)
        self.mapping = MappingNetwork(z_dim=cfg.content_dim, w_dim=cfg.w_dim,
                                      num_layers=cfg.mapping_layers,
                                      lr_multiplier=cfg.mapping_lr_multiplier,
                                      num_classes=cfg.num_classes)
        self.layout = body_layout(
            resolution=self.resolution, input_resolution=cfg.input_resolution,
            channel_base=cfg.channel_base, channel_max=cfg.channel_max,
            extra_layers=cfg.extra_layers, embed_every_scale=self.embed_every_scale,
        )
        blocks = []
        for index, spec in enumerate(self.layout):
            encoder = None
            if spec.embeds:   # one fresh encoder per scale, each with its own seed
                encoder = ctx.with_seed_offset(index).make_encoder(
                    style_dim=cfg.w_dim, motion_dim=cfg.motion_dim)
            blocks.append(SynthesisBlock(
                in_channels=spec.in_channels, out_channels=spec.out_channels,
                num_layers=spec.num_layers, working_resolution=spec.working,
                upsample=spec.upsample, encoder=encoder, w_dim=cfg.w_dim, rank=cfg.fmm_rank,
                image_channels=video.channels,
            ))
        self.blocks = nn.ModuleList(blocks)

    @property
    def synthesis_blocks(self) -> list[SynthesisBlock]:
        """The blocks of the body, coarsest scale first."""
        return cast("list[SynthesisBlock]", list(self.blocks))

    @property
    def embedders(self) -> list[CoordinateEncoder]:
        """The coordinate encoders, coarsest scale first."""
        return [b.encoder for b in self.synthesis_blocks if b.encoder is not None]

    def generated_numbers(self) -> dict[str, int]:
        """Numbers generated per video: FMM factor entries and ToRGB scales."""
        return {
            "fmm": sum(cast(ModulatedLinear, layer).style.out_features
                       for b in self.synthesis_blocks for layer in b.layers),
            "to_rgb": sum(b.to_rgb.style.out_features for b in self.synthesis_blocks),
        }

    def style(self, z_content: Tensor, classes: Tensor | None = None) -> Tensor:
        """The style vector w `b d_w` of `z_content b d` [and `classes b`] (the mapping)."""
        if not self.num_classes:
            return self.mapping(z_content)
        return self.mapping(z_content, check_classes(classes, self.num_classes,
                                                     type(self).__name__))

    def forward(
        self,
        z_content: Tensor,
        z_motion: Tensor | None,
        times: Tensor,
        scale: int = 1,
        *,
        w: Tensor | None = None,
        classes: Tensor | None = None,
    ) -> Tensor:
        """Render frames `b t c h w` (h = w = resolution * scale) at `times b t`.

        `w b d_w`, when given, replaces mapping(z_content) (w-space inversion, fixed styles).
        `classes b` (int): the class of each video, for a conditional generator only.
        """
        b = expect_shape(z_content, "b d", d=self.content_dim)["b"]
        t = expect_shape(times, "b t", b=b)["t"]
        z_motion = self._motion_latent(z_motion, b)
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(
                f"{type(self).__name__}: scale: expected an integer >= 1, got {scale!r}")
        if w is None:
            w = self.style(z_content, classes)                                     # b d_w
        else:
            expect_shape(w, "b d", b=b, d=self.w_dim)
        weights = [block.modulate(w) for block in self.synthesis_blocks]           # per video
        step = self.chunk_frames
        chunks = [
            self.synthesize(w, z_motion, times[:, start : start + step], weights, scale)
            for start in range(0, t, step)
        ]
        return torch.cat(chunks, dim=1)                                            # b t c h w

    def synthesize(
        self,
        w: Tensor,
        z_motion: Tensor | None,
        times: Tensor,
        weights: list[list[Tensor]],
        scale: int,
    ) -> Tensor:
        """Run the body on one chunk of times `b t` -> frames `b t c h w`."""
        x = rgb = None
        for block, block_weights in zip(self.blocks, weights, strict=True):
            x, rgb = block(x, rgb, weights=block_weights, w=w, z_motion=z_motion,
                           times=times, scale=scale)                               # b c t h w
        assert rgb is not None
        return rearrange(rgb, "b c t h w -> b t c h w")

    def _motion_latent(self, z_motion: Tensor | None, batch: int) -> Tensor | None:
        if self.motion_dim == 0:
            return None
        if z_motion is None:
            raise ShapeError(
                f"{type(self).__name__}: z_motion is None, expected `b {self.motion_dim}`\n"
                "  sample it with `generator.sample_latents(batch)`"
            )
        expect_shape(z_motion, "b d", b=batch, d=self.motion_dim)
        return z_motion


class DiganNoMotionConfig(DiganGeneratorConfig):
    """Options of `digan_no_motion`: as `digan`, without a motion latent."""

    motion_dim: int = Field(
        0, ge=0, le=0, description="always 0: no z_M, the time heads see w only"
    )


class DiganNoMotionGenerator(DiganGenerator):
    """Ablation without z_M: each time head is FC(w) -> K, so motion is a function of content.

    Built with motion_dim = 0, so its encoders are made with `motion_dim=0`; `z_motion` is
    ignored (the contract's generator without a motion latent).
    """


class DiganSingleScaleConfig(DiganGeneratorConfig):
    """Options of `digan_single_scale`: as `digan`."""


class DiganSingleScaleGenerator(DiganGenerator):
    """Ablation: coordinates and time are embedded at the first scale only.

    Later scales only upsample the features (their first layer is c -> c instead of
    c + 2K -> c); there is a single encoder, hence a single time head and f_M.
    """

    embed_every_scale: ClassVar[bool] = False
