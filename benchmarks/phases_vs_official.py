"""Phase-level equivalence of inrvid's DIGAN training with the release's, on the CPU.

    python benchmarks/phases_vs_official.py --official ~/src/digan

Both sides are built at one configuration (recipes/digan_ucf.yaml at a CPU size: DiffAugment
color,translation with one draw per video shared by both discriminators, R1 γ = 1 every 16 D
steps, G lazily rescaled for an interval of 4, Adam lr 0.0025, betas (0, 0.99)), inrvid's
networks get the official weights, and each phase of step 0 runs on both sides from identical
weights, on the same real pair, latents, times and augmentation draws:

G       G main: the release's `OurStyleGAN2Loss.accumulate_gradients('Gmain')` as its training
        loop runs a phase (zero_grad, requires_grad, gain = interval, nan_to_num, Adam step),
        against inrvid's `Trainer.step` with only that phase due
D       D main, likewise ('Dmain'); Dreg: R1 on reals ('Dreg', gain 16)

For each phase the table gives the largest relative difference of every loss term, of each
network's gradients (per tensor, max |Δ| / max |official|, the largest over tensors), and of
one Adam step (each side's own optimiser, both fed the release's gradients: the update
Δp per tensor, max |Δ| / max |Δp_official|). The weights are synchronised before every phase, so
a phase's figures do not inherit the previous phase's rounding. Then the optimisers'
hyperparameters after the lazy-regularisation correction, the EMA update at several points
of the ramp, and the time-pair laws (two-sample Kolmogorov-Smirnov distance of Δt over many
draws; a distance near 1/sqrt(n) is sampling noise). Latents and times are drawn once; the
release draws z_M from the global generator inside `run_G`, so inrvid's z_M is drawn from it at
the same point, and both augmentations then consume the same global draws.

Exits 2 without --official. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, batch_of_clips, make_trainer
from official_digan import (
    construct,
    discriminator_kwargs,
    generator_kwargs,
    generator_names,
    how_to_get,
    import_official,
    load_official_weights,
    release_adam,
    trunk_names,
)

SCRIPT = "phases_vs_official.py"
TOLERANCE = 1e-4
GAMMA, D_EVERY, G_EVERY, LR, BETAS = 1.0, 16, 4, 0.0025, (0.0, 0.99)
EMA_KIMG, EMA_RAMPUP = 20.0, 0.05
PHASES = {"G": ("Gmain", G_EVERY), "D": ("Dmain", D_EVERY), "Dreg": ("Dreg", D_EVERY)}


def relative(official: torch.Tensor, ours: torch.Tensor) -> float:
    """|official - ours| / |official| in the L2 norm over the tensor (0 when both are 0)."""
    scale = float(official.double().norm())
    diff = float((official.double() - ours.double()).norm())
    return diff / scale if scale > 0 else (0.0 if diff == 0 else float("inf"))


def worst(official: dict[str, torch.Tensor], ours: dict[str, torch.Tensor]) -> tuple[float, str]:
    """The largest per-tensor relative difference over the tensors both sides name."""
    if set(official) != set(ours):
        raise SystemExit(f"{SCRIPT}: tensors differ: {sorted(set(official) ^ set(ours))[:5]}")
    rows = [(relative(official[k], ours[k]), k) for k in official]
    return max(rows)


# ---------------------------------------------------------------------------------------------
# The official side


class Recorder:
    """Stands in for `training_stats` in the release's loss module: keeps what it reports."""

    def __init__(self) -> None:
        self.values: dict[str, list[torch.Tensor]] = {}

    def report(self, name: str, value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            self.values.setdefault(name, []).append(value.detach().double().clone())
        return value


@contextmanager
def recording_autograd_grad(into: list[torch.Tensor]) -> Iterator[None]:
    """Keep the results of torch.autograd.grad inside the block (the release's R1 gradients)."""
    original = torch.autograd.grad

    def grad(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        into.append(result[0].detach().double().clone())
        return result

    torch.autograd.grad = grad
    try:
        yield
    finally:
        torch.autograd.grad = original


class FixedBeta:
    """Stands in for the release's Beta(2,1) / Beta(1,2) in `run_G`: returns given values."""

    def __init__(self, values: torch.Tensor) -> None:
        self.values = values

    def sample(self, shape: tuple[int, ...]) -> torch.Tensor:
        return self.values.reshape(shape).clone()


def build_official(off: types.SimpleNamespace, args: argparse.Namespace) -> types.SimpleNamespace:
    """G, D, loss and Adam optimisers of train.py + training_loop.py at this size (CPU)."""
    torch.manual_seed(args.seed)
    r = args.resolution
    generator = construct(off, generator_kwargs(resolution=r, features=args.features,
                                                channel_max=args.channel_max), r)
    discriminator = construct(off, discriminator_kwargs(channel_max=args.channel_max), r)
    generator.train().requires_grad_(False)           # as training_loop.py:164-165
    discriminator.train().requires_grad_(False)
    recorder = Recorder()
    off.loss.training_stats = recorder
    loss = off.loss.OurStyleGAN2Loss(
        torch.device("cpu"), generator.mapping, generator.synthesis, discriminator,
        diffaugment="color,translation", r1_gamma=GAMMA, style_mixing_prob=0.0, pl_weight=0)
    return types.SimpleNamespace(
        G=generator, D=discriminator, loss=loss, recorder=recorder,
        G_ema=copy.deepcopy(generator).eval(),
        opts={"G": release_adam(generator.parameters(), LR, BETAS, G_EVERY),
              "D": release_adam(discriminator.parameters(), LR, BETAS, D_EVERY)})


def official_phase(off: types.SimpleNamespace, name: str, real_img: torch.Tensor,
                   z: torch.Tensor, times: torch.Tensor
                   ) -> tuple[dict[str, torch.Tensor], list[torch.Tensor]]:
    """One phase as training_loop.py:302-326 runs it; the gradients before the Adam step.

    `run_G` (loss.py:45-67) draws its times from two Beta distributions; they give `times`."""
    phase, gain = PHASES[name]
    laws = off.loss.dist1, off.loss.dist2
    off.loss.dist1, off.loss.dist2 = FixedBeta(times[:, 0]), FixedBeta(times[:, 1])
    module, opt = (off.G, off.opts["G"]) if name == "G" else (off.D, off.opts["D"])
    no_class = torch.zeros(z.shape[0], 0)
    r1_grads: list[torch.Tensor] = []
    opt.zero_grad(set_to_none=True)
    module.requires_grad_(True)
    with recording_autograd_grad(r1_grads):
        off.loss.accumulate_gradients(phase=phase, real_img=real_img, real_c=no_class,
                                      gen_z=z, gen_c=no_class, sync=True,
                                      gain=1 if name != "Dreg" else gain)
    module.requires_grad_(False)
    grads = {k: p.grad.detach().clone() for k, p in module.named_parameters()
             if p.grad is not None}
    for param in module.parameters():
        if param.grad is not None:
            torch.nan_to_num(param.grad, nan=0, posinf=1e5, neginf=-1e5, out=param.grad)
    opt.step()
    off.loss.dist1, off.loss.dist2 = laws
    return grads, r1_grads


def official_terms(name: str, values: dict[str, list[torch.Tensor]],
                   r1_grads: list[torch.Tensor]) -> dict[str, float]:
    """The release's loss terms, under inrvid's names, from what its loss reported."""
    mean = {k: [float(v.mean()) for v in vs] for k, vs in values.items()}
    if name == "G":
        return {"adversarial.motion_fake": mean["Loss/G/loss"][0],
                "adversarial.image_fake": mean["Loss/G/Iloss"][0]}
    if name == "D":
        fake, real = values["Loss/scores/fake"][0], values["Loss/scores/real"][0]
        return {"adversarial.motion_fake": float(F.softplus(fake).mean()),
                "adversarial.motion_real": float(F.softplus(-real).mean()),
                "adversarial.image_fake+image_real": mean["Loss/D/Iloss"][0]}
    image = r1_grads[1].square().sum([1, 2, 3]).mean() * (GAMMA / 2) * D_EVERY
    return {"r1.motion_r1": mean["Loss/D/reg"][0] * D_EVERY, "r1.image_r1": float(image)}


# ---------------------------------------------------------------------------------------------
# inrvid's side


def inrvid_phase(ours: Any, name: str, clips: torch.Tensor, real: tuple[torch.Tensor, ...],
                 fake: tuple[torch.Tensor, torch.Tensor]) -> dict[str, float]:
    """`Trainer.step` at step 0 with only phase `name` due, on the given draws."""
    from inrvid.train.cadence import Counters

    z, times = fake
    ours.real_frames = lambda _clips: real
    # z_M from the global generator at the point where the release's run_G draws it
    ours.draw_fake = lambda: (z, torch.randn(z.shape[0], 512), times)
    everything = ours.phases
    ours.phases = [p for p in everything if p.name == name]
    ours.counters = Counters()
    try:
        logged = ours.step(clips)
    finally:
        ours.phases = everything
    terms = {k.split("/", 1)[1]: v for k, v in logged.items()
             if k.startswith(f"{name}/") and not k.endswith("nonfinite_grads")}
    if name == "D":
        terms["adversarial.image_fake+image_real"] = (terms.pop("adversarial.image_fake")
                                                      + terms.pop("adversarial.image_real"))
    return terms


def inrvid_grads(module: torch.nn.Module) -> tuple[dict[str, torch.Tensor], list[str]]:
    """Each parameter's gradient; one the phase did not reach (None) counts as zero, and is
    listed: the release's backward includes `logits * 0`, which gives such parameters a zero
    gradient (an Adam step of zero that still advances their Adam state)."""
    grads, untouched = {}, []
    for k, p in module.named_parameters():
        if p.grad is None:
            untouched.append(k)
        grads[k] = torch.zeros_like(p) if p.grad is None else p.grad.detach().clone()
    return grads, untouched


# ---------------------------------------------------------------------------------------------
# Comparisons


def mapped(off: types.SimpleNamespace, name: str, tensors: dict[str, torch.Tensor],
           resolution: int) -> dict[str, dict[str, torch.Tensor]]:
    """Official per-parameter tensors of the phase's network under inrvid's names, by role."""
    if name == "G":
        return {"generator": generator_names(tensors)}
    by_d = {"motion": "videoD.", "image": "imageD."}
    return {role: trunk_names({k[len(prefix):]: v for k, v in tensors.items()
                               if k.startswith(prefix)}, resolution)
            for role, prefix in by_d.items()}


def inrvid_modules(ours: Any, name: str) -> dict[str, torch.nn.Module]:
    if name == "G":
        return {"generator": ours.models.generator}
    return dict(ours.models.discriminators)


def step_difference(off: types.SimpleNamespace, ours: Any, name: str, before: dict[str, Any],
                    grads: dict[str, torch.Tensor], resolution: int) -> tuple[float, str]:
    """inrvid's optimiser fed the release's gradients from the same state: Δp vs the release's."""
    module = off.G if name == "G" else off.D
    after = {k: p.detach().clone() for k, p in module.named_parameters()}
    theirs = mapped(off, name, {k: after[k] - before["official"][k] for k in after}, resolution)
    their_grads = mapped(off, name, grads, resolution)
    modules = inrvid_modules(ours, name)
    opt = ours.g_opt if name == "G" else ours.d_opt
    for role, module_ in modules.items():
        module_.load_state_dict(before["inrvid"][role])
    opt.load_state_dict(copy.deepcopy(before["inrvid_opt"]))
    opt.zero_grad(set_to_none=True)
    for role, module_ in modules.items():
        for k, p in module_.named_parameters():
            if k in their_grads[role]:
                p.grad = their_grads[role][k].reshape(p.shape).clone()
    opt.step()
    rows = []
    for role, module_ in modules.items():
        mine = {k: p.detach() - before["inrvid"][role][k] for k, p in module_.named_parameters()}
        rows.append(worst({k: v.reshape(mine[k].shape) for k, v in theirs[role].items()}, mine))
    return max(rows)


def run_phase(off: types.SimpleNamespace, ours: Any, name: str, clips: torch.Tensor,
              draws: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Both sides' phase from the same weights; terms, gradients and the Adam step compared."""
    load_official_weights(ours.models, off.G, off.D, args.resolution)
    module = off.G if name == "G" else off.D
    opt = ours.g_opt if name == "G" else ours.d_opt
    before = {"official": {k: p.detach().clone() for k, p in module.named_parameters()},
              "inrvid": {r: copy.deepcopy(m.state_dict())
                         for r, m in inrvid_modules(ours, name).items()},
              "inrvid_opt": copy.deepcopy(opt.state_dict())}
    seed = args.seed * 1000 + list(PHASES).index(name) + 1
    off.recorder.values.clear()
    torch.manual_seed(seed)
    grads, r1_grads = official_phase(off, name, draws["official_real"], draws["z"],
                                     draws["times"])
    theirs = official_terms(name, off.recorder.values, r1_grads)
    torch.manual_seed(seed)
    mine = inrvid_phase(ours, name, clips, draws["inrvid_real"], (draws["z"], draws["times"]))
    terms = {k: abs(mine[k] - v) / max(abs(v), 1e-12) for k, v in theirs.items()}
    gradients, untouched, own = {}, {}, {}
    for role, tensors in mapped(off, name, grads, args.resolution).items():
        own[role], untouched[role] = inrvid_grads(inrvid_modules(ours, name)[role])
        gradients[role] = worst({k: v.reshape(own[role][k].shape) for k, v in tensors.items()},
                                own[role])
    floor = float32_floor(ours, name, clips, draws, seed, before, own)
    step = step_difference(off, ours, name, before, grads, args.resolution)
    return {"terms": terms, "term_values": {"official": theirs, "inrvid": mine},
            "gradients": gradients, "no_gradient_in_inrvid": untouched, "step": step,
            "float32_floor": floor}


def float32_floor(ours: Any, name: str, clips: torch.Tensor, draws: dict[str, Any], seed: int,
                  before: dict[str, Any], own: dict[str, dict[str, torch.Tensor]]
                  ) -> dict[str, tuple[float, str]]:
    """How far inrvid's own gradients move when its latents and real frames move by one
    float32 rounding (relative 2^-23, same draws): the float32 floor of each network's
    gradients. Gradients that pass leaky ReLUs near their kink (the time path of DIGAN's
    encoder) move by far more than the rounding itself."""
    noise = torch.Generator().manual_seed(seed)
    nudge = lambda x: x * (1 + 2.0 ** -23 * torch.randn(x.shape, generator=noise))  # noqa: E731
    real, real_t = draws["inrvid_real"]
    for role, module in inrvid_modules(ours, name).items():
        module.load_state_dict(before["inrvid"][role])
    (ours.g_opt if name == "G" else ours.d_opt).load_state_dict(copy.deepcopy(before["inrvid_opt"]))
    torch.manual_seed(seed)
    inrvid_phase(ours, name, clips, (nudge(real), real_t), (nudge(draws["z"]), draws["times"]))
    return {role: worst(own[role], inrvid_grads(module)[0])
            for role, module in inrvid_modules(ours, name).items()}


def draw_inputs(ours: Any, clips: torch.Tensor, seed: int) -> dict[str, Any]:
    """The real pair (both sides' layouts), latents and times, drawn once."""
    gen = torch.Generator().manual_seed(seed)
    sampler, (b, f) = ours.models.sampler, clips.shape[:2]
    idx = sampler.sample_real(b, f, gen)                                        # b 2
    pair = clips[torch.arange(b)[:, None], idx]                                 # b 2 c h w uint8
    real = pair.float() / 127.5 - 1
    # the release's loop (training_loop.py:284-292): the two frames on channels, then the
    # dataset's Δt = (i2 - i1) / (F - 1) (dataset.py:704), collated as float64, as a plane
    dt = torch.tensor([float(i2 - i1) / (f - 1) for i1, i2 in idx.tolist()], dtype=torch.float64)
    frames = torch.cat([pair[:, 0], pair[:, 1]], dim=1).to(torch.float32) / 127.5 - 1
    plane = dt.view(-1, 1, 1, 1) * torch.ones_like(frames[:, 0:1])
    return {"inrvid_real": (real, sampler.index_times(idx, f)),
            # float64 in the release (the plane promotes the cat), so its DiffAugment draws
            # float64 uniforms for reals: the same law, other numbers than inrvid's float32
            # draws; float32 here, so that both sides consume the same draws
            "official_real": torch.cat([frames, plane], dim=1).float(),
            "z": torch.randn(b, 512, generator=gen), "times": sampler.sample_fake(b, gen)}


def optimiser_rows(off: types.SimpleNamespace, ours: Any) -> dict[str, float]:
    """Relative differences of lr, beta1, beta2 and eps of both optimisers."""
    rows = {}
    for name, mine in (("G", ours.g_opt), ("D", ours.d_opt)):
        theirs = off.opts[name].param_groups[0]
        group = mine.param_groups[0]
        for key, a, b in (("lr", theirs["lr"], group["lr"]),
                          ("beta1", theirs["betas"][0], group["betas"][0]),
                          ("beta2", theirs["betas"][1], group["betas"][1]),
                          ("eps", theirs["eps"], group["eps"])):
            rows[f"Adam {name} {key} ({a:.6g})"] = abs(a - b) / max(abs(a), 1e-30)
    return rows


def ema_rows(off: types.SimpleNamespace, ours: Any, batch: int) -> dict[str, float]:
    """The release's EMA update (training_loop.py:330-337) vs inrvid's, at points of the ramp."""
    rows = {}
    start = copy.deepcopy(off.G_ema)
    for seen in (0, 4 * batch, 1000, 1_000_000):
        off.G_ema.load_state_dict(start.state_dict())
        ema_nimg = min(EMA_KIMG * 1000, seen * EMA_RAMPUP)
        beta = 0.5 ** (batch / max(ema_nimg, 1e-8))
        with torch.no_grad():
            for p_ema, p in zip(off.G_ema.parameters(), off.G.parameters(), strict=True):
                p_ema.copy_(p.lerp(p_ema, beta))
        load_official_weights(ours.models, off.G, off.D, ours.models.video.height)
        ours.ema.model.load_state_dict(generator_names(start.state_dict()))
        mine = ours.ema.update(ours.models.generator, batch, seen)
        expected = generator_names(dict(off.G_ema.named_parameters()))
        got = dict(ours.ema.model.named_parameters())
        moved = {k: expected[k].detach() - generator_names(dict(start.named_parameters()))[k]
                 for k in expected}
        moved_mine = {k: got[k].detach() - generator_names(dict(start.named_parameters()))[k]
                      for k in got}
        rows[f"EMA β at {seen} images ({beta:.6g})"] = abs(beta - mine) / max(beta, 1e-30)
        rows[f"EMA update at {seen} images"] = worst(
            {k: v.reshape(moved_mine[k].shape) for k, v in moved.items()}, moved_mine)[0]
    return rows


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic."""
    grid = np.sort(np.concatenate([a, b]))
    cdf = lambda x: np.searchsorted(np.sort(x), grid, side="right") / len(x)  # noqa: E731
    return float(np.abs(cdf(a) - cdf(b)).max())


def law_rows(off: types.SimpleNamespace, ours: Any, frames: int, n: int) -> dict[str, float]:
    """KS distance of Δt: fakes (the release's Beta objects in run_G) and reals (its dataset's
    floor(F·Beta) indices, dataset.py:694-696, with NumPy's Beta) against inrvid's sampler."""
    gen = torch.Generator().manual_seed(7)
    sampler = ours.models.sampler
    ts = torch.cat([off.loss.dist1.sample((n, 1)), off.loss.dist2.sample((n, 1))], dim=1)
    their_fake = (ts.max(dim=1).values - ts.min(dim=1).values).numpy()
    mine = sampler.sample_fake(n, gen)
    rng = np.random.default_rng(7)
    i = np.sort(np.stack([(rng.beta(2, 1, n) * frames).astype(int),
                          (rng.beta(1, 2, n) * frames).astype(int)], axis=1), axis=1)
    idx = sampler.sample_real(n, frames, gen)           # compared as frame gaps i2 - i1
    return {f"Δt law, fakes (KS, noise ~{1 / np.sqrt(n):.1e})":
                ks_distance(their_fake, (mine[:, 1] - mine[:, 0]).numpy()),
            f"Δt law, reals (KS, noise ~{1 / np.sqrt(n):.1e})":
                ks_distance(i[:, 1] - i[:, 0], (idx[:, 1] - idx[:, 0]).numpy())}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--official", type=Path, help="checkout of github.com/sihyun-yu/digan")
    parser.add_argument("--resolution", type=int, default=32, help="video side")
    parser.add_argument("--channel-max", type=int, default=32, help="G and D widths")
    parser.add_argument("--features", type=int, default=16, help="encoder K")
    parser.add_argument("--batch", type=int, default=8, help="videos per step (multiple of 4)")
    parser.add_argument("--seed", type=int, default=0, help="weights and draws")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (torch)")
    parser.add_argument("--law-draws", type=int, default=200_000, help="draws per Δt law")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.official is None:
        sys.stderr.write(how_to_get(SCRIPT) + "\n")
        raise SystemExit(2)
    torch.set_num_threads(args.threads)
    off = build_official(import_official(args.official.expanduser().resolve(), SCRIPT), args)
    ours = make_trainer(REPO / "recipes" / "digan_ucf.yaml", [
        "data.kind=moving_shapes", f"data.resolution={args.resolution}",
        f"encoder.features={args.features}", f"generator.channel_max={args.channel_max}",
        f"discriminators.image.channel_max={args.channel_max}",
        f"discriminators.motion.channel_max={args.channel_max}",
        f"train.batch_size={args.batch}", "generator.chunk_frames=2", "generator.extra_layers=0",
        f"seed={args.seed}"], torch.device("cpu"))
    clips = batch_of_clips(ours)
    draws = draw_inputs(ours, clips, args.seed)
    phases = {name: run_phase(off, ours, name, clips, draws, args) for name in PHASES}
    extra = {**optimiser_rows(off, ours), **ema_rows(off, ours, args.batch),
             **law_rows(off, ours, clips.shape[1], args.law_draws)}
    report(args, phases, extra)
    return {"phases": phases, "extra": extra}


def report(args: argparse.Namespace, phases: dict[str, Any], extra: dict[str, float]) -> None:
    """The table (stdout) and the JSON line."""
    rows: list[tuple[str, float, str]] = []
    for name, result in phases.items():
        for term, diff in result["terms"].items():
            value = result["term_values"]["official"][term]
            rows.append((f"{name}: term {term} ({value:.6g})", diff, ""))
        for role, (diff, where) in result["gradients"].items():
            none = result["no_gradient_in_inrvid"][role]
            note = f"; no gradient in inrvid, 0 in the release: {', '.join(none)}" if none else ""
            floor, at = result["float32_floor"][role]
            rows.append((f"{name}: gradients of {role}", diff, where + note))
            rows.append((f"{name}: gradients of {role}, float32 floor (inrvid vs itself)",
                         floor, at))
        rows.append((f"{name}: Adam step (same gradients)", result["step"][0], result["step"][1]))
    rows += [(k, v, "") for k, v in extra.items()]
    print(f"inrvid vs the release, phase by phase: {args.resolution}², channel_max "
          f"{args.channel_max}, K {args.features}, batch {args.batch}, seed {args.seed}, CPU "
          f"float32; relative differences (tolerance {TOLERANCE:g}; KS rows: sampling noise)")
    width = max(len(r[0]) for r in rows)
    for label, diff, where in rows:
        flag = ("" if diff <= TOLERANCE or label.startswith("Δt law") or "floor" in label
                else "  > tolerance")
        print(f"{label:<{width}} {diff:>10.2e}{flag}{'  (' + where + ')' if where else ''}")
    print(json.dumps({"benchmark": "phases_vs_official", "config": vars(args) | {
        "official": str(args.official)}, "tolerance": TOLERANCE,
        "rows": {label: {"relative_difference": diff, "worst_tensor": where}
                 for label, diff, where in rows},
        "terms": {name: r["term_values"] for name, r in phases.items()}}))


if __name__ == "__main__":
    main()
