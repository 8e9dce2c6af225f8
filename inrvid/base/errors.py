"""The error hierarchy: the CLI prints an `InrvidError` as a short message, no traceback."""

from __future__ import annotations


class InrvidError(Exception):
    """A problem with the user's input or environment, explained without a traceback.

    The message puts one fact per line and the fix on the last line.
    """

    exit_code: int = 2


class PluginError(InrvidError):
    """A plug-in failed to load or registered something invalid (exit status 3)."""

    exit_code = 3


class DataError(InrvidError):
    """A dataset folder, video file or split list is missing or unreadable."""


class CheckpointError(InrvidError):
    """A checkpoint is missing, corrupt, or was made by plug-ins that are not installed."""


class SnapshotError(InrvidError):
    """A release snapshot is refused: disallowed code, damage, or no inrvid equivalent."""


class WeightsError(InrvidError):
    """A weight file the user must supply (I3D, C3D, Inception) is missing or does not load."""


class StorageError(InrvidError):
    """A file could not be written or read: disk full, permission denied, read-only."""


class ShapeError(InrvidError):
    """A tensor crossing a component boundary has the wrong shape."""


class TrainingError(InrvidError):
    """A run stopped: a non-finite loss, or a resume that cannot continue."""
