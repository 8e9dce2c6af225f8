"""What the convolutional networks of the family ask of the video: a square power-of-two side."""

from __future__ import annotations

from inrvid.base.errors import PluginError
from inrvid.components.registry import BuildContext


def square_resolution(ctx: BuildContext, name: str, smallest: int) -> int:
    """The video's side, which must be square and a power of two >= `smallest`.

    `name` says who asks (`generator 'digan'`), for the message.
    """
    video = ctx.require_video()
    side = video.height
    if video.width != side or side < smallest or side & (side - 1):
        raise PluginError(
            f"{name}: video {video.height}x{video.width}: expected a square whose side is a "
            f"power of two >= {smallest}\n  set `data.resolution` to 32, 64, 128, 256, ..."
        )
    return side
