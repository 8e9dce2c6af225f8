"""Latent sets for the generation modes: independent, shared content, interpolation paths.

The latents are standard Gaussian vectors. Between two of them, spherical interpolation
(slerp) keeps the norm near the shell where Gaussian samples of high dimension lie, so every
point of the path looks like a sample; linear interpolation (lerp) shrinks the norm toward the
middle of the path (by up to 1/sqrt 2 for independent endpoints), which can wash the middle
videos out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from einops import repeat
from torch import Tensor

from inrvid.base.errors import InrvidError
from inrvid.components.generator import Generator

InterpolationTarget = Literal["content", "motion", "both"]
InterpolationMethod = Literal["slerp", "lerp"]


@dataclass
class Latents:
    """One latent pair per video: `z_content b d_c`, `z_motion b d_m` (None without motion)."""

    z_content: Tensor
    z_motion: Tensor | None

    def __len__(self) -> int:
        return int(self.z_content.shape[0])


def gaussian(generator: Generator, videos: int, seed: int) -> Latents:
    """`videos` independent standard normal latent pairs from `seed` (CPU)."""
    gen = torch.Generator().manual_seed(seed)
    return Latents(*generator.sample_latents(videos, gen, device="cpu"))          # b d_c, b d_m


def same_content(generator: Generator, videos: int, seed: int) -> Latents:
    """One content latent shared by `videos` videos, each with its own motion latent.

    The first frame (t = 0) depends on the content only in DIGAN, so these videos share it.
    """
    if generator.motion_dim == 0:
        raise InrvidError(
            f"--same-content: the generator {type(generator).__name__} has no motion latent "
            "(motion_dim 0), expected one to vary\n  drop --same-content for this checkpoint"
        )
    base = gaussian(generator, videos, seed)
    z_content = repeat(base.z_content[0], "d -> b d", b=videos).clone()            # b d_c
    return Latents(z_content, base.z_motion)


def slerp(a: Tensor, b: Tensor, weights: Tensor) -> Tensor:
    """Spherical interpolation from `a` to `b` (`d` each) at `weights` (`s` in [0, 1]): `s d`.

    Follows the great circle between the directions while interpolating the norms linearly;
    falls back to lerp when the two are (anti)parallel within 1e-6.
    """
    s = weights[:, None].to(a.dtype)                                               # s 1
    a_norm, b_norm = a.norm(), b.norm()
    cos = (a @ b / (a_norm * b_norm).clamp_min(1e-12)).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    if omega.abs() < 1e-6 or (torch.pi - omega).abs() < 1e-6:
        return lerp(a, b, weights)
    sin = torch.sin(omega)
    ua, ub = a / a_norm, b / b_norm                                                # d
    direction = (torch.sin((1 - s) * omega) * ua + torch.sin(s * omega) * ub) / sin  # s d
    return direction * ((1 - s) * a_norm + s * b_norm)                            # s d


def lerp(a: Tensor, b: Tensor, weights: Tensor) -> Tensor:
    """Linear interpolation from `a` to `b` (`d`) at `weights` (`s`): `s d`."""
    s = weights[:, None].to(a.dtype)                                               # s 1
    return (1 - s) * a + s * b                                                     # s d


def interpolation(
    generator: Generator,
    paths: int,
    steps: int,
    seed: int,
    target: InterpolationTarget = "content",
    method: InterpolationMethod = "slerp",
) -> Latents:
    """`paths` interpolation paths of `steps` videos each, path after path: `(paths steps)`.

    Each path runs between two random latent pairs A and B. `target` says what moves: the
    content latent (motion held at A's), the motion latent (content held at A's) or both.
    """
    if steps < 2:
        raise InrvidError(f"--steps: got {steps}, expected at least 2 (both ends of a path)")
    if target in ("motion", "both") and generator.motion_dim == 0:
        raise InrvidError(
            f"--interpolate {target}: the generator has no motion latent (motion_dim 0)\n"
            "  use --interpolate content"
        )
    ends = gaussian(generator, 2 * paths, seed)
    blend = slerp if method == "slerp" else lerp
    weights = torch.linspace(0.0, 1.0, steps)                                      # s
    contents, motions = [], []
    for p in range(paths):
        a, b = 2 * p, 2 * p + 1
        zc_a, zc_b = ends.z_content[a], ends.z_content[b]
        moving_content = target in ("content", "both")
        contents.append(
            blend(zc_a, zc_b, weights) if moving_content else repeat(zc_a, "d -> s d", s=steps)
        )                                                                          # s d_c
        if ends.z_motion is not None:
            zm_a, zm_b = ends.z_motion[a], ends.z_motion[b]
            moving_motion = target in ("motion", "both")
            motions.append(
                blend(zm_a, zm_b, weights) if moving_motion else repeat(zm_a, "d -> s d", s=steps)
            )                                                                      # s d_m
    z_motion = torch.cat(motions) if motions else None                             # (p s) d_m
    return Latents(torch.cat(contents), z_motion)                                  # (p s) d_c
