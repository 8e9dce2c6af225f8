"""Latent paths: slerp and lerp endpoints and norms; what each interpolation mode moves."""

from __future__ import annotations

import math

import pytest
import torch

from inrvid.generation.latents import interpolation, lerp, slerp


def test_slerp_runs_from_a_to_b_on_the_great_circle_keeping_equal_norms():
    a, b = torch.tensor([3.0, 0.0, 0.0]), torch.tensor([0.0, 3.0, 0.0])
    path = slerp(a, b, torch.tensor([0.0, 0.5, 1.0]))
    torch.testing.assert_close(path[0], a)
    torch.testing.assert_close(path[2], b)
    torch.testing.assert_close(path[1], torch.tensor([3 / math.sqrt(2), 3 / math.sqrt(2), 0.0]))
    torch.testing.assert_close(path.norm(dim=1), torch.full((3,), 3.0))


def test_lerp_shrinks_the_midpoint_of_orthogonal_latents_by_one_over_root_two():
    a, b = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 2.0])
    mid = lerp(a, b, torch.tensor([0.5]))[0]
    assert float(mid.norm()) == pytest.approx(2 / math.sqrt(2))


def test_content_interpolation_keeps_motion_fixed_and_both_moves_both(tiny_model):
    g = tiny_model.generator
    content = interpolation(g, paths=2, steps=4, seed=0, target="content")
    assert content.z_content.shape == (8, g.content_dim)
    assert torch.equal(content.z_motion[0], content.z_motion[3])
    assert not torch.equal(content.z_content[0], content.z_content[3])
    motion = interpolation(g, paths=1, steps=4, seed=0, target="motion")
    assert torch.equal(motion.z_content[0], motion.z_content[3])
    both = interpolation(g, paths=1, steps=4, seed=0, target="both", method="lerp")
    assert not torch.equal(both.z_content[0], both.z_content[3])
    assert not torch.equal(both.z_motion[0], both.z_motion[3])
    # the path ends are its two random latents: the same for slerp and lerp
    slerped = interpolation(g, paths=1, steps=4, seed=0, target="both")
    torch.testing.assert_close(both.z_content[[0, 3]], slerped.z_content[[0, 3]])
