"""StyleGAN-V's discriminator: sparse frames, features fused across time, conditioned on gaps.

Read top to bottom like the official `src/training/networks.py` (Discriminator) and
`layers.py` (TemporalDifferenceEncoder): the time-gap embedding (a learned table row plus
fixed sinusoids per gap, for the t - 1 gaps of a video); the label mapping that turns it into
the projection vector `cmap`; the 4x4 epilogue whose output is projected on `cmap`; then the
discriminator, built from StyleGAN2's residual blocks (`inrvid_stylegan2.discriminator`). Frames
enter one by one (`(b t)` on the batch axis) up to the fusion resolution; the block before it
halves its output channels and the frames' maps are concatenated on channels in time order, so
the remaining blocks see videos.
"""

from __future__ import annotations

import itertools
import math

import torch
from einops import rearrange
from inrvid_stylegan2.discriminator import DiscriminatorBlock
from inrvid_stylegan2.layers import Conv2dLayer, EqualLinear, minibatch_std
from inrvid_stylegan2.mapping import normalize_second_moment
from inrvid_stylegan2.video import square_resolution
from pydantic import Field, model_validator
from torch import Tensor, nn

from inrvid.base.errors import ShapeError
from inrvid.base.tensor import expect_shape
from inrvid.components.discriminator import Discriminator, DiscriminatorConfig
from inrvid.components.registry import BuildContext


class TimeGapEncoder(nn.Module):
    """Gaps between consecutive frames (in frames) -> `b ((t-1) (d + 2m))` embedding.

    Each gap, rounded to an integer, picks a row of a learned table (`max_gap` rows of `d`)
    and is also embedded by m fixed sinusoids sin/cos(gap·π·2^j / R), j = 0..m-1, with
    R = 2^ceil(log2 max_gap) and m = log2 R (the release's FixedTimeEncoder).
    """

    coefs: Tensor

    def __init__(self, *, max_gap: int, features: int) -> None:
        super().__init__()
        self.max_gap = max_gap
        self.table = nn.Embedding(max_gap, features)
        resolution = 2 ** math.ceil(math.log2(max_gap))
        octaves = int(math.log2(resolution))
        coefs = math.pi * 2.0 ** torch.arange(octaves, dtype=torch.float64) / resolution
        self.register_buffer("coefs", coefs.float())                           # m
        self.gap_features = features + 2 * octaves

    def forward(self, tau: Tensor) -> Tensor:
        """Sorted times in frames `b t` -> `b ((t-1) e)`, e = d + 2m per gap."""
        gaps = tau.diff(dim=1)                                                 # b (t-1)
        rows = gaps.round().long()
        if bool((rows < 0).any()) or bool((rows >= self.max_gap).any()):
            raise ShapeError(
                f"stylegan_v_d: frame gaps from {int(rows.min())} to {int(rows.max())}, "
                f"expected sorted times with gaps in [0, {self.max_gap}) frames\n"
                "  sort the times, or raise discriminators.<role>.max_gap_frames")
        angle = gaps[..., None].float() * self.coefs                           # b (t-1) m
        embedded = torch.cat([self.table(rows), angle.sin(), angle.cos()], dim=-1)  # b (t-1) e
        return rearrange(embedded, "b g e -> b (g e)")


class GapMapping(nn.Module):
    """StyleGAN2's label mapping: FC (lr 1) -> normalise -> lrelu FCs (lr multiplier) -> cmap."""

    def __init__(
        self, *, in_features: int, cmap_dim: int, num_layers: int, lr_multiplier: float
    ) -> None:
        super().__init__()
        self.embed = EqualLinear(in_features=in_features, out_features=cmap_dim)
        self.layers = nn.Sequential(*[
            EqualLinear(in_features=cmap_dim, out_features=cmap_dim,
                        lr_multiplier=lr_multiplier, activation="lrelu")
            for _ in range(num_layers)
        ])

    def forward(self, gaps: Tensor) -> Tensor:
        """`b e -> b cmap_dim`."""
        return self.layers(normalize_second_moment(self.embed(gaps)))


class ProjectionEpilogue(nn.Module):
    """The 4x4 head: minibatch std -> 3x3 conv -> FC -> FC to cmap_dim, projected on cmap."""

    def __init__(
        self, *, channels: int, cmap_dim: int, mbstd_group: int, mbstd_channels: int,
        conv_clamp: float | None,
    ) -> None:
        super().__init__()
        self.mbstd_group = mbstd_group
        self.mbstd_channels = mbstd_channels if mbstd_group > 0 else 0
        self.cmap_dim = cmap_dim
        self.conv = Conv2dLayer(in_channels=channels + self.mbstd_channels, out_channels=channels,
                                kernel_size=3, activation="lrelu", conv_clamp=conv_clamp)
        self.fc = EqualLinear(in_features=channels * 16, out_features=channels,
                              activation="lrelu")
        self.out = EqualLinear(in_features=channels, out_features=cmap_dim)

    def forward(self, x: Tensor, cmap: Tensor) -> Tensor:
        """Features `b c 4 4` and projection vectors `b cmap_dim` -> logits `b 1` (float32)."""
        x = x.float()
        if self.mbstd_channels:
            x = minibatch_std(x, group_size=self.mbstd_group,
                              num_channels=self.mbstd_channels)                # b (c+f) 4 4
        x = self.fc(rearrange(self.conv(x), "b c h w -> b (c h w)"))           # b c
        projected = (self.out(x) * cmap).sum(dim=1, keepdim=True)              # b 1
        return projected / math.sqrt(self.cmap_dim)


class StyleganVDiscriminatorConfig(DiscriminatorConfig):
    """Options of `stylegan_v_d`; defaults are the release's 256x256 configuration.

    Sources: `configs/model/stylegan-v.yaml` (concat_res 16, num_frames_div_factor 2),
    `configs/model/base.yaml` (mbstd 4), `src/train.py` with `cfg: auto` at 256² (fmaps 0.5 ->
    channel_base 16384, conv_clamp 256, D mapping 2 layers), `src/training/layers.py`
    (TemporalDifferenceEncoder: 256-d table of max_num_frames = 1024 rows).
    """

    frames: int = Field(
        3, ge=2, description="frames per video it scores (sampling.num_frames_per_video)")
    channel_base: int = Field(
        16384, gt=0, description="channels at resolution r: min(channel_base / r, channel_max)")
    channel_max: int = Field(512, gt=0, description="upper bound on channels per block")
    fuse_resolution: int = Field(
        16, ge=8, description="resolution at which the frames' features are concatenated "
        "(concat_res); a power of two below the video's")
    fuse_channel_divisor: int = Field(
        2, ge=1, description="the block before fusion divides its output channels by this "
        "(num_frames_div_factor)")
    mbstd_group: int = Field(
        4, ge=0, description="minibatch-std group size in videos; 0 disables the layer")
    mbstd_channels: int = Field(1, gt=0, description="minibatch-std feature planes appended")
    conv_clamp: float | None = Field(
        256.0, gt=0, description="clamp conv activations to ±conv_clamp; null: no clamp")
    max_gap_frames: int = Field(
        1024, ge=2, description="rows of the learned gap table (sampling.max_num_frames); "
        "gaps must be smaller")
    gap_table_features: int = Field(256, gt=0, description="size of a learned gap-table row")
    mapping_layers: int = Field(
        2, ge=0, description="lrelu FC layers after the gap embedding's first FC")
    mapping_lr_multiplier: float = Field(
        0.01, gt=0, description="learning-rate multiplier of those layers")
    reduced_precision_blocks: int = Field(
        4, ge=0, description="the N highest-resolution blocks that run in reduced precision "
        "when train.numerics asks for it (num_fp16_res: 4)")

    @model_validator(mode="after")
    def _fuse_is_power_of_two(self) -> StyleganVDiscriminatorConfig:
        if self.fuse_resolution & (self.fuse_resolution - 1):
            raise ValueError(
                f"fuse_resolution must be a power of two, got {self.fuse_resolution}")
        return self


class StyleganVDiscriminator(Discriminator):
    """Scores a video from `frames` sparse frames and their gaps: `b t c h w`, `b t` -> `b 1`.

    Times are in clip units and converted to frames with the video spec (tau = t (F - 1)).
    It is an `inrvid.train.numerics.MixedPrecisionNetwork`: the blocks at the
    `reduced_precision_blocks` highest resolutions (the release's num_fp16_res rule) run in the
    dtype the run's numerics policy gives them; the rest and the epilogue stay in float32.
    """

    def __init__(self, cfg: StyleganVDiscriminatorConfig, ctx: BuildContext) -> None:
        super().__init__()
        video = ctx.require_video()
        self.resolution = square_resolution(ctx, "discriminator 'stylegan_v_d'", 8)
        if not 8 <= cfg.fuse_resolution < self.resolution:
            raise ShapeError(
                f"stylegan_v_d: fuse_resolution: got {cfg.fuse_resolution}, expected a power of "
                f"two in [8, {self.resolution // 2}] for {self.resolution}x{self.resolution} "
                "videos\n  lower discriminators.<role>.fuse_resolution")
        self.frames_seen = self.frames = cfg.frames
        self.channels = video.channels
        self.frame_scale = float(max(video.frames - 1, 1))
        self.fuse_resolution = cfg.fuse_resolution
        lowest = max((2 * self.resolution) >> cfg.reduced_precision_blocks, 8)
        self.reduced = [r for r in self.block_resolutions() if cfg.reduced_precision_blocks
                        and r >= lowest]

        def channels(r: int) -> int:
            return min(cfg.channel_base // r, cfg.channel_max)

        per_frame: list[nn.Module] = []
        per_video: list[nn.Module] = []
        r = self.resolution
        while r > 4:
            in_ch = 0 if r == self.resolution else channels(r)
            out_ch = channels(r // 2)
            if r // 2 == cfg.fuse_resolution:
                out_ch //= cfg.fuse_channel_divisor
            if r == cfg.fuse_resolution:
                in_ch = (in_ch // cfg.fuse_channel_divisor) * cfg.frames
            block = DiscriminatorBlock(in_channels=in_ch, tmp_channels=channels(r),
                                  out_channels=out_ch, image_channels=video.channels,
                                  conv_clamp=cfg.conv_clamp)
            (per_frame if r > cfg.fuse_resolution else per_video).append(block)
            r //= 2
        self.frame_blocks = nn.Sequential(*per_frame)
        self.video_blocks = nn.Sequential(*per_video)
        self.gaps = TimeGapEncoder(max_gap=cfg.max_gap_frames, features=cfg.gap_table_features)
        cmap_dim = channels(4)
        self.mapping = GapMapping(in_features=self.gaps.gap_features * (cfg.frames - 1),
                                  cmap_dim=cmap_dim, num_layers=cfg.mapping_layers,
                                  lr_multiplier=cfg.mapping_lr_multiplier)
        self.epilogue = ProjectionEpilogue(channels=channels(4), cmap_dim=cmap_dim,
                                           mbstd_group=cfg.mbstd_group,
                                           mbstd_channels=cfg.mbstd_channels,
                                           conv_clamp=cfg.conv_clamp)

    @property
    def blocks(self) -> list[nn.Module]:
        """Every residual block, highest resolution first."""
        return list(itertools.chain(self.frame_blocks, self.video_blocks))

    def block_resolutions(self) -> list[int]:
        """The input resolution of each block, highest first (R, R/2, ..., 8)."""
        return [self.resolution >> k for k in range(int(math.log2(self.resolution)) - 2)]

    def reduced_precision_blocks(self) -> list[str]:
        """Names of the blocks that the numerics policy may run in a reduced dtype."""
        return [f"b{r}" for r in self.reduced]

    def set_reduced_precision(self, dtype: torch.dtype) -> None:
        """Run those blocks in `dtype`; the others, the gap mapping and the epilogue in float32."""
        for r, block in zip(self.block_resolutions(), self.blocks, strict=True):
            if r in self.reduced and isinstance(block, DiscriminatorBlock):
                block.compute_dtype = dtype

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        """Logits `b 1` for (augmented) frames `b t c h w` at sorted times `b t`."""
        sizes = expect_shape(frames, "b t c h w", t=self.frames, c=self.channels,
                             h=self.resolution, w=self.resolution)
        expect_shape(times, "b t", b=sizes["b"], t=self.frames)
        cmap = self.mapping(self.gaps(times.float() * self.frame_scale))       # b cmap
        x = rearrange(frames, "b t c h w -> (b t) c h w")
        x = self.frame_blocks(x)                                               # (b t) c' r r
        x = rearrange(x, "(b t) c h w -> b (t c) h w", b=sizes["b"])           # fused on channels
        x = self.video_blocks(x)                                               # b c 4 4
        return self.epilogue(x, cmap)                                          # b 1
