"""A complete set of tiny components, one per registry, for tests of the core."""

from __future__ import annotations

import torch
from einops import rearrange
from pydantic import Field
from torch import Tensor, nn

from inrvid import BuildContext, VideoSpec, hookimpl
from inrvid.components.augment import Augment, AugmentConfig
from inrvid.components.dataset import ClipItem, DatasetConfig, DatasetSummary, VideoDataset
from inrvid.components.discriminator import Discriminator, DiscriminatorConfig
from inrvid.components.encoder import CoordinateEncoder, EncoderConfig
from inrvid.components.generator import Generator, GeneratorConfig
from inrvid.components.loss import Loss, LossConfig, PhaseInputs
from inrvid.components.metric import Metric, MetricConfig
from inrvid.components.sampler import SamplerConfig, TimeSampler

INRVID_API = "1.0"


class ToyDatasetConfig(DatasetConfig):
    videos: int = Field(4, gt=0, description="number of clips")


class ToyDataset(VideoDataset):
    def __init__(self, cfg: ToyDatasetConfig, ctx: BuildContext) -> None:
        self.cfg, self.seed, self.epoch = cfg, ctx.seed, 0
        self.video_spec = VideoSpec(cfg.clip_frames, cfg.resolution, cfg.resolution)

    def __len__(self) -> int:
        return self.cfg.videos

    def __getitem__(self, index: int) -> ClipItem:
        gen = torch.Generator().manual_seed(self.seed * 1000 + index)
        shape = (self.cfg.clip_frames, 3, self.cfg.resolution, self.cfg.resolution)
        video = torch.randint(0, 256, shape, generator=gen, dtype=torch.uint8)
        return {"video": video, "label": -1, "fps": 25.0, "index": index}

    def summary(self) -> DatasetSummary:
        return DatasetSummary(videos=self.cfg.videos, clips=self.cfg.videos)


class ToySamplerConfig(SamplerConfig):
    pass


class ToySampler(TimeSampler):
    frames_shown = 2

    def __init__(self, cfg: ToySamplerConfig, ctx: BuildContext) -> None:
        pass

    def sample_real(self, batch: int, clip_frames: int, gen: torch.Generator) -> Tensor:
        return torch.randint(0, clip_frames, (batch, 2), generator=gen).sort(dim=1).values

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        return torch.rand(batch, 2, generator=gen).sort(dim=1).values


class ToyEncoderConfig(EncoderConfig):
    features: int = Field(8, gt=0, description="output features")


class ToyEncoder(CoordinateEncoder):
    def __init__(self, cfg: ToyEncoderConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.proj = nn.Linear(3, cfg.features)
        self.out_features = cfg.features

    def forward(self, coords: Tensor, style: Tensor, z_motion: Tensor | None) -> Tensor:
        return torch.sin(self.proj(coords))


class ToyGeneratorConfig(GeneratorConfig):
    content_dim: int = Field(4, gt=0, description="content latent size")
    motion_dim: int = Field(4, ge=0, description="motion latent size")
    hidden: int = Field(8, gt=0, description="hidden width")


class ToyGenerator(Generator):
    def __init__(self, cfg: ToyGeneratorConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.content_dim, self.motion_dim, self.video = (
            cfg.content_dim,
            cfg.motion_dim,
            ctx.require_video(),
        )
        self.encoder = ctx.make_encoder(style_dim=cfg.content_dim, motion_dim=cfg.motion_dim)
        self.out = nn.Linear(self.encoder.out_features + cfg.content_dim, 3)

    def forward(
        self, z_content: Tensor, z_motion: Tensor | None, times: Tensor, scale: int = 1
    ) -> Tensor:
        b, t = times.shape
        h, w = self.video.height * scale, self.video.width * scale
        ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
        grid = torch.stack(
            [
                xs.expand(b, t, h, w),
                ys.expand(b, t, h, w),
                times[:, :, None, None].expand(b, t, h, w),
            ],
            dim=-1,
        )
        coords = rearrange(grid, "b t h w i -> b (t h w) i")
        feats = self.encoder(coords, z_content, z_motion)
        style = z_content[:, None, :].expand(b, feats.shape[1], -1)
        rgb = self.out(torch.cat([feats, style], dim=-1))
        return rearrange(rgb, "b (t h w) c -> b t c h w", t=t, h=h, w=w)


class ToyDiscriminatorConfig(DiscriminatorConfig):
    channels: int = Field(4, gt=0, description="conv channels")


class ToyDiscriminator(Discriminator):
    def __init__(self, cfg: ToyDiscriminatorConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, cfg.channels, 3, padding=1)
        self.head = nn.Linear(cfg.channels, 1)

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        b = frames.shape[0]
        x = self.conv(rearrange(frames, "b t c h w -> (b t) c h w")).mean(dim=(2, 3))
        return rearrange(self.head(x), "(b t) 1 -> b t", b=b)


class ToyLossConfig(LossConfig):
    pass


class ToyLoss(Loss):
    def __init__(self, cfg: ToyLossConfig, ctx: BuildContext) -> None:
        super().__init__()

    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        assert inputs.fake_frames is not None and inputs.fake_times is not None
        terms = {}
        for role, disc in inputs.discriminators.items():
            logits = disc(inputs.augment(inputs.fake_frames), inputs.fake_times)
            terms[role] = nn.functional.softplus(-logits).mean()
        return terms

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        assert inputs.real_frames is not None and inputs.fake_frames is not None
        terms = {}
        for role, disc in inputs.discriminators.items():
            fake = disc(inputs.augment(inputs.fake_frames), inputs.fake_times)
            real = disc(inputs.augment(inputs.real_frames), inputs.real_times)
            terms[role] = nn.functional.softplus(fake).mean() + nn.functional.softplus(-real).mean()
        return terms


class ToyR1Config(LossConfig):
    gamma: float = Field(1.0, ge=0, description="penalty weight")
    every: int = Field(2, ge=1, description="lazy interval")


class ToyR1(Loss):
    """A lazy gradient penalty on real frames, exercising the D regularisation phase."""

    regularizes = "discriminator"

    def __init__(self, cfg: ToyR1Config, ctx: BuildContext) -> None:
        super().__init__()
        self.gamma, self.lazy_interval = cfg.gamma, cfg.every

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        assert inputs.real_frames is not None
        terms = {}
        for role, disc in inputs.discriminators.items():
            real = inputs.real_frames.detach().requires_grad_(True)
            logits = disc(real, inputs.real_times)
            (grad,) = torch.autograd.grad(logits.sum(), real, create_graph=True)
            terms[role] = (
                grad.square().sum(dim=(1, 2, 3, 4)).mean() * self.gamma / 2 * self.lazy_interval
            )
        return terms


class ToyNaNConfig(LossConfig):
    nan_at_step: int = Field(3, ge=0, description="the discriminator step whose term is NaN")


class ToyNaN(Loss):
    """A zero term that turns NaN at one step, to test that a run stops cleanly."""

    def __init__(self, cfg: ToyNaNConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.nan_at_step = cfg.nan_at_step
        self.anchor = nn.Parameter(torch.zeros(()))

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        value = self.anchor * 0
        if inputs.step == self.nan_at_step:
            value = value + float("nan")
        return {"poison": value}


class ToyAugmentConfig(AugmentConfig):
    strength: float = Field(0.1, ge=0, description="brightness shift range")


class ToyAugment(Augment):
    def __init__(self, cfg: ToyAugmentConfig, ctx: BuildContext) -> None:
        super().__init__()
        self.strength = cfg.strength

    def forward(self, frames: Tensor) -> Tensor:
        shift = (torch.rand(frames.shape[0], 1, 1, 1, 1) - 0.5) * 2 * self.strength
        return frames + shift


class ToyMetricConfig(MetricConfig):
    videos: int = Field(2, gt=0, description="videos to score")


class ToyMetric(Metric):
    def __init__(self, cfg: ToyMetricConfig, ctx: BuildContext) -> None:
        self.cfg = cfg


@hookimpl
def inrvid_register_components(registrar) -> None:
    registrar.dataset("toy_dataset", ToyDatasetConfig, ToyDataset, summary="random uint8 clips")
    registrar.sampler("toy_sampler", ToySamplerConfig, ToySampler, summary="uniform pairs")
    registrar.encoder("toy_encoder", ToyEncoderConfig, ToyEncoder, summary="sin of a linear map")
    registrar.generator("toy_generator", ToyGeneratorConfig, ToyGenerator, summary="tiny INR")
    registrar.discriminator("toy_d", ToyDiscriminatorConfig, ToyDiscriminator, summary="per frame")
    registrar.loss("toy_loss", ToyLossConfig, ToyLoss, summary="non-saturating logistic")
    registrar.loss("toy_r1", ToyR1Config, ToyR1, summary="lazy gradient penalty")
    registrar.loss("toy_nan", ToyNaNConfig, ToyNaN, summary="NaN at one step")
    registrar.augment("toy_augment", ToyAugmentConfig, ToyAugment, summary="brightness")
    registrar.metric("toy_metric", ToyMetricConfig, ToyMetric, summary="nothing measured")
