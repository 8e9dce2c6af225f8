"""Evaluation speed: I3D videos per second, and seconds for one FVD protocol end to end.

i3d: uint8 clips at the protocol's size (128² for `digan`/`proxy`) through the FVD feature path
     (resize to 224, scale to [-1, 1], I3D, 400 logits), after one warm-up batch.
fvd: `evaluate()` of the `fvd` metric with `--protocol` (default `proxy`) and its counts
     overridden to `--fvd-videos` fake and real videos, one trial: generator sampling, real
     clips of the recipe's dataset, features of both, Fréchet distance. Timed twice: with an
     empty real-feature cache, then with the cache the first run wrote (real features read).

No real I3D weights ship with inrvid, so the I3D is RANDOMLY INITIALISED and saved to a
temporary file in the documented state-dict layout: the timings are those of the real network
(same architecture and shapes), the FVD values are meaningless. The generator is the one of
`--checkpoint` (its EMA weights and its recipe's dataset) or, without one, the quickstart
recipe's generator, untrained, against its `moving_shapes` data. Prints the figures and one
JSON line. Defaults finish in under two minutes on 2 CPU cores:

    python benchmarks/eval.py [--checkpoint RUN] [--i3d-videos 4] [--fvd-videos 4] [--device auto]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[1]


def save_random_i3d(folder: Path) -> Path:
    """A randomly initialised I3D state dict (seed 0) in the documented layout."""
    from inrvid_metrics.i3d import InceptionI3d

    torch.manual_seed(0)
    path = folder / "i3d_random_init.pt"
    torch.save(InceptionI3d(400).state_dict(), path)
    return path


def i3d_throughput(
    weights: Path, device: torch.device, videos: int, batch: int, frames: int, size: int
) -> dict[str, Any]:
    """Videos per second through the FVD feature path (resize, scale, I3D), after a warm-up."""
    from inrvid_metrics.extractors import I3DFeatures
    from inrvid_metrics.weights import I3D_WEIGHTS, resolve_weights

    extractor = I3DFeatures(resolve_weights(I3D_WEIGHTS, str(weights), "benchmark"), device)
    clips = torch.randint(0, 256, (batch, frames, 3, size, size), dtype=torch.uint8)
    extractor(clips)                                                     # warm-up
    done = 0
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    while done < videos:
        extractor(clips)
        done += batch
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return {"videos": done, "seconds": seconds, "videos_per_s": done / seconds,
            "batch": batch, "frames": frames, "input_size": size}


def generator_and_data(checkpoint: str | None, device: torch.device) -> tuple[Any, Any, str]:
    """(EMA generator, real source, label): from a checkpoint, or the untrained quickstart."""
    from inrvid.evaluation.eval_command import CheckpointInputs
    from inrvid.loading.plugins import load_plugins
    from inrvid.recipe import load_recipe
    from inrvid.runtime.build import build_dataset_of, build_generator, context_for
    from inrvid.runtime.scoring.sources import RealClips

    plugins = load_plugins()
    if checkpoint is not None:
        inputs = CheckpointInputs(checkpoint, [], device, plugins)
        generator, recipe = inputs.generator(), inputs.data_recipe()
        label = f"checkpoint {inputs.facts()['path']}"
    else:
        recipe = load_recipe(REPO / "recipes" / "quickstart.yaml", plugins=plugins)
        video = build_dataset_of(recipe, plugins).video_spec
        generator = build_generator(recipe, context_for(recipe, video, device, plugins))
        generator = generator.to(device).eval()
        label = "quickstart generator, untrained"
    ctx = context_for(recipe, None, torch.device("cpu"), plugins)
    real = RealClips(recipe.data, ctx).source(0)
    return generator, real, label


def fvd_end_to_end(
    weights: Path, checkpoint: str | None, device: torch.device, protocol: str, videos: int,
    models: tuple[Any, Any, str] | None = None,
) -> dict[str, Any]:
    """Seconds of `evaluate()` for FVD: cold real-feature cache, then warm.

    `models` (generator, real source, label) replaces `generator_and_data(checkpoint)`.
    """
    from inrvid.components.registry import BuildContext
    from inrvid.runtime.scoring.runner import evaluate
    from inrvid.runtime.scoring.sources import GeneratorVideoSource
    from inrvid.testing import build_component

    generator, real, label = models or generator_and_data(checkpoint, device)
    config = {"protocol": protocol, "fake_videos": videos, "real_videos": videos, "trials": 1,
              "weights_path": str(weights), "batch_size": min(videos, 8)}
    timings = {}
    for run in ("cold_cache", "warm_cache"):
        metric = build_component("metric", "fvd", config, BuildContext(device=device))
        fake = GeneratorVideoSource(generator, seed=0, truncate=True)
        start = time.perf_counter()
        result = evaluate({"fvd": metric}, fake, real, progress=False)
        timings[run] = time.perf_counter() - start
        assert result.provenance["fvd"]["real_cache"] is not None
    return {"generator": label, "protocol": protocol, "fake_videos": videos,
            "real_videos": videos, "seconds_cold_cache": timings["cold_cache"],
            "seconds_warm_cache": timings["warm_cache"]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", help="run folder or checkpoint (default: quickstart G)")
    parser.add_argument("--i3d-videos", type=int, default=4, help="videos timed through I3D")
    parser.add_argument("--batch", type=int, default=2, help="videos per I3D forward pass")
    parser.add_argument("--frames", type=int, default=16, help="frames per clip")
    parser.add_argument("--size", type=int, default=128, help="clip side before resize to 224")
    parser.add_argument("--fvd-videos", type=int, default=4, help="fake and real videos of FVD")
    parser.add_argument("--protocol", default="proxy", help="protocol preset of the FVD run")
    parser.add_argument("--device", default="auto", help="'auto', 'cpu' or 'cuda'")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device("cuda" if use_cuda else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["INRVID_CACHE"] = str(Path(tmp) / "cache")        # never the user's cache
        weights = save_random_i3d(Path(tmp))
        i3d = i3d_throughput(weights, device, args.i3d_videos, args.batch, args.frames, args.size)
        fvd = fvd_end_to_end(weights, args.checkpoint, device, args.protocol, args.fvd_videos)
    threads = torch.get_num_threads()
    print(f"evaluation benchmark on {device} ({threads} threads); I3D randomly initialised "
          "(no real weights ship with inrvid: timings are real, values are not)")
    print(f"  I3D: {i3d['videos_per_s']:.2f} videos/s ({i3d['videos']} clips of {args.frames} "
          f"frames at {args.size}² -> 224², batch {args.batch}, {i3d['seconds']:.1f} s)")
    print(f"  FVD ({fvd['protocol']}, {fvd['fake_videos']} fake + {fvd['real_videos']} real, "
          f"{fvd['generator']}): {fvd['seconds_cold_cache']:.1f} s end to end, "
          f"{fvd['seconds_warm_cache']:.1f} s with the real features cached")
    print(json.dumps({"device": str(device), "threads": threads, "i3d_weights": "random_init",
                      "i3d": i3d, "fvd": fvd}))


if __name__ == "__main__":
    main()
