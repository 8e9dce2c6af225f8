"""Release snapshots written by the official code, converted by `inrvid import`, compared.

For DIGAN (unconditional and class-conditional) and StyleGAN-V:

1. `scripts/release_official_side.py` runs in its own process, outside the project (it never
   imports inrvid; `--python` picks its interpreter, e.g. a throwaway virtual environment with
   `omegaconf`): it builds the official networks from the checkout as the release's
   `src/train.py` does, perturbs every parameter (so biases and tables are non-zero and G
   differs from G_ema), writes `network-snapshot-000512.pkl` with the release's own snapshot
   code and pickling, and stores fixed inputs with the official outputs;
2. here the snapshot is converted with `inrvid.interop.importing.convert` (the code of
   `inrvid import`), saved and loaded back as a checkpoint, and inrvid renders the same
   latents, motion noise and times (EMA and raw generators) and scores the same frames;
3. every largest absolute difference must be within 1e-4, and every pickled module source
   must match the importer's table of release fingerprints, which is also checked against the
   checkout's files.

    python scripts/release_snapshot_check.py --official ~/src       # digan/ and stylegan-v/
    python scripts/release_snapshot_check.py --official ~/src --python /tmp/official/bin/python

`--official` is a folder holding checkouts `digan` (github.com/sihyun-yu/digan) and
`stylegan-v` (github.com/universome/stylegan-v), or one checkout. Prints a table and one JSON
line; exits 1 if a comparison fails, 2 without `--official`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:      # torch and numpy load after the arguments: `--help` and exit 2 are quick
    import numpy as np
    import torch

TOLERANCE = 1e-4
HERE = Path(__file__).resolve().parent
CASES = {"digan": ("digan", "digan"), "digan_cond": ("digan", "digan"),
         "stylegan_v": ("stylegan-v", "stylegan-v")}    # case: (release, checkout folder)


def checkout_of(root: Path, release: str) -> Path | None:
    """The checkout of `release` at `root` (the checkout itself, or `root/<release>`)."""
    marker = {"digan": "configs/digan.yml", "stylegan-v": "configs/model/stylegan-v.yaml"}[release]
    for candidate in (root, root / release):
        if (candidate / marker).is_file():
            return candidate
    return None


def official_side(case: str, checkout: Path, out: Path, python: str) -> None:
    """Run the official side in its own process; its error output if it fails."""
    done = subprocess.run([python, str(HERE / "release_official_side.py"), case, str(checkout),
                           str(out)], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"release_snapshot_check.py: the official side of {case} failed:\n"
                         f"{done.stderr[-3000:]}")


def converted(release: str, out: Path) -> Any:
    """The snapshot converted by `inrvid import`'s code, saved and loaded back."""
    from inrvid.interop.importing import convert
    from inrvid.runtime import checkpoint as ckpt

    checkpoint, sources, _ = convert(release, out / "network-snapshot-000512.pkl")
    ckpt.save(checkpoint, out / "converted.pt")
    return ckpt.load(out / "converted.pt"), sources


def max_diff(ours: torch.Tensor, theirs: np.ndarray) -> float:
    """Largest absolute difference (shapes must agree)."""
    import torch
    reference = torch.from_numpy(theirs)
    if ours.shape != reference.shape:
        raise SystemExit(f"shapes differ: inrvid {tuple(ours.shape)}, official "
                         f"{tuple(reference.shape)}")
    return float((ours.float() - reference).abs().max())


def compare_digan(out: Path, release: str) -> dict[str, Any]:
    """DIGAN: frames of G_ema and G, logits of both discriminators."""
    import numpy as np
    import torch

    from inrvid.loading.plugins import load_plugins
    from inrvid.runtime import checkpoint as ckpt

    plugins = load_plugins()
    checkpoint, sources = converted(release, out)
    ref = dict(np.load(out / "reference.npz"))
    classes = torch.from_numpy(ref["labels"]) if checkpoint.generator.component.config.get(
        "num_classes") else None
    z, z_motion, times = (torch.from_numpy(ref[k]) for k in ("z", "z_motion", "times"))
    frames, pair = torch.from_numpy(ref["frames"]), torch.from_numpy(ref["pair"])
    d = ckpt.load_discriminators(checkpoint, plugins)
    with torch.no_grad():
        ema = ckpt.load_generator(checkpoint, plugins, ema=True)(z, z_motion, times,
                                                                 classes=classes)
        raw = ckpt.load_generator(checkpoint, plugins, ema=False)(z, z_motion, times,
                                                                  classes=classes)
        image = d["image"](frames, pair, classes=classes)
        motion = d["motion"](frames, pair, classes=classes)
    return {"sources": sources, "classes": 0 if classes is None else int(
                checkpoint.generator.component.config["num_classes"]),
            "G_ema frames": max_diff(ema, ref["ema"]), "G frames": max_diff(raw, ref["raw"]),
            "D image logits": max_diff(image, ref["image_logits"]),
            "D motion logits": max_diff(motion.flatten(), ref["motion_logits"]),
            "frames up to": float(np.abs(ref["ema"]).max())}


def compare_stylegan_v(out: Path, release: str) -> dict[str, Any]:
    """StyleGAN-V: frames of G_ema and G, logits of the discriminator."""
    import numpy as np
    import torch

    from inrvid.loading.plugins import load_plugins
    from inrvid.runtime import checkpoint as ckpt

    plugins = load_plugins()
    checkpoint, sources = converted(release, out)
    ref = dict(np.load(out / "reference.npz"))
    z, noise, tau = (torch.from_numpy(ref[k]) for k in ("z", "noise", "tau"))
    t = tau / (checkpoint.video.frames - 1)                 # inrvid time: tau / (F - 1)
    with torch.no_grad():
        ema = ckpt.load_generator(checkpoint, plugins, ema=True)(z, noise.flatten(1), t)
        raw = ckpt.load_generator(checkpoint, plugins, ema=False)(z, noise.flatten(1), t)
        logits = ckpt.load_discriminators(checkpoint, plugins)["video"](ema, t)
    return {"sources": sources, "classes": 0,
            "G_ema frames": max_diff(ema, ref["ema"]), "G frames": max_diff(raw, ref["raw"]),
            "D logits": max_diff(logits.flatten(), ref["logits"]),
            "frames up to": float(np.abs(ref["ema"]).max())}


def fingerprints_of_checkout(release: str, checkout: Path) -> dict[str, bool]:
    """Whether each file of the importer's table still has its fingerprint in the checkout."""
    from inrvid.interop.importing import find_importer
    from inrvid.loading.plugins import load_plugins
    from inrvid.release import file_sha256

    importer = find_importer(release, load_plugins())
    return {k.path: (checkout / k.path).is_file() and file_sha256(checkout / k.path) == k.sha256
            for k in importer.known_sources}


def main() -> None:
    """Run every case whose checkout is found; print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--official", type=Path, help="folder of the digan and stylegan-v "
                        "checkouts, or one checkout")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter of the official side (needs torch, numpy, einops, "
                        "omegaconf); default: this one")
    parser.add_argument("--keep", type=Path, help="keep the snapshots and checkpoints here")
    args = parser.parse_args()
    if args.official is None:
        sys.stderr.write("release_snapshot_check.py: --official PATH is required: a folder with "
                         "checkouts of sihyun-yu/digan and universome/stylegan-v\n")
        raise SystemExit(2)
    import torch

    torch.set_num_threads(1)
    root = args.official.expanduser().resolve()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        for case, (release, _) in CASES.items():
            checkout = checkout_of(root, release)
            if checkout is None:
                results[case] = {"skipped": f"no {release} checkout at {root}"}
                continue
            out = base / case
            official_side(case, checkout, out, args.python)
            compare = compare_stylegan_v if release == "stylegan-v" else compare_digan
            result = compare(out, release)
            sources = result.pop("sources")
            result["sources match the release"] = all(s.release_file for s in sources)
            result["release table matches checkout"] = all(
                fingerprints_of_checkout(release, checkout).values())
            result["commit"] = subprocess.run(
                ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True,
                text=True, check=False).stdout.strip() or "unknown"
            results[case] = result
    report(results)


def report(results: dict[str, Any]) -> None:
    """The table, the JSON line, and the exit status."""
    failed = []
    print(f"release snapshots -> inrvid import -> inrvid networks (max |Δ|, tolerance "
          f"{TOLERANCE:g})")
    for case, result in results.items():
        if "skipped" in result:
            print(f"{case:11} skipped: {result['skipped']}")
            failed.append(case)
            continue
        diffs = {k: v for k, v in result.items() if k.startswith(("G", "D"))}
        ok = (all(v <= TOLERANCE for v in diffs.values()) and result["sources match the release"]
              and result["release table matches checkout"])
        if not ok:
            failed.append(case)
        cells = ", ".join(f"{k} {v:.2e}" for k, v in diffs.items())
        print(f"{case:11} {'ok  ' if ok else 'FAIL'} {cells} (frames up to "
              f"{result['frames up to']:.2f}); sources = release@{result['commit'][:12]}: "
              f"{result['sources match the release'] and result['release table matches checkout']}")
    print(json.dumps({"check": "release_snapshot_check", "tolerance": TOLERANCE,
                      "passed": not failed, "results": results}))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
