"""Why does motion stall? Probes of a training run's motion discriminator and generator.

Usage:

    python benchmarks/motion_diagnosis.py RUN_DIR_OR_CHECKPOINT [--videos 64] [--json]

Loads the checkpoint's trainer (networks, sampler, dataset) and measures:

1. What the motion discriminator D_M has learned, as AUCs: the probability that a real pair
   (frames at the sampler's indices, their true Δt) scores above a probe pair. 0.5 means D_M
   cannot tell them apart, 1.0 that it always can.
   - `fake`: the generator's pairs (its job);
   - `other_video`: the second frame taken from another real video (motion coherence);
   - `wrong_dt`: the same real frames with Δt drawn afresh from the sampler's law;
   - `static`: the first frame twice, with the true Δt (a frozen video);
   - `off_grid_dt`: the same real frames with Δt moved off the frame grid by less than half a
     frame gap. A D_M that scores this far apart from `real` reads *whether Δt is a multiple of
     1/(F-1)*, which separates reals from continuous-time fakes and teaches G nothing.
2. What the generator's videos do, against real clips at the clip times k/(F-1):
   `step_energy` (mean squared frame difference, ×1e3) and `jerk_energy` (mean squared second
   difference, ×1e3). Flicker shows as jerk energy far above the reals'; a frozen video as step
   energy far below.
3. Where the motion discriminator's gradient goes: norms of d L_G(D_M) / d z_M and d / d z_content
   per latent entry, and the gradient norm of the encoder's time path (time head and f_M)
   against its spatial head.

Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parent))


def auc(positive: Tensor, negative: Tensor) -> float:
    """P(positive > negative) + ½ P(equal) over all pairs (the Mann-Whitney AUC)."""
    p = positive.flatten()[:, None]
    n = negative.flatten()[None, :]
    return float(((p > n).float() + 0.5 * (p == n).float()).mean())


def load_trainer(source: Path) -> Any:
    """The trainer of a run folder (latest checkpoint) or of a checkpoint file, on the CPU."""
    from inrvid.loading.plugins import load_plugins
    from inrvid.runtime.checkpoint import storage
    from inrvid.train import distributed as ddp
    from inrvid.train.loop import Trainer

    plugins = load_plugins()
    checkpoint = storage.load(storage.find(source))
    recipe = checkpoint.validated_recipe(plugins, ["train.device=cpu", "eval.every_kimg=null"])
    trainer = Trainer(recipe, ddp.setup("cpu"), plugins)
    trainer.load_state(checkpoint)
    return trainer


def real_clips(trainer: Any, videos: int) -> Tensor:
    """`videos` clips of the run's dataset as float `b f c h w` in [-1, 1]."""
    data = trainer.dataset
    clips = [data[i % len(data)]["video"] for i in range(videos)]
    return torch.stack(clips).float() / 127.5 - 1


def motion_probes(trainer: Any, clips: Tensor, gen: torch.Generator) -> dict[str, float]:
    """AUCs of real pairs against each probe (see the module docstring)."""
    disc = trainer.models.discriminators["motion"]
    sampler = trainer.models.sampler
    b, f = clips.shape[:2]
    idx = sampler.sample_real(b, f, gen)                                            # b 2
    times = sampler.index_times(idx, f).float()                                     # b 2
    rows = torch.arange(b)[:, None]
    pairs = clips[rows, idx]                                                        # b 2 c h w
    dt_gap = 1.0 / (f - 1)
    other = torch.roll(torch.arange(b), 1)
    mixed = torch.stack([pairs[:, 0], clips[other, idx[:, 1]]], dim=1)              # b 2 c h w
    static = torch.stack([pairs[:, 0], pairs[:, 0]], dim=1)                         # b 2 c h w
    fresh = sampler.index_times(sampler.sample_real(b, f, gen), f).float()          # b 2
    jitter = (torch.rand(b, generator=gen) - 0.5) * 0.8 * dt_gap                    # |δ| < gap/2
    off_grid = times.clone()
    off_grid[:, 1] = (times[:, 1] + jitter).clamp(min=times[:, 0])
    with torch.no_grad():
        z_c, z_m, fake_t = trainer.draw_fake()
        z_c, z_m, fake_t = z_c[:b], None if z_m is None else z_m[:b], fake_t[:b]
        fake = trainer.models.generator(z_c, z_m, fake_t)                           # b 2 c h w
        score = {
            "real": disc(pairs, times)[:, 0],
            "fake": disc(fake, fake_t)[:, 0],
            "other_video": disc(mixed, times)[:, 0],
            "static": disc(static, times)[:, 0],
            "wrong_dt": disc(pairs, fresh)[:, 0],
            "off_grid_dt": disc(pairs, off_grid)[:, 0],
        }
    return {f"auc_real_vs_{k}": auc(score["real"], v) for k, v in score.items() if k != "real"}


def temporal_energy(videos: Tensor) -> dict[str, float]:
    """Mean squared first and second frame differences of `b f c h w` (×1e3)."""
    step = videos[:, 1:] - videos[:, :-1]
    jerk = step[:, 1:] - step[:, :-1]
    return {"step_energy": 1e3 * float(step.square().mean()),
            "jerk_energy": 1e3 * float(jerk.square().mean())}


def generator_motion(trainer: Any, clips: Tensor, gen: torch.Generator) -> dict[str, float]:
    """Temporal energies of generated videos (EMA generator) against the reals'."""
    from inrvid.base.time_axis import clip_times

    b, f = clips.shape[:2]
    g = trainer.ema.model
    z_c = torch.randn(b, g.content_dim, generator=gen)
    z_m = torch.randn(b, g.motion_dim, generator=gen) if g.motion_dim else None
    times = clip_times(f, torch.float32).expand(b, f)
    with torch.no_grad():
        fake = g(z_c, z_m, times).clamp(-1, 1)
    real_e, fake_e = temporal_energy(clips), temporal_energy(fake)
    out = {f"real_{k}": v for k, v in real_e.items()}
    out |= {f"fake_{k}": v for k, v in fake_e.items()}
    out["step_energy_ratio"] = fake_e["step_energy"] / max(real_e["step_energy"], 1e-12)
    out["jerk_energy_ratio"] = fake_e["jerk_energy"] / max(real_e["jerk_energy"], 1e-12)
    return out


def gradient_reach(trainer: Any, batch: int, gen: torch.Generator) -> dict[str, float]:
    """Gradient norms of G's motion-D loss at the latents and the encoder's time path."""
    g = trainer.models.generator
    disc = trainer.models.discriminators["motion"]
    z_c = torch.randn(batch, g.content_dim, generator=gen, requires_grad=True)
    z_m = torch.randn(batch, g.motion_dim, generator=gen, requires_grad=True)
    times = trainer.models.sampler.sample_fake(batch, gen).float()
    g.zero_grad(set_to_none=True)
    loss = F.softplus(-disc(g(z_c, z_m, times), times)).mean()
    loss.backward()
    out = {
        "grad_z_motion": float(z_m.grad.norm() / z_m.numel() ** 0.5),
        "grad_z_content": float(z_c.grad.norm() / z_c.numel() ** 0.5),
    }
    time_sq = spatial_sq = 0.0
    for name, p in g.named_parameters():
        if p.grad is None:
            continue
        if "time_head" in name or "motion_mlp" in name:
            time_sq += float(p.grad.square().sum())
        elif "spatial_head" in name:
            spatial_sq += float(p.grad.square().sum())
    out["grad_time_path"] = time_sq**0.5
    out["grad_spatial_head"] = spatial_sq**0.5
    g.zero_grad(set_to_none=True)
    return out


def diagnose(source: Path, videos: int, seed: int) -> dict[str, Any]:
    """Every probe of the module docstring for one checkpoint."""
    trainer = load_trainer(source)
    gen = torch.Generator().manual_seed(seed)
    clips = real_clips(trainer, videos)
    result: dict[str, Any] = {"kimg": trainer.counters.kimg}
    result |= motion_probes(trainer, clips, gen)
    result |= generator_motion(trainer, clips, gen)
    result |= gradient_reach(trainer, min(videos, 16), gen)
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the diagnosis table and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a run folder or a checkpoint file")
    parser.add_argument("--videos", type=int, default=64, help="real clips and fakes to probe")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = diagnose(args.source, args.videos, args.seed)
    for key, value in result.items():
        print(f"{key:28s} {value:10.4f}")
    print(json.dumps({"benchmark": "motion_diagnosis", "source": str(args.source), **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
