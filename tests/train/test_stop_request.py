"""The stop signals' handler: one request, repeats, a second Ctrl-C, what it leaves behind."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from inrvid.train import stopping
from inrvid.train.stopping import STOP_SIGNALS, StopRequest, ignore_stop_signals

SINGLE = SimpleNamespace(distributed=False)


@pytest.fixture(autouse=True)
def own_handlers() -> Iterator[None]:
    """Whatever a test installs, the process's handlers come back afterwards."""
    saved = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def deliver(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.01)  # the handler runs between bytecodes of the main thread


@pytest.mark.parametrize("signum", STOP_SIGNALS, ids=lambda s: s.name)
def test_a_signal_is_recorded_as_the_request_and_the_step_goes_on(signum):
    stop = StopRequest(announce=False)
    with stop.listening():
        assert stop.agreed(SINGLE) is None
        deliver(signum)
        assert stop.agreed(SINGLE) == signum


@pytest.mark.parametrize("repeat", [signal.SIGTERM, signal.SIGUSR1], ids=lambda s: s.name)
def test_a_repeated_sigterm_or_sigusr1_changes_nothing(repeat):
    stop = StopRequest(announce=False)
    with stop.listening():
        deliver(signal.SIGTERM)
        time.sleep(stopping.REPEAT_WINDOW_S + 0.1)
        deliver(repeat)
        assert stop.agreed(SINGLE) == signal.SIGTERM


def test_a_second_ctrl_c_quits_at_once_unless_it_is_the_first_delivered_twice(monkeypatch):
    monkeypatch.setattr(stopping, "REPEAT_WINDOW_S", 0.2)
    stop = StopRequest(announce=False)
    with stop.listening():
        deliver(signal.SIGINT)
        deliver(signal.SIGINT)  # within the window: srun and torchrun both forward a Ctrl-C
        time.sleep(0.3)
        with pytest.raises(KeyboardInterrupt):
            deliver(signal.SIGINT)


def test_the_handlers_come_back_after_a_run_that_was_not_stopped():
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    with StopRequest(announce=False).listening():
        assert all(signal.getsignal(s) != before[s] for s in STOP_SIGNALS)
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before


def test_after_a_stop_the_handlers_stay_so_a_launchers_sigterm_cannot_cut_the_exit_short():
    stop = StopRequest(announce=False)
    with stop.listening():
        deliver(signal.SIGUSR1)
    deliver(signal.SIGTERM)  # torchrun's SIGTERM to the last rank: ignored, no exit
    assert stop.agreed(SINGLE) == signal.SIGUSR1


def test_dataloader_workers_ignore_the_stop_signals():
    ignore_stop_signals(0)
    assert all(signal.getsignal(s) == signal.SIG_IGN for s in STOP_SIGNALS)
