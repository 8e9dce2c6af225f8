"""DiffAugment colour and translation: one draw per video, shared by its frames (docs/reference/digan.md §3, §9.11)."""

from __future__ import annotations

import torch

from inrvid.testing import build_component
from tests.digan.helpers import tiny_discriminator


def augment(name: str, **config: object) -> torch.nn.Module:
    return build_component("augment", name, config)


def test_both_frames_of_a_pair_get_the_identical_colour_and_translation() -> None:
    torch.manual_seed(0)
    frame = torch.rand(6, 1, 3, 16, 16) * 2 - 1
    pair = frame.expand(6, 2, 3, 16, 16)
    for name in ("diffaug_color", "diffaug_translation"):
        out = augment(name)(pair)
        assert torch.equal(out[:, 0], out[:, 1]), name
        assert not torch.equal(out, pair), name


def test_different_videos_get_different_draws() -> None:
    torch.manual_seed(0)
    frames = torch.rand(1, 2, 3, 16, 16).expand(8, 2, 3, 16, 16)
    out = augment("diffaug_color")(frames)
    assert len({round(float(v), 6) for v in out[:, 0].mean(dim=(1, 2, 3))}) == 8


def test_colour_matches_brightness_saturation_contrast_formulas_for_a_fixed_draw() -> None:
    frames = torch.rand(2, 2, 3, 8, 8) * 2 - 1
    torch.manual_seed(3)
    out = augment("diffaug_color")(frames)
    torch.manual_seed(3)
    u_b, u_s, u_c = (torch.rand(2, 1, 1, 1, 1) for _ in range(3))
    x = frames + (u_b - 0.5)                                    # brightness + U(-0.5, 0.5)
    mean = x.mean(dim=2, keepdim=True)
    x = (x - mean) * (2 * u_s) + mean                           # saturation x U(0, 2)
    mean = x.mean(dim=(2, 3, 4), keepdim=True)
    x = (x - mean) * (u_c + 0.5) + mean                         # contrast x U(0.5, 1.5)
    torch.testing.assert_close(out, x)


def test_translation_shifts_by_whole_pixels_within_the_ratio_and_fills_with_zeros() -> None:
    torch.manual_seed(1)
    frames = torch.ones(64, 1, 1, 16, 16)
    out = augment("diffaug_translation", ratio=0.125)(frames)  # up to ±2 px at 16
    assert set(out.unique().tolist()) <= {0.0, 1.0}
    rows_kept = out[:, 0, 0, :, 8].sum(dim=-1)                 # 16 - |dy|
    cols_kept = out[:, 0, 0, 8, :].sum(dim=-1)
    assert set((16 - rows_kept).tolist()) == {0.0, 1.0, 2.0}
    assert set((16 - cols_kept).tolist()) == {0.0, 1.0, 2.0}


def test_translation_moves_content_by_the_drawn_offset() -> None:
    torch.manual_seed(2)
    frames = torch.zeros(16, 1, 1, 16, 16)
    frames[..., 8, 8] = 1.0
    out = augment("diffaug_translation")(frames)
    positions = out[:, 0, 0].flatten(1).argmax(dim=1)
    dy, dx = 8 - positions // 16, 8 - positions % 16
    assert dy.abs().max() <= 2 and dx.abs().max() <= 2
    assert out.sum() == 16                                      # the dot never leaves the frame


def test_augments_are_differentiable() -> None:
    frames = (torch.rand(2, 2, 3, 16, 16) * 2 - 1).requires_grad_(True)
    out = augment("diffaug_translation")(augment("diffaug_color")(frames))
    out.sum().backward()
    assert frames.grad is not None and torch.isfinite(frames.grad).all()


def test_motion_d_augments_the_frames_and_leaves_the_dt_plane_untouched() -> None:
    disc = tiny_discriminator("digan_motion_d")
    frames = torch.rand(4, 2, 3, 16, 16) * 2 - 1
    times = torch.tensor([[0.1, 0.6]] * 4)
    seen = []
    disc.trunk.register_forward_pre_hook(lambda _m, args: seen.append(args[0]))
    chain = [augment("diffaug_color"), augment("diffaug_translation")]

    def recipe_augment(x: torch.Tensor) -> torch.Tensor:
        for a in chain:
            x = a(x)
        return x

    torch.manual_seed(5)
    disc.score_input(disc.build_input(frames, times), recipe_augment)
    torch.manual_seed(5)
    expected = recipe_augment(frames)
    x = seen[0]
    torch.testing.assert_close(x[:, :3], expected[:, 0])
    torch.testing.assert_close(x[:, 3:6], expected[:, 1])
    assert torch.equal(x[:, 6], torch.full((4, 16, 16), 0.5))
