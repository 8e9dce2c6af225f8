"""Hostile snapshots are refused before anything of theirs runs, naming the global.

Each payload writes a marker file when unpickled by plain `pickle`; the test first proves that
(the payload is live), then that `inrvid import` refuses the file, names the offending global,
and leaves no marker.
"""

from __future__ import annotations

import pickle
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inrvid.base.errors import SnapshotError
from inrvid.cli import main
from inrvid.interop.importing import convert
from inrvid.release import Allowance, PersistentRecord, open_snapshot
from inrvid.release.pickles import referenced_globals
from tests.release.conftest import write_snapshot
from tests.release.snapshots import Persistent, release_modules


class Reduce:
    """Pickles as `func(*args)`: what a hostile snapshot plants."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, ...]:
        return self.func, self.args


def os_system(marker: Path) -> bytes:
    """A protocol-0 pickle naming `os.system` itself (protocol 4 would name posix.system)."""
    return f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()


def subprocess_call(marker: Path) -> bytes:
    return pickle.dumps({"G": Reduce(subprocess.check_call, ["touch", str(marker)])}, protocol=4)


def builtins_eval(marker: Path) -> bytes:
    return pickle.dumps({"G_ema": Reduce(eval, f"open({str(marker)!r}, 'w').close()")},
                        protocol=4)


def exec_reconstructor(marker: Path) -> bytes:
    """A persistent-looking record whose reconstructor is `exec` of its source."""
    return pickle.dumps({"G": Reduce(exec, f"open({str(marker)!r}, 'w').close()")}, protocol=4)


@pytest.mark.parametrize(("payload", "named"), [
    (os_system, "os.system"),
    (subprocess_call, "subprocess.check_call"),
    (builtins_eval, "builtins.eval"),
    (exec_reconstructor, "builtins.exec"),
])
def test_hostile_global_is_refused_by_name_and_nothing_runs(
        tmp_path: Path, payload: Any, named: str, capsys: pytest.CaptureFixture[str]) -> None:
    live, marker = tmp_path / "live", tmp_path / "marker"
    pickle.loads(payload(live))                            # proves the payload is live
    assert live.exists()
    snapshot = tmp_path / "network-snapshot-000100.pkl"
    snapshot.write_bytes(payload(marker))
    assert main(["import", "digan", str(snapshot), "--out", str(tmp_path / "out.pt")]) == 2
    err = capsys.readouterr().err
    assert named in err and "nothing was loaded or run" in err
    assert not marker.exists()
    assert not (tmp_path / "out.pt").exists()


def test_every_global_is_listed_before_loading(tmp_path: Path) -> None:
    path, _ = write_snapshot(tmp_path)
    with path.open("rb") as f:
        names = referenced_globals(f, str(path))
    assert "torch_utils.persistence._reconstruct_persistent_obj" in names
    assert "torch._utils._rebuild_tensor_v2" in names
    assert "torch.storage._load_from_bytes" in names
    assert "torch.nn.modules.container.Sequential" in names


def test_a_reconstructor_not_in_the_allowance_is_refused(tmp_path: Path) -> None:
    path, _ = write_snapshot(tmp_path)
    other = Allowance(reconstructors=frozenset({"src.torch_utils.persistence."
                                                "_reconstruct_persistent_obj"}))
    with pytest.raises(SnapshotError, match=r"torch_utils\.persistence\._reconstruct_persistent_"
                                            r"obj, outside the allow-list"):
        open_snapshot(path, other)


def test_source_that_would_run_on_load_is_kept_as_text(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    source = f"open({str(marker)!r}, 'w').close()\nclass Generator: ...\n"
    path, _ = write_snapshot(tmp_path, source=source)
    checkpoint, sources, _ = convert("digan", path)         # the weights still map by name
    assert not marker.exists()
    assert [s.release_file for s in sources] == [None]     # reported: not the release's code
    assert checkpoint.origin is not None and not checkpoint.origin["sources_match_release"]
    snapshot = open_snapshot(path, Allowance(frozenset(
        {"torch_utils.persistence._reconstruct_persistent_obj"}), frozenset(
        {"torch.nn.modules.container.Sequential", "torch.nn.modules.container.ModuleList"})))
    assert isinstance(snapshot.top["G"], PersistentRecord)
    assert snapshot.top["G"].module_src == source


def test_a_global_hidden_behind_the_memo_is_still_listed(tmp_path: Path) -> None:
    """Both names of a protocol-4 global pushed again from the memo are read statically."""
    data = pickle.dumps([Reduce(eval, "1"), Reduce(eval, "2")], protocol=4)
    path = tmp_path / "s.pkl"
    path.write_bytes(data)
    with path.open("rb") as f:
        assert referenced_globals(f, "s.pkl") == ["builtins.eval"]


def test_a_persistent_record_without_source_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.pkl"
    with release_modules(), path.open("wb") as f:
        record = Persistent("Generator", {})
        record.source = None  # type: ignore[assignment]
        pickle.dump({"G": record}, f, protocol=4)
    with pytest.raises(SnapshotError, match="source text"):
        convert("digan", path)
