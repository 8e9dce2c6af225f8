"""`inrvid eval`: score a checkpoint (or a folder of generated videos) with registered metrics.

Fake videos come from the checkpoint's EMA generator, or from `--fake DIR`. Real videos come
from `--real DIR` (selected as the protocol says) or from the checkpoint recipe's dataset,
with `data.*=value` overrides (e.g. `data.root=/datasets/UCF-101`). Both real sources carry a
cache key, so FVD and KVD reuse cached real features for the same data, protocol and weights.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from rich.markup import escape

from inrvid.base import console, threads
from inrvid.base.tensor import pick_device
from inrvid.components.generator import Generator, class_index
from inrvid.components.metric import Metric, VideoSource
from inrvid.components.registry import BuildContext
from inrvid.evaluation.errors import EvalArgumentError
from inrvid.evaluation.metric_setup import (
    MetricPlan,
    apply_metric_options,
    apply_shared,
    apply_weights,
    build_plans,
    parse_value,
    parse_weights,
    plans_from_names,
    plans_from_recipe,
    recipe_metric_sections,
)
from inrvid.evaluation.report import eval_record, result_table, write_json
from inrvid.evaluation.scored import (
    fake_folder,
    fake_seed,
    files_scored,
    logged_values,
    seed_note,
)
from inrvid.loading.plugins import Plugins
from inrvid.recipe import Recipe
from inrvid.runtime import checkpoint as ckpt
from inrvid.runtime.build import context_for
from inrvid.runtime.scoring.protocols import EvalProtocol, get_protocol
from inrvid.runtime.scoring.runner import (
    EvalResult,
    evaluate,
    group_by_sources,
    merge_results,
    protocol_of,
)
from inrvid.runtime.scoring.sources import FolderVideoSource, GeneratorVideoSource, RealClips


# ---------------------------------------------------------------- command-line pieces
def weights_arguments(argv: Sequence[str], parsed: Sequence[str | None]) -> list[str]:
    """The NAME=PATH values of every `--weights`.

    The CLI lifts every `key=value` token out of argv before parsing, so `--weights i3d=PATH`
    reaches the parser without its value; the value is the token after `--weights` in argv.
    """
    values = [v for v in parsed if v]
    for index, token in enumerate(argv[:-1]):
        if token == "--weights" and not argv[index + 1].startswith("-"):
            values.append(argv[index + 1])
    return list(dict.fromkeys(values))


def split_overrides(
    tokens: Sequence[str], taken: Sequence[str]
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """`data.*` tokens (recipe overrides) and `<metric>.<option>` tokens, by metric."""
    data: list[str] = []
    options: dict[str, dict[str, Any]] = {}
    for token in tokens:
        if token in taken:
            continue
        key, _, value = token.partition("=")
        head, dot, rest = key.partition(".")
        if not dot or not rest:
            raise EvalArgumentError(
                f"override '{token}': got key '{key}', expected data.KEY or METRIC.OPTION\n"
                "  e.g. data.root=/datasets/UCF-101 or fvd.batch_size=4"
            )
        if head == "data":
            data.append(token)
        else:
            options.setdefault(head, {})[rest] = parse_value(value)
    return data, options


# ---------------------------------------------------------------- checkpoint and sources
class CheckpointInputs:
    """A checkpoint: its generator (EMA weights when it has them), its recipe and its dataset.

    The generator and the video spec come from the checkpoint alone; the recipe (with the
    data overrides) is validated only when real clips of its dataset are asked for.
    """

    def __init__(
        self, path: str, data_overrides: list[str], device: torch.device, plugins: Plugins
    ) -> None:
        self.checkpoint = ckpt.load(path)
        self.plugins = plugins
        self.run_dir = self.checkpoint.run_dir
        self.data_overrides = list(data_overrides)
        self.device = device
        self._generator: Generator | None = None
        self._data_recipe: Recipe | None = None
        if self.data_overrides:  # asked for the dataset: check the overrides up front
            self.data_recipe()

    @property
    def ema(self) -> bool:
        """Whether the generator scored is the EMA one (False: the file has no EMA weights)."""
        return self.checkpoint.generator_ema is not None

    @property
    def weights(self) -> str:
        """Which weights are scored, for labels."""
        return "generator_ema" if self.ema else "generator (raw weights: no EMA in the file)"

    def facts(self) -> dict[str, Any]:
        """The checkpoint's facts, run folder, kimg and which weights, for the JSON record."""
        return {
            **self.checkpoint.facts(),
            "run_dir": str(self.run_dir),
            "kimg": self.checkpoint.images_seen / 1000,
            "weights": "ema" if self.ema else "raw",
        }

    def data_recipe(self) -> Recipe:
        """The recipe with the command line's data overrides (`RealClips` turns flips off)."""
        if self._data_recipe is None:
            self._data_recipe = self.checkpoint.validated_recipe(self.plugins, self.data_overrides)
        return self._data_recipe

    def generator(self) -> Generator:
        """The EMA generator (raw if the file has none, with a warning), eval mode."""
        if self._generator is None:
            if not self.ema:
                console.warn(
                    f"{self.checkpoint.where}: no EMA weights (generator_ema) in the file: "
                    "scoring the raw generator"
                )
            self._generator = ckpt.load_generator(
                self.checkpoint, self.plugins, ema=self.ema, device=self.device
            )
        return self._generator


class SourceFactory:
    """Fake and real sources for one protocol, from the command line and the checkpoint."""

    def __init__(self, args: argparse.Namespace, inputs: CheckpointInputs | None) -> None:
        self.args = args
        self.inputs = inputs
        self._real_clips: RealClips | None = None

    @property
    def seed(self) -> int:
        """The seed of the generated latents (or of a folder's clip starts)."""
        recipe_seed = self.inputs.checkpoint.seed if self.inputs is not None else None
        return fake_seed(self.args.seed, recipe_seed)

    def fake(self, protocol: EvalProtocol | None) -> VideoSource:
        """`--fake DIR`, else the checkpoint's EMA generator with the protocol's uint8 cast."""
        if self.args.fake:
            return fake_folder(self.args.fake, self.seed, self.args.plugins)
        assert self.inputs is not None  # checked by `run` before this
        generator = self.inputs.generator()
        chosen = getattr(self.args, "class_name", None)
        return GeneratorVideoSource(
            generator,
            class_index=None if chosen is None else class_index(generator, chosen),
            seed=self.seed,
            truncate=protocol is not None and protocol.uint8_cast == "truncate",
            time_step=self.args.time_step,
            frames_per_call=self.args.frames_per_call,
            name=f"{self.inputs.weights} of {self.inputs.facts()['path']}",
        )

    def real(self, protocol: EvalProtocol | None) -> VideoSource | None:
        """`--real DIR` selected as the protocol says, else the checkpoint recipe's dataset."""
        if self.args.real:
            if protocol is None:
                return FolderVideoSource(self.args.real, plugins=self.args.plugins)
            return FolderVideoSource.for_protocol(self.args.real, protocol,
                                                  plugins=self.args.plugins)
        if self.inputs is None:
            return None
        if self._real_clips is None:
            recipe = self.inputs.data_recipe()
            console.err.print(f"opening the dataset {escape(recipe.data.component.name)}")
            ctx = context_for(recipe, None, self.inputs.device, self.inputs.plugins)
            self._real_clips = RealClips(recipe.data, ctx)
        return self._real_clips.source(protocol.seed if protocol is not None else 0)


# ---------------------------------------------------------------- the command
def _plans(args: argparse.Namespace, inputs: CheckpointInputs | None) -> list[MetricPlan]:
    if args.metrics:
        configured = recipe_metric_sections(inputs.checkpoint.recipe) if inputs else None
        return plans_from_names(args.metrics, args.plugins.registry("metric"), configured)
    if inputs is None:
        raise EvalArgumentError(
            "inrvid eval --fake: got no --metrics, expected the metrics to compute\n"
            "  add e.g. --metrics fvd,kvd"
        )
    plans = plans_from_recipe(inputs.checkpoint.recipe, args.plugins.registry("metric"))
    if not plans:
        raise EvalArgumentError(
            f"{inputs.facts()['path']}: the recipe has no eval.metrics and no --metrics was "
            "given\n  add e.g. --metrics fvd,kvd,is"
        )
    return plans


def _workload(role: str, metric: Metric) -> str:
    """What a metric will read, said before it starts (a long evaluation is no surprise)."""
    protocol = protocol_of(metric)
    if protocol is None:
        return f"{role}: {type(metric).__name__}"
    real = f" + {protocol.real_videos} real" if metric.needs_real else ""
    trials = f"{protocol.trials} trials of " if protocol.trials > 1 else ""
    return (
        f"{role}: protocol {protocol.name}: {trials}{protocol.fake_videos} generated{real} "
        f"videos of {protocol.frames} frames"
    )


def _check_per_class(args: argparse.Namespace, plans: list[MetricPlan]) -> None:
    """`--class` scores one class's fakes: only metrics without real videos allow that.

    Checked before the metrics are built (a metric's `needs_real` is a class attribute).
    """
    chosen = getattr(args, "class_name", None)
    if chosen is None:
        return
    if args.checkpoint is None:
        raise EvalArgumentError(f"--class {chosen}: expected a checkpoint, got --fake DIR")
    real = [p.role for p in plans if getattr(p.component.factory, "needs_real", True)]
    if real:
        raise EvalArgumentError(
            f"--class {chosen}: {', '.join(real)} compare generated with real videos of every "
            "class, expected only metrics that score generated videos alone (e.g. "
            "inception_score)\n  compute FVD/KVD/FID/SWD over all classes, without --class"
        )


def _check_protocol(name: str | None) -> None:
    if name is None:
        return
    try:
        get_protocol(name)
    except ValueError as exc:
        raise EvalArgumentError(f"--protocol: {exc}\n  pick one of the presets") from None


def run(args: argparse.Namespace) -> int:
    """Build the metrics (failing early on missing weights), evaluate, show and write."""
    threads.apply(args.threads)
    argv = list(getattr(args, "argv", []))
    weights = parse_weights(weights_arguments(argv, args.weights))
    data_overrides, options = split_overrides(args.overrides, list(weights_arguments(argv, [])))
    if args.checkpoint is None and not args.fake:
        raise EvalArgumentError(
            "inrvid eval: got neither a checkpoint nor --fake DIR, expected one of them\n"
            "  e.g. inrvid eval runs/quickstart/<time> or inrvid eval --fake samples/ --real data/"
        )
    if data_overrides and args.checkpoint is None:
        raise EvalArgumentError(
            f"{data_overrides[0]}: data overrides apply to a checkpoint's dataset, got no "
            "checkpoint\n  pass --real DIR for real videos instead"
        )
    _check_protocol(args.protocol)
    device = pick_device(args.device)
    inputs = (
        CheckpointInputs(args.checkpoint, data_overrides, device, args.plugins)
        if args.checkpoint
        else None
    )

    plans = _plans(args, inputs)
    fake_videos = args.fake_videos or args.videos
    real_videos = args.real_videos or args.videos
    apply_shared(
        plans,
        {
            "protocol": args.protocol,
            "fake_videos": fake_videos,
            "real_videos": real_videos,
            "trials": args.trials,
            "frames": args.frames,
            "batch_size": args.batch_size,
            "cache_real": False if args.no_cache else None,
        },
    )
    apply_metric_options(plans, options)
    apply_weights(plans, weights)
    ctx = (
        BuildContext(video=inputs.checkpoint.video, device=device, seed=inputs.checkpoint.seed,
                     plugins=args.plugins)
        if inputs is not None
        else BuildContext(device=device, plugins=args.plugins)
    )
    _check_per_class(args, plans)
    metrics = build_plans(plans, ctx)
    for role, metric in metrics.items():
        console.err.print(escape(_workload(role, metric)), soft_wrap=True)

    sources = SourceFactory(args, inputs)
    if inputs is not None and not args.fake:
        console.err.print(seed_note(sources.seed, inputs.checkpoint.seed), soft_wrap=True)
    results: list[EvalResult] = []
    for protocol, group in group_by_sources(metrics):
        needs_real = any(m.needs_real for m in group.values())
        real = sources.real(protocol) if needs_real else None
        if needs_real and real is None:
            raise EvalArgumentError(
                f"metrics {', '.join(group)} compare with real videos, got none\n"
                "  pass --real DIR (a folder of real videos)"
            )
        fake = sources.fake(protocol)
        results.append(evaluate(group, fake, real, progress=not args.quiet))
        scored = files_scored(fake)
        if scored is not None:  # the provenance names every file a metric read
            for role in group:
                results[-1].provenance[role]["fake_files"] = scored
    result = merge_results(results)

    facts = inputs.facts() if inputs is not None else None
    title = (
        f"inrvid eval: {facts['recipe']} at {facts['kimg']:g} kimg"
        if facts
        else (f"inrvid eval: {args.fake}")
    )
    logged = (
        logged_values(inputs.run_dir, inputs.checkpoint.images_seen)
        if inputs is not None and not args.fake
        else {}
    )
    record = eval_record(result, facts, argv) | {"seed": sources.seed, "training_log": logged}
    if args.json:
        console.out.print_json(json.dumps(record, default=str))
    else:
        console.out.print(result_table(result, title, logged))
    if args.out:
        write_json(Path(args.out), record)
        console.err.print(f"wrote {escape(args.out)}")
    return 0
