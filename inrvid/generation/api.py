"""The Python API for notebooks: `inrvid.load(checkpoint)` -> a `VideoModel`.

```python
model = inrvid.load("runs/quickstart/<time>", device="cpu")
videos = model.sample(4, frames=64, scale=2, seed=0)      # uint8 `b t c h w`
```
The checkpoint alone rebuilds the generator (its plug-in, and its encoder's, must be
installed; the dataset and the other plug-ins need not be); the EMA weights are used unless
`ema=False`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from typing_extensions import Unpack

from inrvid.components.generator import Generator
from inrvid.components.registry import VideoSpec
from inrvid.generation import latents as lat
from inrvid.generation.inversion import Inversion, invert
from inrvid.loading.plugins import Plugins, load_plugins
from inrvid.recipe import Recipe
from inrvid.runtime import checkpoint as ckpt
from inrvid.runtime.render import Chunking, RenderOptions, frame_times, render, render_uint8


@dataclass
class VideoModel:
    """A trained generator with its recipe and video spec, ready to sample, render and invert.

    Times follow the training convention: frame k of a training clip is at
    t = k / (video.frames - 1); times outside [0, 1] extrapolate.
    """

    generator: Generator
    checkpoint: ckpt.Checkpoint
    video: VideoSpec
    device: torch.device
    plugins: Plugins = field(repr=False)
    ema: bool = True
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def recipe(self) -> Recipe:
        """The training recipe, validated (every plug-in it names must be installed)."""
        return self.checkpoint.validated_recipe(self.plugins)

    def times(self, frames: int, start: float = 0.0, end: float | None = None) -> Tensor:
        """`frames` times from `start` to `end` (None: the training frame step) -> `t`."""
        return frame_times(frames, self.video.frames, start, end)

    def latents(self, n: int, seed: int = 0, same_content: bool = False) -> lat.Latents:
        """`n` Gaussian latent pairs from `seed`; `same_content` shares one content latent."""
        if same_content:
            return lat.same_content(self.generator, n, seed)
        return lat.gaussian(self.generator, n, seed)

    def render(
        self,
        z_content: Tensor,
        z_motion: Tensor | None,
        times: Tensor,
        *,
        uint8: bool = False,
        **options: Unpack[RenderOptions],
    ) -> Tensor:
        """Frames `b t c h w` at `times` (`t` or `b t`), in chunks, without gradients.

        Floats are unbounded (about [-1, 1]); `uint8=True` clamps and converts on the CPU.
        `options` (`inrvid.runtime.render.RenderOptions`): `scale`, `chunking`, `w` (`b d_w`,
        e.g. from `invert(optimize=("w", ...))`, replaces style(z_content)), `on_chunk` and
        `classes` (int `b`: each video's class, for a class-conditional generator).
        """
        if uint8:
            return render_uint8(self.generator, z_content, z_motion, times, **options)
        with torch.no_grad():
            return render(self.generator, z_content, z_motion, times, **options).cpu()

    def sample(
        self,
        n: int,
        frames: int | None = None,
        *,
        start: float = 0.0,
        end: float | None = None,
        scale: int = 1,
        seed: int = 0,
        same_content: bool = False,
        uint8: bool = True,
        chunking: Chunking | None = None,
    ) -> Tensor:
        """`n` random videos of `frames` frames (default: a training clip's) -> `b t c h w`."""
        z = self.latents(n, seed, same_content)
        times = self.times(frames or self.video.frames, start, end)
        return self.render(z.z_content, z.z_motion, times, scale=scale, chunking=chunking,
                           uint8=uint8)

    def invert(
        self,
        frames: Tensor,
        times: Tensor,
        *,
        optimize: Sequence[str] = ("content", "motion"),
        steps: int = 300,
        lr: float = 0.1,
        restarts: int = 1,
        seed: int = 0,
    ) -> Inversion:
        """Latents that reproduce `frames` (`b t c h w` uint8, or floats in [-1, 1]) at `times`.

        `times` is `t` (shared) or `b t`. Returns the latents and the loss history.
        """
        if frames.dim() == 4:
            frames = frames[None]                                                  # 1 t c h w
        target = frames.float() / 127.5 - 1 if frames.dtype == torch.uint8 else frames.float()
        times_bt = times if times.dim() == 2 else times[None].expand(target.shape[0], -1)
        return invert(self.generator, target, times_bt.float(), optimize=optimize,
                      steps=steps, lr=lr, restarts=restarts, seed=seed)


def load(
    path: str | Path,
    device: str | torch.device = "cpu",
    ema: bool = True,
    plugins: Plugins | None = None,
) -> VideoModel:
    """Load a run folder or checkpoint file as a `VideoModel` (EMA weights unless `ema=False`).

    Only the generator's (and its encoder's) plug-in is needed: the video spec comes from the
    checkpoint, not from the dataset. `plugins`: the loaded plug-ins (None: load the installed
    ones now).
    """
    plugins = load_plugins() if plugins is None else plugins
    checkpoint = ckpt.load(path)
    target = torch.device(device)
    generator = ckpt.load_generator(checkpoint, plugins, ema=ema, device=target)
    info = checkpoint.facts()
    return VideoModel(generator, checkpoint, checkpoint.video, target, plugins, ema, info)
