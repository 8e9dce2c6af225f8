"""`moving_shapes`: deterministic, continuous in t, any t, clips equal to the renderer."""

from __future__ import annotations

import torch

from inrvid.components.registry import BuildContext
from inrvid.testing import build_component


def shapes(**config):
    return build_component("dataset", "moving_shapes",
                           {"resolution": 24, "clip_frames": 8, "videos": 6, **config})


def test_renderer_gives_the_same_frames_for_the_same_seed_at_any_times():
    a, b = shapes(), shapes()
    times = torch.tensor([-0.4, 0.0, 0.123, 1.0, 1.7, 3.25])         # t > 1, t < 0, off-grid
    first = a.render(3, times)
    assert first.shape == (6, 3, 24, 24) and first.dtype == torch.float32
    assert torch.equal(first, b.render(3, times))
    assert first.min() >= 0 and first.max() <= 1
    alone = a.render(3, times[4:5])                                  # one time on its own
    assert torch.allclose(alone[0], first[4], atol=1e-6)
    assert not torch.equal(first, shapes(seed=1).render(3, times))   # the seed matters
    assert not torch.equal(first[4], first[5])                       # it keeps moving after 1


def test_renderer_is_continuous_in_time():
    ds = shapes()
    for t in (0.3, 1.9):
        near = ds.render(2, torch.tensor([t, t + 1e-4]))
        far = ds.render(2, torch.tensor([t, t + 0.2]))
        assert (near[0] - near[1]).abs().max() < 0.02
        assert (far[0] - far[1]).abs().max() > (near[0] - near[1]).abs().max()


def test_clips_equal_the_renderer_at_times_k_over_f_minus_1():
    ds = shapes(hflip=True)
    times = torch.arange(8, dtype=torch.float64) / 7
    for index in range(6):
        expected = ds.render_uint8(index, times)
        if ds.flipped(index):
            expected = expected.flip(-1)
        item = ds[index]
        assert item["video"].dtype == torch.uint8 and item["video"].shape == (8, 3, 24, 24)
        assert torch.equal(item["video"], expected)
    assert any(ds.flipped(i) for i in range(6)) and not all(ds.flipped(i) for i in range(6))


def test_frames_do_not_depend_on_the_clip_length_only_on_t():
    short, long = shapes(clip_frames=5), shapes(clip_frames=9)
    assert torch.equal(short.render(1, torch.tensor([0.5])), long.render(1, torch.tensor([0.5])))
    frame = short[1]["video"][2]                                     # t = 2/4
    if short.flipped(1):
        frame = frame.flip(-1)
    assert torch.equal(frame, long.render_uint8(1, torch.tensor([0.5]))[0])


def test_flips_are_fixed_by_seed_epoch_and_index():
    ds = shapes()
    first = [ds.flipped(i) for i in range(6)]
    ds.set_epoch(1)
    second = [ds.flipped(i) for i in range(6)]
    ds.set_epoch(0)
    assert [ds.flipped(i) for i in range(6)] == first and first != second
    other = build_component("dataset", "moving_shapes", {"videos": 6, "resolution": 8},
                            ctx=BuildContext(seed=5))
    assert [other.flipped(i) for i in range(6)] != first
