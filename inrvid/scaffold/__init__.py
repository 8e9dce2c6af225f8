"""`inrvid plugin new NAME --kind KIND`: a ready-to-install plug-in distribution.

It writes `inrvid-NAME/`: a pyproject with the entry point, the component and its config, the
plug-in module, a tiny recipe that uses the component on moving_shapes, a README, and a test
that runs `inrvid.testing.check_component`. As generated it installs, passes its test and trains.
The templates are in `inrvid/scaffold/templates/`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template

from inrvid.base.errors import InrvidError
from inrvid.base.files import storage_error
from inrvid.base.version import PLUGIN_API, __version__

NAME = re.compile(r"[a-z][a-z0-9_]{0,29}")

# The sections of the tiny recipe every kind starts from (a scaled-down DIGAN on moving_shapes).
BASE_RECIPE: dict[str, str] = {
    "data": "{kind: moving_shapes, resolution: 16, clip_frames: 8, videos: 32, shapes: 2}",
    "augment": "[]",
    "sampler": "{kind: digan_beta_pairs}",
    "encoder_section": "encoder: {kind: digan_fourier_xyt, features: 8}\n",
    "generator": "{kind: digan, content_dim: 16, motion_dim: 16, w_dim: 16, channel_base: 256, "
    "channel_max: 16, input_resolution: 4, extra_layers: 0}",
    "image_d": "{kind: digan_image_d, channel_base: 128, channel_max: 16}",
    "loss": "{kind: nonsaturating_logistic}",
    "eval": "{}",
}


@dataclass(frozen=True)
class Kind:
    """What `--kind` writes: the summary, the test's config and the recipe sections it replaces."""

    summary: str
    test_config: str
    recipe: dict[str, str] = field(default_factory=dict)


KINDS: dict[str, Kind] = {
    "generator": Kind(
        "a coordinate MLP video generator modulated by its latents (FiLM)",
        '{"content_dim": 8, "motion_dim": 4, "hidden": 16}',
        {"encoder_section": "", "generator": "{kind: ${component}, content_dim: 16, "
         "motion_dim: 16, hidden: 32}"},
    ),
    "encoder": Kind(
        "random Fourier features of (x, y, t) with fixed Gaussian frequencies",
        '{"features": 16}',
        {"encoder_section": "encoder: {kind: ${component}, features: 16}\n"},
    ),
    "discriminator": Kind(
        "a small convolutional per-frame discriminator",
        '{"channels": 8}',
        {"image_d": "{kind: ${component}, channels: 16}"},
    ),
    "loss": Kind("the hinge loss", "{}", {"loss": "{kind: ${component}}"}),
    "sampler": Kind(
        "pairs of times with a Beta-distributed gap", "{}", {"sampler": "{kind: ${component}}"}
    ),
    "dataset": Kind(
        "procedural clips of a bar sweeping across the frame",
        '{"resolution": 16, "clip_frames": 4, "videos": 4}',
        {"data": "{kind: ${component}, resolution: 16, clip_frames: 8, videos: 32}"},
    ),
    "metric": Kind(
        "the brightness gap between generated and real videos",
        '{"videos": 4, "frames": 2}',
        {"eval": "{every_kimg: 0.5, metrics: {brightness: {kind: ${component}, videos: 8}}}"},
    ),
    "augment": Kind(
        "a random brightness shift, one draw per video",
        '{"strength": 0.1}',
        {"augment": "[{kind: ${component}, strength: 0.1}]"},
    ),
}


def _template(name: str) -> Template:
    text = resources.files("inrvid.scaffold").joinpath("templates", name).read_text("utf-8")
    return Template(text)


def plan(name: str, kind: str) -> dict[str, str]:
    """The files of `inrvid-NAME` for `kind`: relative path -> text."""
    if not NAME.fullmatch(name):
        raise InrvidError(
            f"plug-in name '{name}': expected lower_snake ([a-z][a-z0-9_]{{0,29}})\n"
            "  it prefixes the component (NAME_<kind>) and names the package (inrvid_NAME)"
        )
    if kind not in KINDS:
        raise InrvidError(f"--kind {kind}: expected one of {', '.join(KINDS)}")
    spec = KINDS[kind]
    words = {
        "name": name,
        "name_dashed": name.replace("_", "-"),
        "kind": kind,
        "registry": kind,
        "distribution": f"inrvid-{name.replace('_', '-')}",
        "package": f"inrvid_{name}",
        "entry_point": name,
        "component": f"{name}_{kind}",
        "Class": "".join(w.capitalize() for w in f"{name}_{kind}".split("_")),
        "summary": spec.summary,
        "test_config": spec.test_config,
        "plugin_api": PLUGIN_API,
        "inrvid_version": __version__,
    }
    sections = {k: Template(v).substitute(words) for k, v in {**BASE_RECIPE, **spec.recipe}.items()}
    package = f"src/{words['package']}"
    return {
        "pyproject.toml": _template("pyproject.toml.tmpl").substitute(words),
        "README.md": _template("README.md.tmpl").substitute(words),
        f"{package}/__init__.py": f'"""{words["distribution"]}: {spec.summary}."""\n',
        f"{package}/plugin.py": _template("plugin.py.tmpl").substitute(words),
        f"{package}/{kind}.py": _template(f"{kind}.py.tmpl").substitute(words),
        f"recipes/{name}.yaml": _template("recipe.yaml.tmpl").substitute({**words, **sections}),
        f"tests/test_{kind}.py": _template("test.py.tmpl").substitute(words),
    }


def new_plugin(name: str, kind: str, parent: Path) -> Path:
    """Write `parent/inrvid-NAME/` for `kind` and return it; an existing folder is an error.

    The files are written to a temporary folder beside it, which is then renamed: a
    distribution is written whole or not at all.
    """
    files = plan(name, kind)
    target = parent / f"inrvid-{name.replace('_', '-')}"
    if target.exists():
        raise InrvidError(f"{target} already exists\n  choose another NAME or remove the folder")
    if not parent.is_dir():
        raise InrvidError(f"--dir {parent}: no such folder")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=parent))
    except OSError as exc:  # a read-only or foreign folder: one line, not a traceback
        raise storage_error(
            f"{target}/", exc, "create", "nothing was written; --dir chooses another folder"
        ) from None
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.chmod(0o755)
        staging.rename(target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):  # a full disk, a read-only folder: one line
            raise storage_error(f"{target}/", exc, "create", "nothing was written") from None
        raise
    return target


def install_path(target: Path) -> str:
    """`target` as pip reads a local path: `./inrvid-lab`, never `inrvid-lab`.

    pip looks a bare name up on the package index, where a stranger's project may have it.
    """
    text = str(target)
    if target.is_absolute() or text.startswith(("./", "../")):
        return text
    return f"./{text}"
