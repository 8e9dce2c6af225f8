"""Command-line arguments of `inrvid eval` and `inrvid compare`.

Kept apart from the commands themselves so that building the CLI parser imports nothing heavy.
"""

from __future__ import annotations

import argparse

from inrvid.base import threads
from inrvid.base.limits import MAX_FRAMES, MAX_VIDEOS, device, float_in, int_in, output_file


def configure_eval(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid eval`."""
    parser.add_argument(
        "checkpoint", nargs="?", help="run folder or checkpoint file (not needed with --fake)"
    )
    parser.add_argument(
        "overrides",
        nargs="*",
        help="data.KEY=VALUE (the real dataset) or METRIC.OPTION=VALUE (one metric's config)",
    )
    parser.add_argument(
        "--metrics",
        help="comma-separated metric names, e.g. fvd,kvd,is "
        "(is = inception_score); default: the checkpoint recipe's eval.metrics",
    )
    parser.add_argument(
        "--protocol",
        help="protocol preset applied to every metric (digan, proxy, "
        "stylegan_v_fvd2048_16f, ...); default: each metric's own",
    )
    parser.add_argument(
        "--videos", type=int_in(1, MAX_VIDEOS),
        help="fake and real videos per trial",
    )
    parser.add_argument(
        "--fake-videos", type=int_in(1, MAX_VIDEOS),
        help="generated videos per trial",
    )
    parser.add_argument("--real-videos", type=int_in(1, MAX_VIDEOS), help="real clips per trial")
    parser.add_argument("--trials", type=int_in(1, 1000), help="independent repeats (mean ± std)")
    parser.add_argument("--frames", type=int_in(1, MAX_FRAMES), help="frames per clip")
    parser.add_argument("--batch-size", type=int_in(1, MAX_VIDEOS), help="videos per forward pass")
    parser.add_argument(
        "--weights",
        action="append",
        nargs="?",
        default=[],
        metavar="NAME=PATH",
        help="weight file of a network (i3d, c3d, inception) or of one metric; repeatable",
    )
    parser.add_argument("--real", metavar="DIR", help="folder of real videos (else the dataset)")
    parser.add_argument(
        "--fake", metavar="DIR", help="score the videos in this folder instead of a generator"
    )
    parser.add_argument(
        "--out", type=output_file, metavar="FILE",
        help="write the JSON record here",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON record on stdout")
    parser.add_argument(
        "--seed", type=int,
        help="latent seed of the generated videos (default: the seed evaluation during training "
        "used, so a checkpoint scores as its training log says; 0 for --fake)",
    )
    parser.add_argument(
        "--class", dest="class_name", metavar="NAME",
        help="class-conditional checkpoints: generate every video of this class (by name or "
        "index) and score it with the metrics that need no real videos (IS); FVD and the "
        "other real-vs-fake metrics are computed over all classes, without --class",
    )
    parser.add_argument(
        "--time-step", type=float_in(0, 1e6, above=True),
        help="render frame k at t = k·STEP (default k/(F-1))",
    )
    parser.add_argument(
        "--frames-per-call", type=int_in(1, MAX_FRAMES),
        help="render long videos this many frames at a time",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not read or write cached real features"
    )
    parser.add_argument(
        "--device",
        default="auto",
        type=device,
        choices=("auto", "cpu", "cuda"),
        help="where to run",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    threads.add_argument(parser)


def configure_compare(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid compare`."""
    parser.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="run folders (<output.dir>/<name>/<time>), or folders holding runs, or one "
        "study folder (`inrvid study`: means and 95%% intervals over seeds)",
    )
    parser.add_argument(
        "--keys",
        help="comma-separated role/key columns, e.g. swd/swd,fvd/fvd "
        "(default: every metric without _std and per-level entries)",
    )
    parser.add_argument("--all-keys", action="store_true", help="every key, per-level ones too")
    parser.add_argument(
        "--markdown", type=output_file, metavar="FILE",
        help="write the table as Markdown",
    )
    parser.add_argument("--csv", type=output_file, metavar="FILE", help="write the table as CSV")
    parser.add_argument(
        "--plot", type=output_file, metavar="FILE",
        help="write the metric curves as a PNG (a study: its bar chart of final scores "
        "beside it, NAME-finals.png)",
    )


def run_eval(args: argparse.Namespace) -> int:
    """`inrvid eval` (its modules load only when the command runs)."""
    from inrvid.evaluation.eval_command import run

    return run(args)


def run_compare(args: argparse.Namespace) -> int:
    """`inrvid compare` (its modules load only when the command runs)."""
    from inrvid.evaluation.compare_command import run

    return run(args)
