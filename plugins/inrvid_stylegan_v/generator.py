"""StyleGAN-V's generator: a StyleGAN2 synthesis network whose 4x4 input carries motion codes.

Read top to bottom like the paper's figure (Skorokhodov et al., CVPR 2022; official code
`src/training/networks.py`, `motion.py`, `layers.py`):
mapping z_content -> w (one per video, shared by every layer: no style mixing); the motion
encoder turns the motion noise into a code v(t) per frame (`motion.py`); block b4 concatenates
a learned 4x4 constant with v(t) broadcast over the 4x4 grid, then every block is StyleGAN2's
"skip" block (modulated 3x3 convolutions, ToRGB, FIR up-sampling of features and RGB).

Times: inrvid's t is in training-clip units (frame k of a clip of F frames at t = k/(F - 1));
StyleGAN-V works in frames, tau = t (F - 1). Frames are independent given (w, noise), so any
number of frames at any real times can be rendered, in chunks or at once; outside the motion
noise's span [0, M] time is reflected back into it (`motion.MotionEncoder`).
"""

from __future__ import annotations

import torch
from inrvid_stylegan2.layers import fir_filter
from inrvid_stylegan2.mapping import MappingNetwork
from inrvid_stylegan2.modulated import SynthesisLayer, ToRGB, upsample_fir
from inrvid_stylegan2.video import square_resolution
from pydantic import Field, model_validator
from torch import Tensor, nn

from inrvid.base.errors import InrvidError
from inrvid.base.tensor import expect_shape
from inrvid.components.generator import GeneratorConfig, StyleGenerator
from inrvid.components.registry import BuildContext
from inrvid_stylegan_v.motion import MotionEncoder


class FirstBlock(nn.Module):
    """b4: [learned constant ; v(t)] `c + d_v` channels at 4x4 -> conv -> features, RGB."""

    def __init__(
        self, *, channels: int, motion_features: int, w_dim: int, image_channels: int,
        conv_clamp: float | None,
    ) -> None:
        super().__init__()
        self.const = nn.Parameter(torch.randn(channels, 4, 4))
        self.conv1 = SynthesisLayer(in_channels=channels + motion_features, out_channels=channels,
                                    w_dim=w_dim, conv_clamp=conv_clamp)
        self.to_rgb = ToRGB(in_channels=channels, out_channels=image_channels, w_dim=w_dim,
                            conv_clamp=conv_clamp)

    def forward(self, v: Tensor, w: Tensor) -> tuple[Tensor, Tensor]:
        """Motion codes `b t d_v`, style `b d_w` -> features `b t c 4 4`, RGB `b t 3 4 4`."""
        b, t, d = v.shape
        const = self.const.expand(b, t, *self.const.shape)                    # b t c 4 4
        motion = v[..., None, None].expand(b, t, d, 4, 4)                      # b t d_v 4 4
        x = self.conv1(torch.cat([const, motion], dim=2), w)     # b t c 4 4
        return x, self.to_rgb(x, w)


class SynthesisBlock(nn.Module):
    """One resolution: up-sampling conv, conv, ToRGB added to the up-sampled RGB skip."""

    fir: Tensor

    def __init__(
        self, *, in_channels: int, out_channels: int, w_dim: int, image_channels: int,
        conv_clamp: float | None,
    ) -> None:
        super().__init__()
        self.conv0 = SynthesisLayer(in_channels=in_channels, out_channels=out_channels,
                                    w_dim=w_dim, up=True, conv_clamp=conv_clamp)
        self.conv1 = SynthesisLayer(in_channels=out_channels, out_channels=out_channels,
                                    w_dim=w_dim, conv_clamp=conv_clamp)
        self.to_rgb = ToRGB(in_channels=out_channels, out_channels=image_channels, w_dim=w_dim,
                            conv_clamp=conv_clamp)
        self.register_buffer("fir", fir_filter(), persistent=False)

    def forward(self, x: Tensor, rgb: Tensor, w: Tensor) -> tuple[Tensor, Tensor]:
        """Features `b t c h w`, RGB `b t 3 h w` -> the same at 2h x 2w."""
        x = self.conv1(self.conv0(x, w), w)                                    # b t c' 2h 2w
        b = rgb.shape[0]
        skip = upsample_fir(rgb.flatten(0, 1), self.fir).unflatten(0, (b, -1)) # b t 3 2h 2w
        return x, skip + self.to_rgb(x, w)


class StyleganVGeneratorConfig(GeneratorConfig):
    """Options of `stylegan_v`; defaults are the release's 256x256 configuration.

    Sources: `configs/model/stylegan-v.yaml` (motion, time_enc, w_dim, z_dim) and `src/train.py`
    with `cfg: auto` at 256² (mapping 2 layers, fmaps 0.5 -> channel_base 16384, conv_clamp 256).
    """

    content_dim: int = Field(512, gt=0, description="size of the content latent z (z_dim)")
    motion_dim: int = Field(
        512, gt=0, description="size of each motion noise vector (motion.z_dim); z_motion holds "
        "one per knot plus the convolutions' margin, flattened (generator.motion_dim)",
    )
    w_dim: int = Field(512, gt=0, description="size of the style vector w")
    mapping_layers: int = Field(2, ge=1, description="FC layers of the mapping network z -> w")
    mapping_lr_multiplier: float = Field(
        0.01, gt=0, description="learning-rate multiplier of the mapping layers")
    channel_base: int = Field(
        16384, gt=0, description="channels at resolution r: min(channel_base / r, channel_max)")
    channel_max: int = Field(512, gt=0, description="upper bound on channels per block")
    conv_clamp: float | None = Field(
        256.0, gt=0, description="clamp conv and ToRGB outputs to ±conv_clamp; null: no clamp")
    motion_code_dim: int = Field(
        512, gt=0, description="size of the motion codes u (motion.v_dim)")
    motion_kernel_size: int = Field(
        11, ge=1, description="kernel of the two unpadded motion convolutions")
    motion_lr_multiplier: float = Field(
        0.01, gt=0, description="learning-rate multiplier of the motion convolutions")
    code_spacing_frames: int = Field(
        16, gt=0, description="delta: frames between motion codes (motion_z_distance; the "
        "release ties it to min_period_frames)",
    )
    time_features: int = Field(
        256, gt=0, description="k: frequencies of the time embedding; v has 2k channels")
    min_period_frames: float = Field(
        16.0, gt=0, description="shortest period of the time sinusoids, in frames")
    max_period_frames: float = Field(
        1024.0, gt=0, description="longest period of the time sinusoids, in frames")
    motion_horizon_frames: int = Field(
        1024, ge=2, description="frames the motion noise covers (sampling.max_num_frames); "
        "times past the last knot after it (and before 0) are reflected back",
    )

    @model_validator(mode="after")
    def _periods_ordered(self) -> StyleganVGeneratorConfig:
        if self.min_period_frames > self.max_period_frames:
            raise ValueError(
                f"min_period_frames {self.min_period_frames} > max_period_frames "
                f"{self.max_period_frames}, expected min <= max")
        return self


class StyleganVGenerator(StyleGenerator):
    """StyleGAN-V: content latent z and motion noise -> frames at any real times in the horizon.

    `forward(z_content b d, z_motion b (n d_z), times b t, scale=1, w=None) -> b t c h w`.
    `z_motion` is the flattened motion noise (`motion_dim` = n·d_z standard normal numbers).
    `scale` must be 1 (`max_scale`): a convolutional synthesis network has one output grid.
    """

    needs_encoder = False
    max_scale = 1

    def __init__(self, cfg: StyleganVGeneratorConfig, ctx: BuildContext) -> None:
        super().__init__()
        video = ctx.require_video()
        self.resolution = square_resolution(ctx, "generator 'stylegan_v'", 4)
        self.frame_scale = float(max(video.frames - 1, 1))    # tau = t (F - 1): frames
        self.content_dim = cfg.content_dim
        self.w_dim = cfg.w_dim
        self.mapping = MappingNetwork(z_dim=cfg.content_dim, w_dim=cfg.w_dim,
                                      num_layers=cfg.mapping_layers,
                                      lr_multiplier=cfg.mapping_lr_multiplier)
        self.motion = MotionEncoder(
            noise_dim=cfg.motion_dim, code_dim=cfg.motion_code_dim,
            kernel_size=cfg.motion_kernel_size, lr_multiplier=cfg.motion_lr_multiplier,
            spacing_frames=cfg.code_spacing_frames, horizon_frames=cfg.motion_horizon_frames,
            time_features=cfg.time_features, min_period=cfg.min_period_frames,
            max_period=cfg.max_period_frames,
        )
        self.motion_dim = self.motion.noise_vectors * cfg.motion_dim

        def channels(r: int) -> int:
            return min(cfg.channel_base // r, cfg.channel_max)

        self.first = FirstBlock(channels=channels(4), motion_features=self.motion.out_features,
                                w_dim=cfg.w_dim, image_channels=video.channels,
                                conv_clamp=cfg.conv_clamp)
        self.blocks = nn.ModuleList()
        r = 8
        while r <= self.resolution:
            self.blocks.append(SynthesisBlock(
                in_channels=channels(r // 2), out_channels=channels(r), w_dim=cfg.w_dim,
                image_channels=video.channels, conv_clamp=cfg.conv_clamp))
            r *= 2

    @property
    def max_time(self) -> float:
        """The time t (clip units) of the last knot: past it, motion is played back."""
        return self.motion.max_time / self.frame_scale

    def style(self, z_content: Tensor) -> Tensor:
        """The style vector w `b d_w` of `z_content b d` (the mapping network)."""
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
        """Render frames `b t c h w` at `times b t` (clip units, any real numbers)."""
        b = expect_shape(z_content, "b d", d=self.content_dim)["b"]
        expect_shape(times, "b t", b=b)
        if z_motion is None:
            raise InrvidError(
                f"stylegan_v: z_motion is None, expected motion noise `b {self.motion_dim}`\n"
                "  sample it with `generator.sample_latents(batch)`")
        expect_shape(z_motion, "b d", b=b, d=self.motion_dim)
        if scale != 1:
            raise InrvidError(
                f"stylegan_v: scale: got {scale!r}, expected 1 (max_scale): StyleGAN-V's "
                "convolutional synthesis network renders one grid, the training resolution\n"
                "  drop --scale (or use a DIGAN run for super-resolution)")
        w = self.style(z_content) if w is None else w                          # b d_w
        expect_shape(w, "b d", b=b, d=self.w_dim)
        v = self.motion(z_motion, times.float() * self.frame_scale)            # b t d_v
        x, rgb = self.first(v, w)                                              # b t c 4 4
        for block in self.blocks:
            x, rgb = block(x, rgb, w)                                          # b t c 2h 2w
        return rgb                                                             # b t 3 h w
