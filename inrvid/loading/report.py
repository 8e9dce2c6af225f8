"""What one loading pass found: a record per entry point, and the ambiguous component names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PluginRecord:
    """What happened to one entry point: its status, and what it provides or why it failed."""

    entry_point: str
    distribution: str
    version: str
    module: str
    api: str | None = None
    status: str = "ok"  # ok | failed: import|incompatible|invalid|registration | disabled
    reason: str = ""
    traceback: str = ""
    provides: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. a name without the prefix

    @property
    def ok(self) -> bool:
        """Whether the plug-in loaded and registered."""
        return self.status == "ok"

    @property
    def failed(self) -> bool:
        """Whether it failed (disabled plug-ins are not failures)."""
        return self.status.startswith("failed")

    def label(self) -> str:
        """`'ep' (dist version)`, for messages."""
        return f"'{self.entry_point}' ({self.distribution} {self.version})"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for `inrvid plugins --json` and run-info.json)."""
        return {
            "entry_point": self.entry_point,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "api": self.api,
            "status": self.status,
            "reason": self.reason,
            "provides": self.provides,
            "warnings": self.warnings,
        }


@dataclass
class PluginReport:
    """The outcome of one loading pass: every record, and the ambiguous component names."""

    records: list[PluginRecord]
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # "registry:name" -> origins
    # "(entry point, hook)" -> warning, for plug-ins that loaded but raised in a hook later
    hook_failures: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def failures(self) -> list[PluginRecord]:
        """The records that failed."""
        return [r for r in self.records if r.failed]

    def notices(self) -> list[str]:
        """Warnings about plug-ins that loaded (names without their prefix); never fatal."""
        return [w for r in self.records for w in r.warnings]

    def problems(self) -> list[str]:
        """One warning per failed plug-in and per ambiguous name, fix on the last line."""
        out = []
        for r in self.failures:
            why = r.reason if r.reason else r.status
            out.append(
                f"plug-in {r.label()} failed to load and was skipped ({r.status})\n  {why}\n"
                "  other plug-ins are unaffected; `inrvid plugins -v` shows the traceback"
            )
        for name, origins in self.ambiguous.items():
            listed = "\n  ".join(origins)
            out.append(
                f"{name} is provided by several plug-ins\n  {listed}\n"
                "  a recipe must select one as `kind: <entry point>:<name>`"
            )
        return out


