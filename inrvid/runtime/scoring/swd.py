"""Multi-scale patch sliced Wasserstein distance (SWD) on frames and on frame differences.

Needs no pretrained network. The construction follows the image-GAN SWD of Karras et al.
(ProGAN, 2018), restated here in our own terms and extended to motion:

1. Each frame (values in [-1, 1]) is split into a Laplacian pyramid: band-pass levels at
   full, 1/2, 1/4 ... resolution, down to a low-pass level no smaller than `min_size` (16).
   Blur is the 5-tap binomial filter [1 4 6 4 1]/16 with reflect padding; the upsampling that
   forms each band is bilinear.
2. From every level, `patches_per_image` random `patch_size × patch_size` patches are cut from
   each frame; a patch is a descriptor of c·p·p numbers.
3. Descriptors of both sets are standardised per channel with the mean and std of the real
   set (ProGAN standardises each set by its own statistics; using the real set's for both
   keeps a global shift of brightness or of motion energy visible to the distance).
4. The SWD between the two descriptor sets is the mean over `directions` random unit
   directions (`repeats` times) of the 1-D Wasserstein-1 distance of the projections, i.e.
   the mean absolute difference of the sorted projections. Reported ×1e3, as in ProGAN.

"Motion" SWD applies the same to frame differences x[t+1] − x[t], so a video set whose
frames look right but move wrongly still scores badly.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor

from inrvid.base.errors import DataError

SWD_SCALE = 1e3
_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def _blur(x: Tensor) -> Tensor:
    """Separable 5-tap binomial blur of `b c h w` with reflect padding."""
    c = x.shape[1]
    taps = _BINOMIAL.to(x)
    x = F.pad(x, (2, 2, 2, 2), mode="reflect")
    x = F.conv2d(x, taps.view(1, 1, 1, 5).expand(c, 1, 1, 5), groups=c)    # blur along w
    return F.conv2d(x, taps.view(1, 1, 5, 1).expand(c, 1, 5, 1), groups=c)  # blur along h


def laplacian_pyramid(frames: Tensor, min_size: int = 16) -> list[Tensor]:
    """Band-pass levels of `b c h w`, finest first, then the low-pass residual (≥ min_size)."""
    levels = []
    current = frames.float()
    while min(current.shape[-2:]) // 2 >= min_size:
        smaller = _blur(current)[..., ::2, ::2]                          # b c h/2 w/2
        up = F.interpolate(smaller, size=current.shape[-2:], mode="bilinear", align_corners=False)
        levels.append(current - up)                                      # b c h w band-pass
        current = smaller
    levels.append(current)                                               # low-pass residual
    return levels


def sample_patches(
    level: Tensor, patches_per_image: int, patch_size: int, generator: torch.Generator
) -> Tensor:
    """Random square patches of every image of `level b c h w` -> descriptors `(b k) (c p q)`."""
    b, _, h, w = level.shape
    if min(h, w) < patch_size:
        raise ValueError(f"level of {h}×{w} is smaller than the {patch_size}-pixel patches")
    ys = torch.randint(0, h - patch_size + 1, (b, patches_per_image), generator=generator)
    xs = torch.randint(0, w - patch_size + 1, (b, patches_per_image), generator=generator)
    offsets = torch.arange(patch_size)
    rows = (ys[..., None] + offsets).to(level.device)                   # b k p
    cols = (xs[..., None] + offsets).to(level.device)                   # b k q
    batch = torch.arange(b, device=level.device)[:, None, None, None]
    patches = level[batch, :, rows[..., :, None], cols[..., None, :]]    # b k p q c
    return rearrange(patches, "b k p q c -> (b k) (c p q)")


class PatchDescriptors:
    """Accumulates per-level patch descriptors of a stream of frame batches.

    Patch positions come from a generator seeded with `seed`, so two accumulators with the
    same seed fed the same frames hold identical descriptors (SWD exactly 0).
    """

    def __init__(
        self, patches_per_image: int = 8, patch_size: int = 7, min_size: int = 16, seed: int = 0
    ) -> None:
        self.patches_per_image = patches_per_image
        self.patch_size = patch_size
        self.min_size = min_size
        self.generator = torch.Generator().manual_seed(seed)
        self.levels: dict[int, list[Tensor]] = {}

    def add(self, frames: Tensor) -> None:
        """Add the patches of float frames `b c h w` (values in [-1, 1] or differences)."""
        for level in laplacian_pyramid(frames, self.min_size):
            size = level.shape[-2]
            desc = sample_patches(level, self.patches_per_image, self.patch_size, self.generator)
            self.levels.setdefault(size, []).append(desc.cpu())

    def result(self) -> dict[int, Tensor]:
        """Level size (height in pixels) -> descriptors `n (c p q)`."""
        return {size: torch.cat(parts) for size, parts in self.levels.items()}


def standardise(descriptors: Tensor, reference: Tensor, channels: int) -> Tensor:
    """Standardise `n (c p q)` per channel with the mean and std of `reference m (c p q)`."""
    ref = rearrange(reference, "m (c pq) -> c (m pq)", c=channels)
    mean = ref.mean(dim=1)                                               # c
    std = ref.std(dim=1).clamp_min(1e-8)                                 # c
    x = rearrange(descriptors, "n (c pq) -> n c pq", c=channels)
    x = (x - mean[:, None]) / std[:, None]
    return rearrange(x, "n c pq -> n (c pq)")


def sliced_wasserstein(
    a: Tensor,
    b: Tensor,
    directions: int = 512,
    repeats: int = 4,
    generator: torch.Generator | None = None,
    max_values: int = 1 << 24,
) -> float:
    """Mean 1-D Wasserstein-1 distance of `a n d` and `b n d` over random unit directions.

    Unequal counts are cut to the smaller one with a random subset of the larger set.
    Projections are float32, taken `max_values // n` directions at a time to bound memory;
    the directions themselves do not depend on that chunking.
    """
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    n = min(a.shape[0], b.shape[0])
    if a.shape[0] > n:
        a = a[torch.randperm(a.shape[0], generator=gen)[:n]]
    if b.shape[0] > n:
        b = b[torch.randperm(b.shape[0], generator=gen)[:n]]
    a, b = a.float(), b.float()
    chunk = max(1, min(directions, max_values // max(n, 1)))
    total = 0.0
    for _ in range(repeats):
        dirs = torch.randn(a.shape[1], directions, generator=gen).to(a.device)   # d k
        dirs = dirs / dirs.norm(dim=0, keepdim=True)
        for start in range(0, directions, chunk):
            part = dirs[:, start : start + chunk].contiguous()           # d k'
            proj_a = (a @ part).sort(dim=0).values                       # n k'
            proj_b = (b @ part).sort(dim=0).values                       # n k'
            total += float((proj_a - proj_b).abs().mean(dim=0, dtype=torch.float64).sum())
    return total / (repeats * directions)


def swd_of_descriptors(
    fake: dict[int, Tensor],
    real: dict[int, Tensor],
    channels: int,
    directions: int = 512,
    repeats: int = 4,
    seed: int = 0,
) -> dict[int, float]:
    """SWD ×1e3 per pyramid level (keyed by level height) of two descriptor sets."""
    if sorted(fake) != sorted(real):
        raise DataError(
            f"SWD: the generated and real frames give pyramid levels {sorted(fake)} and "
            f"{sorted(real)}: the videos differ in size\n  give the metric a resolution "
            "(e.g. swd.resolution=32) or use real videos of the generated size"
        )
    out = {}
    for size in sorted(real, reverse=True):
        gen = torch.Generator().manual_seed(seed + size)
        a = standardise(fake[size], real[size], channels)
        b = standardise(real[size], real[size], channels)
        out[size] = SWD_SCALE * sliced_wasserstein(a, b, directions, repeats, gen)
    return out


def frame_differences(videos: Tensor) -> Tensor:
    """Motion frames: `b t c h w -> (b t') c h w` with t' = t − 1, x[t+1] − x[t]."""
    diffs = videos[:, 1:].float() - videos[:, :-1].float()               # b t-1 c h w
    return rearrange(diffs, "b t c h w -> (b t) c h w")


class VideoDescriptors:
    """Patch descriptors of a stream of videos: of their frames and of their differences."""

    def __init__(
        self, patches_per_image: int = 8, patch_size: int = 7, min_size: int = 16, seed: int = 0
    ) -> None:
        self.frames = PatchDescriptors(patches_per_image, patch_size, min_size, seed)
        self.motion = PatchDescriptors(patches_per_image, patch_size, min_size, seed + 1)
        self.channels = 0

    def add(self, videos: Tensor) -> None:
        """Add float videos `b t c h w` in [-1, 1] (t ≥ 2 for motion)."""
        self.channels = videos.shape[2]
        self.frames.add(rearrange(videos.float(), "b t c h w -> (b t) c h w"))
        if videos.shape[1] > 1:
            self.motion.add(frame_differences(videos))


def video_swd_of_descriptors(
    fake: VideoDescriptors,
    real: VideoDescriptors,
    directions: int = 512,
    repeats: int = 4,
    seed: int = 0,
) -> dict[str, float]:
    """`swd`, `swd_motion` (means over levels) and per-level `swd_<h>`, `swd_motion_<h>`."""
    out: dict[str, float] = {}
    pairs = (("swd", fake.frames, real.frames), ("swd_motion", fake.motion, real.motion))
    for name, fake_desc, real_desc in pairs:
        if not real_desc.levels:
            continue                                                     # single-frame clips
        levels = swd_of_descriptors(
            fake_desc.result(), real_desc.result(), real.channels, directions, repeats, seed
        )
        out.update({f"{name}_{size}": value for size, value in levels.items()})
        out[name] = sum(levels.values()) / len(levels)
    return out


def video_swd(
    fake: Tensor,
    real: Tensor,
    patches_per_image: int = 8,
    directions: int = 512,
    repeats: int = 4,
    seed: int = 0,
) -> dict[str, float]:
    """SWD of two in-memory video sets `b t c h w` (float in [-1, 1]), frames and motion.

    Returns `swd` and `swd_motion` (means over levels) and per-level `swd_<h>` values.
    """
    fake_desc = VideoDescriptors(patches_per_image, seed=seed)
    real_desc = VideoDescriptors(patches_per_image, seed=seed)
    fake_desc.add(fake)
    real_desc.add(real)
    return video_swd_of_descriptors(fake_desc, real_desc, directions, repeats, seed)
