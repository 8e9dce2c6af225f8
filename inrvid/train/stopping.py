"""Stopping a run cleanly on a signal: finish the step, write a checkpoint, say how to resume.

SIGINT (Ctrl-C), SIGTERM (`scancel`, a preemption, torchrun's shutdown, `kill`) and SIGUSR1
(what `sbatch --signal=USR1@90` sends before the time limit) ask the run to stop. The
optimiser step under way finishes, every rank agrees on the step to stop after (an all-reduce
of the request, once per step), rank 0 writes a checkpoint (atomically, as every checkpoint)
and the command exits with `STOPPED_EXIT`. A second Ctrl-C quits at once: the checkpoint being
written is abandoned and the one before it stays whole. A repeated SIGTERM or SIGUSR1 changes
nothing (SLURM and a launcher may both deliver one), until the process exits: after a stop the
handlers stay in place, so a program that calls `train` and carries on after `RunStopped`
installs its own again.

DataLoader workers ignore the three signals (`ignore_stop_signals`): SLURM signals every
process of a job step and a terminal every process of its foreground group, and a worker that
died of it would fail the step the run is finishing.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from inrvid.base.errors import InrvidError

# sysexits.h EX_TEMPFAIL: a temporary failure, the command can be repeated (here: resumed).
STOPPED_EXIT = 75
# SIGUSR1 ranks above SIGTERM above SIGINT: the agreed request is the highest any rank got, so
# SLURM's advance warning (SIGUSR1, which asks for a requeue) wins over a plain stop.
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)
# A second SIGINT this soon after the first is the same request delivered twice (`srun`
# forwards a Ctrl-C to every process, and torchrun forwards it again), not a second Ctrl-C.
REPEAT_WINDOW_S = 1.0


class RunStopped(InrvidError):
    """The run stopped on a signal after writing a checkpoint (exit status `STOPPED_EXIT`)."""

    exit_code = STOPPED_EXIT

    def __init__(self, signum: int, run_dir: Path, checkpoint: Path, step: int,
                 images_seen: int) -> None:
        self.signum, self.run_dir, self.checkpoint = signum, run_dir, checkpoint
        self.step, self.images_seen = step, images_seen
        super().__init__(
            f"stopped on {signal.Signals(signum).name} after step {step} "
            f"({images_seen / 1000:g} kimg); checkpoint: {checkpoint}\n"
            f"  continue with: inrvid run --resume {run_dir}"
        )

    @property
    def signal_name(self) -> str:
        """`SIGINT`, `SIGTERM` or `SIGUSR1`."""
        return signal.Signals(self.signum).name


def ignore_stop_signals(_worker_id: int = 0) -> None:
    """Make this process ignore the stop signals (a DataLoader `worker_init_fn`)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


class StopRequest:
    """The stop signals' handler while the loop trains, and the request they made."""

    def __init__(self, announce: bool = True) -> None:
        self.signum: int | None = None
        self._at = 0.0
        self._announce = announce

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        now = time.monotonic()
        if self.signum is None:
            self.signum, self._at = signum, now
            if self._announce:  # a raw write: the handler may interrupt a console print
                name = signal.Signals(signum).name
                again = " (Ctrl-C again to quit without it)" if signum == signal.SIGINT else ""
                os.write(2, f"\n{name}: stopping after this step to write a checkpoint{again}\n"
                         .encode())
            return
        if signum == signal.SIGINT and now - self._at > REPEAT_WINDOW_S:
            raise KeyboardInterrupt

    @contextmanager
    def listening(self) -> Iterator[StopRequest]:
        """Handle the stop signals inside the block (main thread only).

        The previous handlers come back after the block unless a stop was requested: the
        process is then on its way out (checkpoint, requeue, exit), and a launcher's SIGTERM
        to the last rank must not cut that short.
        """
        previous: dict[int, Any] = {}
        try:
            for signum in STOP_SIGNALS:
                previous[signum] = signal.signal(signum, self._handle)
        except ValueError:  # not the main thread: signals stay with whoever handles them
            pass
        try:
            yield self
        finally:
            if self.signum is None:
                for number, handler in previous.items():
                    signal.signal(number, handler)

    def agreed(self, info: Any) -> int | None:
        """The signal any rank received, the same on every rank (call on all ranks each step)."""
        local = STOP_SIGNALS.index(signal.Signals(self.signum)) + 1 if self.signum else 0
        if not info.distributed:
            return self.signum
        import torch
        import torch.distributed as dist

        flag = torch.tensor([local], dtype=torch.int32, device=info.device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        rank = int(flag.item())
        return int(STOP_SIGNALS[rank - 1]) if rank else None
