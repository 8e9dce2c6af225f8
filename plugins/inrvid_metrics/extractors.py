"""Feature extractors: a loaded network plus the input pipeline of its protocol.

Each turns uint8 videos `b t c h w` into float64 CPU features `n d`: n = b for I3D and C3D
(one vector per clip), n = b·t for Inception (one per frame). TF32 is off while they run
(docs/reference/metrics.md §1.5).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import torch
from einops import rearrange
from torch import Tensor, nn

from inrvid.base.errors import WeightsError
from inrvid.base.tensor import expect_shape
from inrvid.runtime.scoring.preprocess import (
    resize_bilinear,
    resize_short_side_crop,
    resize_tf1_legacy,
    to_unit_range,
)
from inrvid_metrics.c3d import C3D, C3D_FRAMES, C3D_SIZE
from inrvid_metrics.i3d import InceptionI3d
from inrvid_metrics.inception import InceptionV3
from inrvid_metrics.layers import load_exact
from inrvid_metrics.weights import WeightsFile, load_state_dict_file, load_torchscript_file

I3D_SIZE = 224
INCEPTION_SIZE = 299


@contextmanager
def exact_float32() -> Iterator[None]:
    """Turn TF32 off for matmul and cuDNN inside the block, then restore the settings."""
    matmul, cudnn = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = matmul
        torch.backends.cudnn.allow_tf32 = cudnn


class FeatureExtractor:
    """A feature network with its input pipeline; `name` and `dim` identify its features."""

    name: str
    dim: int
    what: str

    def __init__(self, weights: WeightsFile, device: torch.device) -> None:
        self.weights = weights
        self.device = device
        self.scripted = weights.format == "torchscript"
        self.net: nn.Module = self._load().to(device).eval()

    def _load(self) -> nn.Module:
        """The network from the weight file (TorchScript or state dict into our architecture)."""
        if self.scripted:
            return load_torchscript_file(self.weights.path)
        net = self.architecture()
        load_exact(net, load_state_dict_file(self.weights.path), self.weights.path, self.what)
        return net

    def architecture(self) -> nn.Module:
        """A fresh network whose state dict the weight file must match."""
        raise NotImplementedError

    def run(self, videos: Tensor) -> Tensor:
        """Network outputs for uint8 videos `b t c h w` (on the extractor's device)."""
        raise NotImplementedError

    def __call__(self, videos: Tensor) -> Tensor:
        """Features `n d` (float64, CPU) of uint8 videos `b t c h w`."""
        expect_shape(videos, "b t c h w", c=3)
        with torch.no_grad(), exact_float32():
            out = self.run(videos.to(self.device))
        if out.ndim != 2 or out.shape[1] != self.dim:
            raise WeightsError(
                f"{self.weights.path}: the {self.what} network returned shape "
                f"{tuple(out.shape)}, expected (n, {self.dim})\n"
                f"  use a {self.what} file with {self.dim} outputs"
            )
        return out.double().cpu()


class I3DFeatures(FeatureExtractor):
    """I3D Kinetics-400 logits (pre-softmax, time-averaged): clips -> `b 400`."""

    name = "i3d_kinetics400_logits"
    dim = 400
    what = "I3D"

    def __init__(
        self,
        weights: WeightsFile,
        device: torch.device,
        resize: Literal["short_side_crop", "stretch"] = "short_side_crop",
    ) -> None:
        self.resize = resize
        super().__init__(weights, device)

    def architecture(self) -> nn.Module:
        """`InceptionI3d(400)`."""
        return InceptionI3d(400)

    def preprocess(self, videos: Tensor) -> Tensor:
        """uint8 `b t c h w` -> `b 3 t 224 224` in [-1, 1] (resize per the protocol)."""
        frames = to_unit_range(rearrange(videos, "b t c h w -> (b t) c h w"))
        if self.resize == "short_side_crop":
            frames = resize_short_side_crop(frames, I3D_SIZE)
        else:
            frames = resize_bilinear(frames, I3D_SIZE, I3D_SIZE)
        return rearrange(frames, "(b t) c h w -> b c t h w", b=videos.shape[0])

    def run(self, videos: Tensor) -> Tensor:
        """Logits `b 400`; the TorchScript port gets prepared input and returns features."""
        clips = self.preprocess(videos)
        if self.scripted:
            return self.net(clips, rescale=False, resize=False, return_features=True)
        return self.net(clips)


class C3DProbabilities(FeatureExtractor):
    """C3D UCF-101 class probabilities p(y|x): 16-frame clips -> `b 101`."""

    name = "c3d_ucf101_probabilities"
    dim = 101
    what = "C3D"

    def architecture(self) -> nn.Module:
        """`C3D(101)`."""
        return C3D(101)

    def preprocess(self, videos: Tensor) -> Tensor:
        """uint8 `b 16 c h w` -> BGR `b 3 16 112 112` scaled (x + 1)·128 (TGANv2's input)."""
        frames = to_unit_range(rearrange(videos, "b t c h w -> (b t) c h w")).flip(1)  # BGR
        frames = resize_bilinear(frames, C3D_SIZE, C3D_SIZE, align_corners=True)
        return rearrange((frames + 1.0) * 128.0, "(b t) c h w -> b c t h w", b=videos.shape[0])

    def run(self, videos: Tensor) -> Tensor:
        """Probabilities `b 101` (softmax of the logits; the TorchScript port returns them)."""
        expect_shape(videos, "b t c h w", t=C3D_FRAMES)
        if self.scripted:
            out = self.net(rearrange(videos, "b t c h w -> b c t h w"))
            sums = out.sum(dim=1)
            if (out >= 0).all() and torch.allclose(sums, torch.ones_like(sums), atol=1e-3):
                return out
            return out.double().softmax(dim=1)
        return self.net(self.preprocess(videos)).double().softmax(dim=1)


class InceptionFeatures(FeatureExtractor):
    """FID Inception-v3 pool features of every frame: videos `b t` -> `(b t) 2048`."""

    name = "inception_v3_pool3"
    dim = 2048
    what = "Inception-v3"

    def architecture(self) -> nn.Module:
        """`InceptionV3(1008)`, the FID graph's class count."""
        return InceptionV3(1008)

    def run(self, videos: Tensor) -> Tensor:
        """Per-frame features `(b t) 2048`: TF1 bilinear resize to 299, (v − 128)/128."""
        frames = rearrange(videos, "b t c h w -> (b t) c h w")
        if self.scripted:
            return self.net(frames, return_features=True)
        x = resize_tf1_legacy(frames.float(), INCEPTION_SIZE, INCEPTION_SIZE)
        return self.net((x - 128.0) / 128.0)
