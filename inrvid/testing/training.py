"""Contract checks of what the training loop drives: losses (real `PhaseInputs`), samplers."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from einops import rearrange
from torch import Tensor, nn

from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import Loss, Network, PhaseInputs, referenced_roles
from inrvid.components.registry import BuildContext, ComponentConfig, VideoSpec
from inrvid.components.sampler import TimeSampler
from inrvid.testing.rules import Subject, build, global_rng, shape_of

Factory = Callable[[Any, BuildContext], Any]
TERM_NAME = re.compile(r"[a-z0-9_]+")


class FrameScores(Discriminator):
    """A reference per-frame discriminator for loss checks: `b t c h w -> b t`, linear."""

    def __init__(self, video: VideoSpec) -> None:
        super().__init__()
        self.linear = nn.Linear(video.channels * video.height * video.width, 1)
        self.calls = 0

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        """Logits `b t`."""
        self.calls += 1
        flat = rearrange(frames, "b t c h w -> b t (c h w)")
        return self.linear(flat)[..., 0]                                          # b t


class ClipScores(Discriminator):
    """A reference discriminator of whole clips with their times: `b t c h w, b t -> b 1`."""

    def __init__(self, video: VideoSpec, frames: int) -> None:
        super().__init__()
        self.frames_seen = frames
        self.linear = nn.Linear(frames * (video.channels * video.height * video.width + 1), 1)
        self.calls = 0

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        """Logits `b 1`."""
        self.calls += 1
        flat = torch.cat([rearrange(frames, "b t c h w -> b (t c h w)"), times], dim=1)
        return self.linear(flat)                                                   # b 1


class CountingAugment(nn.Module):
    """Adds a small per-video offset and counts calls (the loss must call it itself)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, frames: Tensor) -> Tensor:
        """`b t c h w -> b t c h w`."""
        self.calls += 1
        offset = torch.linspace(-0.05, 0.05, frames.shape[0], device=frames.device)
        return frames + offset.view(-1, 1, 1, 1, 1)


def reference_discriminators(video: VideoSpec, roles: tuple[str, ...] = ("image", "motion"),
                             frames: int = 2) -> dict[str, Discriminator]:
    """Small discriminators under `roles`: `motion` scores clips, every other role frames."""
    torch.manual_seed(0)
    return {r: ClipScores(video, frames) if r == "motion" else FrameScores(video) for r in roles}


def check_loss(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = "",
    roles: tuple[str, ...] = ("image", "motion"),
) -> Loss:
    """Call `generator_terms` and `discriminator_terms` as the loop does; return the loss.

    `roles` are the discriminator roles of the check's recipe; roles named by the config's
    `DiscriminatorRoles` fields are added.
    """
    subject = Subject("loss", name or getattr(factory, "__name__", "?"))
    video = ctx.require_video()
    loss = build(subject, factory, config, ctx, Loss)
    lazy, target = loss.lazy_interval, loss.regularizes
    subject.expect(
        lazy is None or (isinstance(lazy, int) and lazy >= 1), "lazy",
        f"lazy_interval is {lazy!r}", "set lazy_interval to None (every step) or an int >= 1",
    )
    if lazy is not None and lazy > 1:
        subject.expect(
            target in ("generator", "discriminator"), "lazy",
            f"lazy_interval is {lazy} but regularizes is {target!r}",
            "a lazy regulariser sets regularizes to 'generator' or 'discriminator'",
        )
    named = [n for _, names in referenced_roles(config).values() for n in names]
    all_roles = tuple(dict.fromkeys([*roles, *named]))
    phases: list[Network] = ["generator", "discriminator"]
    if lazy is not None and lazy > 1:
        phases = [target] if target in ("generator", "discriminator") else []  # type: ignore[list-item]
    for network in phases:
        discs = reference_discriminators(video, all_roles)
        augment = CountingAugment()
        inputs = _phase_inputs(network, video, discs, augment, regulariser=bool(lazy and lazy > 1))
        method = "generator_terms" if network == "generator" else "discriminator_terms"
        terms_of: Callable[[PhaseInputs], object] = getattr(loss, method)
        terms = subject.call("terms", f"{method}(PhaseInputs of the {network} phase)",
                             partial(terms_of, inputs))
        _check_terms(subject, method, terms, network, inputs, discs)
        called = sum(getattr(d, "calls", 0) for d in discs.values())
        subject.expect(
            not called or augment.calls > 0, "augment",
            f"{method} called a discriminator without calling inputs.augment",
            "frames reach a loss un-augmented: score `discriminators[role](inputs.augment("
            "frames), times)`",
        )
    return loss


def _phase_inputs(network: Network, video: VideoSpec, discs: dict[str, Discriminator],
                  augment: Callable[[Tensor], Tensor], regulariser: bool) -> PhaseInputs:
    gen = torch.Generator().manual_seed(0)
    shape = (4, 2, video.channels, video.height, video.width)
    times = torch.tensor([[0.0, 0.5], [0.1, 0.9], [0.2, 0.3], [0.5, 1.0]])       # b t
    source = nn.Parameter(torch.randn(shape, generator=gen))                       # stands for G
    fake: Tensor | None = torch.tanh(source)                                       # b t c h w
    real: Tensor | None = torch.rand(shape, generator=gen) * 2 - 1
    real_times: Tensor | None = times.flip(0)
    fake_times: Tensor | None = times
    if network == "generator":
        real = real_times = None
    elif regulariser:
        fake = fake_times = None
    else:
        assert fake is not None
        fake = fake.detach()
    return PhaseInputs(
        network=network, step=0, fake_frames=fake, fake_times=fake_times, real_frames=real,
        real_times=real_times, discriminators=discs, augment=augment,
    )


def _check_terms(subject: Subject, method: str, terms: object, network: Network,
                 inputs: PhaseInputs, discs: dict[str, Discriminator]) -> None:
    subject.expect(isinstance(terms, dict), "terms",
                   f"{method} returned a {type(terms).__name__}, expected dict[str, Tensor]",
                   "return {term name: scalar tensor}, {} if it has none")
    assert isinstance(terms, dict)
    for key, value in terms.items():
        subject.expect(
            isinstance(key, str) and bool(TERM_NAME.fullmatch(key)), "terms",
            f"{method} returned a term named {key!r}",
            "name terms in lower_snake ([a-z0-9_]+); the log calls them <phase>/<role>.<term>",
        )
        subject.expect(
            isinstance(value, Tensor) and value.ndim == 0, "terms",
            f"{method} term '{key}' is {shape_of(value)}, expected a scalar tensor",
            "reduce the term to a scalar (e.g. .mean())",
        )
        subject.expect(bool(torch.isfinite(value).all()), "finite",
                       f"{method} term '{key}' is {float(value.detach())}",
                       "keep terms finite for frames in [-1, 1]")
    if not terms:
        return
    total = sum(v.float() for v in terms.values())
    assert isinstance(total, Tensor)
    subject.expect(total.requires_grad, "gradient",
                   f"the terms of {method} carry no graph",
                   f"compute them from the inputs so they train the {network}")
    if network == "generator":
        assert inputs.fake_frames is not None
        (grad,) = torch.autograd.grad(total, inputs.fake_frames, allow_unused=True)
        subject.expect(grad is not None, "gradient",
                       "the generator terms do not depend on inputs.fake_frames",
                       "compute generator terms from the fake frames")
    else:
        params = [p for d in discs.values() for p in d.parameters()]
        grads = torch.autograd.grad(total, params, allow_unused=True)
        subject.expect(any(g is not None for g in grads), "gradient",
                       "the discriminator terms reach no discriminator parameter",
                       "compute discriminator terms from inputs.discriminators")


def check_sampler(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = ""
) -> TimeSampler:
    """Check the time-sampler contract; return the built sampler."""
    subject = Subject("sampler", name or getattr(factory, "__name__", "?"))
    sampler = build(subject, factory, config, ctx, TimeSampler)
    subject.require(sampler, {"frames_shown": "int: frames per video it shows"})
    t = sampler.frames_shown
    subject.expect(isinstance(t, int) and t >= 1, "frames-shown", f"frames_shown is {t!r}",
                   "set frames_shown to an int >= 1")
    clip = ctx.video.frames if ctx.video is not None else 16

    def draw(seed: int) -> tuple[Tensor, Tensor]:
        gen = torch.Generator().manual_seed(0)
        with global_rng(seed):
            idx = subject.call("draw", f"sample_real(64, {clip}, gen)",
                               lambda: sampler.sample_real(64, clip, gen))
            times = subject.call("draw", "sample_fake(64, gen)",
                                 lambda: sampler.sample_fake(64, gen))
        return idx, times

    idx, times = draw(1)
    subject.expect(isinstance(idx, Tensor) and tuple(idx.shape) == (64, t), "real",
                   f"sample_real(64, {clip}, gen) gave {shape_of(idx)}, expected (64, {t}) = b t",
                   "return frame indices `b frames_shown`")
    subject.expect(idx.dtype == torch.long, "real", f"sample_real gave {idx.dtype} indices",
                   "return torch.long indices")
    subject.expect(bool((idx >= 0).all() and (idx < clip).all()), "real",
                   f"sample_real gave indices outside 0..{clip - 1}",
                   "keep indices inside the clip")
    subject.expect(bool((idx.diff(dim=1) >= 0).all()), "sorted",
                   "real indices are not sorted per video", "sort them along t")
    subject.expect(isinstance(times, Tensor) and tuple(times.shape) == (64, t), "fake",
                   f"sample_fake(64, gen) gave {shape_of(times)}, expected (64, {t}) = b t",
                   "return times `b frames_shown`")
    subject.expect(times.is_floating_point() and bool(torch.isfinite(times).all()), "fake",
                   f"sample_fake gave {times.dtype} times, or non-finite ones",
                   "return finite float times")
    subject.expect(bool((times.diff(dim=1) >= 0).all()), "sorted",
                   "fake times are not sorted per video", "sort them along t")
    subject.expect(idx.device.type == "cpu" and times.device.type == "cpu", "device",
                   f"the draws are on {idx.device} and {times.device}",
                   "return CPU tensors; the loop moves them to the device")
    idx2, times2 = draw(2)
    subject.expect(
        torch.equal(idx, idx2) and torch.equal(times, times2), "generator",
        "equally seeded torch.Generators gave different draws when the global RNG state "
        "differed", "draw only from the `gen` argument (torch.rand(..., generator=gen)); see "
        "`inrvid.components.sampler.forked_global_rng` for distributions without a generator "
        "argument",
    )
    return sampler
