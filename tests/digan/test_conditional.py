"""Class-conditional DIGAN (issue 13.6): the release's `--cond` networks.

Parameter counts for 101 classes were counted from the official classes
(sihyun-yu/digan `src/training/networks.py`: `Generator` and `OurDiscriminator` with
`c_dim=101`, the `configs/digan.yml` generator, channel_base 32768, mapping 2 layers for G and
the default 8 for D), instantiated on CPU outside this repository; they agree with the
arithmetic: G gains a class embedding 101 -> 512 (52,224) and 512 more inputs on its first
mapping layer (262,144); each D gains an 8-layer class mapping with its embedding (2,153,472)
and an epilogue output of 512 instead of 1 (+262,143).
"""

from __future__ import annotations

import gc
import math

import pytest
import torch

from inrvid.base.errors import ShapeError
from inrvid.components.registry import VideoSpec
from inrvid.testing import build_component
from tests.digan.helpers import context, n_params, tiny_discriminator, tiny_generator

VIDEO_128 = VideoSpec(frames=16, height=128, width=128)
UCF_CLASSES = 101


def test_conditional_generator_at_128_has_the_release_parameter_count() -> None:
    """G with 101 classes: 63,853,074 parameters, of which the mapping holds 839,680."""
    torch.manual_seed(0)
    gen = build_component("generator", "digan", {"num_classes": UCF_CLASSES},
                          context(VIDEO_128, encoder_config={}))
    assert n_params(gen) == 63_853_074
    assert n_params(gen.mapping) == 839_680
    assert n_params(gen.mapping.embed) == 101 * 512 + 512
    del gen
    gc.collect()


@pytest.mark.parametrize(("name", "expected"),
                         [("digan_motion_d", 30_805_760), ("digan_image_d", 30_804_736)])
def test_conditional_discriminators_at_128_have_the_release_parameter_counts(
    name: str, expected: int
) -> None:
    """Each D with 101 classes: its class mapping has 2,153,472 and its epilogue 6,821,888."""
    torch.manual_seed(0)
    disc = build_component("discriminator", name, {"num_classes": UCF_CLASSES},
                           context(VIDEO_128))
    assert n_params(disc) == expected
    assert n_params(disc.classes) == 2_153_472
    assert n_params(disc.trunk.epilogue) == 6_821_888
    del disc
    gc.collect()


def test_the_class_changes_the_style_and_the_same_class_gives_the_same_style() -> None:
    """w depends on the class through the embedding; z alone no longer determines it."""
    gen = tiny_generator(num_classes=5)
    z = torch.randn(1, 16).expand(3, -1)
    w = gen.style(z, torch.tensor([0, 0, 3]))
    assert torch.equal(w[0], w[1])
    assert (w[0] - w[2]).abs().max() > 1e-3
    frames = gen(z, torch.randn(3, 8), torch.rand(3, 2), classes=torch.tensor([0, 0, 3]))
    assert frames.shape == (3, 2, 3, 16, 16)


def test_a_conditional_network_without_classes_says_how_to_give_them() -> None:
    """classes=None, out-of-range or non-integer classes: errors naming what was expected."""
    gen = tiny_generator(num_classes=5)
    z, zm, t = torch.randn(2, 16), torch.randn(2, 8), torch.rand(2, 2)
    with pytest.raises(ShapeError, match=r"(?s)DiganGenerator: conditional on 5 classes, got classes=None.*--class"):
        gen(z, zm, t)
    with pytest.raises(ShapeError, match=r"got values in \[0, 7\], expected 0\.\.4"):
        gen(z, zm, t, classes=torch.tensor([0, 7]))
    with pytest.raises(ShapeError, match="expected integer class indices"):
        gen(z, zm, t, classes=torch.tensor([0.0, 1.0]))
    disc = tiny_discriminator("digan_motion_d", num_classes=5)
    with pytest.raises(ShapeError, match="digan_motion_d: conditional on 5 classes"):
        disc(torch.rand(2, 2, 3, 16, 16), t.sort(dim=1).values)


def test_projection_head_is_the_inner_product_with_the_mapped_class() -> None:
    """logit = <epilogue features, cmap(class)> / sqrt(cmap_dim), as the release's projection."""
    disc = tiny_discriminator("digan_motion_d", num_classes=4, cmap_dim=6)
    frames, times = torch.rand(3, 2, 3, 16, 16) * 2 - 1, torch.tensor([[0.1, 0.5]] * 3)
    classes = torch.tensor([2, 0, 2])
    features: list[torch.Tensor] = []
    disc.trunk.epilogue.out.register_forward_hook(lambda _m, _i, out: features.append(out))
    logits = disc(frames, times, classes=classes)
    cmap = disc.classes(classes, "test")
    expected = (features[0] * cmap).sum(dim=1, keepdim=True) / math.sqrt(6)
    torch.testing.assert_close(logits, expected)
    assert features[0].shape == (3, 6)


def test_image_d_scores_every_frame_against_its_video_class() -> None:
    """Changing video 1's class changes only video 1's frame logits (the class enters at the
    projection, after minibatch std, so video 0's logits are unchanged exactly)."""
    disc = tiny_discriminator("digan_image_d", num_classes=4)
    frames, times = torch.rand(2, 2, 3, 16, 16) * 2 - 1, torch.tensor([[0.1, 0.5]] * 2)
    both_first = disc(frames, times, classes=torch.tensor([1, 1]))
    mixed = disc(frames, times, classes=torch.tensor([1, 3]))
    assert torch.equal(both_first[0], mixed[0])
    assert not torch.allclose(both_first[1], mixed[1])
    assert mixed.shape == (2, 2)
