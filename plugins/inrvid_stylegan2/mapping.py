"""StyleGAN2's mapping network: [z; class embedding] -> w, and the checks of class indices."""

from __future__ import annotations

import itertools

import torch
from torch import Tensor, nn

from inrvid.base.errors import ShapeError
from inrvid_stylegan2.layers import EqualLinear


def normalize_second_moment(z: Tensor, eps: float = 1e-8) -> Tensor:
    """Scale each row of `b d` to unit mean square."""
    return z * (z.square().mean(dim=-1, keepdim=True) + eps).rsqrt()


class MappingNetwork(nn.Module):
    """[z; class embedding] -> w through `num_layers` lrelu FC layers (StyleGAN2's mapping).

    z is normalised to unit second moment; with `num_classes` > 0 a one-hot class goes through
    a linear embedding (`embed`, class -> w_dim, learning rate x1), is normalised the same way
    and concatenated after z, as the release's `--cond` models do. `z_dim` may be 0: the
    discriminators' class mapping (classes only).
    """

    def __init__(
        self, *, z_dim: int, w_dim: int, num_layers: int, lr_multiplier: float,
        num_classes: int = 0,
    ) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.num_classes = num_classes
        self.embed = (EqualLinear(in_features=num_classes, out_features=w_dim)
                      if num_classes else None)
        widths = [z_dim + (w_dim if num_classes else 0)] + [w_dim] * num_layers
        self.layers = nn.Sequential(*[
            EqualLinear(in_features=a, out_features=b, lr_multiplier=lr_multiplier,
                        activation="lrelu")
            for a, b in itertools.pairwise(widths)
        ])

    def forward(self, z: Tensor | None, classes: Tensor | None = None) -> Tensor:
        """Map z `b d_z` (None when z_dim is 0) and classes `b` (when conditional) to w `b d_w`."""
        parts = [] if z is None or self.z_dim == 0 else [normalize_second_moment(z)]
        if self.embed is not None:
            classes = check_classes(classes, self.num_classes, "mapping")
            one_hot = self.embed.weight.new_zeros(classes.shape[0], self.num_classes)
            one_hot.scatter_(1, classes[:, None], 1.0)                                 # b n
            parts.append(normalize_second_moment(self.embed(one_hot)))
        return self.layers(torch.cat(parts, dim=-1))                               # b d_w


def check_classes(classes: Tensor | None, num_classes: int, who: str) -> Tensor:
    """Class indices `b` in [0, num_classes) of a conditional network, or a clear error."""
    if classes is None:
        raise ShapeError(
            f"{who}: conditional on {num_classes} classes, got classes=None, expected class "
            "indices `b`\n  pass classes=... (`inrvid generate --class <name>` on the "
            "command line)")
    if classes.ndim != 1 or classes.dtype not in (torch.int64, torch.int32):
        raise ShapeError(f"{who}: classes: got {classes.dtype} {tuple(classes.shape)}, "
                         "expected integer class indices `b`")
    if classes.numel() and not classes.is_cuda and (  # no host sync on CUDA
            int(classes.min()) < 0 or int(classes.max()) >= num_classes):
        raise ShapeError(f"{who}: classes: got values in [{int(classes.min())}, "
                         f"{int(classes.max())}], expected 0..{num_classes - 1}")
    return classes.long()
