"""What `inrvid eval` shows and writes: a rich table of values and the JSON record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from inrvid.base import files
from inrvid.runtime.scoring.runner import EvalResult


def protocol_label(provenance: dict[str, Any]) -> str:
    """`digan` or `proxy (fake_videos=8, trials=1)`: the preset and what was overridden."""
    protocol = provenance.get("protocol")
    if not isinstance(protocol, dict):
        return "-"
    overrides = provenance.get("protocol_overrides") or {}
    if not overrides:
        return str(protocol.get("name", "-"))
    changes = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
    return f"{protocol.get('name', '-')} ({changes})"


def result_table(result: EvalResult, title: str) -> Table:
    """One row per value: metric, value ± std; protocol, videos and weights once per metric."""
    table = Table(title=title)
    for column in ("metric", "value", "± std", "protocol", "videos fake/real", "weights"):
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
            table.add_row(
                escape(f"{role}/{key}"),
                f"{value:.4f}",
                f"{std:.4f}" if std is not None else "-",
                *about,
            )
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
