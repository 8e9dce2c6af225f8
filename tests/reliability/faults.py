"""The fault classes of issue 15, as trials that count what survived.

Used at full size by `scripts/fault_injection.py` and at a small size by the test suite.
Each trial function returns a `Tally`: trials run, trials the product survived, trials that
lost data, trials that ended in a Python traceback, trials that hung. Trainings are the toy
recipe (tests/plugin_fixtures/toy.py) in subprocesses, so kills and full disks are real.

Faults are injected in the child process through `INRVID_FAULT` (see `install_fault`):
`kill@fsync:PATTERN:N` SIGKILLs the process at its N-th fsync of a file whose name contains
PATTERN (a kill at a write boundary: inside a checkpoint write, a log append, a log rewrite);
`enospc@fsync:PATTERN:N` makes that fsync fail with ENOSPC instead.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import TOY_RECIPE as BASE_TOY_RECIPE

REPO = Path(__file__).resolve().parents[2]
RECIPES = REPO / "recipes"

# The suite's toy recipe, trained long enough for kills to land in checkpoint writes.
TOY_RECIPE = BASE_TOY_RECIPE.replace(
    "train: {batch_size: 4, duration_kimg: 0.004}\n",
    """\
train:
  batch_size: 4
  duration_kimg: 0.032
  log_every_kimg: 0.004
  checkpoint_every_kimg: 0.008
  sample_every_kimg: 1000
  num_workers: 0
  sample_frames: 2
  sample_videos: 1
""",
)
assert TOY_RECIPE != BASE_TOY_RECIPE, "tests/conftest.py's TOY_RECIPE changed its train line"
STEPS = 8  # 0.032 kimg at batch 4

# The child: the fault hook, the toy plug-in, then the real CLI.
CHILD = """
import sys
sys.path.insert(0, {repo!r})
from tests.reliability.faults import install_fault
install_fault()
from tests.conftest import fixture_entry_point, install_entry_points
install_entry_points([fixture_entry_point("toy"), *[fixture_entry_point(n) for n in {extra!r}]])
from inrvid.cli import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass
class Tally:
    """Counts of one fault class, and a note per trial that did not survive."""

    fault: str
    trials: int = 0
    survived: int = 0
    data_lost: int = 0
    tracebacks: int = 0
    hangs: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, ok: bool, *, lost: bool = False, traceback: bool = False, hang: bool = False,
            note: str = "") -> None:
        """Count one trial."""
        self.trials += 1
        self.survived += ok and not (lost or traceback or hang)
        self.data_lost += lost
        self.tracebacks += traceback
        self.hangs += hang
        if note and not (ok and not (lost or traceback or hang)) and len(self.notes) < 8:
            self.notes.append(note)


# ---------------------------------------------------------------- the child-side fault hook
def install_fault() -> None:
    """Patch os.fsync in this process as `INRVID_FAULT` asks (no-op when unset)."""
    spec = os.environ.get("INRVID_FAULT")
    if not spec:
        return
    action, pattern, nth = spec.split(":", 2)
    target = int(nth)
    real_fsync = os.fsync
    seen = 0

    def fsync(fd: int) -> None:
        nonlocal seen
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if pattern in name:
            seen += 1
            if seen == target:
                if action == "kill@fsync":
                    os.kill(os.getpid(), signal.SIGKILL)
                if action == "enospc@fsync":
                    raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    os.fsync = fsync


# ---------------------------------------------------------------- running the CLI
@dataclass
class Result:
    """What one CLI subprocess did."""

    code: int | None  # None: killed or hung
    stderr: str
    hung: bool = False

    @property
    def traceback(self) -> bool:
        """Whether a Python traceback reached the user."""
        return "Traceback (most recent call last)" in self.stderr


def cli(argv: list[str], *, cwd: Path, fault: str = "", plugins: tuple[str, ...] = (),
        timeout: float = 300, env: dict[str, str] | None = None,
        wrap: list[str] | None = None) -> Result:
    """Run `inrvid <argv>` (toy plug-in loaded) in a subprocess; `wrap` prefixes the command."""
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "INRVID_FAULT": fault,
                   "INRVID_PROGRESS": "none", **(env or {})}
    command = [sys.executable, "-c", CHILD.format(repo=str(REPO), extra=list(plugins)), *argv]
    try:
        done = subprocess.run([*(wrap or []), *command], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return Result(None, err, hung=True)
    return Result(done.returncode if done.returncode >= 0 else None, done.stderr)


def write_toy(folder: Path, extra: str = "") -> Path:
    """The toy recipe writing runs under `folder/runs`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "toy.yaml"
    path.write_text(TOY_RECIPE + f"output: {{dir: {folder / 'runs'}}}\n" + extra)
    return path


def run_dirs(folder: Path) -> list[Path]:
    """The run folders under `folder/runs/toy`, oldest first."""
    root = folder / "runs" / "toy"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def checkpoints(run: Path) -> list[Path]:
    """The run's checkpoint files, oldest first."""
    return sorted((run / "checkpoints").glob("checkpoint-*.pt"))


def loss_records(run: Path) -> list[dict[str, Any]]:
    """The training records of metrics.jsonl without timings (what resuming must repeat)."""
    from inrvid.base.files import JsonLines

    return [
        {k: v for k, v in r.items() if "/" in k or k == "images_seen"}
        for r in JsonLines(run / "metrics.jsonl").read()
        if "s_per_kimg" in r
    ]


def metrics_whole(run: Path) -> bool:
    """Whether every line of metrics.jsonl is a whole JSON object (no torn tail)."""
    path = run / "metrics.jsonl"
    if not path.exists():
        return True
    try:
        return all(isinstance(json.loads(line), dict) for line in path.read_text().splitlines())
    except ValueError:
        return False


def reference(work: Path) -> list[dict[str, Any]]:
    """The losses of one uninterrupted toy training."""
    folder = work / "reference"
    if not folder.exists():
        started = time.monotonic()
        done = cli(["run", str(write_toy(folder)), "--quiet"], cwd=work)
        if done.code != 0:
            raise RuntimeError(f"the reference training failed:\n{done.stderr}")
        (folder / "seconds").write_text(f"{time.monotonic() - started:.1f}")
    return loss_records(run_dirs(folder)[0])


def recover(folder: Path, recipe: Path, attempts: int = 3) -> tuple[Result, Path | None]:
    """What a user does after a crash: resume the run if it has a checkpoint, else start over."""
    done = Result(0, "")
    for _ in range(attempts):
        runs = run_dirs(folder)
        resumable = [r for r in runs if checkpoints(r)]
        if resumable:
            done = cli(["run", "--resume", str(resumable[-1]), "--quiet"], cwd=folder)
        else:
            for r in runs:  # nothing to resume: a run killed before its first checkpoint
                shutil.rmtree(r)
            done = cli(["run", str(recipe), "--quiet"], cwd=folder)
        if done.code == 0 or done.traceback or done.hung:
            break
    runs = run_dirs(folder)
    return done, runs[-1] if runs else None


def judge_training(tally: Tally, folder: Path, expected: list[dict[str, Any]], note: str,
                   first: Result, done: Result, run: Path | None, ok: bool = True) -> None:
    """Count a trial: the run finished with the reference losses and no torn log line
    (and `ok`: the first run's own outcome was right)."""
    traceback = first.traceback or done.traceback
    hang = first.hung or done.hung
    lost = done.code != 0 or run is None or loss_records(run) != expected
    torn = run is not None and not metrics_whole(run)
    why = ("traceback: " + (first.stderr + done.stderr).strip().splitlines()[-1]
           if traceback else f"exit {done.code}: {done.stderr.strip()[-300:]}" if lost else "")
    orphans = [p.name for p in run.rglob(".*.tmp")] if run is not None else []
    why = why or (f"temporary files left: {orphans}" if orphans else
                  f"first run: exit {first.code}: {first.stderr.strip()[-300:]}")
    tally.add(ok and not orphans, lost=lost or torn, traceback=traceback, hang=hang,
              note=f"{note}: {why}")


# ---------------------------------------------------------------- kills
def kill_trials(work: Path, trials: int, seed: int = 0) -> Tally:
    """SIGKILL a training at a random moment, or at a random fsync of a checkpoint, a log
    append or the log rewrite of `--resume`; then recover and compare with the reference."""
    tally = Tally("")
    expected = reference(work)
    seconds = float((work / "reference" / "seconds").read_text())
    rng = random.Random(seed)
    killed = mid_run = 0
    for trial in range(trials):
        folder = work / f"kill-{trial}"
        recipe = write_toy(folder)
        kind = ("timer", "checkpoint", "append", "rewrite")[trial % 4]
        if kind == "timer":  # any moment of a run: start-up, steps, writes
            first = _killed_at_random_time(recipe, folder, rng.uniform(0.1, 1.0) * seconds)
        elif kind == "checkpoint":
            first = cli(["run", str(recipe), "--quiet"], cwd=folder,
                        fault=f"kill@fsync:checkpoint-:{rng.randint(1, 4)}")
        elif kind == "append":
            first = cli(["run", str(recipe), "--quiet"], cwd=folder,
                        fault=f"kill@fsync:metrics.jsonl:{rng.randint(1, STEPS)}")
        else:  # interrupt once, then kill the resume while it rewrites metrics.jsonl
            cli(["run", str(recipe), "--quiet"], cwd=folder,
                fault=f"kill@fsync:checkpoint-:{rng.randint(2, 4)}")
            runs = [r for r in run_dirs(folder) if checkpoints(r)]
            first = cli(["run", "--resume", str(runs[-1]), "--quiet"], cwd=folder,
                        fault="kill@fsync:.metrics.jsonl.:1") if runs else Result(0, "")
        killed += first.code is None
        mid_run += first.code is None and any(checkpoints(r) for r in run_dirs(folder))
        done, run = recover(folder, recipe)
        judge_training(tally, folder, expected, f"trial {trial} ({kind})", first, done, run)
        shutil.rmtree(folder, ignore_errors=True)
    tally.fault = (f"SIGKILL at random moments, in checkpoint writes, log appends and the "
                   f"resume log rewrite ({killed} killed, {mid_run} after a checkpoint)")
    return tally


def _killed_at_random_time(recipe: Path, folder: Path, after: float) -> Result:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "INRVID_PROGRESS": "none"}
    command = [sys.executable, "-c", CHILD.format(repo=str(REPO), extra=[]), "run", str(recipe),
               "--quiet"]
    proc = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        _, err = proc.communicate(timeout=after)
        return Result(proc.returncode, err)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        return Result(None, err)


# ---------------------------------------------------------------- full disks
def tmpfs_available() -> bool:
    """Whether `unshare` can mount a private tmpfs here (root or user namespaces)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         "mount -t tmpfs -o size=1m tmpfs /tmp && echo ok"],
        capture_output=True, text=True, check=False,
    )
    return probe.stdout.strip() == "ok"


def enospc_trials(work: Path, trials: int, seed: int = 0) -> Tally:
    """Fill the disk during a training (a small tmpfs, else ENOSPC injected at an fsync of a
    checkpoint or a log line); then free space and resume; compare with the reference.

    The first run must stop with a one-line "the disk is full" error (exit 2) naming the
    file, or finish if the disk happened to suffice; the recovered run must match."""
    real = tmpfs_available()
    expected = reference(work)
    size = sum(f.stat().st_size + 4096 for f in (work / "reference").rglob("*") if f.is_file())
    rng = random.Random(seed)
    filled = 0
    tally = Tally("")
    for trial in range(trials):
        folder = work / f"enospc-{trial}"
        recipe = write_toy(folder)
        if real:
            first, done, run = _tmpfs_trial(folder, recipe, rng.randint(size // 8, size // 2))
        else:
            pattern = ("checkpoint-", "metrics.jsonl", "run-info.json")[trial % 3]
            first = cli(["run", str(recipe), "--quiet"], cwd=folder,
                        fault=f"enospc@fsync:{pattern}:{rng.randint(1, 3)}")
            done, run = recover(folder, recipe)
        filled += first.code != 0
        one_line = first.code == 0 or (first.code == 2 and "disk is full" in first.stderr)
        judge_training(tally, folder, expected, f"trial {trial}", first, done, run,
                       ok=one_line)
        shutil.rmtree(folder, ignore_errors=True)
    how = "a small tmpfs" if real else "injected ENOSPC"
    tally.fault = f"disk full ({how}; {filled} of {trials} first runs hit it), then resume"
    return tally


def _tmpfs_trial(folder: Path, recipe: Path, free: int) -> tuple[Result, Result, Path | None]:
    """Train on a tmpfs of `free` bytes, grow it (space freed), recover; results copied out."""
    child = CHILD.format(repo=str(REPO), extra=[])
    (folder / "child.py").write_text(child)
    disk = folder / "runs"
    script = f"""
set -u
mount -t tmpfs -o size={max(free, 4096)} tmpfs {disk}
OMP_NUM_THREADS=1 {sys.executable} {folder / 'child.py'} run {recipe} --quiet 2> {folder}/first.err
echo $? > {folder}/first.code
mount -o remount,size=64m {disk}
cp -a {disk} {folder}/runs.copy
"""
    disk.mkdir(parents=True, exist_ok=True)
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                   cwd=folder, capture_output=True, text=True, timeout=600, check=False)
    first = Result(int((folder / "first.code").read_text() or 1),
                   (folder / "first.err").read_text())
    shutil.rmtree(disk, ignore_errors=True)
    if (folder / "runs.copy").exists():
        (folder / "runs.copy").rename(disk)
    done, run = recover(folder, recipe)
    return first, done, run


# ---------------------------------------------------------------- corrupt checkpoints
def in_cli(argv: list[str], *, plugins: tuple[str, ...] = ("toy",), cwd: Path | None = None,
           env: dict[str, str] | None = None, seconds: int = 300) -> Result:
    """Run `inrvid <argv>` in this process with only the named fixture plug-ins loaded."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from inrvid.cli import main
    from inrvid.loading import plugins as loading_plugins
    from tests.conftest import fixture_entry_point, install_entry_points

    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    here = os.getcwd()
    err = io.StringIO()
    replaced = install_entry_points([fixture_entry_point(n) for n in plugins])
    try:
        os.chdir(cwd or here)
        with alarm(seconds), redirect_stderr(err), redirect_stdout(io.StringIO()):
            code = main(argv)
    except TimeoutError:
        return Result(None, err.getvalue(), hung=True)
    finally:
        loading_plugins.discover_entry_points = replaced
        os.chdir(here)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Result(code, err.getvalue())


def _latest_checkpoint(work: Path) -> Path:
    reference(work)
    return checkpoints(run_dirs(work / "reference")[0])[-1]


def _commands_on(checkpoint: Path, out: Path) -> list[list[str]]:
    return [
        ["generate", str(checkpoint), "--num", "1", "--frames", "2", "--format", "png",
         "--out", str(out / "generated"), "--quiet"],
        ["run", "--resume", str(checkpoint), "train.duration_kimg=0.036", "--quiet"],
    ]


def _outcome(argv: list[str], out: Path, run: Path) -> Any:
    """What a command produced: generate's frames, or the losses of a resumed run."""
    if argv[0] == "generate":
        return sorted((p.name, p.read_bytes()) for p in (out / "generated").rglob("*.png"))
    return loss_records(run)


def byte_flip_trials(work: Path, trials: int, seed: int = 0) -> Tally:
    """Flip bits of a checkpoint; generate and resume must refuse it with a one-line error,
    or (a flip the format ignores) give exactly what the intact checkpoint gives."""
    tally = Tally("bit flips in a checkpoint (generate, run --resume)")
    source = _latest_checkpoint(work)
    data = source.read_bytes()
    expected = {}
    clean = work / "flip-clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(source.parent.parent, clean / "run")
    for argv in _commands_on(clean / "run" / "checkpoints" / source.name, clean):
        done = in_cli(argv, cwd=clean)
        if done.code != 0:
            raise RuntimeError(f"{argv[0]} fails on the intact checkpoint:\n{done.stderr}")
        expected[argv[0]] = _outcome(argv, clean, clean / "run")
    rng = random.Random(seed)
    refused = 0
    for trial in range(trials):
        folder = work / f"flip-{trial}"
        run = folder / "run"
        shutil.copytree(source.parent.parent, run)
        target = run / "checkpoints" / source.name
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        target.write_bytes(bytes(flipped))
        for argv in _commands_on(target, folder):
            done = in_cli(argv, cwd=folder)
            silent = done.code == 0 and _outcome(argv, folder, run) != expected[argv[0]]
            refused += done.code == 2
            tally.add(done.code in (0, 2) and not silent, lost=silent,
                      traceback=done.traceback, hang=done.hung,
                      note=f"trial {trial} {argv[0]}: exit {done.code}"
                      + (" with different output (corruption undetected)" if silent else "")
                      + f" {done.stderr.strip()[-200:]}")
        shutil.rmtree(folder, ignore_errors=True)
    tally.fault += f"; {refused} refused, {tally.trials - refused} unchanged output"
    return tally


HOSTILE_PAYLOADS = ("reduce", "bare pickle", "swapped data.pkl")


def _hostile_file(path: Path, kind: str, marker: Path) -> None:
    import pickle
    import zipfile

    import torch

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (f"touch {marker}",))

    if kind == "reduce":  # a torch zip checkpoint with a code-running object inside
        torch.save({"format_version": 1, "x": Payload()}, path)
    elif kind == "bare pickle":  # a plain pickle named like a checkpoint
        path.write_bytes(pickle.dumps({"format_version": 1, "x": Payload()}))
    else:  # a valid checkpoint whose data.pkl is swapped for a hostile one
        torch.save({"format_version": 1}, path)
        with zipfile.ZipFile(path) as z:
            names = {n: z.read(n) for n in z.namelist()}
        pkl = next(n for n in names if n.endswith("data.pkl"))
        names[pkl] = pickle.dumps({"format_version": 1, "x": Payload()}, protocol=2)
        with zipfile.ZipFile(path, "w") as z:
            for n, b in names.items():
                z.writestr(n, b)


def hostile_pickle_trials(work: Path, trials: int) -> Tally:
    """Checkpoints that would run code when unpickled; nothing may run, errors are clean."""
    tally = Tally("hostile pickles (generate, run --resume, eval)")
    for trial in range(trials):
        kind = HOSTILE_PAYLOADS[trial % len(HOSTILE_PAYLOADS)]
        folder = work / f"pickle-{trial}"
        (folder / "run" / "checkpoints").mkdir(parents=True)
        marker = folder / "code-ran"
        target = folder / "run" / "checkpoints" / "checkpoint-000000004.pt"
        _hostile_file(target, kind, marker)
        for argv in [*_commands_on(target, folder), ["eval", str(target), "--quiet"]]:
            done = in_cli(argv, cwd=folder)
            ran = marker.exists()
            tally.add(done.code == 2 and not ran, lost=ran, traceback=done.traceback,
                      hang=done.hung, note=f"{kind} {argv[0]}: exit {done.code}, code ran: {ran}"
                      f" {done.stderr.strip()[-200:]}")
        shutil.rmtree(folder, ignore_errors=True)
    return tally


# ---------------------------------------------------------------- in-process checks
@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """Raise TimeoutError after `seconds` (a hang detector for in-process trials)."""

    def ring(*_: Any) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def in_process(tally: Tally, action: Callable[[], Any], note: str, seconds: int = 20) -> None:
    """Count one in-process trial: an InrvidError or success survives, anything else not."""
    from inrvid.base.errors import InrvidError

    try:
        with alarm(seconds):
            action()
    except InrvidError:
        tally.add(True)
    except TimeoutError:
        tally.add(False, hang=True, note=f"{note}: hang")
    except BaseException as exc:  # counting every other escape is the point
        if isinstance(exc, KeyboardInterrupt):
            raise
        tally.add(False, traceback=True, note=f"{note}: {type(exc).__name__}: {exc}"[:300])
    else:
        tally.add(True)


def fuzz_recipes(
    count: int, seed: int = 0, folder: Path | None = None, roles_only: bool = False
) -> Tally:
    """`count` fuzzed recipes (mutations of the real ones, and from scratch) through
    `load_recipe`: each must validate or raise an InrvidError, fast. `roles_only`: only
    real recipes with their discriminator and loss roles reshaped."""
    from tests.reliability.fuzz import recipe_documents, role_documents_strategy

    tally = Tally("fuzzed recipes (hypothesis; real recipes mutated, and from scratch)")
    strategy = role_documents_strategy() if roles_only else None
    from inrvid.loading.plugins import load_plugins
    from inrvid.recipe import load_recipe

    plugins = load_plugins()
    with tempfile.TemporaryDirectory() if folder is None else contextlib.nullcontext(
            str(folder)) as tmp:
        path = Path(tmp) / "fuzzed.yaml"
        for index, document in enumerate(recipe_documents(count, seed, strategy)):
            path.write_bytes(document)
            in_process(tally, lambda: load_recipe(path, plugins=plugins), f"document {index}: {document[:80]!r}")
    return tally


def bad_cli_arguments() -> list[list[str]]:
    """Argument lists every command must refuse cleanly (issue 15, item 8, and more)."""
    ck = "missing-checkpoint.pt"
    generate = [["generate", ck, *a] for a in (
        ["--scale", "100000"], ["--frames", "100000000"], ["--num", "100000000"],
        ["--fps", "-5"], ["--fps", "0"], ["--fps", "nan"], ["--frames", "0"],
        ["--time-start", "nan"], ["--time-end", "inf"], ["--out", "README.md"],
        ["--device", "cuda:7"], ["--device", "tpu"], ["--slowmo", "0"], ["--steps", "-1"],
        ["--chunk-frames", "0"], ["--same-content", "0"], ["--num", "x"], ["--scale", "1e3"],
    )]
    predict = [["predict", ck, "--video", "v.mp4", "--observe", "0-3", *a] for a in (
        ["--render", "0-100000000"], ["--render", "5-2"], ["--render", "x"], ["--lr", "nan"],
        ["--lr", "-1"], ["--steps", "0"], ["--restarts", "0"], ["--fps", "0"],
        ["--render", "0-3", "--out", "README.md"],
    )]
    evaluate = [["eval", ck, *a] for a in (
        ["--videos", "0"], ["--videos", "100000000"], ["--trials", "0"], ["--frames", "0"],
        ["--batch-size", "-1"], ["--time-step", "nan"], ["--out", "docs"], ["--device", "tpu"],
        ["--frames-per-call", "0"],
    )]
    others = [
        ["compare", "nowhere"], ["compare", ".", "--csv", "docs"],
        ["run"], ["run", "missing.yaml"], ["run", "--resume", "nowhere"],
        ["recipe", "validate", "missing.yaml"], ["recipe", "validate", "README.md"],
        ["recipe", "show", "pyproject.toml"], ["describe", "nothing", "x"],
        ["describe", "generator", "nothing"], ["no-such-command"],
        ["generate"], ["--strict-plugins"], ["run", str(RECIPES / "quickstart.yaml"),
                                             "train.batch_size=true"],
        ["run", str(RECIPES / "quickstart.yaml"), "train.device=cuda:3"],
        ["run", str(RECIPES / "quickstart.yaml"), "output.dir=README.md"],
        ["run", str(RECIPES / "quickstart.yaml"), "data.videos=1000000000000"],
        ["run", str(RECIPES / "quickstart.yaml"), "train.duration_kimg", "1"],
        ["eval", "--fake", ".", "swd.videos", "8"],
    ]
    return generate + predict + evaluate + others


def cli_argument_trials() -> Tally:
    """Every bad argument list exits 2 with a message, no traceback, in-process (3 is for
    plug-ins that fail, and none does here)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from inrvid.cli import main

    tally = Tally("bad command-line arguments (generate, predict, eval, compare, run, recipe)")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        for argv in bad_cli_arguments():
            err = io.StringIO()
            try:
                with alarm(60), redirect_stderr(err), redirect_stdout(io.StringIO()):
                    code = main(argv)
            except TimeoutError:
                tally.add(False, hang=True, note=" ".join(argv))
                continue
            traceback = "Traceback" in err.getvalue()
            tally.add(code == 2 and not traceback, traceback=traceback,
                      note=f"{' '.join(argv)}: exit {code} {err.getvalue().strip()[-200:]}")
    finally:
        os.chdir(cwd)
    return tally


def plugin_hook_trials(work: Path) -> Tally:
    """A plug-in failing at each stage (import, sys.exit at import, registration, add_commands,
    check_recipe, open_video; raising and exiting): every command still runs, the warning
    names the plug-in, and `--strict-plugins` (before or after the command) exits 3."""
    tally = Tally("failing plug-ins at every hook")
    folder = work / "plugins"
    recipe = write_toy(folder)
    clip = folder / "clip.mp4"
    if not clip.exists():
        import torch

        from inrvid.video import write_video

        write_video(clip, torch.zeros(4, 3, 16, 16, dtype=torch.uint8), fps=8)
    cases = [("broken_import", ""), ("exits_at_import", ""), ("raises_in_register", ""),
             ("fails_in_hooks", "raise"), ("fails_in_hooks", "exit")]
    commands = [["plugins"], ["recipe", "validate", str(recipe)],
                ["recipe", "show", "--resolved", str(recipe)],
                ["describe", "generator", "toy_generator"],
                ["compare", str(folder / "nothing")],
                ["predict", str(folder / "none.pt"), "--video", str(clip), "--observe", "0",
                 "--render", "1"]]
    for plugin, mode in cases:
        env = {"INRVID_FIXTURE_FAIL": mode} if mode else {}
        for argv in commands:
            done = in_cli(argv, plugins=("toy", plugin), cwd=folder, env=env)
            expected = 0 if argv[0] in ("plugins", "recipe", "describe") else 2
            named = f"'{plugin}'" in done.stderr
            tally.add(done.code == expected and named, traceback=done.traceback,
                      hang=done.hung, note=f"{plugin}/{mode or '-'} {argv[0]}: exit {done.code}, "
                      f"named: {named} {done.stderr.strip()[-200:]}")
            for strict in (["--strict-plugins", *argv], [*argv, "--strict-plugins"]):
                done = in_cli(strict, plugins=("toy", plugin), cwd=folder, env=env)
                tally.add(done.code == 3, traceback=done.traceback, hang=done.hung,
                          note=f"{plugin}/{mode or '-'} {' '.join(strict)}: exit {done.code}")
    # a plug-in reader that raises: the core reader takes over, with a warning
    for mode in ("raise", "exit"):
        from inrvid.loading.plugins import load_plugins
        from inrvid.video import open_video
        from tests.conftest import fixture_entry_point

        os.environ["INRVID_FIXTURE_FAIL"] = mode
        loaded = load_plugins([fixture_entry_point("toy"), fixture_entry_point("fails_in_hooks")])
        in_process(tally, lambda p=loaded: open_video(clip, p).close(), f"open_video ({mode})")
        os.environ.pop("INRVID_FIXTURE_FAIL")
    return tally


def table(tallies: list[Tally]) -> str:
    """The Markdown table of the fault classes, and the notes of what did not survive."""
    rows = ["| fault | trials | survived | data lost | tracebacks | hangs |",
            "|---|---:|---:|---:|---:|---:|"]
    for t in tallies:
        rows.append(f"| {t.fault} | {t.trials} | {t.survived} | {t.data_lost} | "
                    f"{t.tracebacks} | {t.hangs} |")
    total = Tally("**all**")
    for t in tallies:
        total.trials += t.trials
        total.survived += t.survived
        total.data_lost += t.data_lost
        total.tracebacks += t.tracebacks
        total.hangs += t.hangs
    rows.append(f"| {total.fault} | {total.trials} | {total.survived} | {total.data_lost} | "
                f"{total.tracebacks} | {total.hangs} |")
    notes = [f"- {t.fault}: {n}" for t in tallies for n in t.notes]
    return "\n".join(rows + (["", "Did not survive:", *notes] if notes else []))


def elapsed(start: float) -> str:
    """Seconds since `start`, for progress lines."""
    return f"{time.monotonic() - start:.0f} s"
