"""Contract checks of the networks: generators, coordinate encoders, discriminators, augments.

Each check builds the component through its factory on a tiny CPU context, calls every method
the training loop and the commands call, and raises `ContractError` naming the broken rule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from einops import repeat
from torch import Tensor

from inrvid.base.errors import InrvidError
from inrvid.components.augment import Augment
from inrvid.components.discriminator import Discriminator
from inrvid.components.encoder import CoordinateEncoder, EncoderContext
from inrvid.components.generator import Generator, StyleGenerator
from inrvid.components.registry import BuildContext, ComponentConfig
from inrvid.testing.rules import Subject, build, global_rng, same, shape_of

Factory = Callable[[Any, BuildContext], Any]

# Times of the generator check: inside the clip, before and after it (extrapolation).
CHECK_TIMES = torch.tensor([[0.0, 0.25, 0.5, 1.0], [-0.5, 0.1, 0.9, 1.5]])  # b t


def encoder_context(
    ctx: BuildContext, style_dim: int = 32, motion_dim: int = 16
) -> EncoderContext:
    """`ctx` as an encoder's build context, fed a w of `style_dim` and a z_motion of `motion_dim`.

    An `EncoderContext` is returned as it is.
    """
    if isinstance(ctx, EncoderContext):
        return ctx
    return EncoderContext(video=ctx.video, device=ctx.device, seed=ctx.seed, plugins=ctx.plugins,
                          style_dim=style_dim, motion_dim=motion_dim)


def check_generator(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = ""
) -> Generator:
    """Check the generator contract; return the built generator (in train mode)."""
    subject = Subject("generator", name or getattr(factory, "__name__", "?"))
    video = ctx.require_video()
    gen = build(subject, factory, config, ctx, Generator)
    subject.require(gen, {"content_dim": "int: size of z_content",
                          "motion_dim": "int: size of z_motion, 0 without a motion latent"})
    latents = torch.Generator().manual_seed(0)
    z_content, z_motion = subject.call("latents", "sample_latents(2, generator)",
                                       lambda: gen.sample_latents(2, latents))
    subject.expect(
        tuple(z_content.shape) == (2, gen.content_dim), "latents",
        f"sample_latents gave z_content {shape_of(z_content)}, expected (2, {gen.content_dim})",
        "return `b content_dim` latents",
    )
    subject.expect(
        (z_motion is None) == (gen.motion_dim == 0), "latents",
        f"motion_dim is {gen.motion_dim} but sample_latents gave z_motion {shape_of(z_motion)}",
        "return None for z_motion exactly when motion_dim is 0",
    )
    times = CHECK_TIMES

    def render(zc: Tensor = z_content, zm: Tensor | None = z_motion, tt: Tensor = times,
               scale: int = 1, what: str = "forward(z_content, z_motion, times)") -> Tensor:
        with torch.no_grad():
            return subject.call("forward", what,
                                lambda: gen(zc, zm, tt, scale=scale, **_classes(gen, len(zc))))

    with global_rng(1):
        frames = render()
    c, h, w = video.channels, video.height, video.width
    subject.expect(
        isinstance(frames, Tensor) and tuple(frames.shape) == (2, 4, c, h, w), "frames",
        f"forward gave {shape_of(frames)} for times (2, 4), expected (2, 4, {c}, {h}, {w}) "
        "= b t c h w", "return frames `b t c h w` at the video spec's size",
    )
    subject.expect(bool(torch.isfinite(frames).all()), "finite",
                   "forward gave non-finite values", "keep every frame finite at any real time")
    with global_rng(2):
        again = render()
    subject.expect(
        same(frames, again, tol=1e-6), "global-rng",
        "two calls with the same latents and times gave different frames when the global RNG "
        "state differed", "forward must not draw random numbers: derive any noise from the "
        "latents, or draw it at construction",
    )
    _check_chunks(subject, render, frames, z_content, z_motion)
    _check_latents_matter(subject, gen, render, frames, z_content, z_motion)
    _check_scale(subject, gen, render, frames)
    _check_gradient(subject, gen, z_content, z_motion, times)
    if isinstance(gen, StyleGenerator):
        _check_style(subject, gen, frames, z_content, z_motion, times)
    return gen


def _check_chunks(subject: Subject, render: Callable[..., Tensor], frames: Tensor,
                  z_content: Tensor, z_motion: Tensor | None) -> None:
    one_by_one = torch.cat([render(tt=CHECK_TIMES[:, k : k + 1]) for k in range(4)], dim=1)
    subject.expect(
        same(frames, one_by_one), "chunking",
        "rendering the times one at a time gave other frames than rendering them together",
        "make each frame depend only on the latents and its own time (no batch statistics "
        "over frames): callers render long videos in chunks",
    )
    first = render(zc=z_content[:1], zm=None if z_motion is None else z_motion[:1],
                   tt=CHECK_TIMES[:1])
    subject.expect(
        same(frames[:1], first), "batch",
        "rendering the first video alone gave other frames than rendering it in a batch of 2",
        "make each video depend only on its own latents (no statistics over the batch)",
    )


def _classes(module: Generator | Discriminator, batch: int) -> dict[str, Tensor]:
    """`classes=` for a class-conditional network (video k gets class k mod n), else {}."""
    n = getattr(module, "num_classes", 0)
    return {"classes": torch.arange(batch) % n} if n else {}


def _check_latents_matter(subject: Subject, gen: Generator, render: Callable[..., Tensor],
                          frames: Tensor, z_content: Tensor, z_motion: Tensor | None) -> None:
    other = torch.Generator().manual_seed(1)
    new_content = torch.randn(z_content.shape, generator=other)
    subject.expect(
        not same(frames, render(zc=new_content), tol=1e-6), "z-content",
        "other z_content gave the same frames", "make the frames depend on z_content",
    )
    if gen.num_classes > 1:
        with torch.no_grad():
            shifted = subject.call("forward", "forward(..., classes=other classes)", lambda: gen(
                z_content, z_motion, CHECK_TIMES, classes=(torch.arange(2) + 1) % gen.num_classes))
        subject.expect(not same(frames, shifted, tol=1e-6), "classes",
                       f"num_classes is {gen.num_classes} but other classes gave the same frames",
                       "condition the frames on `classes`, or set num_classes = 0")
    if gen.motion_dim == 0:
        return
    assert z_motion is not None
    new_motion = torch.randn(z_motion.shape, generator=other)
    subject.expect(
        not same(frames, render(zm=new_motion), tol=1e-6), "z-motion",
        f"motion_dim is {gen.motion_dim} but other z_motion gave the same frames",
        "make the motion depend on z_motion, or set motion_dim = 0 for a generator without one",
    )


def _check_scale(subject: Subject, gen: Generator, render: Callable[..., Tensor],
                 frames: Tensor) -> None:
    b, t, c, h, w = frames.shape
    if gen.max_scale is not None and gen.max_scale < 2:
        try:
            with torch.no_grad():
                gen(*_first_inputs(gen), scale=2, **_classes(gen, 1))
        except InrvidError as exc:
            subject.expect("scale" in str(exc), "scale",
                           f"scale=2 (max_scale {gen.max_scale}) raised without naming it: {exc}",
                           "name `scale` and the largest allowed value in the message")
            return
        raise subject.broken("scale", f"max_scale is {gen.max_scale} but scale=2 rendered",
                             "raise an InrvidError naming `scale` above max_scale")
    big = render(scale=2, what="forward(..., scale=2)")
    subject.expect(
        isinstance(big, Tensor) and tuple(big.shape) == (b, t, c, 2 * h, 2 * w), "scale",
        f"scale=2 gave {shape_of(big)}, expected ({b}, {t}, {c}, {2 * h}, {2 * w})",
        "render a grid `scale` times denser over the same field of view",
    )
    upsampled = repeat(frames, "b t c h w -> b t c (h h2) (w w2)", h2=2, w2=2)
    subject.expect(
        not same(big, upsampled, tol=1e-6), "scale",
        "scale=2 gave the scale-1 frames upsampled (every pixel repeated)",
        "evaluate the network at the denser coordinates instead of resizing its output",
    )


def _first_inputs(gen: Generator) -> tuple[Tensor, Tensor | None, Tensor]:
    """Latents and times of one video, for a call expected to fail before rendering."""
    latents = gen.sample_latents(1, torch.Generator().manual_seed(0))
    return latents[0], latents[1], CHECK_TIMES[:1]


def _check_gradient(subject: Subject, gen: Generator, z_content: Tensor,
                    z_motion: Tensor | None, times: Tensor) -> None:
    gen.zero_grad(set_to_none=True)
    frames = subject.call("forward", "forward with gradients",
                          lambda: gen(z_content, z_motion, times, **_classes(gen, 2)))
    subject.expect(frames.requires_grad, "gradient",
                   "frames rendered with grad enabled carry no graph",
                   "do not detach or run under no_grad inside forward")
    frames.square().mean().backward()
    reached = any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in gen.parameters())
    subject.expect(reached, "gradient", "no parameter received a gradient from the frames",
                   "the frames must be a differentiable function of the parameters")
    gen.zero_grad(set_to_none=True)


def _check_style(subject: Subject, gen: StyleGenerator, frames: Tensor, z_content: Tensor,
                 z_motion: Tensor | None, times: Tensor) -> None:
    subject.require(gen, {"w_dim": "int: size of the style vector w"})
    with torch.no_grad():
        kw = _classes(gen, 2)
        w = subject.call("style", "style(z_content)", lambda: gen.style(z_content, **kw))
        subject.expect(
            tuple(w.shape) == (2, gen.w_dim), "style",
            f"style(z_content) gave {shape_of(w)}, expected (2, {gen.w_dim}) = b d_w",
            "return w `b w_dim`",
        )
        given = subject.call("style", "forward(..., w=style(z_content))",
                             lambda: gen(z_content.flip(0), z_motion, times, w=w, **kw))
    subject.expect(
        same(frames, given), "style",
        "forward(z, ..., w=style(z')) did not render the frames of z' (w must replace "
        "style(z_content))", "when `w` is given, use it instead of style(z_content)",
    )


def check_encoder(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = ""
) -> CoordinateEncoder:
    """Check the coordinate-encoder contract; return the built encoder."""
    subject = Subject("encoder", name or getattr(factory, "__name__", "?"))
    ctx = encoder_context(ctx)
    enc = build(subject, factory, config, ctx, CoordinateEncoder)
    subject.require(enc, {"out_features": "int: d, the number of features per coordinate"})
    gen = torch.Generator().manual_seed(0)
    coords = torch.rand(2, 10, 3, generator=gen) * 2 - 1                            # b n 3
    style = torch.randn(2, ctx.style_dim or 1, generator=gen)                        # b d_w
    z_motion = torch.randn(2, ctx.motion_dim, generator=gen) if ctx.motion_dim else None

    def encode(x: Tensor = coords) -> Tensor:
        with torch.no_grad():
            return subject.call("forward", "forward(coords, style, z_motion)",
                                lambda: enc(x, style, z_motion))

    with global_rng(1):
        out = encode()
    d = enc.out_features
    subject.expect(
        isinstance(out, Tensor) and tuple(out.shape) == (2, 10, d), "features",
        f"forward gave {shape_of(out)} for coords (2, 10, 3), expected (2, 10, {d}) = b n d",
        "return `b n out_features`",
    )
    subject.expect(bool(torch.isfinite(out).all()), "finite", "features are not finite",
                   "keep the features finite for any real coordinates")
    with global_rng(2):
        again = encode()
    subject.expect(same(out, again, tol=1e-6), "global-rng",
                   "the same input gave other features when the global RNG state differed",
                   "forward must not draw random numbers")
    halves = torch.cat([encode(coords[:, :5]), encode(coords[:, 5:])], dim=1)
    subject.expect(same(out, halves), "pointwise",
                   "encoding the points in two halves gave other features",
                   "make each point's features depend only on that point (and the latents)")
    rebuilt = build(subject, factory, config, ctx, CoordinateEncoder)
    with torch.no_grad():
        other = rebuilt(coords, style, z_motion)
    subject.expect(same(out, other, tol=1e-6), "seed",
                   "two encoders built with the same ctx.seed gave different features",
                   "draw random frequencies from torch.Generator().manual_seed(ctx.seed)")
    return enc


def check_discriminator(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = ""
) -> Discriminator:
    """Check the discriminator contract; return the built discriminator."""
    subject = Subject("discriminator", name or getattr(factory, "__name__", "?"))
    video = ctx.require_video()
    disc = build(subject, factory, config, ctx, Discriminator)
    seen = disc.frames_seen
    subject.expect(seen is None or (isinstance(seen, int) and seen >= 1), "frames-seen",
                   f"frames_seen is {seen!r}", "set frames_seen to None (any) or an int >= 1")
    gen = torch.Generator().manual_seed(0)
    for t in [seen] if seen else [1, 3]:
        frames = torch.rand(4, t, video.channels, video.height, video.width, generator=gen) * 2 - 1
        times = torch.sort(torch.rand(4, t, generator=gen), dim=1).values
        frames.requires_grad_(True)
        with global_rng(1):
            logits: Tensor = subject.call("forward", f"forward(frames (4, {t}, c, h, w), times)",
                                          partial(disc, frames, times, **_classes(disc, 4)))
        subject.expect(
            isinstance(logits, Tensor) and logits.ndim == 2 and logits.shape[0] == 4, "logits",
            f"forward gave {shape_of(logits)} for 4 videos, expected (4, k) = b k",
            "return logits `b k` (k = t for a per-frame D, 1 for a D that sees all frames)",
        )
        subject.expect(bool(torch.isfinite(logits).all()), "finite", "logits are not finite",
                       "keep the logits finite for frames in [-1, 1]")
        with global_rng(2):
            again = disc(frames, times, **_classes(disc, 4))
        subject.expect(same(logits, again, tol=1e-6), "global-rng",
                       "the same frames gave other logits when the global RNG state differed",
                       "forward must not draw random numbers (the loop augments, not the D)")
        (grad,) = torch.autograd.grad(logits.sum(), frames, allow_unused=True)
        subject.expect(grad is not None and bool(grad.abs().sum() > 0), "gradient",
                       "the logits are not differentiable with respect to the frames",
                       "R1 and the generator's loss need d logits / d frames")
    if seen:
        wrong = seen + 1
        frames = torch.zeros(4, wrong, video.channels, video.height, video.width)
        try:
            disc(frames, torch.zeros(4, wrong), **_classes(disc, 4))
        except InrvidError:
            pass
        except Exception as exc:
            raise subject.broken(
                "frames-seen", f"{wrong} frames raised {type(exc).__name__}: {exc}",
                "check the input with inrvid.base.tensor.expect_shape (it raises ShapeError)",
            ) from exc
        else:
            raise subject.broken(
                "frames-seen", f"frames_seen is {seen} but {wrong} frames were scored",
                "check the input with inrvid.base.tensor.expect_shape, or set frames_seen = None",
            )
    return disc


def check_augment(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = ""
) -> Augment:
    """Check the augment contract; return the built augment."""
    subject = Subject("augment", name or getattr(factory, "__name__", "?"))
    video = ctx.require_video()
    aug = build(subject, factory, config, ctx, Augment)
    gen = torch.Generator().manual_seed(0)
    frames = torch.rand(3, 2, video.channels, video.height, video.width, generator=gen) * 2 - 1
    frames.requires_grad_(True)
    out = subject.call("forward", "forward(frames)", lambda: aug(frames))
    subject.expect(isinstance(out, Tensor) and out.shape == frames.shape, "shape",
                   f"forward gave {shape_of(out)} for {tuple(frames.shape)}",
                   "return frames of the input's shape `b t c h w`")
    subject.expect(bool(torch.isfinite(out).all()), "finite", "output is not finite",
                   "keep the output finite")
    (grad,) = torch.autograd.grad(out.sum(), frames, allow_unused=True)
    subject.expect(grad is not None, "gradient",
                   "the output is not differentiable with respect to the frames",
                   "augments sit between G and D: gradients must flow through them")
    still = repeat(frames.detach()[:, 0], "b c h w -> b t c h w", t=4)
    with torch.no_grad():
        moved = subject.call("forward", "forward(frames)", lambda: aug(still))
    subject.expect(same(moved, repeat(moved[:, 0], "b c h w -> b t c h w", t=4)), "shared-draw",
                   "a video whose frames are equal came out with unequal frames",
                   "draw the random parameters once per video and apply them to all its frames")
    return aug


class ReferenceEncoder(CoordinateEncoder):
    """Fixed Fourier features of (x, y, t) for generator checks when no encoder is named."""

    def __init__(self, ctx: BuildContext, features: int = 8) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(ctx.seed)
        self.freqs: Tensor
        self.register_buffer("freqs", torch.randn(3, features // 2, generator=gen) * 3)  # 3 k
        self.out_features = features

    def forward(self, coords: Tensor, style: Tensor, z_motion: Tensor | None) -> Tensor:
        """`b n 3 -> b n d`: sines then cosines of fixed phases."""
        phase = coords @ self.freqs                                                  # b n k
        return torch.cat([phase.sin(), phase.cos()], dim=-1)                         # b n d
