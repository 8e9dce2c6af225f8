"""DIGAN's two discriminators: StyleGAN2's residual discriminator on frames and on frame pairs.

Building blocks first (docs/reference/digan.md §2.1): the residual block (fromRGB on the first;
3x3 conv; 3x3 conv with FIR [1,3,3,1] x2 down; 1x1 down skip without bias; sum times
sqrt(1/2)), the 4x4 epilogue (minibatch std with strided groups, 3x3 conv, FC, FC -> 1), the
trunk that stacks them, then the components: the image discriminator scores frames one by one;
the motion discriminator scores two frames with a constant Δt = t2 - t1 plane (7 channels).
Plain PyTorch; the blocks the release runs in float16 (`reduced_precision_blocks`, its
`num_fp16_res`) run in the dtype the run's numerics policy gives them (`train.numerics`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar, cast

import torch
from einops import rearrange, repeat
from inrvid_stylegan2.discriminator import DiscriminatorBlock
from inrvid_stylegan2.layers import Conv2dLayer, EqualLinear, minibatch_std
from inrvid_stylegan2.mapping import MappingNetwork, check_classes
from inrvid_stylegan2.video import square_resolution
from pydantic import Field
from torch import Tensor, nn

from inrvid.base.tensor import expect_shape
from inrvid.components.discriminator import Discriminator, DiscriminatorConfig
from inrvid.components.registry import BuildContext


class DiscriminatorEpilogue(nn.Module):
    """The 4x4 head: [minibatch std] -> 3x3 conv -> FC (c·16 -> c, lrelu) -> FC (c -> 1).

    Class-conditional (`cmap_dim` > 0): the last FC gives `cmap_dim` features, projected onto
    the class's mapped embedding: logit = <features, cmap> / sqrt(cmap_dim) (the release's
    projection head).
    """

    def __init__(
        self,
        *,
        channels: int,
        mbstd_group: int,
        mbstd_channels: int,
        conv_clamp: float | None,
        cmap_dim: int = 0,
    ) -> None:
        super().__init__()
        self.mbstd_group = mbstd_group
        self.mbstd_channels = mbstd_channels if mbstd_group > 0 else 0
        self.conv = Conv2dLayer(in_channels=channels + self.mbstd_channels, out_channels=channels,
                                kernel_size=3, activation="lrelu", conv_clamp=conv_clamp)
        self.fc = EqualLinear(in_features=channels * 16, out_features=channels, activation="lrelu")
        self.cmap_dim = cmap_dim
        self.out = EqualLinear(in_features=channels, out_features=cmap_dim or 1)

    def forward(self, x: Tensor, cmap: Tensor | None = None) -> Tensor:
        """`b c 4 4` [with the mapped classes `b cmap_dim`] -> `b 1`."""
        x = x.float()                                    # the epilogue always runs in float32
        if self.mbstd_channels:
            x = minibatch_std(x, group_size=self.mbstd_group,
                              num_channels=self.mbstd_channels)                    # b (c+f) 4 4
        x = self.conv(x)                                                           # b c 4 4
        x = self.fc(rearrange(x, "b c h w -> b (c h w)"))                          # b c
        x = self.out(x)                                                            # b 1 | b m
        if self.cmap_dim:
            assert cmap is not None
            return (x * cmap).sum(dim=1, keepdim=True) / math.sqrt(self.cmap_dim)  # b 1
        return x                                                                   # b 1


class ResidualTrunk(nn.Module):
    """StyleGAN2's residual discriminator: `b c h w -> b 1`, blocks from h down to 8, epilogue.

    Block r (h = r ... 8) maps channels(r) -> channels(r/2) with
    channels(r) = min(channel_base / r, channel_max).
    """

    def __init__(
        self,
        *,
        in_channels: int,
        resolution: int,
        channel_base: int,
        channel_max: int,
        mbstd_group: int,
        mbstd_channels: int,
        conv_clamp: float | None,
        cmap_dim: int = 0,
    ) -> None:
        super().__init__()

        def channels(r: int) -> int:
            return min(channel_base // r, channel_max)

        blocks = []
        self.block_resolutions: list[int] = []
        r = resolution
        while r > 4:
            self.block_resolutions.append(r)
            blocks.append(DiscriminatorBlock(
                in_channels=0 if r == resolution else channels(r), tmp_channels=channels(r),
                out_channels=channels(r // 2), image_channels=in_channels, conv_clamp=conv_clamp,
            ))
            r //= 2
        self.blocks = nn.Sequential(*blocks)
        self.epilogue = DiscriminatorEpilogue(channels=channels(4), mbstd_group=mbstd_group,
                                              mbstd_channels=mbstd_channels, conv_clamp=conv_clamp,
                                              cmap_dim=cmap_dim)

    def forward(self, x: Tensor, cmap: Tensor | None = None) -> Tensor:
        """`b c h w` [and mapped classes `b m`] -> `b 1`."""
        return self.epilogue(self.blocks(x), cmap)                                 # b 1

    def reduced_blocks(self, count: int) -> list[tuple[str, DiscriminatorBlock]]:
        """The blocks at the `count` highest resolutions, by the release's `num_fp16_res` rule.

        Resolutions r >= max(2 ** (log2 R + 1 - count), 8): at R = 128 and 4, b128 ... b16.
        """
        if count == 0:
            return []
        lowest = max((self.block_resolutions[0] * 2) >> count, 8)
        blocks = cast("list[DiscriminatorBlock]", list(self.blocks))
        return [(f"b{r}", block) for r, block in zip(self.block_resolutions, blocks,
                                                       strict=True) if r >= lowest]


class DiganImageDiscriminatorConfig(DiscriminatorConfig):
    """Options of `digan_image_d` (docs/reference/digan.md §2.1; defaults are the release's)."""

    channel_base: int = Field(
        32768, gt=0, description="channels at resolution r: min(channel_base / r, channel_max)"
    )
    channel_max: int = Field(512, gt=0, description="upper bound on channels per block")
    mbstd_group: int = Field(
        4, ge=0, description="minibatch-std group size (strided groups); 0 disables the layer"
    )
    mbstd_channels: int = Field(1, gt=0, description="minibatch-std feature planes appended")
    conv_clamp: float | None = Field(
        256.0, gt=0, description="clamp conv activations to ±conv_clamp; null: no clamp"
    )
    num_classes: int = Field(
        0, ge=0, description="class-conditional on this many classes (a projection head, as "
        "the release's --cond); 0: unconditional"
    )
    cmap_dim: int | None = Field(
        None, gt=0, description="size of the mapped class embedding; null: the channels at 4x4"
    )
    class_mapping_layers: int = Field(
        8, ge=1, description="FC layers mapping a class to its embedding (the release: 8)"
    )
    reduced_precision_blocks: int = Field(
        4, ge=0, description="the N highest-resolution blocks that run in reduced precision "
        "when train.numerics asks for it (the release's num_fp16_res: 4)"
    )


class ClassProjection(nn.Module):
    """A conditional discriminator's class mapping: class -> cmap `b m` for the projection.

    The release's `MappingNetwork(z_dim=0, c_dim=...)`: a one-hot class through a linear
    embedding, normalised, then `class_mapping_layers` lrelu FC layers at learning rate x0.01.
    """

    def __init__(self, cfg: DiganImageDiscriminatorConfig, channels_at_4: int) -> None:
        super().__init__()
        self.num_classes = cfg.num_classes
        self.cmap_dim = cfg.cmap_dim or channels_at_4
        self.mapping = MappingNetwork(z_dim=0, w_dim=self.cmap_dim,
                                      num_layers=cfg.class_mapping_layers, lr_multiplier=0.01,
                                      num_classes=cfg.num_classes)

    def forward(self, classes: Tensor | None, who: str) -> Tensor:
        """Class indices `b` -> cmap `b m`."""
        return self.mapping(None, check_classes(classes, self.num_classes, who))  # b m


def _class_projection(cfg: DiganImageDiscriminatorConfig) -> ClassProjection | None:
    if not cfg.num_classes:
        return None
    return ClassProjection(cfg, min(cfg.channel_base // 4, cfg.channel_max))


class ReducedPrecisionBlocks:
    """`inrvid.train.numerics.MixedPrecisionNetwork` for a discriminator with a `trunk`."""

    trunk: ResidualTrunk
    reduced_count: int

    def reduced_precision_blocks(self) -> list[str]:
        """Names of the blocks that the numerics policy may run in a reduced dtype."""
        return [name for name, _ in self.trunk.reduced_blocks(self.reduced_count)]

    def set_reduced_precision(self, dtype: torch.dtype) -> None:
        """Run those blocks in `dtype`; the others and the epilogue stay in float32."""
        for _, block in self.trunk.reduced_blocks(self.reduced_count):
            block.compute_dtype = dtype


class ImageDiscriminator(ReducedPrecisionBlocks, Discriminator):
    """D_I: scores every frame on its own: frames `b t c h w` -> logits `b t`.

    Frames enter the trunk ordered `(b t)`, so with t = 2 each strided minibatch-std group holds
    the same frame slot of different videos, as in the release.
    """

    def __init__(self, cfg: DiganImageDiscriminatorConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.resolution = square_resolution(ctx, "discriminator 'digan_image_d'", 8)
        self.channels = ctx.require_video().channels
        self.num_classes = cfg.num_classes
        self.classes = _class_projection(cfg)
        self.reduced_count = cfg.reduced_precision_blocks
        self.trunk = ResidualTrunk(
            in_channels=self.channels, resolution=self.resolution,
            channel_base=cfg.channel_base, channel_max=cfg.channel_max,
            mbstd_group=cfg.mbstd_group, mbstd_channels=cfg.mbstd_channels,
            conv_clamp=cfg.conv_clamp, cmap_dim=self.classes.cmap_dim if self.classes else 0,
        )

    def forward(self, frames: Tensor, times: Tensor, classes: Tensor | None = None) -> Tensor:
        """Logits `b t` for frames `b t c h w` (times are not used) [of classes `b`]."""
        sizes = expect_shape(frames, "b t c h w", c=self.channels, h=self.resolution,
                             w=self.resolution)
        expect_shape(times, "b t", b=sizes["b"], t=sizes["t"])
        x = rearrange(frames, "b t c h w -> (b t) c h w")                          # (b t) c h w
        cmap = None
        if self.classes is not None:  # each frame is scored against its video's class
            cmap = repeat(self.classes(classes, "digan_image_d"), "b m -> (b t) m",
                          t=sizes["t"])                                            # (b t) m
        logits = self.trunk(x, cmap)                                               # (b t) 1
        return rearrange(logits, "(b t) 1 -> b t", b=sizes["b"])                   # b t


class DiganMotionDiscriminatorConfig(DiganImageDiscriminatorConfig):
    """Options of `digan_motion_d`: as `digan_image_d`."""


class MotionDiscriminator(ReducedPrecisionBlocks, Discriminator):
    """D_M: scores a sorted frame pair with its time gap: frames `b 2 c h w` -> logits `b 1`.

    The input is the two frames on channels and a constant plane Δt = t2 - t1:
    `b (2c + 1) h w`. `build_input` makes that tensor and `score_input` scores it, applying an
    augment to the frame channels only (the Δt plane is never augmented); R1 takes its gradient
    with respect to the built input, before augmentation (docs/reference/digan.md §3).
    """

    frames_seen = 2
    uses_dt_plane: ClassVar[bool] = True

    def __init__(
        self,
        cfg: DiganMotionDiscriminatorConfig | DiganMotionDiscriminatorNoDtConfig,
        ctx: BuildContext,
    ) -> None:
        super().__init__()
        self.resolution = square_resolution(ctx, f"discriminator '{type(self).__name__}'", 8)
        self.channels = ctx.require_video().channels
        self.in_channels = 2 * self.channels + (1 if self.uses_dt_plane else 0)
        self.num_classes = cfg.num_classes
        self.classes = _class_projection(cfg)
        self.reduced_count = cfg.reduced_precision_blocks
        self.trunk = ResidualTrunk(
            in_channels=self.in_channels, resolution=self.resolution,
            channel_base=cfg.channel_base, channel_max=cfg.channel_max,
            mbstd_group=cfg.mbstd_group, mbstd_channels=cfg.mbstd_channels,
            conv_clamp=cfg.conv_clamp, cmap_dim=self.classes.cmap_dim if self.classes else 0,
        )

    def build_input(self, frames: Tensor, times: Tensor) -> Tensor:
        """Frames `b 2 c h w` and times `b 2` -> the trunk's input `b (2c + 1) h w`."""
        sizes = expect_shape(frames, "b two c h w", two=2, c=self.channels, h=self.resolution,
                             w=self.resolution)
        expect_shape(times, "b two", b=sizes["b"], two=2)
        x = rearrange(frames, "b two c h w -> b (two c) h w")                      # b 2c h w
        if not self.uses_dt_plane:
            return x
        dt = times[:, 1] - times[:, 0]                                             # b
        dt_plane = repeat(dt.to(x.dtype), "b -> b 1 h w", h=self.resolution, w=self.resolution)
        return torch.cat([x, dt_plane], dim=1)                                     # b (2c+1) h w

    def score_input(
        self,
        x: Tensor,
        augment: Callable[[Tensor], Tensor] | None = None,
        classes: Tensor | None = None,
    ) -> Tensor:
        """Score a built input `b (2c + 1) h w` [of classes `b`] -> `b 1`.

        `augment` applies to its frame channels only.
        """
        expect_shape(x, "b c h w", c=self.in_channels)
        if augment is not None:
            pair = rearrange(x[:, : 2 * self.channels], "b (two c) h w -> b two c h w", two=2)
            pair = rearrange(augment(pair), "b two c h w -> b (two c) h w")        # b 2c h w
            x = torch.cat([pair, x[:, 2 * self.channels :]], dim=1)               # Δt untouched
        cmap = None if self.classes is None else self.classes(classes, "digan_motion_d")
        return self.trunk(x, cmap)                                                 # b 1

    def forward(self, frames: Tensor, times: Tensor, classes: Tensor | None = None) -> Tensor:
        """Logits `b 1` for (already augmented) frames `b 2 c h w` at sorted times `b 2`."""
        return self.score_input(self.build_input(frames, times), classes=classes)


class DiganMotionDiscriminatorNoDtConfig(DiganImageDiscriminatorConfig):
    """Options of `digan_motion_d_no_dt`: as `digan_motion_d`."""


class MotionDiscriminatorNoDt(MotionDiscriminator):
    """Ablation: D_M without the Δt plane (6 input channels); the same pairs are shown."""

    uses_dt_plane: ClassVar[bool] = False
