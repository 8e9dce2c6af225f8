"""The official DIGAN code (github.com/sihyun-yu/digan) for the benchmarks that compare with it.

Nothing of it is copied here: `import_official` imports it from a checkout at run time, with
the shims a current CPU software stack needs, each used only when the real thing is missing
or cannot run here:
- `numpy.float` (removed from NumPy; a default argument of its layers.py);
- `omegaconf`: a stand-in giving attribute access to plain dicts;
- `psutil` (its training loop reports the process's memory): `resource`'s peak RSS;
- `torchvision` (its dataset module imports `transforms.ToTensor` and, for UCF-101 only,
  `UCF101`, `VideoClips`, `make_dataset`): `ToTensor` for RGB images, the others unusable;
- `src.metrics.metric_main` (pulls in its FVD code): a stand-in that refuses metrics, which the
  benchmarks never ask for;
- its `ImageFolderDataset._file_ext` is a staticmethod declared with `self` (dataset.py:604-606),
  so every call with a file name fails: replaced by the same function of the name alone;
- its `InfiniteSampler` passes the dataset to `torch.utils.data.Sampler.__init__`, which takes
  no argument in current PyTorch: that `__init__` accepts and ignores it;
- its dataset draws `np.random.beta(a, b, size=1)` and converts the 1-element array with
  `int()`, which NumPy 2 refuses: its module gets a `numpy` whose `random.beta` returns that
  same draw as a scalar when `size=1`;
- its training loop asks for `torch.device('cuda', rank)`, CUDA events, CUDA memory counters
  and pinned memory: `cpu_torch` gives it a `torch` whose device is the CPU and whose CUDA
  counters are no-ops. Every tensor operation is torch's own.
Also here: the official networks' configuration at a given size, their weights under
inrvid's parameter names, and the checks that both sides agree.
"""

from __future__ import annotations

import inspect
import resource
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import torch
from inrvid_digan.official_names import generator_names, trunk_names


def how_to_get(script: str) -> str:
    """The one-line message of a script run without --official."""
    return (f"{script}: --official PATH is required, a checkout of the official DIGAN code: "
            f"git clone https://github.com/sihyun-yu/digan ~/src/digan && python "
            f"benchmarks/{script} --official ~/src/digan")


# ---------------------------------------------------------------------------------------------
# Stand-ins for what the official code imports


class _AttrDict(dict):
    """What the official code reads from an OmegaConf node: attribute and key access, .get."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc


def _attr_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return _AttrDict({k: _attr_tree(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_attr_tree(v) for v in value]
    return value


def _omegaconf_stand_in() -> types.ModuleType:
    module = types.ModuleType("omegaconf")

    class OmegaConf:
        create = staticmethod(lambda cfg=None: _attr_tree(cfg or {}))
        to_container = staticmethod(lambda cfg, **_: cfg)

    module.OmegaConf = OmegaConf  # type: ignore[attr-defined]
    module.DictConfig = _AttrDict  # type: ignore[attr-defined]
    return module


def _psutil_stand_in() -> types.ModuleType:
    module = types.ModuleType("psutil")

    class Process:
        def __init__(self, pid: int | None = None) -> None:
            del pid

        def memory_info(self) -> types.SimpleNamespace:   # peak RSS: ru_maxrss is in KiB
            return types.SimpleNamespace(rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                         * 1024)

    module.Process = Process  # type: ignore[attr-defined]
    return module


def _torchvision_stand_in() -> dict[str, types.ModuleType]:
    """`torchvision` as far as the release's dataset module uses it for frame folders."""

    class ToTensor:
        """PIL RGB image -> float `c h w` in [0, 1] (torchvision's ToTensor for uint8 RGB)."""

        def __call__(self, image: Any) -> torch.Tensor:
            array = np.asarray(image.convert("RGB"), dtype=np.uint8)
            return torch.from_numpy(array.copy()).permute(2, 0, 1).float() / 255

    class Unavailable:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("torchvision is not installed: only frame-folder datasets work")

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("torchvision is not installed: only frame-folder datasets work")

    modules = {name: types.ModuleType(name) for name in (
        "torchvision", "torchvision.transforms", "torchvision.datasets",
        "torchvision.datasets.video_utils", "torchvision.datasets.folder")}
    modules["torchvision.transforms"].ToTensor = ToTensor  # type: ignore[attr-defined]
    modules["torchvision.datasets"].UCF101 = Unavailable  # type: ignore[attr-defined]
    modules["torchvision.datasets.video_utils"].VideoClips = Unavailable  # type: ignore[attr-defined]
    modules["torchvision.datasets.folder"].make_dataset = unavailable  # type: ignore[attr-defined]
    modules["torchvision"].transforms = modules["torchvision.transforms"]  # type: ignore[attr-defined]
    modules["torchvision"].datasets = modules["torchvision.datasets"]  # type: ignore[attr-defined]
    return modules


def _metric_main_stand_in() -> types.ModuleType:
    module = types.ModuleType("src.metrics.metric_main")

    def calc_metric(**_: Any) -> Any:
        raise RuntimeError("the benchmarks run the official training loop with metrics=[]")

    module.calc_metric = calc_metric  # type: ignore[attr-defined]
    module.report_metric = calc_metric  # type: ignore[attr-defined]
    module.is_valid_metric = lambda _: False  # type: ignore[attr-defined]
    return module


def _install_if_missing(name: str, make: Any) -> None:
    try:
        __import__(name)
    except ImportError:
        made = make()
        sys.modules.update(made if isinstance(made, dict) else {name: made})


# ---------------------------------------------------------------------------------------------
# Importing the official code


def import_official(path: Path, script: str) -> types.SimpleNamespace:
    """The official networks, loss, diffaugment and ops modules, from the checkout at `path`."""
    src = path / "src"
    if not (src / "training" / "networks.py").is_file():
        raise SystemExit(f"{script}: --official {path}: no src/training/networks.py there\n"
                         + how_to_get(script))
    if not hasattr(np, "float"):
        np.float = float  # type: ignore[attr-defined]  # a default argument of its layers.py
    _install_if_missing("omegaconf", _omegaconf_stand_in)
    sys.path[:0] = [str(src), str(path)]     # `training`, `torch_utils`, and `src.training`
    import dnnlib
    from torch_utils import misc, training_stats
    from torch_utils.ops import bias_act, conv2d_gradfix, upfirdn2d
    from training import loss, networks

    return types.SimpleNamespace(networks=networks, loss=loss, misc=misc, bias_act=bias_act,
                                 upfirdn2d=upfirdn2d, conv2d_gradfix=conv2d_gradfix,
                                 dnnlib=dnnlib, training_stats=training_stats,
                                 diffaugment=sys.modules["src.training.diffaugment"])


def import_training(off: types.SimpleNamespace) -> types.SimpleNamespace:
    """The official training loop (on the CPU, see `cpu_torch`) and dataset modules."""
    _install_if_missing("psutil", _psutil_stand_in)
    _install_if_missing("torchvision", _torchvision_stand_in)
    if "src.metrics.metric_main" not in sys.modules:
        import src.metrics

        sys.modules["src.metrics.metric_main"] = _metric_main_stand_in()
        src.metrics.metric_main = sys.modules["src.metrics.metric_main"]  # type: ignore[attr-defined]
    from training import dataset, training_loop

    training_loop.torch = cpu_torch()  # type: ignore[attr-defined]
    dataset.np = scalar_beta_numpy()  # type: ignore[attr-defined]
    sampler = torch.utils.data.Sampler
    if "data_source" not in inspect.signature(sampler.__init__).parameters:
        sampler.__init__ = lambda self, data_source=None: None  # type: ignore[method-assign]
    dataset.ImageFolderDataset._file_ext = staticmethod(  # type: ignore[attr-defined]
        lambda fname: Path(fname).suffix.lower())
    return types.SimpleNamespace(training_loop=training_loop, dataset=dataset, **vars(off))


class _Unpinned(torch.Tensor):
    """A CPU tensor whose `pin_memory()` is itself (no accelerator to pin for)."""

    def pin_memory(self, *args: Any, **kwargs: Any) -> torch.Tensor:  # type: ignore[override]
        return self.as_subclass(torch.Tensor)


class _NoEvent:
    """A CUDA event's interface, timing nothing."""

    def __init__(self, **_: Any) -> None:
        pass

    def record(self, *_: Any) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def elapsed_time(self, _: Any) -> float:
        return 0.0


def scalar_beta_numpy() -> types.ModuleType:
    """`numpy` for the release's dataset module: `random.beta(a, b, size=1)` gives the draw as
    a scalar (NumPy 2 no longer converts a 1-element array with `int()`); all else is NumPy."""
    module = types.ModuleType("numpy")
    module.__dict__.update({k: v for k, v in vars(np).items() if not k.startswith("__")})

    def beta(a: float, b: float, size: Any = None) -> Any:
        draw = np.random.beta(a, b, size=size)
        return draw[0] if size == 1 else draw

    module.random = types.SimpleNamespace(  # type: ignore[attr-defined]
        **{k: getattr(np.random, k) for k in dir(np.random) if not k.startswith("__")})
    module.random.beta = beta  # type: ignore[attr-defined]
    return module


def cpu_torch() -> types.ModuleType:
    """`torch` for the official training loop's module: its device is the CPU, its CUDA
    events and memory counters do nothing, `from_numpy(...).pin_memory()` is a no-op."""
    module = types.ModuleType("torch")
    module.__dict__.update({k: v for k, v in vars(torch).items() if not k.startswith("__")})
    module.device = lambda *_, **__: torch.device("cpu")  # type: ignore[attr-defined]
    module.from_numpy = lambda array: torch.from_numpy(array).as_subclass(_Unpinned)  # type: ignore[attr-defined]
    module.cuda = types.SimpleNamespace(  # type: ignore[attr-defined]
        Event=_NoEvent, current_stream=lambda *_: None, max_memory_allocated=lambda *_: 0,
        reset_peak_memory_stats=lambda *_: None)
    return module


# ---------------------------------------------------------------------------------------------
# The official networks' configuration


def extra_layers(resolution: int) -> int:
    """The release's extra layer at the last scale; none at 32² or below, where the official
    code would add one to every block working at 32 (its key is the working resolution)."""
    return 1 if resolution > 32 else 0


def generator_cfg(*, resolution: int, features: int, input_resolution: int = 32,
                  extra: int | None = None) -> dict[str, Any]:
    """configs/digan.yml's generator section at these sizes."""
    scale = {"predictable_emb_size": features, "use_cosine": True}
    coords = {
        "enabled": True, "per_resolution": True, "kernel_size": 1, "coord_dim": 2,
        "fallback": False, "use_full_cache": False, "global_motion": False, "motion_sigma": 0.25,
        "res_configs": {str(2 ** i): dict(scale) for i in range(2, 11)},
    }
    layers = extra_layers(resolution) if extra is None else extra
    return {
        "fp32": True, "upsampling_mode": "nearest", "use_noise": False, "fmaps": 1,
        "num_extra_convs": {str(resolution): layers} if layers else {},
        "input": {"type": "coords", "resolution": input_resolution,
                  "coord_fuser_cfg": coords},
        "coords": coords, "fmm": {"enabled": True, "rank": 10, "activation": "demod"},
    }


def generator_kwargs(*, resolution: int, features: int, channel_max: int,
                     channel_base: int = 32768, z_dim: int = 512, w_dim: int = 512,
                     input_resolution: int = 32, extra: int | None = None) -> dict[str, Any]:
    """train.py's `G_kwargs` (generator.fp32: no float16 blocks, no clamp)."""
    return {
        "class_name": "training.networks.Generator", "z_dim": z_dim, "w_dim": w_dim,
        "mapping_kwargs": {"num_layers": 2},
        "synthesis_kwargs": {"channel_base": channel_base, "channel_max": channel_max,
                             "num_fp16_res": 0, "conv_clamp": None},
        "cfg": generator_cfg(resolution=resolution, features=features,
                             input_resolution=input_resolution, extra=extra),
    }


def discriminator_kwargs(*, channel_max: int, channel_base: int = 32768,
                         num_fp16_res: int = 0, mbstd_group: int = 4) -> dict[str, Any]:
    """train.py's `D_kwargs` (residual, conv_clamp 256, minibatch std in groups of 4)."""
    return {
        "class_name": "training.networks.OurDiscriminator", "architecture": "resnet",
        "channel_base": channel_base, "channel_max": channel_max, "num_fp16_res": num_fp16_res,
        "conv_clamp": 256, "block_kwargs": {}, "mapping_kwargs": {},
        "epilogue_kwargs": {"mbstd_group_size": mbstd_group},
    }


def construct(off: types.SimpleNamespace, kwargs: dict[str, Any], resolution: int) -> Any:
    """A network from its kwargs, as the official training loop constructs it (unconditional)."""
    return off.dnnlib.util.construct_class_by_name(
        **kwargs, c_dim=0, img_resolution=resolution, img_channels=3, ours=True)


def release_adam(params: Any, lr: float, betas: tuple[float, float], interval: int | None,
                 eps: float = 1e-8) -> torch.optim.Adam:
    """Adam as the official training loop makes it for a lazily regularised network
    (training_loop.py:221-225): lr and both betas scaled by mb_ratio = N / (N + 1)."""
    ratio = 1.0 if interval is None else interval / (interval + 1)
    return torch.optim.Adam(params, lr=lr * ratio, betas=tuple(b ** ratio for b in betas),
                            eps=eps)


# ---------------------------------------------------------------------------------------------
# Official weights -> inrvid names


def load_exactly(module: torch.nn.Module, weights: dict[str, torch.Tensor], what: str) -> None:
    """Copy `weights` into `module`; every parameter must be covered, with the same shape."""
    own = module.state_dict()
    missing = sorted(set(own) - set(weights))
    extra = sorted(set(weights) - set(own))
    wrong = [k for k in own if k in weights and own[k].shape != weights[k].shape]
    if missing or extra or wrong:
        raise SystemExit(f"{what}: weights do not map: missing {missing[:5]}, unexpected "
                         f"{extra[:5]}, shapes differ {wrong[:5]}")
    module.load_state_dict({k: v.to(own[k].dtype) for k, v in weights.items()})


def load_official_weights(models: Any, off_g: Any, off_d: Any, resolution: int) -> None:
    """Official G and D (both discriminators) weights into inrvid's `Models`."""
    load_exactly(models.generator, generator_names(off_g.state_dict()), "generator")
    load_exactly(models.discriminators["image"],
                 trunk_names(off_d.imageD.state_dict(), resolution), "image D")
    load_exactly(models.discriminators["motion"],
                 trunk_names(off_d.videoD.state_dict(), resolution), "motion D")


# ---------------------------------------------------------------------------------------------
# Data in the release's layout

# The release's ImageFolderDataset reads frame folders only under a path that names one of its
# datasets ('SKY' or 'kinetics': training/dataset.py:578-585 sets the folder it lists only
# then), from <root>/train/<video>/<frame>.png, cutting each video into clips of `nframes`
# consecutive frames (dataset.py:130-140, sorted file names).
RELEASE_FOLDER = "moving_shapes-SKY"


def export_frame_folders(dataset: Any, root: Path) -> Path:
    """Write every clip of `dataset` (uint8 `f c h w`, unflipped) as
    `<root>/train/video-00000/frame00000.png, ...`, one video folder per clip; return root."""
    from inrvid.generation.output import write_png

    for index in range(len(dataset)):
        folder = root / "train" / f"video-{index:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        for k, frame in enumerate(dataset[index]["video"]):
            write_png(folder / f"frame{k:05d}.png", frame)
    return root


def release_dataset_kwargs(root: Path, *, resolution: int, frames: int, xflip: bool,
                           seed: int) -> dict[str, Any]:
    """train.py's `training_set_kwargs` for frame folders at `root` (unconditional)."""
    return {"class_name": "training.dataset.ImageFolderDataset", "path": str(root),
            "resolution": resolution, "nframes": frames, "train": True, "use_labels": False,
            "max_size": None, "xflip": xflip, "random_seed": seed}
