"""Which frames of a video form its clips: windows, strides and phase-shifted chunks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClipLayout:
    """Clips of `clip_frames` frames taken every `step` source frames, `frame_stride` apart.

    With `phases` P > 1, each window start `s = c * step` gives P clips starting at s, s+1,
    ..., s+P-1 (TaiChi: 64-frame chunks split into 4 clips of stride 4). Clip j of a video is
    window `j // P`, phase `j % P`; a clip never reaches past the last frame.
    """

    clip_frames: int
    step: int
    frame_stride: int = 1
    phases: int = 1

    def __post_init__(self) -> None:
        if min(self.clip_frames, self.step, self.frame_stride, self.phases) < 1:
            raise ValueError(f"clip layout values must be positive: {self}")

    @property
    def span(self) -> int:
        """Source frames a window covers, all its phases included."""
        return (self.phases - 1) + (self.clip_frames - 1) * self.frame_stride + 1

    def count(self, frames: int) -> int:
        """Number of clips in a video of `frames` frames."""
        if frames < self.span:
            return 0
        return ((frames - self.span) // self.step + 1) * self.phases

    def indices(self, clip: int) -> list[int]:
        """Source frame indices of clip `clip` (0-based) within its video."""
        window, phase = divmod(clip, self.phases)
        start = window * self.step + phase
        return [start + k * self.frame_stride for k in range(self.clip_frames)]


def digan_layout(kind: str, clip_frames: int) -> ClipLayout:
    """DIGAN's clip construction (docs/reference/digan.md §4.3): ucf101, sky, kinetics, taichi."""
    if kind == "ucf101":
        return ClipLayout(clip_frames, step=1)                      # every window, start step 1
    if kind == "taichi":
        return ClipLayout(clip_frames, step=4 * clip_frames, frame_stride=4, phases=4)
    return ClipLayout(clip_frames, step=clip_frames)                 # non-overlapping chunks
