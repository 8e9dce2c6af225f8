"""C3D fine-tuned on UCF-101: the classifier behind the video Inception Score.

Eight 3×3×3 convolutions (with bias, ReLU), five max pools (the first keeps time), then fc6
and fc7 (4096, ReLU) and fc8 (101 classes), as in the Caffe model TGANv2 converted
(docs/reference/metrics.md §3). Input: 16 frames of 112×112 in BGR, scaled as (x + 1)·128 from
[-1, 1]; the module subtracts its stored mean clip (`mean`, BGR, `3 16 112 112`: TGANv2's
`mean2.npz` cropped at rows/cols 8…119). State-dict keys: `conv1a.weight` [64, 3, 3, 3, 3],
`conv1a.bias`, ... `conv5b`, `fc6.weight` [4096, 8192], `fc7`, `fc8.weight` [101, 4096],
`mean`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from inrvid.base.tensor import expect_shape

# (name, input channels, output channels, pool after it: kernel=stride, or None)
_CONVS: tuple[tuple[str, int, int, tuple[int, int, int] | None], ...] = (
    ("conv1a", 3, 64, (1, 2, 2)),
    ("conv2a", 64, 128, (2, 2, 2)),
    ("conv3a", 128, 256, None),
    ("conv3b", 256, 256, (2, 2, 2)),
    ("conv4a", 256, 512, None),
    ("conv4b", 512, 512, (2, 2, 2)),
    ("conv5a", 512, 512, None),
    ("conv5b", 512, 512, (2, 2, 2)),
)
C3D_FRAMES = 16
C3D_SIZE = 112


class C3D(nn.Module):
    """C3D: BGR clips `b 3 16 112 112` scaled to 0-256 -> class logits `b num_classes`."""

    mean: Tensor

    def __init__(self, num_classes: int = 101) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.pools: dict[str, tuple[int, int, int] | None] = {}
        for name, c_in, c_out, pool in _CONVS:
            self.add_module(name, nn.Conv3d(c_in, c_out, 3, padding=1))
            self.pools[name] = pool
        self.fc6 = nn.Linear(512 * 1 * 4 * 4, 4096)
        self.fc7 = nn.Linear(4096, 4096)
        self.fc8 = nn.Linear(4096, num_classes)
        self.register_buffer("mean", torch.zeros(3, C3D_FRAMES, C3D_SIZE, C3D_SIZE))

    def forward(self, clips: Tensor) -> Tensor:
        """`b 3 16 112 112` (BGR, (x+1)·128) -> logits `b k`; softmax gives p(y|x)."""
        expect_shape(clips, "b c t h w", c=3, t=C3D_FRAMES, h=C3D_SIZE, w=C3D_SIZE)
        x = clips - self.mean
        for name, pool in self.pools.items():
            x = F.relu(getattr(self, name)(x))
            if pool is not None:                                         # ceil: 7 -> 4 at pool5
                x = F.max_pool3d(x, pool, pool, ceil_mode=True)
        x = rearrange(x, "b c t h w -> b (c t h w)")                     # b 8192
        x = F.relu(self.fc6(x))
        x = F.relu(self.fc7(x))                                          # dropout is inactive
        return self.fc8(x)                                               # b k
