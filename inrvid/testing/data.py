"""Contract checks of datasets and metrics, and a source of random videos to score."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import Tensor

from inrvid.components.dataset import DatasetConfig, DatasetSummary, VideoDataset
from inrvid.components.metric import Metric
from inrvid.components.registry import BuildContext, ComponentConfig, VideoSpec
from inrvid.testing.rules import Subject, build, shape_of

Factory = Callable[[Any, BuildContext], Any]


class RandomVideoSource:
    """Any number of random uint8 videos `b t c h w` of a video spec (a fixed seed per source)."""

    def __init__(self, video: VideoSpec, name: str = "random", seed: int = 0) -> None:
        self.video = video
        self.name = name
        self.seed = seed

    def iter_videos(self, count: int, frames: int, batch_size: int) -> Iterator[Tensor]:
        """Yield `count` videos of `frames` frames, `batch_size` at a time."""
        gen = torch.Generator().manual_seed(self.seed)
        v = self.video
        for start in range(0, count, batch_size):
            b = min(batch_size, count - start)
            yield torch.randint(0, 256, (b, frames, v.channels, v.height, v.width),
                                generator=gen, dtype=torch.uint8)


def check_dataset(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = ""
) -> VideoDataset:
    """Check the dataset contract (built with no video spec, as a run builds it)."""
    subject = Subject("dataset", name or getattr(factory, "__name__", "?"))
    ds = build(subject, factory, config, ctx, VideoDataset)
    subject.require(ds, {"video_spec": "VideoSpec: frames, height, width, channels, fps"})
    spec = ds.video_spec
    subject.expect(isinstance(spec, VideoSpec), "video-spec",
                   f"video_spec is a {type(spec).__name__}", "set an inrvid.VideoSpec")
    if isinstance(config, DatasetConfig):
        wanted = (config.clip_frames, config.resolution, config.resolution)
        subject.expect(
            (spec.frames, spec.height, spec.width) == wanted, "video-spec",
            f"video_spec is {spec.frames} frames of {spec.height}x{spec.width}, but the config "
            f"asks for clip_frames={config.clip_frames}, resolution={config.resolution}",
            "take frames and size from the config (the only place they are set)",
        )
    size = subject.call("length", "len(dataset)", lambda: len(ds))
    subject.expect(isinstance(size, int) and size > 0, "length", f"len(dataset) is {size!r}",
                   "an empty dataset must raise inrvid.base.errors.DataError while it is built")
    ds.set_epoch(0)
    item = subject.call("item", "dataset[0]", lambda: ds[0])
    subject.expect(isinstance(item, dict) and {"video", "label", "fps", "index"} <= set(item),
                   "item", f"dataset[0] is {item!r:.80}",
                   "return a ClipItem: {'video', 'label', 'fps', 'index'}")
    video = item["video"]
    expected = (spec.frames, spec.channels, spec.height, spec.width)
    subject.expect(isinstance(video, Tensor) and tuple(video.shape) == expected, "item",
                   f"dataset[0]['video'] is {shape_of(video)}, expected {expected} = f c h w",
                   "return the clip as `f c h w`")
    subject.expect(video.dtype == torch.uint8, "item", f"clips are {video.dtype}",
                   "return uint8 clips (0..255)")
    subject.expect(isinstance(item["label"], int) and item["fps"] > 0, "item",
                   f"label {item['label']!r}, fps {item['fps']!r}",
                   "label is an int (-1: none) and fps > 0")
    again = build(subject, factory, config, ctx, VideoDataset)
    again.set_epoch(0)
    subject.expect(torch.equal(video, again[0]["video"]), "deterministic",
                   "two datasets built alike gave other clips at index 0 in epoch 0",
                   "derive every random draw (flips, offsets) from the index and the epoch")
    summary = subject.call("summary", "summary()", ds.summary)
    subject.expect(isinstance(summary, DatasetSummary), "summary",
                   f"summary() returned a {type(summary).__name__}",
                   "return an inrvid.components.dataset.DatasetSummary")
    return ds


def check_metric(
    factory: Factory, config: ComponentConfig, ctx: BuildContext, name: str = ""
) -> Metric:
    """Check the metric contract: compute on random videos gives finite named floats."""
    subject = Subject("metric", name or getattr(factory, "__name__", "?"))
    video = ctx.require_video()
    metric = build(subject, factory, config, ctx, Metric)
    for attr in ("higher_is_better", "needs_real"):
        subject.expect(isinstance(getattr(metric, attr, None), bool), "attributes",
                       f"{attr} is {getattr(metric, attr, None)!r}", f"set {attr} to a bool")
    fake = RandomVideoSource(video, "fake", seed=1)
    real = RandomVideoSource(video, "real", seed=2) if metric.needs_real else None
    scores = subject.call("compute", "compute(fake, real)", lambda: metric.compute(fake, real))
    subject.expect(isinstance(scores, dict) and len(scores) > 0, "scores",
                   f"compute returned {scores!r:.80}", "return {name: float}")
    for key, value in scores.items():
        subject.expect(isinstance(key, str) and isinstance(value, float | int)
                       and math.isfinite(value), "scores",
                       f"score {key!r} is {value!r}", "return finite floats")
    provenance = subject.call("provenance", "provenance()", metric.provenance)
    try:
        json.dumps(provenance)
    except (TypeError, ValueError) as exc:
        raise subject.broken("provenance", f"provenance() is not JSON: {exc}",
                             "return plain data (str, numbers, lists, dicts)") from exc
    return metric
