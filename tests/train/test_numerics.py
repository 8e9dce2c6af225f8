"""The numerics policy (`train.numerics`), non-finite gradients (`train.nonfinite`) and the EMA
ramp, as the release trains (issue 13.2, 13.3, 13.5)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch import Tensor, nn

from inrvid.base.errors import TrainingError
from inrvid.components.loss import Loss, PhaseInputs
from inrvid.components.registry import VideoSpec
from inrvid.loading.plugins import load_plugins
from inrvid.recipe import load_recipe
from inrvid.recipe.errors import RecipeError
from inrvid.testing import build_component
from inrvid.train.distributed import DistInfo
from inrvid.train.loop import Trainer
from inrvid.train.numerics import NumericsPolicy
from inrvid.train.optim import EMA
from inrvid.train.phases import Phase, StepContext, run_phases
from tests.conftest import REPO
from tests.digan.helpers import context
from tests.train.helpers import FAST, write_recipe

CPU = torch.device("cpu")
CPU_INFO = DistInfo(rank=0, world_size=1, local_rank=0, device=CPU)
QUICKSTART = REPO / "recipes" / "quickstart.yaml"
TINY_128_D = {"channel_base": 512, "channel_max": 8}


def release_d(name: str = "digan_image_d") -> nn.Module:
    torch.manual_seed(0)
    return build_component("discriminator", name, TINY_128_D,
                           context(VideoSpec(frames=2, height=128, width=128)))


# --- 2. precision policy ---------------------------------------------------------------------

def test_release_on_cpu_records_which_blocks_would_run_in_float16_on_cuda() -> None:
    """At 128x128 the release's num_fp16_res = 4 names b128, b64, b32, b16; on a CPU the record
    says they run in float32 here and float16 on CUDA, and the blocks are float32."""
    discs = {"image": release_d(), "motion": release_d("digan_motion_d")}
    policy = NumericsPolicy.for_run("release", CPU)
    policy.prepare(discs)
    record = policy.record(discs)
    for role in ("image", "motion"):
        assert record["blocks"][role] == {
            "reduced_blocks": ["b128", "b64", "b32", "b16"],
            "dtype_here": "float32", "dtype_on_cuda": "float16",
        }
        assert all(b.compute_dtype == torch.float32 for b in discs[role].trunk.blocks)
    assert "on cpu every block runs in float32" in record["note"]
    assert record["generator_autocast"] is None


def block_dtypes(disc: nn.Module, frames: Tensor) -> tuple[list[torch.dtype], Tensor]:
    """The dtype each trunk block computed in, and the logits."""
    seen: list[torch.dtype] = []
    hooks = [b.register_forward_hook(lambda _m, _i, out: seen.append(out.dtype))
             for b in disc.trunk.blocks]
    logits = disc(frames, torch.tensor([[0.0, 0.5]] * frames.shape[0]))
    for hook in hooks:
        hook.remove()
    return seen, logits


def test_reduced_blocks_compute_in_their_dtype_and_the_epilogue_in_float32() -> None:
    """With bfloat16 blocks (CPU can run them), b128..b16 output bfloat16, b8 and the logits
    float32, and the logits stay within 5% of the float32 network's on a fixed batch."""
    disc = release_d()
    frames = torch.rand(4, 2, 3, 128, 128, generator=torch.Generator().manual_seed(1)) * 2 - 1
    dtypes32, logits32 = block_dtypes(disc, frames)
    disc.set_reduced_precision(torch.bfloat16)
    dtypes16, logits16 = block_dtypes(disc, frames)
    assert dtypes32 == [torch.float32] * 5
    assert dtypes16 == [torch.bfloat16] * 4 + [torch.float32]
    assert logits16.dtype == torch.float32
    scale = logits32.abs().max()
    assert (logits16 - logits32).abs().max() <= 0.05 * scale


def test_g_is_never_autocast_under_release() -> None:
    """Under `numerics: release` no phase of a training step runs G inside autocast."""
    recipe = load_recipe(QUICKSTART, ["data.videos=2", "train.batch_size=2",
                                      "train.numerics=release"], plugins=load_plugins())
    trainer = Trainer(recipe, CPU_INFO, load_plugins())
    assert trainer.autocast is None
    seen: list[bool] = []
    trainer.models.generator.register_forward_pre_hook(
        lambda _m, _a: seen.append(torch.is_autocast_enabled("cpu")
                                   or torch.is_autocast_enabled("cuda")))
    clips = torch.randint(0, 255, (2, 16, 3, 32, 32), dtype=torch.uint8)
    trainer.step(clips)
    assert seen and not any(seen)
    for mode in ("release", "fp32"):
        assert NumericsPolicy.for_run(mode, torch.device("cuda")).phase_autocast() is None


TF32_SCRIPT = textwrap.dedent("""
    import json, sys, torch
    sys.path.insert(0, {repo!r})
    from tests.conftest import fixture_entry_point, install_entry_points
    from inrvid.loading.plugins import load_plugins
    install_entry_points([fixture_entry_point("toy")])
    plugins = load_plugins()
    from inrvid.recipe import load_recipe
    from inrvid.train.loop import train
    recipe = load_recipe(sys.argv[3], [*json.loads(sys.argv[4]), "train.numerics=" + sys.argv[1]],
                         plugins=plugins)
    torch.backends.cuda.matmul.allow_tf32 = not (sys.argv[1] == "fast")
    torch.backends.cudnn.allow_tf32 = not (sys.argv[1] == "fast")
    run = train(recipe, plugins, argv=[], quiet=True)
    print(json.dumps({{"run": str(run), "matmul": torch.backends.cuda.matmul.allow_tf32,
                       "cudnn": torch.backends.cudnn.allow_tf32}}))
""")


@pytest.mark.parametrize(("mode", "tf32"), [
    pytest.param("release", False, marks=pytest.mark.slow), ("fast", True)])
def test_tf32_flags_are_set_as_run_info_records_them(tmp_path, mode: str, tf32: bool) -> None:
    """In a fresh process a run sets both TF32 switches as its mode says (starting from the
    opposite) and run-info.json records the values in force."""
    recipe = write_recipe(tmp_path)
    script = TF32_SCRIPT.format(repo=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", script, mode, str(tmp_path), str(recipe), json.dumps(FAST)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["matmul"] is tf32 and out["cudnn"] is tf32
    info = json.loads((Path(out["run"]) / "run-info.json").read_text())
    assert info["numerics"]["mode"] == mode
    assert info["numerics"]["tf32"] == {"matmul": tf32, "cudnn": tf32}


def test_mixed_precision_is_refused_with_the_migration() -> None:
    """The old switch names its replacement."""
    with pytest.raises(RecipeError, match=r"train\.mixed_precision: removed: replaced by "
                       r"train\.numerics: release \| fp32 \| fast"):
        load_recipe(QUICKSTART, ["train.mixed_precision=true"], plugins=load_plugins())


# --- 3. non-finite gradients -------------------------------------------------------------------

class InfGradient(torch.autograd.Function):
    """Identity forward, +inf gradient backward: a finite loss with a non-finite gradient."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:  # type: ignore[override]
        return x.clone()

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:  # type: ignore[override]
        return torch.full_like(grad, float("inf"))


class InfGradLoss(Loss):
    def __init__(self, weight: nn.Parameter) -> None:
        super().__init__()
        self.weight = weight

    def discriminator_terms(self, inputs: PhaseInputs) -> dict[str, Tensor]:
        return {"spike": InfGradient.apply(self.weight).sum() * 0 + 1.5}


def d_phase(nonfinite: str, step: int = 7) -> tuple[nn.Linear, dict[str, float] | None, str]:
    net = nn.Linear(3, 2)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.1)
    phase = Phase("D", "discriminator", {"poison": InfGradLoss(net.weight)}, net, nn.Linear(1, 1),
                  optimizer, 1, "reals")
    ctx = StepContext(CPU_INFO, step, 0.028, {}, nonfinite=nonfinite)  # type: ignore[arg-type]

    def inputs() -> PhaseInputs:
        return PhaseInputs(network="discriminator", step=step, fake_frames=None,
                           fake_times=None, real_frames=None, real_times=None,
                           discriminators={}, augment=lambda x: x)

    try:
        return net, run_phases([phase], {"reals": inputs}, ctx), ""
    except TrainingError as exc:
        return net, None, str(exc)


def test_clean_survives_an_inf_gradient_and_counts_it() -> None:
    """`nonfinite: clean` replaces the 6 inf weight gradients by 1e5, steps, and logs 6."""
    net, logged, _ = d_phase("clean")
    assert logged is not None
    assert logged["D/nonfinite_grads"] == 6
    assert logged["D/poison.spike"] == 1.5
    assert all(torch.isfinite(p).all() for p in net.parameters())
    assert torch.equal(net.weight.grad, torch.full((2, 3), 1e5))


def test_stop_names_the_step_the_phase_and_its_terms() -> None:
    """`nonfinite: stop` stops at a finite loss with inf gradients, naming step and term."""
    _, logged, message = d_phase("stop", step=7)
    assert logged is None
    assert message.startswith("step 7 (kimg 0.028): 6 gradient values of the D phase are not "
                              "finite, its loss terms are finite (poison.spike=1.5)")
    assert "train.nonfinite: clean" in message


def test_digan_recipes_train_as_the_release() -> None:
    """The DIGAN reference recipe: numerics release, gradients cleaned."""
    recipe = load_recipe(REPO / "recipes" / "digan_ucf.yaml", plugins=load_plugins())
    assert recipe.train.numerics == "release"
    assert recipe.train.nonfinite == "clean"


# --- 5. EMA ramp -------------------------------------------------------------------------------

def test_ema_ramp_uses_the_images_seen_before_the_step() -> None:
    """β = 0 at step 0 (the average becomes a copy of G), then 0.5^(b / (rampup · seen))."""
    model = nn.Linear(2, 2)
    ema = EMA(model, ema_kimg=10, rampup=0.05)
    with torch.no_grad():
        model.weight.add_(1.0)
    assert ema.update(model, batch=64, images_seen=0) == 0.0
    assert torch.equal(ema.model.weight, model.weight)
    assert ema.beta(64, 640) == pytest.approx(0.5 ** (64 / (0.05 * 640)))


def test_the_trainer_starts_the_ema_at_a_copy_of_g() -> None:
    """After step 0 of a run the logged β is 0 and G_ema equals G."""
    recipe = load_recipe(QUICKSTART, ["data.videos=2", "train.batch_size=2"], plugins=load_plugins())
    trainer = Trainer(recipe, CPU_INFO, load_plugins())
    logged = trainer.step(torch.randint(0, 255, (2, 16, 3, 32, 32), dtype=torch.uint8))
    assert logged["ema_beta"] == 0.0
    for avg, cur in zip(trainer.ema.model.parameters(), trainer.models.generator.parameters(),
                        strict=True):
        assert torch.equal(avg, cur)
