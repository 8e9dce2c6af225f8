"""Test videos for a clone without `../shared/data`: the same layout, encoded here with PyAV.

The real clips (UCF-101, mp4, webm, gif, frame folders, truncated files) sit beside the
repository on the project's machines; a user's clone has none. `build_media` writes a
stand-in with the same relative paths, file names and frame counts where tests rely on
them, so decoding, seeking, indexing and the dataset layouts are exercised on every
machine. The frames are procedural: a moving square over a gradient whose colour changes
with the frame index, so every frame differs from its neighbours and a wrong seek shows.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# relative path -> (frames that decode, fps, width, height), as the real table in test_read.
GENERATED = {
    "ucf101/videos/ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi": (164, 25, 80, 60),
    "ucf101/videos/BaseballPitch/v_BaseballPitch_g01_c01.avi": (107, 29.97, 80, 60),
    "ucf101/videos/Basketball/v_Basketball_g01_c01.avi": (141, 29.97, 80, 60),
    "ucf101/videos/Biking/v_Biking_g01_c03.avi": (151, 29.97, 80, 60),
    "ucf101/videos/Biking/v_Biking_g05_c02.avi": (201, 29.97, 80, 60),
    "ucf101/videos/HeadMassage/v_HeadMassage_g02_c05.avi": (307, 25, 80, 60),
    "ucf101/videos/Punch/v_Punch_g03_c01.avi": (108, 25, 80, 60),
    "ucf101/videos/Shotput/v_Shotput_g05_c02.avi": (130, 25, 80, 60),
    "videos/demo.mp4": (280, 28, 96, 72),
    "videos/realshort.mp4": (36, 30, 80, 60),
    "videos/echo-hereweare.webm": (90, 30, 64, 48),
    "videos/v_CricketShot_g04_c01_rgb.gif": (40, 25, 64, 64),
    "frames/mmaction2_imgs": (10, 25, 80, 60),
    "frames/v_BaseballPitch_g01_c01": (107, 25, 80, 60),
    "videos/corrupt/v_Punch_g03_c01_TRUNCATED_HALF.avi": (52, 25, 80, 60),
}
UCF_CLASSES_PRESENT = ("ApplyEyeMakeup", "BaseballPitch", "Basketball", "Biking", "HeadMassage",
                       "Punch", "Shotput")
TESTLIST_LENGTH = 3783  # as the official testlist01.txt: 8 of its videos are present


def frame(index: int, width: int, height: int) -> np.ndarray:
    """Frame `index`: `h w 3` uint8, a gradient tinted by the index and a moving square."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([
        (x * 255 // max(width - 1, 1)),
        (y * 255 // max(height - 1, 1)),
        np.full_like(x, (index * 37) % 256),
    ], axis=-1).astype(np.uint8)
    side = max(height // 4, 2)
    left = (index * 3) % max(width - side, 1)
    top = (index * 2) % max(height - side, 1)
    image[top : top + side, left : left + side] = (255 - (index * 11) % 200, 40, 220)
    return image


def encode(path: Path, frames: int, fps: float, width: int, height: int) -> None:
    """Write `frames` procedural frames to `path` in the codec its suffix suggests."""
    codec = {".avi": "mpeg4", ".mp4": "libx264", ".webm": "libvpx-vp9", ".gif": "gif"}[path.suffix]
    rate = Fraction(30000, 1001) if fps == 29.97 else Fraction(fps).limit_denominator(1001)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "rgb8" if codec == "gif" else "yuv420p"
        if codec in ("libx264", "mpeg4"):
            stream.codec_context.gop_size = 12  # several keyframes: seeking is exercised
        if codec == "mpeg4":
            stream.codec_context.bit_rate = 4_000_000  # near-lossless at these sizes
        if codec == "libx264":
            stream.options = {"crf": "12", "preset": "veryfast"}
        if codec == "libvpx-vp9":
            stream.options = {"deadline": "realtime", "cpu-used": "8"}
        for i in range(frames):
            picture = av.VideoFrame.from_ndarray(frame(i, width, height), format="rgb24")
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_frames(folder: Path, frames: int, width: int, height: int, pattern: str) -> None:
    """A frame folder of JPEG files named by `pattern` (1-based index)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(frames):
        picture = av.VideoFrame.from_ndarray(frame(i, width, height), format="rgb24")
        with av.open(str(folder / pattern.format(i + 1)), "w", format="image2") as out:
            stream = out.add_stream("mjpeg", rate=25)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuvj420p"
            stream.options = {"qscale": "2"}
            stream.codec_context.qmax = 2
            for packet in stream.encode(picture):
                out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)


def cut_inside_packet(source: Path, target: Path, packet_index: int) -> None:
    """Copy `source` cut in the middle of its video packet `packet_index` (a torn download)."""
    with av.open(str(source)) as container:
        packets = [p for p in container.demux(video=0) if p.size]
    cut = packets[packet_index]
    assert cut.pos is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes()[: int(cut.pos) + cut.size // 2])


def build_media(root: Path) -> Path:
    """Write the stand-in data folder under `root` (idempotent); return it."""
    done = root / ".complete"
    if done.exists():
        return root
    if root.exists():
        shutil.rmtree(root)
    for rel, (frames, fps, width, height) in GENERATED.items():
        path = root / rel
        if rel.startswith("frames/") or "corrupt" in rel:
            continue
        encode(path, frames, fps, width, height)
    write_frames(root / "frames/mmaction2_imgs", 10, 80, 60, "img_{:05d}.jpg")
    write_frames(root / "frames/v_BaseballPitch_g01_c01", 107, 80, 60, "{:06d}.jpg")
    # the frame folder and the avi of the same name hold the same pictures
    corrupt = root / "videos/corrupt"
    cut_inside_packet(root / "ucf101/videos/Punch/v_Punch_g03_c01.avi",
                      corrupt / "v_Punch_g03_c01_TRUNCATED_HALF.avi", 51)
    short = (root / "videos/realshort.mp4").read_bytes()
    (corrupt / "realshort_TRUNCATED_HALF.mp4").write_bytes(short[: len(short) // 2])
    _write_splits(root / "ucf101/splits")
    (root / "README.md").write_text("Stand-in test data generated by tests/media.py.\n")
    done.touch()
    return root


def _write_splits(folder: Path) -> None:
    """classInd.txt with 101 classes (the present ones among them) and the two lists."""
    folder.mkdir(parents=True, exist_ok=True)
    names = sorted([*UCF_CLASSES_PRESENT, *(f"Synthetic{i:03d}" for i in range(101 - 7))])
    (folder / "classInd.txt").write_text(
        "".join(f"{i} {name}\n" for i, name in enumerate(names, start=1))
    )
    present = sorted(
        f"{rel.split('/')[2]}/{rel.split('/')[3]}"
        for rel in GENERATED if rel.startswith("ucf101/videos/")
    )
    absent = [f"Synthetic000/v_Synthetic000_g{i // 7:02d}_c{i % 7 + 1:02d}.avi"
              for i in range(TESTLIST_LENGTH - len(present))]
    (folder / "testlist01.txt").write_text("".join(f"{p}\n" for p in sorted(present + absent)))
    (folder / "trainlist01.txt").write_text(
        "".join(f"Synthetic001/v_Synthetic001_g{i:02d}_c01.avi 1\n" for i in range(1, 30))
    )
