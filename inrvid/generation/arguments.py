"""Command-line arguments of `inrvid generate` and `inrvid predict`.

Kept apart from the commands themselves, as `inrvid.evaluation.arguments` is, so that building
the CLI parser (and `--help`) imports nothing heavy: `inrvid.cli` imports the commands when
they run.
"""

from __future__ import annotations

import argparse
from typing import Literal

from inrvid.base import limits, threads

Format = Literal["mp4", "gif", "png"]
FORMATS: tuple[Format, ...] = ("mp4", "gif", "png")


def configure_generate(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid generate`."""
    parser.add_argument("checkpoint", help="run folder (latest checkpoint) or checkpoint file")
    parser.add_argument("--num", type=limits.int_in(1, limits.MAX_VIDEOS), default=4, metavar="N",
                        help="videos (default 4)")
    parser.add_argument("--frames", type=limits.int_in(1, limits.MAX_FRAMES), metavar="F",
                        help="frames per video (default: a training clip's)")
    parser.add_argument("--fps", type=limits.float_in(0, 1000, above=True), metavar="R",
                        help="frame rate written to the files (default: the training data's)")
    parser.add_argument("--time-start", type=limits.float_in(), default=0.0, metavar="T",
                        help="time of the first frame; a training clip spans [0, 1]")
    parser.add_argument("--time-end", type=limits.float_in(), metavar="T",
                        help="time of the last frame (default: the training frame step, so "
                             "more frames than a clip continue past 1)")
    parser.add_argument("--scale", type=limits.int_in(1, limits.MAX_SCALE), default=1, metavar="S",
                        help="render S times the training resolution (denser grid)")
    parser.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    parser.add_argument("--out", type=limits.output_folder, default="generated", metavar="DIR",
                        help="output folder: new or empty, unless --replace")
    parser.add_argument("--replace", action="store_true",
                        help="--out holds an earlier generation: remove the files its "
                             "generate.json lists, then write there")
    parser.add_argument("--format", choices=FORMATS, default="mp4",
                        help="mp4, gif, or png (a folder of frames per video)")
    parser.add_argument("--class", dest="class_name", metavar="NAME",
                        help="class of every video, by name or index (class-conditional "
                             "checkpoints; default: a random class per video)")
    parser.add_argument("--no-ema", action="store_true",
                        help="use the raw generator weights instead of the EMA's")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--same-content", type=limits.int_in(1, limits.MAX_VIDEOS), metavar="K",
                      help="one content latent, K motion latents (identical first frames)")
    mode.add_argument("--interpolate", choices=("content", "motion", "both"),
                      help="videos along paths between random latents (--num paths)")
    parser.add_argument("--steps", type=limits.int_in(2, limits.MAX_VIDEOS), default=8, metavar="M",
                        help="videos per interpolation path (default 8)")
    parser.add_argument("--method", choices=("slerp", "lerp"), default="slerp",
                        help="interpolation of the Gaussian latents (default slerp)")
    parser.add_argument("--slowmo", type=limits.int_in(1, 1000), default=1, metavar="K",
                        help="K times as many frames over the same time span")
    parser.add_argument("--chunk-frames", type=limits.int_in(1, limits.MAX_FRAMES), default=16,
                        help="frames per generator call (memory bound)")
    parser.add_argument("--chunk-videos", type=limits.int_in(1, limits.MAX_VIDEOS), default=4,
                        help="videos per generator call (memory bound)")
    parser.add_argument("--device", type=limits.device, default="auto",
                        help="auto, cpu, cuda, cuda:1, ...")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    threads.add_argument(parser)


def configure_predict(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid predict`."""
    parser.add_argument("checkpoint", help="run folder (latest checkpoint) or checkpoint file")
    parser.add_argument("--video", required=True, metavar="FILE",
                        help="input clip (any video PyAV reads, or a folder of frames)")
    parser.add_argument("--observe", required=True, metavar="FRAMES",
                        help="frame indices to fit, e.g. 6,7,8 or 0-7 (from 0)")
    parser.add_argument("--render", required=True, metavar="FRAMES",
                        help="frame indices to predict, e.g. 3-11 (past the clip: the future)")
    parser.add_argument("--optimize", default="content,motion", metavar="LATENTS",
                        help="latents to fit: content, motion, w (default content,motion)")
    parser.add_argument("--steps", type=limits.int_in(1, limits.MAX_STEPS), default=300,
                        help="Adam steps (default 300)")
    parser.add_argument("--lr", type=limits.float_in(0, 1e3, above=True), default=0.1,
                        help="Adam learning rate (0.1)")
    parser.add_argument("--restarts", type=limits.int_in(1, 1024), default=1,
                        help="random starts fitted side by side; the best is kept (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random starts")
    parser.add_argument("--out", type=limits.output_folder, default="predicted", metavar="DIR",
                        help="output folder")
    parser.add_argument("--format", choices=("mp4", "gif"), default="mp4",
                        help="comparison video format (default mp4)")
    parser.add_argument("--fps", type=limits.float_in(0, 1000, above=True),
                        help="comparison frame rate (default: the data's)")
    parser.add_argument("--no-ema", action="store_true", help="use the raw generator weights")
    parser.add_argument("--device", type=limits.device, default="auto", help="auto, cpu, cuda, ...")
    parser.add_argument("--json", action="store_true", help="also print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    threads.add_argument(parser)
