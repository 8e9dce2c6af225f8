"""What `inrvid eval` shows and writes: a rich table of values and the JSON record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from inrvid.base import files
from inrvid.runtime.scoring.runner import EvalResult


def _shown(key: str, value: Any) -> str:
    """A protocol setting as recipes write it: a resolution of None is `native`."""
    return "native" if key == "resolution" and value is None else str(value)


def protocol_label(provenance: dict[str, Any]) -> str:
    """`digan` or `proxy (fake_videos=8, trials=1)`: the preset and what was overridden."""
    protocol = provenance.get("protocol")
    if not isinstance(protocol, dict):
        return "-"
    overrides = provenance.get("protocol_overrides") or {}
    if not overrides:
        return str(protocol.get("name", "-"))
    changes = ", ".join(f"{k}={_shown(k, v)}" for k, v in sorted(overrides.items()))
    return f"{protocol.get('name', '-')} ({changes})"


def _trials(provenance: dict[str, Any]) -> int | None:
    protocol = provenance.get("protocol")
    trials = protocol.get("trials") if isinstance(protocol, dict) else None
    return trials if isinstance(trials, int) else None


def result_table(
    result: EvalResult, title: str, logged: dict[str, float] | None = None
) -> Table:
    """One row per value: metric, value ± std; protocol, videos and weights once per metric.

    A value from a single trial has no interval (`-`), and the column is left out when no
    value has one. `logged`: the training log's values at this checkpoint (`role/key`),
    shown beside the new ones.
    """
    logged = logged or {}
    intervals = {
        role: _trials(result.provenance.get(role, {})) != 1 for role in result.values
    }
    columns = ["metric", "value"]
    columns += ["± std"] if any(intervals.values()) else []
    columns += ["training log"] if logged else []
    table = Table(title=title)
    for column in (*columns, "protocol", "videos fake/real", "weights"):
        table.add_column(column, overflow="fold")
    for role, values in result.values.items():
        prov = result.provenance.get(role, {})
        used = prov.get("videos_used") or {}
        weights = prov.get("weights")
        about = [
            escape(protocol_label(prov)),
            f"{used.get('fake', '-')}/{used.get('real', '-')}",
            escape(f"sha256 {weights['sha256'][:12]}…") if isinstance(weights, dict) else "none",
        ]
        for key, value in values.items():
            if key.endswith("_std"):
                continue
            std = values.get(f"{key}_std")
            row = [escape(f"{role}/{key}"), f"{value:.4f}"]
            if "± std" in columns:
                row.append(f"{std:.4f}" if std is not None and intervals[role] else "-")
            if logged:
                before = logged.get(f"{role}/{key}")
                row.append(f"{before:.4f}" if before is not None else "-")
            table.add_row(*row, *about)
            about = ["", "", ""]
        table.add_section()
    return table


def eval_record(
    result: EvalResult, checkpoint: dict[str, Any] | None, argv: list[str]
) -> dict[str, Any]:
    """The JSON of one evaluation: the command, the checkpoint facts and the full result."""
    return {"command": ["inrvid", *argv], "checkpoint": checkpoint, **result.to_json()}


def write_json(path: Path, record: dict[str, Any]) -> None:
    """Write `record` to `path` atomically (`inrvid.base.files`)."""
    files.write_json(path, record)
