"""The `encoder` registry: coordinate (x, y, t) features for an implicit video network."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from inrvid.components.registry import BuildContext, ComponentConfig


class EncoderConfig(ComponentConfig):
    """Fields every coordinate encoder has (none yet)."""


class CoordinateEncoder(nn.Module):
    """Features of coordinates (x, y, t), one set of frequencies per video.

    `forward(coords b n 3, style b d_w, z_motion b d_m or None) -> b n d` with
    d = `self.out_features`; n is the flattened `t h w` grid, x and y in [-1, 1] (wider when
    zoomed out), t any real. DIGAN generates its frequencies from the style w and z_motion;
    a fixed encoder ignores both. Its factory gets an `EncoderContext`, which gives their sizes.
    """

    out_features: int

    def forward(self, coords: Tensor, style: Tensor, z_motion: Tensor | None) -> Tensor:
        """Encode `b n 3` coordinates into `b n d` features."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class EncoderContext(BuildContext):
    """The build context of an encoder: the sizes of the w and z_motion it is fed.

    A generator makes one per encoder it builds (`GeneratorContext.make_encoder`).
    """

    style_dim: int
    motion_dim: int
