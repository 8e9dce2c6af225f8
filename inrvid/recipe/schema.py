"""The top-level recipe model, the core sections (`train`, `eval`, `output`) and validation.

Validation runs in two phases: the top level sees each component section only as a mapping
with a `kind`; then each `kind` is looked up in its registry and the rest of the section is
validated by that component's config class (unknown keys forbidden). All problems of both
phases are reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import Field, field_validator

from inrvid.components.generator import needs_encoder
from inrvid.components.registry import (
    ComponentLookupError,
    RecipeModel,
    Section,
    close_matches,
    plural,
)
from inrvid.loading.plugins import REGISTRIES, ensure_plugins
from inrvid.recipe.errors import RecipeError, RecipeProblem
from inrvid.recipe.load import LoadedRecipe, Node, child_node, load_tree
from inrvid.train.numerics import NONFINITE_HELP, NUMERICS_HELP, NonFinite, Numerics

MAX_BATCH = 1 << 16  # videos per step; far past any GAN's, and a clear error, not a hang
MAX_KIMG = 999_999.0  # checkpoint-<images seen, 9 digits>.pt names count at most 10^9 - 1
Beta = Annotated[float, Field(ge=0, lt=1)]


class CoreSection(RecipeModel):
    """Base of the core sections: unknown keys, booleans as numbers and infinities rejected."""


class TrainConfig(CoreSection):
    """How the loop trains: batch, duration, optimisers, EMA, cadences and switches."""

    batch_size: int = Field(
        64, gt=0, le=MAX_BATCH, description="global batch (videos per step, over all ranks)"
    )
    duration_kimg: float = Field(
        25000.0,
        gt=0,
        le=MAX_KIMG,
        description="training length in thousands of videos (checkpoint names hold 9 digits)",
    )
    g_lr: float = Field(
        0.0025, gt=0, description="generator Adam learning rate (before lazy-reg rescaling)"
    )
    d_lr: float = Field(
        0.0025, gt=0, description="discriminator Adam learning rate (before rescaling)"
    )
    betas: tuple[Beta, Beta] = Field(
        (0.0, 0.99), description="Adam (beta1, beta2) before rescaling, each in [0, 1)"
    )
    eps: float = Field(1e-8, gt=0, description="Adam epsilon")
    g_reg_interval: int | None = Field(
        4,
        ge=1,
        description="G's lazy-regularisation interval for Adam rescaling (StyleGAN2: 4); "
        "null: no rescaling",
    )
    ema_kimg: float = Field(
        20.0, ge=0, description="EMA half-life of G in kimg; 0 disables the EMA"
    )
    ema_rampup: float | None = Field(
        0.05, ge=0, description="half-life is at most this fraction of images seen; null: no ramp"
    )
    checkpoint_every_kimg: float = Field(400.0, gt=0, description="checkpoint cadence in kimg")
    sample_every_kimg: float = Field(400.0, gt=0, description="sample-grid video cadence in kimg")
    log_every_kimg: float = Field(4.0, gt=0, description="cadence of metrics.jsonl lines in kimg")
    sample_videos: int = Field(8, gt=0, description="videos in each sample grid (fixed latents)")
    sample_frames: int = Field(16, gt=1, description="frames of each sample video, t in [0, 1]")
    num_workers: int = Field(2, ge=0, description="DataLoader worker processes per rank")
    numerics: Numerics = Field("fp32", description=NUMERICS_HELP)
    nonfinite: NonFinite = Field("stop", description=NONFINITE_HELP)
    compile: bool = Field(False, description="torch.compile G and D")
    init_from: str | None = Field(
        None, description="start a new run from the networks of this checkpoint, run folder or "
        "export (e.g. one written by `inrvid import`): generator, EMA and the discriminators of "
        "matching roles; optimisers, counters and data order start fresh; null: initial weights",
    )
    threads: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="CPU threads of torch per process; null: the CPUs this process may use "
        "(affinity, cgroup quota) shared by the processes of this machine, or OMP_NUM_THREADS "
        "(the `--threads` option overrides it)",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="'auto' (CUDA if available), 'cpu' or 'cuda'"
    )

    mixed_precision: bool | None = Field(
        None, exclude=True, description="removed: use `numerics` (an error names the migration)"
    )

    @field_validator("mixed_precision")
    @classmethod
    def _removed_mixed_precision(cls, value: bool | None) -> None:
        if value is not None:
            raise ValueError(
                "removed: replaced by train.numerics: release | fp32 | fast (mixed_precision: "
                "true is closest to numerics: fast; see docs/training.md)"
            )
        return None


class EvalConfig(CoreSection):
    """In-training evaluation: cadence and metrics (role name -> metric section)."""

    every_kimg: float | None = Field(None, gt=0, description="evaluation cadence; null: never")
    metrics: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="role name -> metric section `{kind: ..., ...}`"
    )


class OutputConfig(CoreSection):
    """Where runs are written and how many checkpoints are kept."""

    dir: str = Field("runs", description="runs go to <dir>/<name>/<UTC time>/")
    keep_checkpoints: int = Field(3, ge=1, description="how many of the latest checkpoints to keep")
    resume: Literal["auto", "never"] = Field(
        "auto",
        description="auto: a requeued SLURM job continues the run it started, from its newest "
        "checkpoint; never: every start is a new run (docs/scaling.md)",
    )


@dataclass(frozen=True)
class SectionKind:
    """One kind of component section: where it stands, which registry fills it, how many.

    `shape` is `one` (a mapping with a `kind`), `list` (mappings, in order) or `roles` (role
    name -> mapping). `path` is the dotted place in a recipe; its last part names the `Recipe`
    attribute. A new registry kind is one row of `SECTION_KINDS`.
    """

    path: tuple[str, ...]
    registry: str
    shape: Literal["one", "list", "roles"]
    description: str
    required: bool = True

    @property
    def attribute(self) -> str:
        """The `Recipe` attribute (and top-level key) that holds the sections."""
        return self.path[-1]

    def bodies(self, raw: Any) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
        """(path, mapping) of every section of this kind in a validated or partial raw recipe."""
        node = raw
        for part in self.path:
            node = getattr(node, part, None)
        if self.shape == "one":
            return [(self.path, node or {})]
        if self.shape == "list":
            return [((*self.path, i), body) for i, body in enumerate(node or [])]
        return [((*self.path, role), body) for role, body in (node or {}).items()]


# Every component section of a recipe, in build order (the dataset first: it sets the video).
SECTION_KINDS: tuple[SectionKind, ...] = (
    SectionKind(("data",), "dataset", "one", "the dataset section"),
    SectionKind(("augment",), "augment", "list", "augment sections, in order", required=False),
    SectionKind(("sampler",), "sampler", "one", "the time-sampler section"),
    SectionKind(
        ("encoder",),
        "encoder",
        "one",
        "the coordinate-encoder section (for a generator that needs one)",
        required=False,
    ),
    SectionKind(("generator",), "generator", "one", "the generator section"),
    SectionKind(
        ("discriminators",),
        "discriminator",
        "roles",
        "role -> discriminator section (at least one)",
    ),
    SectionKind(("losses",), "loss", "roles", "role -> loss section"),
    SectionKind(("eval", "metrics"), "metric", "roles", "role name -> metric section"),
)


def _raw_field(kind: SectionKind) -> tuple[Any, Any]:
    """The phase-one pydantic field of a top-level section kind."""
    body = dict[str, Any]
    if kind.shape == "list":
        return list[body], Field(default_factory=list, description=kind.description)
    if kind.shape == "roles":
        return dict[str, body], Field(description=kind.description)
    if not kind.required:
        return body | None, Field(None, description=kind.description)
    return body, Field(description=kind.description)


class RecipeCore(CoreSection):
    """Phase one, the core keys; `RawRecipe` adds a field per top-level section kind."""

    name: str = Field(pattern=r"^[a-z0-9-]+$", description="run name ([a-z0-9-]+)")
    description: str = Field("", description="free text")
    seed: int = Field(0, ge=0, description="each process derives its seeds from this")
    train: TrainConfig = Field(default_factory=TrainConfig, description="training options")
    eval: EvalConfig = Field(default_factory=EvalConfig, description="in-training evaluation")
    output: OutputConfig = Field(default_factory=OutputConfig, description="run output")

    @field_validator("discriminators", check_fields=False)
    @classmethod
    def _some_discriminator(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("expected at least one `role: {kind: ...}` (G trains against it)")
        return value


# Phase one: the top level, with component sections as mappings with a `kind`.
RawRecipe: type[RecipeCore] = pydantic.create_model(  # type: ignore[call-overload]
    "RawRecipe",
    __base__=RecipeCore,
    __doc__="Phase one: the top level, with component sections as mappings with a `kind`.",
    **{k.attribute: _raw_field(k) for k in SECTION_KINDS if len(k.path) == 1},
)


def component_paths(raw: RecipeCore) -> list[tuple[tuple[str | int, ...], str, dict[str, Any]]]:
    """Every component section with its path and registry, in build order."""
    return [(path, k.registry, body) for k in SECTION_KINDS for path, body in k.bodies(raw)]


@dataclass
class Recipe:
    """A validated recipe: core sections and, for each component section, a `Section`."""

    name: str
    description: str
    seed: int
    data: Section[Any]
    augment: list[Section[Any]]
    sampler: Section[Any]
    encoder: Section[Any] | None  # None: the generator declares `needs_encoder = False`
    generator: Section[Any]
    discriminators: dict[str, Section[Any]]
    losses: dict[str, Section[Any]]
    metrics: dict[str, Section[Any]]
    train: TrainConfig
    eval: EvalConfig
    output: OutputConfig
    source: LoadedRecipe = field(repr=False)

    def sections(self) -> list[Section[Any]]:
        """Every component section, in build order."""
        out: list[Section[Any]] = []
        for kind in SECTION_KINDS:
            value = getattr(self, kind.attribute)
            if kind.shape == "one":
                out += [] if value is None else [value]
            else:
                out += list(value.values() if kind.shape == "roles" else value)
        return out

    def resolved(self) -> dict[str, Any]:
        """The recipe with every default written out (plain data, `extends` flattened)."""

        def section(s: Section[Any], kind: str) -> dict[str, Any]:
            return {"kind": kind, **s.config.model_dump(mode="json")}

        kinds = _kinds_as_written(self)
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "seed": self.seed,
        }
        core = {
            "train": self.train.model_dump(mode="json"),
            "eval": self.eval.model_dump(mode="json", exclude={"metrics"}),
            "output": self.output.model_dump(mode="json"),
        }
        for kind in SECTION_KINDS:
            value = getattr(self, kind.attribute)
            if kind.shape == "one":
                if value is None:  # an optional section left out (the encoder)
                    continue
                written: Any = section(value, kinds[value.path])
            elif kind.shape == "list":
                written = [section(s, kinds[s.path]) for s in value]
            else:
                written = {r: section(s, kinds[s.path]) for r, s in value.items()}
            parent = out if len(kind.path) == 1 else core[kind.path[0]]
            parent[kind.attribute] = written
        return out | core


def _kinds_as_written(recipe: Recipe) -> dict[str, str]:
    plain = recipe.source.plain()
    out = {}
    for s in recipe.sections():
        node: Any = plain
        for part in s.path.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        out[s.path] = node["kind"]
    return out


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def _section_keys(key: str, value: Any, data: dict[str, Any]) -> list[str]:
    """The section keys a user meant by an unknown top-level `key`.

    `root` -> `data.root` (an option of a one-section component: dataset, sampler, encoder,
    generator); `ucf101.root` -> `data.root` (`key` is the section's `kind`, `value` holds
    its options).
    """
    found: list[str] = []
    for kind in SECTION_KINDS:
        body = data.get(kind.attribute) if kind.shape == "one" and len(kind.path) == 1 else None
        name = body.get("kind") if isinstance(body, dict) else None
        if not isinstance(name, str):
            continue
        try:
            options = REGISTRIES[kind.registry].get(name).config.model_fields
        except ComponentLookupError:
            continue
        if key in options:
            found.append(f"{kind.attribute}.{key}")
        elif key == name and isinstance(value, dict):
            found += [f"{kind.attribute}.{k}" for k in value if k in options]
    return found


def _pydantic_problems(
    exc: pydantic.ValidationError,
    prefix: tuple[str | int, ...],
    loaded: LoadedRecipe,
    fields: list[str],
    owner: str,
    lister: str,
) -> list[RecipeProblem]:
    """Turn pydantic errors into located problems; `owner` names the config, `lister` a command."""
    problems = []
    for err in exc.errors():
        path = prefix + tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(err["loc"][-1])
            here = owner
            if not prefix and len(path) > 1:  # a core section: train, eval, output
                here = f"the `{path[0]}` section"
                fields = list(RawRecipe.model_fields[str(path[0])].annotation.model_fields)  # type: ignore[union-attr]
            # `root=...` or `ucf101.root=...` at the top level: the key of a section's option
            data = loaded.plain()
            meant = _section_keys(key, data.get(key), data) if len(path) == 1 else []
            matches = meant or close_matches(key, fields)
            meant = meant or matches[:1]
            hint = f"did you mean {' or '.join(repr(m) for m in meant)}? " if meant else ""
            problems.append(
                RecipeProblem(
                    _dotted(path),
                    f"not an option of {here}",
                    hint=f"{hint}(`{lister}` lists its options)",
                    loc=loaded.locate(path, key=True),
                    suggestions=matches,
                )
            )
        elif kind == "missing":
            problems.append(
                RecipeProblem(
                    _dotted(path),
                    "required but missing",
                    hint=f"(`{lister}` lists the options)",
                    loc=loaded.locate(path[:-1]),
                )
            )
        elif kind in ("tuple_type", "list_type", "set_type") and isinstance(
            err.get("input"), str
        ):
            value = err["input"]  # `roles=image` for `roles=[image]`
            problems.append(
                RecipeProblem(
                    _dotted(path),
                    f"expected a list, got {value!r}",
                    hint=f"write [{value}] (a list, even of one item)",
                    loc=loaded.locate(path),
                )
            )
        else:
            value = err.get("input")
            problems.append(
                RecipeProblem(
                    _dotted(path),
                    f"{_expectation(err)}, got {value!r}",
                    loc=loaded.locate(path),
                )
            )
    return problems


def _expectation(err: Any) -> str:
    msg = str(err["msg"])
    if msg.startswith("Input should be a valid "):
        return "expected " + msg.removeprefix("Input should be a valid ").split(",")[0].replace(
            "integer", "an integer"
        ).replace("number", "a number").replace("boolean", "a boolean")
    if msg.startswith("Input should be a "):  # "a finite number"
        return "expected " + msg.removeprefix("Input should be ")
    if msg.startswith("Input should be "):
        return "expected a value " + msg.removeprefix("Input should be ")
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:]


def validate(loaded: LoadedRecipe) -> Recipe:
    """Validate a loaded recipe in two phases; raise one `RecipeError` with every problem."""
    report = ensure_plugins()
    problems = list(loaded.problems)
    data = loaded.plain()
    top_fields = list(RawRecipe.model_fields)
    raw: RecipeCore | None
    try:
        raw = RawRecipe.model_validate(data)
    except pydantic.ValidationError as exc:
        problems += _pydantic_problems(
            exc, (), loaded, top_fields, "the recipe", "inrvid recipe schema"
        )
        raw = None
    if raw is None:
        # Phase two still runs on the sections that are well-formed mappings, so that one
        # report covers a misspelt top-level key and a misspelt component option alike.
        raw = _partial_raw(data)
    sections: dict[str, Section[Any]] = {}
    failed = len(report.failures)
    for path, registry_name, body in component_paths(raw):
        section = _validate_section(path, registry_name, body, loaded, problems, failed)
        if section is not None:
            sections[section.path] = section
    _check_encoder(sections, isinstance(data, dict) and bool(data.get("encoder")), loaded, problems)
    if problems:
        raise RecipeError(_sorted(problems))
    assert raw is not None
    components: dict[str, Any] = {}
    for kind in SECTION_KINDS:
        found = {_dotted(path): path[-1] for path, _ in kind.bodies(raw)}
        if kind.shape == "one":
            components[kind.attribute] = sections.get(_dotted(kind.path))
        elif kind.shape == "list":
            components[kind.attribute] = [sections[p] for p in found]
        else:
            components[kind.attribute] = {role: sections[p] for p, role in found.items()}
    recipe = Recipe(
        name=raw.name,
        description=raw.description,
        seed=raw.seed,
        train=raw.train,
        eval=raw.eval,
        output=raw.output,
        source=loaded,
        **components,
    )
    _check_hooks(recipe)
    return recipe


def _check_encoder(
    sections: dict[str, Section[Any]],
    written: bool,
    loaded: LoadedRecipe,
    problems: list[RecipeProblem],
) -> None:
    """An `encoder:` section is there exactly when the generator declares `needs_encoder`."""
    generator = sections.get("generator")
    if generator is None:
        return
    name = generator.component.name
    if needs_encoder(generator.component.factory) and not written:
        problems.append(
            RecipeProblem(
                "encoder",
                f"required but missing: generator '{name}' embeds coordinates with it",
                hint="add `encoder: {kind: <name>}` (`inrvid plugins` lists the encoders)",
                loc=loaded.locate(("generator", "kind")),
            )
        )
    elif not needs_encoder(generator.component.factory) and written:
        problems.append(
            RecipeProblem(
                "encoder",
                f"generator '{name}' uses no coordinate encoder (it declares "
                "needs_encoder = False)",
                hint="remove the `encoder:` section",
                loc=loaded.locate(("encoder",), key=True),
            )
        )


def _partial_raw(data: dict[str, Any]) -> RecipeCore:
    """A raw recipe holding only the sections that have the right shape (for phase two)."""

    def well_formed(kind: SectionKind) -> Any:
        node: Any = data
        for part in kind.path:
            node = node.get(part) if isinstance(node, dict) else None
        if kind.shape == "one":
            return node if isinstance(node, dict) else {}
        if kind.shape == "list":
            return [s for s in node if isinstance(s, dict)] if isinstance(node, list) else []
        if not isinstance(node, dict):
            return {}
        return {r: s for r, s in node.items() if isinstance(s, dict)}

    nested = {k.attribute: well_formed(k) for k in SECTION_KINDS if len(k.path) > 1}
    return RawRecipe.model_construct(
        name="",
        eval=EvalConfig.model_construct(**nested),
        **{k.attribute: well_formed(k) for k in SECTION_KINDS if len(k.path) == 1},
    )


def _validate_section(
    path: tuple[str | int, ...],
    registry_name: str,
    body: dict[str, Any],
    loaded: LoadedRecipe,
    problems: list[RecipeProblem],
    failed_plugins: int,
) -> Section[Any] | None:
    dotted = _dotted(path)
    if not body:
        if _written(loaded, path):  # written but empty: `data: {}`, `data:`
            problems.append(
                RecipeProblem(
                    f"{dotted}.kind",
                    f"the {registry_name} section is empty; it needs `kind: <registered name>`",
                    hint=f"`inrvid plugins` lists the {plural(registry_name)}",
                    loc=loaded.locate(path, key=True),
                )
            )
        return None
    kind = body.get("kind")
    if not isinstance(kind, str):
        problems.append(
            RecipeProblem(
                f"{dotted}.kind",
                f"every {registry_name} section needs `kind: <registered name>`",
                hint=f"`inrvid plugins` lists the {plural(registry_name)}",
                loc=loaded.locate(path, key=True),
            )
        )
        return None
    try:
        component = REGISTRIES[registry_name].get(kind)
    except ComponentLookupError as exc:
        hint = exc.hint
        if failed_plugins and hint.endswith(")"):
            many = "s" if failed_plugins > 1 else ""
            hint = f"{hint[:-1]}; {failed_plugins} plug-in{many} failed to load)"
        problems.append(
            RecipeProblem(
                f"{dotted}.kind", exc.short, hint=hint, loc=loaded.locate((*path, "kind"))
            )
        )
        return None
    options = {k: v for k, v in body.items() if k != "kind"}
    try:
        config = component.config.model_validate(options)
    except pydantic.ValidationError as exc:
        problems += _pydantic_problems(
            exc,
            path,
            loaded,
            list(component.config.model_fields),
            component.name,
            f"inrvid describe {registry_name} {component.name}",
        )
        return None
    return Section(dotted, component, config)


def _written(loaded: LoadedRecipe, path: tuple[str | int, ...]) -> bool:
    """Whether the recipe sets `path` to a mapping that is empty once `!drop`s are applied.

    `data: {}` and `image: {kind: !drop}` alike: a section written with nothing left in it.
    """
    node: Node | None = loaded.root
    for part in path:
        node = child_node(node, part) if node is not None else None
    return node is not None and not node.drop and node.is_mapping and node.plain() == {}


def _sorted(problems: list[RecipeProblem]) -> list[RecipeProblem]:
    def key(p: RecipeProblem) -> tuple[int, str, int, int]:
        if p.loc is None:
            return (2, "", 0, 0)
        if p.loc.override is not None:
            return (1, p.loc.file, 0, 0)
        return (0, p.loc.file, p.loc.line, p.loc.col)

    return sorted(problems, key=key)


def _check_hooks(recipe: Recipe) -> None:
    """Run every plug-in's `inrvid_check_recipe` and report what they found, located."""
    from inrvid.loading.plugins import call_hook

    found: list[RecipeProblem] = []
    for result in call_hook("inrvid_check_recipe", recipe=recipe):
        found.extend(result or [])
    for problem in found:
        if problem.loc is None:
            parts = tuple(int(p) if p.isdigit() else p for p in problem.path.split("."))
            problem.loc = recipe.source.locate(parts)
    if found:
        raise RecipeError(_sorted(found))


def recipe_from_text(
    text: str, path: str | Path, overrides: list[str] | tuple[str, ...] = ()
) -> Recipe:
    """Validate a recipe held as text (e.g. the resolved recipe inside a checkpoint).

    `path` names where the text came from, for messages; it need not exist.
    """
    from inrvid.recipe.load import apply_override, parse_text

    problems: list[RecipeProblem] = []
    root = parse_text(text, str(path), problems)
    for number, override in enumerate(overrides, start=1):
        apply_override(root, override, number, problems)
    return validate(LoadedRecipe(root, Path(path), [Path(path)], list(overrides), problems))


def load_recipe(
    path: str | Path,
    overrides: list[str] | tuple[str, ...] = (),
    positions: list[int] | None = None,
) -> Recipe:
    """Load, merge, override and validate a recipe; a `RecipeError` lists every problem."""
    return validate(load_tree(path, overrides, positions))
