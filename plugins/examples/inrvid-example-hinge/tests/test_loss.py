"""The hinge loss keeps the loss contract and matches its closed form."""

import pytest
import torch
from torch import Tensor

from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import PhaseInputs
from inrvid.testing import build_component, check_component

# CI installs the example from its wheel (tests/plugins/test_installed_examples.py fails there
# without it); on a developer's machine these tests skip until it is installed.
pytest.importorskip("inrvid_example_hinge",
                    reason="pip install ./plugins/examples/inrvid-example-hinge")


class Constant(Discriminator):
    """Logits equal to the first pixel of each frame: `b t`."""

    def forward(self, frames: Tensor, times: Tensor) -> Tensor:
        return frames[:, :, 0, 0, 0]


def test_example_hinge_passes_the_loss_contract():
    check_component("loss", "example_hinge")
    check_component("loss", "example_hinge", {"roles": ["image"], "margin": 0.5})


def test_the_terms_are_the_hinge_closed_form_per_role():
    loss = build_component("loss", "example_hinge", {"margin": 1.0})
    fake = torch.full((2, 2, 3, 4, 4), 0.25)
    real = torch.full((2, 2, 3, 4, 4), -1.5)
    times = torch.tensor([[0.0, 0.5], [0.2, 0.9]])
    inputs = PhaseInputs(network="discriminator", step=0, fake_frames=fake, fake_times=times,
                         real_frames=real, real_times=times, discriminators={"d": Constant()},
                         augment=lambda x: x)
    terms = loss.discriminator_terms(inputs)
    assert terms["d_fake"].item() == 1.25           # relu(1 + 0.25)
    assert terms["d_real"].item() == 2.5            # relu(1 - (-1.5))
    generator = loss.generator_terms(inputs)
    assert generator == {"d_fake": torch.tensor(-0.25)}
