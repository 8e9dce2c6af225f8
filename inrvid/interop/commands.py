"""`inrvid import <release> SNAPSHOT.pkl --out CKPT` and `inrvid export CKPT --out DIR`."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from inrvid.base import console, limits


def configure_import(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid import`."""
    parser.add_argument("release", help="the release the snapshot comes from: digan or "
                        "stylegan-v (an unknown name lists the installed importers)")
    parser.add_argument("snapshot", help="the release's network-snapshot-*.pkl (never executed)")
    parser.add_argument("--out", type=limits.output_file, required=True, metavar="CKPT",
                        help="the inrvid checkpoint to write (e.g. digan-ucf101.pt)")
    parser.add_argument("overrides", nargs="*",
                        help="key=value overrides of the recipe written with it (data.root=...)")


def run_import(args: argparse.Namespace) -> int:
    """Convert the snapshot, print what was read, write the checkpoint."""
    from inrvid.interop.importing import convert  # torch: not to build the parser
    from inrvid.runtime import checkpoint as ckpt

    checkpoint, sources, imported = convert(args.release, args.snapshot, args.overrides,
                                            args.plugins)
    origin = checkpoint.origin or {}
    table = Table(title=f"module sources pickled in {escape(Path(args.snapshot).name)} "
                        f"(sha256 {origin['snapshot']['sha256'][:16]}…)")
    for column in ("sha256", "classes", "release file"):
        table.add_column(column, overflow="fold")
    for s in sources:
        table.add_row(s.sha256[:16] + "…", escape(", ".join(s.classes)),
                      escape(s.release_file) if s.release_file
                      else "[yellow]not a release file (modified source)[/yellow]")
    console.out.print(table)
    if not origin.get("sources_match_release"):
        console.warn("the snapshot's code differs from the release's files listed by the "
                     "importer: its weights are mapped by name and shape only; compare its "
                     "samples before trusting numbers from it")
    for note in imported.notes:
        console.err.print(f"not carried over: {escape(note)}")
    ckpt.save(checkpoint, Path(args.out))
    g = checkpoint.generator.component
    console.err.print(
        f"wrote {escape(args.out)}: {escape(args.release)} snapshot as generator "
        f"'{escape(g.kind)}' + EMA and discriminators "
        f"{', '.join(sorted(checkpoint.discriminators))}, video "
        f"{checkpoint.video.frames}x{checkpoint.video.height}x{checkpoint.video.width}",
        soft_wrap=True)
    return 0


def configure_export(parser: argparse.ArgumentParser) -> None:
    """Arguments of `inrvid export`."""
    parser.add_argument("checkpoint", help="run folder (latest checkpoint) or checkpoint file")
    parser.add_argument("--out", type=limits.output_folder, required=True, metavar="DIR",
                        help="folder to write config.json and model.safetensors into")


def run_export(args: argparse.Namespace) -> int:
    """Write the checkpoint's EMA generator as config.json + model.safetensors."""
    from inrvid.runtime import checkpoint as ckpt

    checkpoint = ckpt.load(args.checkpoint)
    folder = ckpt.write_export(checkpoint, args.out)
    names = checkpoint.generator.component.config.get("class_names") or []
    classes = f", {len(names)} class names" if names else ""
    console.err.print(
        f"wrote {escape(str(folder))}: config.json and model.safetensors (EMA weights of "
        f"'{escape(checkpoint.generator.component.kind)}'{classes})", soft_wrap=True)
    return 0
