"""The step's phases as data: which phases exist, when each runs, and the run cadences."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from inrvid.components.loss import Loss, PhaseInputs
from inrvid.train.cadence import Counters, crossed
from inrvid.train.distributed import DistInfo
from inrvid.train.phases import StepContext, build_phases, run_phases


class Square(Loss):
    """A loss with one term per network: the mean square of a parameter of that network."""

    def __init__(self, g: nn.Linear, d: nn.Linear, every: int | None = None,
                 regularizes: str | None = None) -> None:
        super().__init__()
        self.g, self.d = [g], [d]  # not submodules: the loss owns no parameters
        self.lazy_interval, self.regularizes = every, regularizes  # type: ignore[assignment]

    def generator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        return {"g": self.g[0].weight.square().mean()}

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        return {"d": self.d[0].weight.square().mean()}


def phases_of(losses_every: dict[str, tuple[int | None, str | None]]):
    torch.manual_seed(0)
    g, d = nn.Linear(2, 2), nn.Linear(2, 2)
    losses = {name: Square(g, d, every, net) for name, (every, net) in losses_every.items()}
    reg = {net: every for every, net in losses_every.values() if net}
    phases = build_phases(
        losses, generator=g, discriminators=d,
        g_optimizer=torch.optim.SGD(g.parameters(), lr=0.1),
        d_optimizer=torch.optim.SGD(d.parameters(), lr=0.1),
        g_reg_every=reg.get("generator"), d_reg_every=reg.get("discriminator"),
    )
    return phases, g, d


def inputs() -> PhaseInputs:
    return PhaseInputs(network="generator", step=0, fake_frames=None, fake_times=None,
                       real_frames=None, real_times=None, discriminators={},
                       augment=lambda x: x)


def test_phases_are_g_then_d_and_a_regulariser_gets_its_own_phase_every_n_steps():
    phases, _, _ = phases_of({"main": (None, None), "r1": (4, "discriminator")})
    assert [(p.name, p.network, p.interval, p.inputs) for p in phases] == [
        ("G", "generator", 1, "fakes"),
        ("D", "discriminator", 1, "fakes_and_reals"),
        ("Dreg", "discriminator", 4, "reals"),
    ]
    assert list(phases[1].losses) == ["main"] and list(phases[2].losses) == ["r1"]
    assert [p.autocast for p in phases] == [True, True, False]
    assert [s for s in range(9) if phases[2].due(s)] == [0, 4, 8]


def test_only_the_phases_due_run_and_each_steps_its_own_network():
    phases, g, d = phases_of({"main": (None, None), "r1": (2, "discriminator")})
    make = dict.fromkeys(("fakes", "fakes_and_reals", "reals"), inputs)
    info = DistInfo(0, 1, 0, torch.device("cpu"))

    def terms(logged: dict[str, float]) -> set[str]:  # `phase/role.term` (not phase counters)
        return {k for k in logged if "." in k}

    logged = run_phases(phases, make, StepContext(info, 1, 0.0, {}))
    assert terms(logged) == {"G/main.g", "D/main.d"}          # step 1: no Dreg
    logged = run_phases(phases, make, StepContext(info, 2, 0.0, {"r1": 3.0}))
    assert terms(logged) == {"G/main.g", "D/main.d", "Dreg/r1.d"}
    d_before, g_before = d.weight.detach().clone(), g.weight.detach().clone()
    run_phases(phases[2:], make, StepContext(info, 2, 0.0, {}))  # Dreg alone: D moves, G not
    assert not torch.equal(d_before, d.weight) and torch.equal(g_before, g.weight)


def test_a_cadence_fires_when_the_images_seen_cross_a_multiple_of_it():
    assert crossed(3900, 4100, 4.0) and not crossed(4100, 7900, 4.0)
    assert not crossed(0, 10**6, None) and not crossed(0, 10**6, 0.0)
    assert Counters(step=3, images_seen=2500).kimg == 2.5
