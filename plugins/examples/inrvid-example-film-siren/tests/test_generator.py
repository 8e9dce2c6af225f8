"""The FiLM-SIREN generators keep the generator contract and inrvid's coordinate convention."""

import pytest
import torch

from inrvid.testing import build_component, check_component, tiny_context

TINY = {"content_dim": 8, "motion_dim": 4, "w_dim": 8, "hidden": 16, "layers": 2}

# CI installs the example from its wheel (tests/plugins/test_installed_examples.py fails there
# without it); on a developer's machine these tests skip until it is installed.
pytest.importorskip("inrvid_example_film_siren",
                    reason="pip install ./plugins/examples/inrvid-example-film-siren")


def test_example_film_siren_passes_the_generator_contract():
    check_component("generator", "example_film_siren", TINY)


def test_example_film_siren_no_motion_passes_the_generator_contract():
    check_component("generator", "example_film_siren_no_motion",
                    {k: v for k, v in TINY.items() if k != "motion_dim"})


def test_scale_two_evaluates_the_same_field_of_view_on_a_nested_grid():
    torch.manual_seed(0)
    gen = build_component("generator", "example_film_siren", TINY, tiny_context())
    z_content, z_motion = gen.sample_latents(2, torch.Generator().manual_seed(0))
    times = torch.tensor([[0.0, 0.7], [0.3, 1.2]])
    with torch.no_grad():
        coarse = gen(z_content, z_motion, times)                    # b t c 16 16
        fine = gen(z_content, z_motion, times, scale=2)             # b t c 32 32
    # coarse pixel (i, j) lies at fine pixel (2i + 1, 2j): the same coordinates, the same value
    torch.testing.assert_close(fine[..., 1::2, 0::2], coarse, rtol=0, atol=1e-5)


def test_a_given_w_replaces_the_mapping_of_z_content():
    torch.manual_seed(0)
    gen = build_component("generator", "example_film_siren", TINY, tiny_context())
    z_content, z_motion = gen.sample_latents(2, torch.Generator().manual_seed(0))
    times = torch.zeros(2, 1)
    with torch.no_grad():
        w = gen.style(z_content.flip(0))
        torch.testing.assert_close(gen(z_content, z_motion.flip(0), times, w=w),
                                   gen(z_content.flip(0), z_motion.flip(0), times))
