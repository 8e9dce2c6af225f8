"""Small components that keep their registry's contract, for the contract-check tests to break.

`PixelGenerator` is a complete generator without an encoder: an MLP of the pixel coordinates
(pixel corners, x and y in [-1, 1), as docs/plugins/generator.md states), the time and both
latents. Tests derive deliberately broken variants from these.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from einops import rearrange, repeat
from torch import Tensor, nn

from inrvid.components.generator import Generator, GeneratorConfig
from inrvid.components.loss import Loss, LossConfig, PhaseInputs
from inrvid.components.registry import BuildContext
from inrvid.components.sampler import SamplerConfig, TimeSampler


class PixelGeneratorConfig(GeneratorConfig):
    """Options of the test generator (only the latent sizes)."""


def pixel_grid(height: int, width: int, scale: int) -> Tensor:
    """Corners of the pixels of a `height*scale` x `width*scale` grid: `(h w) 2` in [-1, 1)."""
    ys = 1 - 2 * (torch.arange(height * scale) + 1) / (height * scale)             # h
    xs = -1 + 2 * torch.arange(width * scale) / (width * scale)                     # w
    return torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1).reshape(-1, 2)


class PixelGenerator(Generator):
    """frames(x, y, t) = MLP(x, y, t, A z_content, B z_motion), one pass per frame."""

    needs_encoder: ClassVar[bool] = False

    def __init__(self, cfg: PixelGeneratorConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.video = ctx.require_video()
        self.content_dim, self.motion_dim = cfg.content_dim, cfg.motion_dim
        self.content = nn.Linear(cfg.content_dim, 8)
        self.motion = nn.Linear(max(cfg.motion_dim, 1), 8)
        self.mlp = nn.Sequential(nn.Linear(3 + 16, 16), nn.Tanh(),
                                 nn.Linear(16, self.video.channels))

    def forward(
        self, z_content: Tensor, z_motion: Tensor | None, times: Tensor, scale: int = 1
    ) -> Tensor:
        """Frames `b t c h w` at `times b t`."""
        b, t = times.shape
        xy = pixel_grid(self.video.height, self.video.width, scale)                # n 2
        n = xy.shape[0]
        zm = z_motion if z_motion is not None else z_content.new_zeros(b, 1)
        # motion enters as a time-dependent phase, so z_motion changes the frames
        code = torch.cat([self.content(z_content), torch.sin(self.motion(zm))], dim=-1)  # b 16
        x = torch.cat([
            repeat(xy, "n i -> b t n i", b=b, t=t),
            repeat(times, "b t -> b t n 1", n=n),
            repeat(code, "b d -> b t n d", t=t, n=n) * (1 + repeat(times, "b t -> b t n 1", n=n)),
        ], dim=-1)                                                                  # b t n 19
        rgb = self.mlp(x)                                                           # b t n c
        return rearrange(rgb, "b t (h w) c -> b t c h w", h=self.video.height * scale)


class PairSamplerConfig(SamplerConfig):
    """Options of the test sampler (none)."""


class PairSampler(TimeSampler):
    """Two uniform times per video, sorted, drawn from the given torch.Generator."""

    frames_shown = 2

    def __init__(self, cfg: PairSamplerConfig, ctx: BuildContext) -> None:
        self.cfg = cfg

    def sample_real(self, batch: int, clip_frames: int, gen: torch.Generator) -> Tensor:
        """Indices `b 2`."""
        idx = torch.randint(0, clip_frames, (batch, 2), generator=gen)
        return torch.sort(idx, dim=1).values

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        """Times `b 2`."""
        return torch.sort(torch.rand(batch, 2, generator=gen), dim=1).values


class HingeConfig(LossConfig):
    """Options of the test loss (only the weight)."""


class Hinge(Loss):
    """Hinge loss over every discriminator, on augmented frames."""

    def __init__(self, cfg: HingeConfig, ctx: BuildContext) -> None:
        super().__init__()

    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """-D(fake) per role."""
        assert inputs.fake_frames is not None and inputs.fake_times is not None
        frames = inputs.augment(inputs.fake_frames)
        return {f"{role}_fake": -d(frames, inputs.fake_times).mean()
                for role, d in inputs.discriminators.items()}

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        """relu(1 + D(fake)) + relu(1 - D(real)) per role."""
        assert inputs.fake_frames is not None and inputs.real_frames is not None
        assert inputs.fake_times is not None and inputs.real_times is not None
        fake, real = inputs.augment(inputs.fake_frames), inputs.augment(inputs.real_frames)
        terms = {}
        for role, d in inputs.discriminators.items():
            terms[f"{role}_fake"] = torch.relu(1 + d(fake, inputs.fake_times)).mean()
            terms[f"{role}_real"] = torch.relu(1 - d(real, inputs.real_times)).mean()
        return terms
