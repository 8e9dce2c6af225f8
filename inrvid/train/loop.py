"""The training loop: construct, resume or start, distribute, then train in phases.

It knows the contract between the loop and the plug-ins (`docs/architecture.md` §2), never the
model: the recipe's components do the work and the loop sums their weighted terms.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from inrvid.base.console import err as console
from inrvid.base.console import warn
from inrvid.base.errors import TrainingError
from inrvid.base.limits import check_training_sizes
from inrvid.base.progress import RunProgress
from inrvid.base.streams import stream, stream_seed
from inrvid.components.dataset import VideoDataset
from inrvid.components.generator import Generator, class_keywords, draw_classes
from inrvid.components.loss import PhaseInputs
from inrvid.components.registry import VideoSpec
from inrvid.loading.plugins import Plugins, plugin_versions
from inrvid.recipe import Recipe
from inrvid.runtime import checkpoint as ckpt
from inrvid.runtime.build import (
    Models,
    build_dataset_of,
    build_metrics,
    build_models,
    context_for,
    describe_models,
)
from inrvid.runtime.scoring.sources import RealClips
from inrvid.train import distributed as ddp
from inrvid.train.cadence import Counters, crossed
from inrvid.train.loader import TrainingLoader
from inrvid.train.numerics import NumericsPolicy
from inrvid.train.optim import EMA, make_adam
from inrvid.train.periodic_metrics import PeriodicMetrics
from inrvid.train.phases import (
    NONFINITE_GRADS,
    InputKind,
    StepContext,
    build_phases,
    reg_interval,
    run_phases,
)
from inrvid.train.random_states import restore_rng_state, rng_state
from inrvid.train.records import MetricsLog, new_run_dir, write_run_records
from inrvid.train.samples import SampleWriter
from inrvid.train.stopping import RunStopped, StopRequest


class Trainer:
    """Holds the live objects of one run and performs its steps."""

    def __init__(self, recipe: Recipe, info: ddp.DistInfo, plugins: Plugins) -> None:
        # --- construct: dataset, networks, optimisers, EMA -------------------------------------
        self.recipe, self.info, self.plugins, cfg = recipe, info, plugins, recipe.train
        if cfg.batch_size % info.world_size:
            raise TrainingError(
                f"train.batch_size: got {cfg.batch_size}, expected a multiple of the "
                f"{info.world_size} processes"
            )
        self.batch = cfg.batch_size // info.world_size
        self.dataset = build_dataset_of(recipe, plugins)
        spec = self.dataset.video_spec
        check_training_sizes(
            cfg.batch_size, len(self.dataset), spec.frames, spec.height, spec.width
        )
        self.models: Models = build_models(recipe, self.dataset.video_spec, info.device, plugins)
        m = self.models
        check_classes_match(m.generator, self.dataset)
        self.d_params = torch.nn.ModuleDict(m.discriminators)
        self.g_reg_every = reg_interval(m.losses, "generator") or cfg.g_reg_interval
        self.d_reg_every = reg_interval(m.losses, "discriminator")
        self.g_opt = make_adam(m.generator, cfg.g_lr, cfg.betas, cfg.eps, self.g_reg_every)
        self.d_opt = make_adam(self.d_params, cfg.d_lr, cfg.betas, cfg.eps, self.d_reg_every)
        self.ema = EMA(m.generator, cfg.ema_kimg, cfg.ema_rampup)
        self.phases = build_phases(
            m.losses,
            generator=m.generator,
            discriminators=self.d_params,
            g_optimizer=self.g_opt,
            d_optimizer=self.d_opt,
            g_reg_every=self.g_reg_every,
            d_reg_every=self.d_reg_every,
        )
        # own streams (inrvid.base.streams): latents/times alike on all ranks, augments per rank
        self.draws = stream(recipe.seed, "train/latents")
        torch.manual_seed(stream_seed(recipe.seed, f"train/augment/rank{info.rank}"))
        self.counters = Counters()
        # gradient values found non-finite (and cleaned under `nonfinite: clean`) per phase since
        # the last metrics line; the loop clears it after writing the line
        self.nonfinite_since_log: dict[str, float] = {}
        self.generator_fn = m.generator
        self.discriminator_fns = dict(m.discriminators)
        if cfg.compile:
            self.generator_fn = torch.compile(m.generator)  # type: ignore[assignment]
            self.discriminator_fns = {r: torch.compile(d) for r, d in m.discriminators.items()}  # type: ignore[misc]
        # precision choices (train.numerics): TF32 flags, reduced-precision D blocks, autocast
        self.numerics = NumericsPolicy.for_run(cfg.numerics, info.device)
        self.numerics.apply_flags()
        self.numerics.prepare(m.discriminators)
        self.autocast = self.numerics.phase_autocast()

    # --- random draws: the global batch is drawn on every rank, each rank takes its slice --------
    def _slice(self, x: torch.Tensor) -> torch.Tensor:
        start = self.info.rank * self.batch
        return x[start : start + self.batch].to(self.info.device)

    def draw_fake(self) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """Latents and times of this rank's share of a global batch of fakes."""
        g = self.models.generator
        total = self.recipe.train.batch_size
        z_content, z_motion = g.sample_latents(total, self.draws, device="cpu")
        times = self.models.sampler.sample_fake(total, self.draws)
        return (
            self._slice(z_content),
            None if z_motion is None else self._slice(z_motion),
            self._slice(times),
        )

    def draw_fake_classes(self) -> torch.Tensor | None:
        """Classes of this rank's share of the fakes (conditional runs; uniform), else None."""
        classes = draw_classes(self.models.generator, self.recipe.train.batch_size, self.draws)
        return None if classes is None else self._slice(classes)

    def real_classes(self, labels: torch.Tensor | None) -> torch.Tensor | None:
        """The labels of this rank's clips for a conditional run (checked on the CPU), else None."""
        g = self.models.generator
        if not g.num_classes:
            return None
        if labels is None or int(labels.min()) < 0 or int(labels.max()) >= g.num_classes:
            got = "none" if labels is None else f"{int(labels.min())}..{int(labels.max())}"
            raise TrainingError(
                f"generator conditional on {g.num_classes} classes: clip labels {got}, expected "
                f"0..{g.num_classes - 1}\n  use a dataset with class labels (e.g. ucf101)"
            )
        return labels.to(self.info.device, non_blocking=True)

    def real_frames(self, clips: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Frames `b t c h w` in [-1, 1] at the sampler's indices into this rank's clips."""
        f = clips.shape[1]
        idx = self._slice(
            self.models.sampler.sample_real(self.recipe.train.batch_size, f, self.draws)
        )
        times = self.models.sampler.index_times(idx, f)  # b t
        clips = clips.to(self.info.device, non_blocking=True)  # b f c h w
        rows = torch.arange(clips.shape[0], device=clips.device)[:, None]  # b 1
        picked = clips[rows, idx]  # b t c h w
        return picked.to(torch.float32) / 127.5 - 1, times.to(self.info.device)

    # --- one training step ---
    def step(self, clips: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        """Every phase due at this step (G, Greg, D, Dreg), then the EMA, over a global batch.

        `labels` (int `b`, this rank's clips) are needed by a class-conditional run only.
        """
        m, c = self.models, self.counters
        real, real_t = self.real_frames(clips)  # b t c h w, b t
        real_c = self.real_classes(labels)  # b (conditional runs)
        context = StepContext(
            self.info, c.step, c.kimg, m.loss_weights, nonfinite=self.recipe.train.nonfinite
        )

        def fakes() -> PhaseInputs:
            z_c, z_m, t = self.draw_fake()
            fake_c = self.draw_fake_classes()
            fake = self.generator_fn(z_c, z_m, t, **class_keywords(m.generator, fake_c))
            return PhaseInputs(
                network="generator", step=c.step, fake_frames=fake, fake_times=t,
                real_frames=None, real_times=None,
                discriminators=self.discriminator_fns, augment=m.augment, fake_classes=fake_c,
            )

        def fakes_and_reals() -> PhaseInputs:
            z_c, z_m, t = self.draw_fake()
            fake_c = self.draw_fake_classes()
            with torch.no_grad():  # b t c h w, detached
                fake = self.generator_fn(z_c, z_m, t, **class_keywords(m.generator, fake_c))
            return PhaseInputs(
                network="discriminator", step=c.step, fake_frames=fake, fake_times=t,
                real_frames=real, real_times=real_t,
                discriminators=self.discriminator_fns, augment=m.augment,
                fake_classes=fake_c, real_classes=real_c,
            )

        def reals() -> PhaseInputs:
            # eager networks: regularisers such as R1 differentiate a gradient, which
            # torch.compile's autograd does not support
            return PhaseInputs(
                network="discriminator", step=c.step, fake_frames=None, fake_times=None,
                real_frames=real, real_times=real_t,
                discriminators=m.discriminators, augment=m.augment, real_classes=real_c,
            )

        inputs: dict[InputKind, Callable[[], PhaseInputs]] = {
            "fakes": fakes, "fakes_and_reals": fakes_and_reals, "reals": reals
        }
        logged = run_phases(self.phases, inputs, context, self.autocast)
        for key in [k for k in logged if k.endswith(f"/{NONFINITE_GRADS}")]:  # since last line
            self.nonfinite_since_log[key] = self.nonfinite_since_log.get(key, 0) + logged[key]
        logged |= self.nonfinite_since_log
        # the ramp counts the images seen before this step, as the release (β = 0 at step 0)
        logged["ema_beta"] = self.ema.update(
            m.generator, self.recipe.train.batch_size, c.images_seen
        )
        c.images_seen += self.recipe.train.batch_size
        c.step += 1
        return logged

    # --- checkpoints ---
    def state(self, loader_state: dict[str, Any]) -> ckpt.Checkpoint:
        """Everything needed to continue exactly (rank 0's view, other ranks' RNG included)."""
        rngs = [rng_state()]
        if self.info.distributed:
            gathered: list[Any] = [None] * self.info.world_size
            dist.all_gather_object(gathered, rngs[0])
            rngs = gathered
        m = self.models
        return ckpt.from_training(
            self.recipe,
            m.video,
            step=self.counters.step,
            images_seen=self.counters.images_seen,
            world_size=self.info.world_size,
            plugins=plugin_versions(self.plugins),
            generator=m.generator,
            generator_ema=self.ema.model,
            discriminators=m.discriminators,
            losses=m.losses,
            optimizers={"generator": self.g_opt, "discriminator": self.d_opt},
            draws=self.draws,
            rng=rngs,
            loader=loader_state,
        )

    def initialize_from(self, path: str) -> None:
        """Start from another checkpoint's networks (`train.init_from`); fresh everything else."""
        checkpoint = ckpt.load(path)
        ckpt.warn_plugin_drift(checkpoint, self.plugins)
        m = self.models
        for note in ckpt.initialize_from(checkpoint, self.recipe, generator=m.generator,
                                         generator_ema=self.ema.model,
                                         discriminators=m.discriminators):
            warn(note)

    def load_state(self, checkpoint: ckpt.Checkpoint) -> None:
        """Restore a checkpoint's networks, optimisers, counters and random states."""
        m = self.models
        ckpt.restore_training(
            checkpoint,
            self.recipe,
            generator=m.generator,
            generator_ema=self.ema.model,
            discriminators=m.discriminators,
            losses=m.losses,
            optimizers={"generator": self.g_opt, "discriminator": self.d_opt},
        )
        self.draws.set_state(checkpoint.draws)
        self.counters = Counters(step=checkpoint.step, images_seen=checkpoint.images_seen)
        rngs = checkpoint.rng
        if len(rngs) == self.info.world_size:
            restore_rng_state(rngs[self.info.rank])
        else:
            warn(
                f"the checkpoint was written by {len(rngs)} processes, this run has "
                f"{self.info.world_size}: augment draws will differ from an uninterrupted run"
            )


def check_classes_match(generator: Generator, dataset: VideoDataset) -> None:
    """A conditional generator's classes are the dataset's, in label order (if it names them)."""
    if not generator.num_classes:
        return
    classes = dataset.summary().classes
    if len(classes) != generator.num_classes or (
        generator.class_names and list(generator.class_names) != list(classes)
    ):
        shown = ", ".join(classes[:5]) + (", ..." if len(classes) > 5 else "")
        raise TrainingError(
            f"generator: conditional on {generator.num_classes} classes"
            f"{' named in class_names' if generator.class_names else ''}, the dataset has "
            f"{len(classes)} ({shown})\n  set generator.num_classes and class_names (and the "
            "discriminators' num_classes) to the dataset's classes, in label order"
        )


def train(
    recipe: Recipe,
    plugins: Plugins,
    *,
    argv: list[str],
    resume_state: ckpt.Checkpoint | None = None,
    run_dir: Path | None = None,
    quiet: bool = False,
) -> Path:
    """Train a recipe (or continue `resume_state` in `run_dir`); return the run folder.

    A new run goes to `run_dir` when given (it must be empty or absent), else to
    `<output.dir>/<name>/<UTC time>/`.
    """
    info = ddp.setup(recipe.train.device)
    try:
        return _train(recipe, plugins, info, argv, resume_state, run_dir, quiet)
    finally:
        ddp.teardown(info)


def _train(
    recipe: Recipe,
    plugins: Plugins,
    info: ddp.DistInfo,
    argv: list[str],
    resume_state: ckpt.Checkpoint | None,
    run_dir: Path | None,
    quiet: bool,
) -> Path:
    cfg = recipe.train
    trainer = Trainer(recipe, info, plugins)
    # --- resume or start ---
    if resume_state is not None:
        assert run_dir is not None
        if info.is_main:  # writes that a kill interrupted; no other process writes here now
            ckpt.remove_temporaries(run_dir / "checkpoints")
        ckpt.warn_plugin_drift(resume_state, plugins)
        trainer.load_state(resume_state)
    elif cfg.init_from is not None:
        trainer.initialize_from(cfg.init_from)
    if resume_state is None and info.is_main:
        run_dir = new_run_dir(recipe, run_dir)
        write_run_records(
            run_dir,
            recipe,
            argv,
            plugins,
            {
                "world_size": info.world_size,
                "device": str(info.device),
                "parameters": describe_models(trainer.models),
                "numerics": trainer.numerics.record(trainer.models.discriminators),
            },
        )
    run_dir = _share_run_dir(run_dir, info)
    log = MetricsLog(run_dir) if info.is_main else None
    if log is not None and resume_state is not None:
        log.truncate_after(trainer.counters.images_seen)
    # --- distribute ---
    for module in (trainer.models.generator, trainer.d_params, trainer.ema.model):
        ddp.broadcast_parameters(module, info)
    loader = TrainingLoader(
        trainer.dataset,
        global_batch=cfg.batch_size,
        seed=stream_seed(recipe.seed, "train/data"),
        rank=info.rank,
        world_size=info.world_size,
        num_workers=cfg.num_workers,
        pin_memory=info.device.type == "cuda",
        state=None if resume_state is None else resume_state.loader,
    )
    samples = (
        SampleWriter(
            trainer.ema.model, run_dir, videos=cfg.sample_videos, frames=cfg.sample_frames,
            seed=recipe.seed, fps=trainer.models.video.fps,
        )
        if info.is_main
        else None
    )
    evaluator = periodic_metrics(recipe, trainer.ema.model, trainer.models.video, info, plugins)
    total_images = int(cfg.duration_kimg * 1000)
    if resume_state is None:
        evaluator.maybe_run(log, trainer.counters, force=True)
        if samples is not None:
            samples.write_reals(trainer.dataset)
            samples.write(trainer.counters.images_seen, log)
    progress = RunProgress(
        total_images, trainer.counters.images_seen, enabled=info.is_main and not quiet
    )
    # --- train ---
    started, images_at_start = time.monotonic(), trainer.counters.images_seen
    stop = StopRequest(announce=info.is_main)  # a signal: finish the step, checkpoint, stop
    with progress, stop.listening():
        batches = iter(loader)
        while trainer.counters.images_seen < total_images:
            batch = next(batches)
            before = trainer.counters.images_seen
            terms = trainer.step(batch["video"], batch.get("label"))
            after = trainer.counters.images_seen
            elapsed = time.monotonic() - started
            s_per_kimg = elapsed / max((after - images_at_start) / 1000, 1e-9)
            progress.update(after, s_per_kimg, terms)
            last = after >= total_images
            if log is not None and (crossed(before, after, cfg.log_every_kimg) or last):
                progress.line()
                log.write(
                    {
                        "kimg": after / 1000,
                        "step": trainer.counters.step,
                        "images_seen": after,
                        "s_per_kimg": s_per_kimg,
                        **terms,
                    }
                )
                trainer.nonfinite_since_log.clear()
            if samples is not None and (crossed(before, after, cfg.sample_every_kimg) or last):
                samples.write(after, log)
            evaluator.maybe_run(log, trainer.counters, force=last, before=before)
            signum = None if last else stop.agreed(info)
            if crossed(before, after, cfg.checkpoint_every_kimg) or last or signum:
                _snapshot(trainer, loader, run_dir, info)
            if signum:
                if info.distributed:  # every rank exits after the checkpoint is on disk
                    dist.barrier()
                if log is not None:
                    log.close()
                where = ckpt.checkpoint_path(run_dir / "checkpoints", after)
                raise RunStopped(signum, run_dir, where, trainer.counters.step, after)
    if info.distributed:
        diff = ddp.max_replica_difference(trainer.models.generator, info)
        if log is not None:
            log.write({"images_seen": trainer.counters.images_seen, "ddp_max_param_diff": diff})
    if log is not None:
        log.close()
        if not quiet:
            _summary(run_dir, evaluator, samples)
    return run_dir


def periodic_metrics(
    recipe: Recipe, generator: Generator, video: VideoSpec, info: ddp.DistInfo, plugins: Plugins
) -> PeriodicMetrics:
    """The recipe's `eval.metrics` at their cadence, on rank 0 (none on other ranks)."""
    every = recipe.eval.every_kimg
    metrics = (
        build_metrics(recipe, video, info.device, plugins)
        if recipe.metrics and info.is_main and every is not None
        else {}
    )
    return PeriodicMetrics(
        metrics,
        generator,
        every_kimg=every,
        seed=recipe.seed,
        real_clips=lambda: RealClips(
            recipe.data, context_for(recipe, None, torch.device("cpu"), plugins)
        ),
    )


def _summary(run_dir: Path, evaluator: PeriodicMetrics, samples: SampleWriter | None) -> None:
    """Where the run's files are, and how the evaluated metrics moved."""
    console.print(f"run finished: {run_dir}", soft_wrap=True)
    if samples is not None and samples.latest is not None:
        console.print(f"latest samples: {samples.latest}", soft_wrap=True)
    if samples is not None and samples.reals is not None:
        console.print(f"real clips to compare with: {samples.reals}", soft_wrap=True)
    for key, last in evaluator.last.items():
        if key.endswith("_std"):
            continue
        first = evaluator.first.get(key)
        moved = f" (at the start: {first:.4g})" if first is not None else ""
        console.print(f"{key}: {last:.4g}{moved}")


def _snapshot(trainer: Trainer, loader: Any, run_dir: Path, info: ddp.DistInfo) -> None:
    state = trainer.state(loader.state_dict(trainer.counters.step))
    if info.is_main:
        folder = run_dir / "checkpoints"
        ckpt.save(state, ckpt.checkpoint_path(folder, trainer.counters.images_seen))
        ckpt.prune(folder, trainer.recipe.output.keep_checkpoints)


def _share_run_dir(run_dir: Path | None, info: ddp.DistInfo) -> Path:
    if not info.distributed:
        assert run_dir is not None
        return run_dir
    holder = [str(run_dir) if run_dir is not None else None]
    dist.broadcast_object_list(holder, src=0)
    assert holder[0] is not None
    return Path(holder[0])
