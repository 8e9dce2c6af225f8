"""Chunked rendering: the same frames as one call, with memory bounded by the chunk size.

The bound: no generator call renders more than `chunk_videos x chunk_frames` frames, so the
largest intermediate tensor of a chunked render is that of one chunk, whatever the number of
frames. Measured deterministically: the number of frames each generator call receives, and
the largest tensor any operator produces (a dispatch mode sees every allocation's result).
"""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from inrvid.runtime.render import Chunking, frame_times, render, render_uint8
from inrvid.video import to_uint8


class LargestTensor(TorchDispatchMode):
    """Records the size in bytes of the largest tensor any operator returns."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        for leaf in tree_leaves(result):
            if isinstance(leaf, torch.Tensor):
                self.largest = max(self.largest, leaf.numel() * leaf.element_size())
        return result


def frames_per_call(generator, fn):
    calls = []
    handle = generator.register_forward_pre_hook(
        lambda _m, args, kwargs: calls.append(args[2].numel()), with_kwargs=True
    )
    try:
        result = fn()
    finally:
        handle.remove()
    return result, calls


def largest_tensor(fn):
    with torch.no_grad(), LargestTensor() as mode:
        fn()
    return mode.largest


def test_rendering_256_frames_in_chunks_equals_rendering_them_at_once(tiny_model):
    g = tiny_model.generator
    z = tiny_model.latents(1, seed=1)
    times = frame_times(256, 16)
    g.chunk_frames, saved = 256, g.chunk_frames   # the digan generator's own chunking, off
    try:
        with torch.no_grad():
            at_once, once_calls = frames_per_call(g, lambda: render(
                g, z.z_content, z.z_motion, times, chunking=Chunking(videos=1, frames=256)))
            chunked, chunk_calls = frames_per_call(g, lambda: render(
                g, z.z_content, z.z_motion, times, chunking=Chunking(videos=1, frames=16)))
    finally:
        g.chunk_frames = saved
    assert once_calls == [256]
    assert max(chunk_calls) == 16 and sum(chunk_calls) == 256
    # equal up to float rounding (matrix products of other sizes; sines of t up to 17)
    torch.testing.assert_close(chunked, at_once, atol=1e-4, rtol=1e-4)
    assert torch.equal(render_uint8(g, z.z_content, z.z_motion, times,
                                    chunking=Chunking(videos=1, frames=16)), to_uint8(chunked))


def test_the_largest_tensor_of_a_chunked_render_does_not_grow_with_the_number_of_frames(
    tiny_model,
):
    g = tiny_model.generator
    z = tiny_model.latents(2, seed=2)
    chunking = Chunking(videos=1, frames=8)
    g.chunk_frames, saved = 1024, g.chunk_frames
    try:
        one_chunk = largest_tensor(lambda: g(z.z_content[:1], z.z_motion[:1],
                                             frame_times(8, 16)[None]))
        short = largest_tensor(lambda: render_uint8(
            g, z.z_content, z.z_motion, frame_times(32, 16), chunking=chunking))
        long = largest_tensor(lambda: render_uint8(
            g, z.z_content, z.z_motion, frame_times(96, 16), chunking=chunking))
        at_once = largest_tensor(lambda: render_uint8(
            g, z.z_content, z.z_motion, frame_times(96, 16),
            chunking=Chunking(videos=2, frames=96)))
    finally:
        g.chunk_frames = saved
    # stated bound: no tensor is larger than the largest of one chunk (1 video x 8 frames:
    # 8 x 80 features x 32 x 32 floats = 2.5 MiB here), however many frames are rendered;
    # only the uint8 result grows (2 x 96 x 3 x 32 x 32 bytes = 0.56 MiB here)
    assert one_chunk == 8 * 80 * 32 * 32 * 4
    assert short == long == one_chunk
    assert at_once >= 16 * one_chunk   # 24 times the frames in one call


def test_frame_times_follow_the_training_step_unless_an_end_is_given():
    torch.testing.assert_close(frame_times(16, 16), torch.arange(16) / 15)
    assert float(frame_times(64, 16)[-1]) == torch.tensor(63 / 15).item()
    torch.testing.assert_close(frame_times(3, 16, -1.0, 1.0), torch.tensor([-1.0, 0.0, 1.0]))
    assert frame_times(1, 16, 0.25).tolist() == [0.25]
