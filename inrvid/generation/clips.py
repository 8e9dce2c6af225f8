"""Input clips for `predict`: frame lists like `3-11` or `6,7,8`, reading and resizing.

Frame index i of an input clip stands at t = i / (clip_frames - 1), the training clip
convention, so indices past `clip_frames - 1` are the future and the model's time axis lines
up with the clips it was trained on. Frames are centre-cropped square and resized (bilinear)
to the model's resolution, as the datasets do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from torch import Tensor

from inrvid.base.errors import DataError, InrvidError
from inrvid.base.limits import MAX_FRAMES
from inrvid.base.pixels import centre_crop_resize
from inrvid.components.registry import HookCaller
from inrvid.video import open_video

_ITEM = re.compile(r"^(\d+)(?:-(\d+))?$")


def parse_frames(text: str, option: str) -> list[int]:
    """`"3-11"`, `"6,7,8"` or `"0-3,8"` -> sorted distinct frame indices."""
    indices: set[int] = set()
    for item in text.split(","):
        match = _ITEM.match(item.strip())
        if match is None:
            raise InrvidError(
                f"{option}: got '{text}', expected frame indices like 6,7,8 or 3-11 (from-to, "
                "inclusive)\n  indices count from 0"
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise InrvidError(f"{option}: range {item.strip()}: expected from <= to")
        if last >= MAX_FRAMES:
            raise InrvidError(
                f"{option}: got frame {last}, expected indices below {MAX_FRAMES}\n"
                "  observe and render frames of a clip, not of hours of video"
            )
        indices.update(range(first, last + 1))
    return sorted(indices)


@dataclass(frozen=True)
class InputFrames:
    """The frames read from an input clip (index -> uint8 `c h w`) and their size on disk."""

    frames: dict[int, Tensor]
    height: int
    width: int

    def resize_note(self, path: str | Path, resolution: int) -> str | None:
        """What was done to frames of another size than the model's, or None."""
        if (self.height, self.width) == (resolution, resolution) or not self.frames:
            return None
        side = min(self.height, self.width)
        crop = "" if self.height == self.width else f"centre-cropped to {side}x{side} and "
        return (f"{path}: frames are {self.height}x{self.width} (height x width), the model's "
                f"{resolution}x{resolution}: {crop}resized (bilinear) to {resolution}x"
                f"{resolution}, as the datasets do")


def read_frames(
    path: str | Path, indices: list[int], resolution: int, plugins: HookCaller | None
) -> InputFrames:
    """The frames of `indices` that the clip has, cropped square and resized to `resolution`.

    The clip is opened with `plugins`' readers (None: the core's reader only).
    """
    with open_video(path, plugins) as reader:
        length = len(reader)
        present = [i for i in indices if i < length]
        if not present:
            return InputFrames({}, 0, 0)
        raw = reader.read(present)                                                # f c h w
    frames = centre_crop_resize(raw, resolution)
    height, width = raw.shape[-2:]
    return InputFrames(dict(zip(present, frames, strict=True)), int(height), int(width))


def require_observed(observed: list[int], found: dict[int, Tensor], path: str | Path) -> None:
    """Every observed index must be in the clip."""
    missing = [i for i in observed if i not in found]
    if missing:
        raise DataError(
            f"{path}: --observe: frames {missing} are past the clip's end, expected indices "
            f"below its length\n  observe frames the clip has (the first is 0)"
        )
