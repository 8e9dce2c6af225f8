"""`inrvid run` with its output in a log file (SLURM, nohup): plain lines, a clean ending."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from inrvid.base.progress import RunProgress, bar, set_mode
from tests.conftest import REPO

TINY = [
    "train.duration_kimg=0.064",
    "train.log_every_kimg=0.016",
    "train.batch_size=4",
    "data.videos=16",
    "eval.every_kimg=null",
    "train.sample_every_kimg=1000",
    "train.sample_videos=2",
    "train.sample_frames=2",
    "train.checkpoint_every_kimg=1000",
]
PLAIN_LINE = re.compile(r"^kimg (\d+\.\d{3})/0\.064  s/kimg \d+\.\d  ETA \d+m\d\ds  \S+ ")


def _run_to_file(tmp_path: Path, *extra: str) -> list[str]:
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if k != "INRVID_PROGRESS"}
    with log.open("w") as out:
        subprocess.run(
            [sys.executable, "-m", "inrvid", *extra, "run", str(REPO / "recipes/quickstart.yaml"),
             *TINY, f"output.dir={tmp_path / 'runs'}"],
            stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300, cwd=tmp_path, env=env,
        )
    return log.read_text().splitlines()


@pytest.mark.slow
def test_run_into_a_log_file_prints_periodic_plain_lines_and_a_clean_summary(
    tmp_path: Path,
) -> None:
    lines = _run_to_file(tmp_path)
    progress = [line for line in lines if PLAIN_LINE.match(line)]
    kimg = [float(PLAIN_LINE.match(line).group(1)) for line in progress]  # type: ignore[union-attr]
    # one line per log interval (0.016 kimg = 4 steps of 4 videos), in order, to the end
    assert kimg == [0.016, 0.032, 0.048, 0.064], "\n".join(lines)
    finished = [i for i, line in enumerate(lines) if line.startswith("run finished: ")]
    assert len(finished) == 1, "\n".join(lines)
    # the summary starts its own line, after the last progress line: nothing glued to it
    assert finished[0] > lines.index(progress[-1])
    assert not any("\x1b[" in line for line in lines), "terminal escapes in a log file"


def test_progress_none_prints_no_progress_lines(tmp_path: Path) -> None:
    set_mode("none")
    try:
        with bar("rendering frames", 3) as advance:
            advance(3)
        run = RunProgress(64, 0)
        run.update(16, 1.0, {"G/adv": 0.5})
        run.line()
        assert run.mode == "none"
    finally:
        set_mode("auto")


def test_a_plain_bar_reports_its_start_and_its_end(capsys: pytest.CaptureFixture[str]) -> None:
    set_mode("plain")
    try:
        with bar("rendering frames", 8) as advance:
            advance(8)
    finally:
        set_mode("auto")
    text = capsys.readouterr().err
    assert "rendering frames: started, 8 to do" in text
    assert "rendering frames: done, 8 in 0m00s" in text


def test_an_unknown_progress_mode_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inrvid", "--progress", "fancy", "plugins"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "invalid choice: 'fancy'" in result.stderr
    assert "plain" in result.stderr
