"""StyleGAN-V's frame sampler: a few sparse frames per video, their span drawn from powers of two.

The law (official `src/training/layers.py`, random_frame_sampling, with
`configs/sampling/random.yaml`), for a video of L frames and t frames per video:
the span s (frames between the first and the last frame) is uniform over the allowed spans
{1, 2, 4, ...} that lie in [t - 1, min(L - 1, max_span)]; the first frame a is uniform on
[0, L - s - 1] (integers for real frames; continuous for fake ones); the last is a + s; the
t - 2 others are distinct integers a + m, m in 1..s-1; the times are sorted.

In inrvid a real video is a training clip of F frames, so L = F for reals. For fakes, L is
`fake_video_frames` (the release: the length of a random training video, capped at 1024);
the spans are drawn from the same set as for reals, so the two laws differ only in where
the first frame lies, which the discriminator never sees (it sees gaps). Times are returned
in clip units, frame k at k / (F - 1).
"""

from __future__ import annotations

import torch
from pydantic import Field, field_validator
from torch import Tensor

from inrvid.base.errors import DataError
from inrvid.base.time_axis import index_times
from inrvid.components.registry import BuildContext
from inrvid.components.sampler import SamplerConfig, TimeSampler

POWERS_OF_TWO = [2**k for k in range(12)]   # configs/sampling/random.yaml: total_dists


class StyleganVSparseConfig(SamplerConfig):
    """Options of `stylegan_v_sparse` (defaults: `configs/sampling/{base,random}.yaml`)."""

    frames: int = Field(3, ge=2, description="frames per video (num_frames_per_video)")
    max_span_frames: int = Field(
        32, ge=1, description="largest span between the first and the last frame (max_dist)")
    spans: list[int] = Field(
        default_factory=lambda: list(POWERS_OF_TWO),
        description="allowed spans in frames (total_dists); those in [frames - 1, "
        "min(L - 1, max_span_frames)] are drawn uniformly",
    )
    fake_video_frames: int | None = Field(
        None, ge=2, description="L of the fake videos: their first frame is uniform on "
        "[0, L - span - 1] (release: a training video's length, capped at 1024); null: the "
        "clip length, as for real frames",
    )

    @field_validator("spans")
    @classmethod
    def _positive_spans(cls, value: list[int]) -> list[int]:
        if not value or min(value) < 1:
            raise ValueError(f"spans must be a non-empty list of positive integers, got {value}")
        return sorted(set(value))


class StyleganVSparse(TimeSampler):
    """Sparse frames per video with a span drawn from powers of two (see the module docstring)."""

    def __init__(self, cfg: StyleganVSparseConfig, ctx: BuildContext) -> None:
        self.cfg = cfg
        self.frames_shown = cfg.frames
        self.clip_frames = ctx.require_video().frames
        if cfg.fake_video_frames is not None and cfg.fake_video_frames < self.clip_frames:
            raise DataError(
                f"stylegan_v_sparse: fake_video_frames: got {cfg.fake_video_frames}, expected at "
                f"least the clip length {self.clip_frames} (data.clip_frames)\n"
                "  raise sampler.fake_video_frames, or set it to null")

    def allowed_spans(self, video_frames: int) -> Tensor:
        """The spans a video of `video_frames` frames can show: `k` (long)."""
        top = min(video_frames - 1, self.cfg.max_span_frames)
        spans = [s for s in self.cfg.spans if self.frames_shown - 1 <= s <= top]
        if not spans:
            raise DataError(
                f"stylegan_v_sparse: no allowed span for {video_frames}-frame clips: spans "
                f"{self.cfg.spans} in [{self.frames_shown - 1}, {top}] is empty\n"
                "  raise data.clip_frames, or lower sampler.frames")
        return torch.tensor(spans, dtype=torch.long)

    def draw(
        self, batch: int, video_frames: int, span_frames: int, gen: torch.Generator, *,
        continuous: bool,
    ) -> Tensor:
        """Sorted times `b t` in frames; first frames uniform for videos of `video_frames`."""
        spans = self.allowed_spans(span_frames)
        s = spans[torch.randint(len(spans), (batch,), generator=gen)]          # b
        room = (video_frames - s).clamp_min(1).to(torch.float64)               # b: L - s starts
        u = torch.rand(batch, generator=gen, dtype=torch.float64)              # b
        start = u * (room - 1) if continuous else torch.floor(u * room)        # b
        inner = self.frames_shown - 2
        offsets = [torch.zeros(batch, dtype=torch.long), s]                    # first, last
        if inner:
            top = int(spans.max())
            scores = torch.rand(batch, top - 1, generator=gen)                 # b (top - 1)
            m = torch.arange(1, top)                                           # m = 1 .. top - 1
            scores = scores.masked_fill(m[None] >= s[:, None], float("inf"))
            picked = scores.topk(inner, dim=1, largest=False).indices + 1      # b inner
            offsets.append(picked)
        rel = torch.cat([o.reshape(batch, -1) for o in offsets], dim=1)        # b t
        return start[:, None] + torch.sort(rel, dim=1).values.to(torch.float64)  # b t

    def sample_real(self, batch: int, clip_frames: int, gen: torch.Generator) -> Tensor:
        """Frame indices `b t` into clips of `clip_frames` frames, sorted."""
        return self.draw(batch, clip_frames, clip_frames, gen, continuous=False).long()

    def sample_fake(self, batch: int, gen: torch.Generator) -> Tensor:
        """Times `b t` (clip units), sorted; the first frame is continuous."""
        video = self.cfg.fake_video_frames or self.clip_frames
        tau = self.draw(batch, video, self.clip_frames, gen, continuous=True)  # b t frames
        return index_times(tau, self.clip_frames)
