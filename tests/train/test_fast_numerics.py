"""`train.numerics: fast` against `fp32`: one training step and the generator's frames, bounded.

On a CPU the fast path's reduced precision does not apply (TF32 is a CUDA matmul mode and the
policy keeps the discriminator blocks in float32 there), so these tests apply the CUDA choices
by hand: the discriminators' reduced-precision blocks in the policy's dtype (bfloat16, which
CPU convolutions support) and TF32 emulated by rounding every matmul and convolution operand
to TF32's 10-bit mantissa. Accumulation is float32 in both, as on tensor cores. Bounds
(docs/performance.md):

- one DIGAN step (G, D and R1 phases): every loss term within 2 % (relative) of fp32; the Adam
  update of every network within 30 % (relative RMS) of fp32's, with under 2 % of its entries
  of the other sign. Adam's first step is about lr·sign(gradient), so the gap is made of the
  entries whose tiny gradients change sign under rounding (measured: 0.6 %, gap 0.16);
- G's frames under TF32: max |Δ| < 0.1 and RMS |Δ| < 0.01 (frames span about ±7 untrained).
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor
from torch.overrides import TorchFunctionMode

from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.train import distributed as ddp
from inrvid.train.loop import Trainer
from inrvid.train.numerics import MixedPrecisionNetwork
from inrvid.train.optim import EMA, make_adam
from tests.conftest import REPO

# The configuration the tolerances below were stated for, pinned so that tuning the
# quickstart recipe does not move them.
TINY = [
    "data.shapes=2",
    "data.videos=512",
    "discriminators.image.channel_base=256",
    "discriminators.motion.channel_base=256",
    "train.device=cpu",
    "train.batch_size=4",
    "eval.every_kimg=null",
    "eval.metrics.swd=!drop",
    "generator.channel_max=16",
    "discriminators.image.channel_max=16",
    "discriminators.motion.channel_max=16",
]


def round_to_tf32(x: object) -> object:
    """A float32 tensor rounded to TF32 (10 mantissa bits, round to nearest); others as is."""
    if not isinstance(x, Tensor) or x.dtype != torch.float32:
        return x
    bits = x.detach().view(torch.int32)
    rounded = ((bits + 0x1000) & ~0x1FFF).view(torch.float32)
    return x + (rounded - x).detach()       # the rounded value, float32 gradients


class EmulatedTF32(TorchFunctionMode):
    """Round the float32 operands of every matmul and convolution to TF32."""

    ALL_OPERANDS = frozenset({torch.matmul, torch.bmm, torch.mm, F.linear, F.conv2d,
                              Tensor.matmul, Tensor.__matmul__})
    AFTER_FIRST = frozenset({torch.baddbmm, torch.addmm, torch.einsum})  # bias / equation first

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.ALL_OPERANDS:
            args = tuple(round_to_tf32(a) for a in args)
        elif func in self.AFTER_FIRST:
            args = (args[0], *[round_to_tf32(a) for a in args[1:]])
        return func(*args, **(kwargs or {}))


def trainer(numerics: str) -> Trainer:
    recipe = load_recipe(REPO / "recipes" / "quickstart.yaml", [*TINY, f"train.numerics={numerics}"], plugins=load_plugins())
    torch.manual_seed(0)
    return Trainer(recipe, ddp.setup("cpu"), load_plugins())


def weights(t: Trainer) -> dict[str, Tensor]:
    named = {f"G.{k}": v for k, v in t.models.generator.state_dict().items()}
    for role, d in t.models.discriminators.items():
        named |= {f"{role}.{k}": v for k, v in d.state_dict().items()}
    return {k: v.detach().clone().float() for k, v in named.items()}


def test_one_fast_step_gives_losses_and_updates_within_the_stated_tolerance_of_fp32() -> None:
    reference, fast = trainer("fp32"), trainer("fast")
    assert fast.numerics.mode == "fast"
    for d in fast.models.discriminators.values():      # the CUDA choice, applied on the CPU
        assert isinstance(d, MixedPrecisionNetwork) and d.reduced_precision_blocks()
        d.set_reduced_precision(fast.numerics.reduced_dtype)
    before = weights(reference)
    assert all(torch.equal(before[k], v) for k, v in weights(fast).items())
    clips = torch.stack([reference.dataset[i]["video"] for i in range(4)])

    terms_ref = reference.step(clips)
    with EmulatedTF32():
        terms_fast = fast.step(clips)

    assert any(k.startswith("Dreg/") for k in terms_ref)        # R1 ran (step 0)
    for key, value in terms_ref.items():
        assert terms_fast[key] == pytest.approx(value, rel=0.02, abs=1e-4), key
    after_ref, after_fast = weights(reference), weights(fast)
    for prefix in ("G.", "image.", "motion."):
        keys = [k for k in before if k.startswith(prefix)]
        step_ref = torch.cat([(after_ref[k] - before[k]).flatten() for k in keys])
        step_fast = torch.cat([(after_fast[k] - before[k]).flatten() for k in keys])
        assert step_ref.abs().max() > 0, prefix
        gap = (step_fast - step_ref).norm() / step_ref.norm()
        flipped = (step_fast.sign() != step_ref.sign()).float().mean()
        assert gap < 0.3, f"{prefix} update differs by {gap:.3f} (relative RMS)"
        assert flipped < 0.02, f"{prefix} {flipped:.2%} of the update's signs differ"


def test_fast_generator_frames_differ_from_fp32_by_less_than_the_stated_bound() -> None:
    generator = trainer("fast").models.generator.eval()
    torch.manual_seed(1)
    z_content, z_motion = torch.randn(4, generator.content_dim), torch.randn(4, generator.motion_dim)
    times = torch.sort(torch.rand(4, 3), dim=1).values
    with torch.no_grad():
        exact = generator(z_content, z_motion, times)
        with EmulatedTF32():
            rounded = generator(z_content, z_motion, times)
    gap = (rounded - exact).abs()
    assert 0 < gap.max() < 0.1, gap.max()                 # > 0: the emulation did round
    assert gap.square().mean().sqrt() < 0.01


def test_fused_adam_moves_parameters_as_the_per_tensor_loop_does() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Linear(16, 3))
    twin = copy.deepcopy(model)
    fused = make_adam(model, 0.01, (0.0, 0.99), 1e-8, interval=4)
    assert fused.defaults["fused"]
    loop = torch.optim.Adam(twin.parameters(), lr=fused.defaults["lr"],
                            betas=fused.defaults["betas"], eps=1e-8, foreach=False)
    for _ in range(3):
        x = torch.randn(5, 8)
        for net, opt in ((model, fused), (twin, loop)):
            opt.zero_grad()
            net(x).square().mean().backward()
            opt.step()
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_ema_update_of_all_tensors_at_once_equals_one_lerp_per_tensor() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4))
    ema = EMA(model, ema_kimg=0.01, rampup=None)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p))
    model.train()(torch.randn(8, 4))                      # moves the BatchNorm buffers
    beta = ema.beta(16, 1000)
    pairs = zip(ema.model.parameters(), model.parameters(), strict=True)
    expected = [a.lerp(c, 1 - beta) for a, c in pairs]
    assert ema.update(model, 16, 1000) == beta
    for got, want in zip(ema.model.parameters(), expected, strict=True):
        assert torch.equal(got, want)
    for got, want in zip(ema.model.buffers(), model.buffers(), strict=True):
        assert torch.equal(got, want)
