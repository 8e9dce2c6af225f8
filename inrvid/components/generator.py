"""The `generator` registry: latents and times in, video frames out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import torch
from pydantic import Field
from torch import Tensor, nn

from inrvid.base.errors import InrvidError, PluginError
from inrvid.components.encoder import CoordinateEncoder, EncoderContext
from inrvid.components.registry import BuildContext, ComponentConfig, close_matches


class GeneratorConfig(ComponentConfig):
    """Fields every generator has."""

    content_dim: int = Field(512, gt=0, description="size of the content latent z_content")
    motion_dim: int = Field(512, ge=0, description="size of the motion latent z_motion; 0: none")


class Generator(nn.Module):
    """A video generator: `z_content b d_c`, `z_motion b d_m` (or None), `times b t` -> frames.

    The contract every generator keeps (the core relies on nothing else):

    - attributes `content_dim` and `motion_dim` (ints, set in `__init__`): the latent sizes;
      `motion_dim` is 0 for a generator without a motion latent, which then ignores `z_motion`;
    - `forward(z_content, z_motion, times, scale=1)` returns frames `b t c h w`, unbounded
      (clamp to [-1, 1] for saving), with h = video.height * scale and w = video.width * scale
      of the build context's video spec. Times are any real numbers: frame k of a training
      clip of F frames lies at t = k / (F - 1), so [0, 1] spans it and outside it extrapolates.
      `scale` renders a denser grid over the same field of view (super-resolution);
    - the class attribute `max_scale`: the largest `scale` forward accepts (None: any). A
      generator with a fixed output grid (a convolutional synthesis network) sets 1 and
      raises an `InrvidError` naming `scale` for any other value;
    - frames are independent given the latents, and the generator never assumes a number of
      frames, so callers render long videos in chunks of times (`inrvid.runtime.render`);
    - the class attribute `needs_encoder`: whether it builds coordinate encoders from the
      recipe's `encoder:` section through `ctx.make_encoder`. A generator that sets it to
      False gets a recipe without that section (and `ctx.make_encoder` is then unavailable);
    - everything it needs to be rebuilt is its config and the video spec, which a checkpoint
      records, so `inrvid.runtime.checkpoint.load_generator` rebuilds it without the dataset.
    - `num_classes`: 0 for an unconditional generator. A class-conditional one sets it > 0 and
      takes `classes=` (int `b`, indices into the dataset's classes) as a keyword of
      `forward` (and of `style`); callers pass it only when `num_classes` > 0
      (`class_keywords`). `class_names` names them in index order (the dataset's labels),
      so `inrvid generate --class <name>` works from the checkpoint alone;

    A generator with a style vector w derives from `StyleGenerator` instead.
    """

    needs_encoder: ClassVar[bool] = True
    max_scale: ClassVar[int | None] = None
    content_dim: int
    motion_dim: int
    num_classes: int = 0
    class_names: tuple[str, ...] = ()

    def forward(
        self, z_content: Tensor, z_motion: Tensor | None, times: Tensor, scale: int = 1
    ) -> Tensor:
        """Render frames `b t c h w` at `times b t`."""
        raise NotImplementedError

    def sample_latents(
        self,
        batch: int,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """Standard normal latents `(b d_c, b d_m or None)` on `device` (None: this module's).

        Drawn on the CPU from `generator`, z_content first: the one way every caller (training,
        sample grids, generation, evaluation) draws latents, so equal seeds give equal videos.
        """
        device = next(self.parameters()).device if device is None else device
        z_content = torch.randn(batch, self.content_dim, generator=generator).to(device)
        if self.motion_dim == 0:
            return z_content, None
        z_motion = torch.randn(batch, self.motion_dim, generator=generator).to(device)
        return z_content, z_motion


class StyleGenerator(Generator):
    """A generator whose content latent passes through a style vector w (StyleGAN's mapping).

    On top of the `Generator` contract: the attribute `w_dim` (size of w), `style(z_content)`
    -> w `b d_w`, and a keyword `w` on `forward` that, when given, replaces style(z_content)
    (z_content is then used for nothing else). w-space inversion and fixed-style rendering
    (`inrvid.generation`) use exactly this interface and only on generators deriving from it.
    """

    w_dim: int

    def style(self, z_content: Tensor) -> Tensor:
        """The style vector w `b d_w` of `z_content b d_c`."""
        raise NotImplementedError

    def forward(
        self,
        z_content: Tensor,
        z_motion: Tensor | None,
        times: Tensor,
        scale: int = 1,
        *,
        w: Tensor | None = None,
    ) -> Tensor:
        """Render frames `b t c h w` at `times b t`; `w b d_w` replaces style(z_content)."""
        raise NotImplementedError


def draw_classes(
    generator: Generator, batch: int, rng: torch.Generator | None = None
) -> Tensor | None:
    """Uniform class indices `b` (CPU) for a class-conditional generator; None otherwise."""
    if not generator.num_classes:
        return None
    return torch.randint(generator.num_classes, (batch,), generator=rng)


def class_keywords(generator: Generator, classes: Tensor | None) -> dict[str, Tensor]:
    """`{"classes": classes}` for a class-conditional generator, `{}` for any other."""
    if not generator.num_classes:
        return {}
    if classes is None:
        raise InrvidError(
            f"{type(generator).__name__}: conditional on {generator.num_classes} classes, got no "
            "classes\n  pass --class <name> (`inrvid generate`) or classes=..."
        )
    return {"classes": classes}


def class_index(generator: Generator, name: str) -> int:
    """The index of class `name` (or of a number as text) of a conditional generator."""
    if not generator.num_classes:
        raise InrvidError(
            f"{type(generator).__name__}: --class {name}: the generator is not class-conditional"
        )
    names = list(generator.class_names)
    if name in names:
        return names.index(name)
    if name.isdigit() and int(name) < generator.num_classes:
        return int(name)
    matches = close_matches(name, names)
    hint = f"did you mean '{matches[0]}'? " if matches else ""
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    raise InrvidError(
        f"--class: got '{name}', expected one of the generator's {generator.num_classes} "
        f"classes ({shown or 'indices 0..' + str(generator.num_classes - 1)})\n  {hint}"
        "class names are case-sensitive"
    )



def needs_encoder(factory: object) -> bool:
    """Whether a registered generator factory builds coordinate encoders (True unless declared).

    The factory is usually the generator class; a plain function cannot declare and is taken
    to need an encoder, as every generator did before the declaration existed.
    """
    return bool(getattr(factory, "needs_encoder", True))


# Builds one encoder from the recipe's `encoder` section on the context given.
EncoderBuilder = Callable[[EncoderContext], CoordinateEncoder]


@dataclass(frozen=True)
class GeneratorContext(BuildContext):
    """The build context of a generator: where its coordinate encoders come from.

    `encoder` builds the recipe's `encoder` section; None for a generator that declares
    `needs_encoder = False` (the recipe then has no such section).
    """

    encoder: EncoderBuilder | None = field(default=None, compare=False, repr=False)

    def make_encoder(self, *, style_dim: int, motion_dim: int) -> CoordinateEncoder:
        """Build a fresh encoder from the recipe's `encoder` section (one per call)."""
        if self.encoder is None:
            raise PluginError("this build context has no `encoder` section to build from")
        return self.encoder(EncoderContext(
            video=self.video, device=self.device, seed=self.seed, plugins=self.plugins,
            style_dim=style_dim, motion_dim=motion_dim,
        ))
