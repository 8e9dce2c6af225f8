"""Inversion: find the latents whose video reproduces observed frames at their times.

Adam minimises the mean squared error between the generator's frames and the observed ones
over the chosen latents (`content`, `motion`, `w`); the generator's weights stay fixed.
Restarts run side by side as one batch (`(b r)` videos), each from its own Gaussian draw;
the restart with the lowest final loss is kept per video.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from einops import rearrange, repeat
from torch import Tensor

from inrvid.base.errors import InrvidError
from inrvid.base.tensor import expect_shape, requires_grad
from inrvid.components.generator import Generator
from inrvid.generation.latents import gaussian
from inrvid.runtime.render import Chunking, render, require_style, style_of

LATENTS = ("content", "motion", "w")

# Called after each step with (step, mean loss over videos and restarts).
OnStep = Callable[[int, float], None]


@dataclass
class Inversion:
    """The latents found for each of `b` videos and how the loss went.

    `w` is set when w was optimised: it then replaces style(z_content) when rendering.
    `history` is `steps+1 b`: the loss of the kept restart before each step and at the end
    (row 0: the random start, row -1: the returned latents). `restart` is `b`: which restart.
    """

    z_content: Tensor
    z_motion: Tensor | None
    w: Tensor | None
    history: Tensor
    restart: Tensor
    optimized: tuple[str, ...]

    @property
    def initial_loss(self) -> Tensor:
        """Loss of the random start of the kept restart: `b`."""
        return self.history[0]

    @property
    def final_loss(self) -> Tensor:
        """Loss of the returned latents: `b`."""
        return self.history[-1]


def check_targets(optimize: Sequence[str], generator: Generator) -> tuple[str, ...]:
    """Validate the latents to optimise; a clear error for unknown or conflicting names."""
    targets = tuple(dict.fromkeys(name.strip() for name in optimize if name.strip()))
    unknown = [name for name in targets if name not in LATENTS]
    if unknown or not targets:
        raise InrvidError(
            f"--optimize: got {','.join(targets) or 'nothing'}, expected a comma list of "
            f"{', '.join(LATENTS)}\n  e.g. --optimize content,motion"
        )
    if "w" in targets and "content" in targets:
        raise InrvidError(
            "--optimize: got both content and w, expected one: w replaces style(z_content)\n"
            "  use --optimize w,motion or --optimize content,motion"
        )
    if "w" in targets:
        require_style(generator)  # raises with the reason
    if "motion" in targets and generator.motion_dim == 0:
        raise InrvidError(
            f"--optimize motion: {type(generator).__name__} has no motion latent (motion_dim 0)"
            "\n  optimise content or w only"
        )
    return targets


def invert(
    generator: Generator,
    frames: Tensor,
    times: Tensor,
    *,
    optimize: Sequence[str] = ("content", "motion"),
    steps: int = 300,
    lr: float = 0.1,
    restarts: int = 1,
    seed: int = 0,
    scale: int = 1,
    chunking: Chunking | None = None,
    on_step: OnStep | None = None,
) -> Inversion:
    """Fit latents to observed `frames` `b t c h w` (floats in [-1, 1]) at `times` `b t`."""
    sizes = expect_shape(frames, "b t c h w")
    expect_shape(times, "b t", b=sizes["b"], t=sizes["t"])
    if steps < 0 or restarts < 1 or lr <= 0:
        raise InrvidError(
            f"inversion: got steps={steps}, restarts={restarts}, lr={lr}, expected steps >= 0, "
            "restarts >= 1 and lr > 0\n  fix --steps, --restarts or --lr"
        )
    targets = check_targets(optimize, generator)
    device = next(generator.parameters()).device
    b, r = sizes["b"], restarts
    target = repeat(frames.to(device), "b t c h w -> (b r) t c h w", r=r)
    times_br = repeat(times.to(device), "b t -> (b r) t", r=r)                     # (b r) t
    start = gaussian(generator, b * r, seed)
    z_content = start.z_content.to(device).requires_grad_("content" in targets)   # (b r) d_c
    z_motion = None if start.z_motion is None else start.z_motion.to(device)
    if z_motion is not None:
        z_motion.requires_grad_("motion" in targets)                               # (b r) d_m
    history: list[Tensor] = []
    with requires_grad(generator, False):
        w = None
        if "w" in targets:
            with torch.no_grad():
                w = style_of(generator, z_content).clone()                         # (b r) d_w
            w.requires_grad_(True)
        params = [x for x in (z_content, z_motion, w) if x is not None and x.requires_grad]
        optimizer = torch.optim.Adam(params, lr=lr)

        def losses() -> Tensor:
            pred = render(generator, z_content, z_motion, times_br, scale=scale,
                          chunking=chunking, w=w)                                  # (b r) t c h w
            return (pred - target).square().flatten(1).mean(dim=1)                 # (b r)

        for step in range(steps):
            loss = losses()
            history.append(loss.detach().cpu())
            optimizer.zero_grad(set_to_none=True)
            loss.sum().backward()   # a sum: each video's latents see only their own loss
            optimizer.step()
            if on_step is not None:
                on_step(step, float(loss.detach().mean()))
        with torch.no_grad():
            history.append(losses().cpu())
    return _keep_best(torch.stack(history), z_content, z_motion, w, b, r, targets)


def _keep_best(
    history: Tensor,
    z_content: Tensor,
    z_motion: Tensor | None,
    w: Tensor | None,
    b: int,
    r: int,
    targets: tuple[str, ...],
) -> Inversion:
    """Pick, per video, the restart with the lowest final loss."""
    per_restart = rearrange(history, "s (b r) -> s b r", r=r)                      # s b r
    best = per_restart[-1].argmin(dim=1)                                           # b
    rows = torch.arange(b) * r + best                                              # b

    def pick(x: Tensor | None) -> Tensor | None:
        return None if x is None else x.detach()[rows.to(x.device)].clone()

    kept_history = per_restart[:, torch.arange(b), best]                           # s b
    z_content_kept = pick(z_content)
    assert z_content_kept is not None
    return Inversion(z_content_kept, pick(z_motion), pick(w), kept_history, best, targets)
