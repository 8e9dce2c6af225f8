"""The top-level recipe model, the core sections (`train`, `eval`, `output`) and validation.

Validation runs in two phases: the top level sees each component section only as a mapping
with a `kind`; then each `kind` is looked up in its registry and the rest of the section is
validated by that component's config class (unknown keys forbidden). All problems of both
phases are reported at once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import pydantic
from pydantic import Field, field_validator

from inrvid.components.generator import needs_encoder
from inrvid.components.kinds import Kind
from inrvid.components.registry import (
    ComponentLookupError,
    HookCaller,
    RecipeModel,
    Registry,
    Section,
    close_matches,
    plural,
)
from inrvid.recipe.errors import RecipeError, RecipeProblem
from inrvid.recipe.load import LoadedRecipe, Node, child_node, load_tree
from inrvid.recipe.options import NONFINITE_HELP, NUMERICS_HELP, NonFinite, Numerics

MAX_BATCH = 1 << 16  # videos per step; far past any GAN's, and a clear error, not a hang
MAX_KIMG = 999_999.0  # checkpoint-<images seen, 9 digits>.pt names count at most 10^9 - 1
Beta = Annotated[float, Field(ge=0, lt=1)]


class Catalog(HookCaller, Protocol):
    """The loaded plug-ins as validation sees them (`inrvid.loading.Plugins` is one).

    The table of kinds, each kind's registry, the number of plug-ins that failed to load (for
    hints) and the hooks (`inrvid_check_recipe`).
    """

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The table of kinds the registries were made from."""
        ...

    def registry(self, kind: str) -> Registry[Any]:
        """The registry of `kind`."""
        ...

    def failed_count(self) -> int:
        """How many plug-ins failed to load."""
        ...


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


def _raw_field(kind: Kind) -> tuple[Any, Any]:
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
    """Phase one, the core keys; `raw_model` adds a field per top-level section kind."""

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


@functools.cache
def raw_model(kinds: tuple[Kind, ...]) -> type[RecipeCore]:
    """Phase one: the top level, with each top-level kind's sections as mappings with a `kind`.

    Kinds whose sections stand deeper (`eval.metrics`) are fields of their core section.
    """
    model: type[RecipeCore] = pydantic.create_model(  # type: ignore[call-overload]
        "RawRecipe",
        __base__=RecipeCore,
        __doc__="Phase one: the top level, with component sections as mappings with a `kind`.",
        **{k.attribute: _raw_field(k) for k in kinds if len(k.path) == 1},
    )
    return model


def component_paths(
    raw: Any, kinds: tuple[Kind, ...]
) -> list[tuple[tuple[str | int, ...], str, dict[str, Any]]]:
    """Every component section with its path and registry, in build order."""
    return [(path, k.name, body) for k in kinds for path, body in k.bodies(raw)]


@dataclass
class Recipe:
    """A validated recipe: core sections and, for each kind of the table, its `Section`s.

    `parts` maps each kind's attribute (`data`, `augment`, `discriminators`, ...) to a
    `Section` (None for an optional one left out), a list of them or role -> `Section`, as the
    kind's shape says; the core's kinds are also properties (`recipe.generator`).
    """

    name: str
    description: str
    seed: int
    train: TrainConfig
    eval: EvalConfig
    output: OutputConfig
    kinds: tuple[Kind, ...] = field(repr=False)
    parts: dict[str, Any]
    source: LoadedRecipe = field(repr=False)

    @property
    def data(self) -> Section[Any]:
        """The dataset section."""
        return self.parts["data"]

    @property
    def augment(self) -> list[Section[Any]]:
        """The augment sections, in order."""
        return self.parts["augment"]

    @property
    def sampler(self) -> Section[Any]:
        """The time-sampler section."""
        return self.parts["sampler"]

    @property
    def encoder(self) -> Section[Any] | None:
        """The encoder section; None: the generator declares `needs_encoder = False`."""
        return self.parts["encoder"]

    @property
    def generator(self) -> Section[Any]:
        """The generator section."""
        return self.parts["generator"]

    @property
    def discriminators(self) -> dict[str, Section[Any]]:
        """Role -> discriminator section."""
        return self.parts["discriminators"]

    @property
    def losses(self) -> dict[str, Section[Any]]:
        """Role -> loss section."""
        return self.parts["losses"]

    @property
    def metrics(self) -> dict[str, Section[Any]]:
        """Role -> metric section (`eval.metrics`)."""
        return self.parts["metrics"]

    def sections_of(self, kind: Kind) -> list[Section[Any]]:
        """The sections of one kind, in recipe order."""
        value = self.parts[kind.attribute]
        if kind.shape == "one":
            return [] if value is None else [value]
        return list(value.values() if kind.shape == "roles" else value)

    def sections(self) -> list[Section[Any]]:
        """Every component section, in build order."""
        return [s for kind in self.kinds for s in self.sections_of(kind)]

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
        for kind in self.kinds:
            value = self.parts[kind.attribute]
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


def _section_keys(key: str, value: Any, data: dict[str, Any], plugins: Catalog) -> list[str]:
    """The section keys a user meant by an unknown top-level `key`.

    `root` -> `data.root` (an option of a one-section component: dataset, sampler, encoder,
    generator); `ucf101.root` -> `data.root` (`key` is the section's `kind`, `value` holds
    its options).
    """
    found: list[str] = []
    for kind in plugins.kinds:
        body = data.get(kind.attribute) if kind.shape == "one" and len(kind.path) == 1 else None
        name = body.get("kind") if isinstance(body, dict) else None
        if not isinstance(name, str):
            continue
        try:
            options = plugins.registry(kind.name).get(name).config.model_fields
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
    plugins: Catalog | None = None,
) -> list[RecipeProblem]:
    """Turn pydantic errors into located problems; `owner` names the config, `lister` a command.

    With `plugins`, an unknown top-level key that is an option of a section is named as such.
    """
    problems = []
    for err in exc.errors():
        path = prefix + tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(err["loc"][-1])
            here = owner
            if not prefix and len(path) > 1:  # a core section: train, eval, output
                here = f"the `{path[0]}` section"
                fields = list(RecipeCore.model_fields[str(path[0])].annotation.model_fields)  # type: ignore[union-attr]
            # `root=...` or `ucf101.root=...` at the top level: the key of a section's option
            data = loaded.plain()
            meant = (_section_keys(key, data.get(key), data, plugins)
                     if len(path) == 1 and plugins is not None else [])
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


def validate(loaded: LoadedRecipe, plugins: Catalog) -> Recipe:
    """Validate a loaded recipe in two phases; raise one `RecipeError` with every problem.

    `plugins` are the loaded plug-ins: their table of kinds says which sections a recipe has,
    their registries what each `kind:` names, and their `inrvid_check_recipe` hooks run last.
    """
    kinds = plugins.kinds
    raw_recipe = raw_model(kinds)
    problems = list(loaded.problems)
    data = loaded.plain()
    top_fields = list(raw_recipe.model_fields)
    raw: RecipeCore | None
    try:
        raw = raw_recipe.model_validate(data)
    except pydantic.ValidationError as exc:
        problems += _pydantic_problems(
            exc, (), loaded, top_fields, "the recipe", "inrvid recipe schema", plugins
        )
        raw = None
    if raw is None:
        # Phase two still runs on the sections that are well-formed mappings, so that one
        # report covers a misspelt top-level key and a misspelt component option alike.
        raw = _partial_raw(data, kinds)
    sections: dict[str, Section[Any]] = {}
    failed = plugins.failed_count()
    for path, registry_name, body in component_paths(raw, kinds):
        registry = plugins.registry(registry_name)
        section = _validate_section(path, registry, body, loaded, problems, failed)
        if section is not None:
            sections[section.path] = section
    _check_encoder(sections, isinstance(data, dict) and bool(data.get("encoder")), loaded, problems)
    if problems:
        raise RecipeError(_sorted(problems))
    assert raw is not None
    components: dict[str, Any] = {}
    for kind in kinds:
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
        kinds=kinds,
        parts=components,
        source=loaded,
    )
    _check_hooks(recipe, plugins)
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


def _partial_raw(data: dict[str, Any], kinds: tuple[Kind, ...]) -> RecipeCore:
    """A raw recipe holding only the sections that have the right shape (for phase two)."""

    def well_formed(kind: Kind) -> Any:
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

    nested = {k.attribute: well_formed(k) for k in kinds if len(k.path) > 1}
    return raw_model(kinds).model_construct(
        name="",
        eval=EvalConfig.model_construct(**nested),
        **{k.attribute: well_formed(k) for k in kinds if len(k.path) == 1},
    )


def _validate_section(
    path: tuple[str | int, ...],
    registry: Registry[Any],
    body: dict[str, Any],
    loaded: LoadedRecipe,
    problems: list[RecipeProblem],
    failed_plugins: int,
) -> Section[Any] | None:
    dotted = _dotted(path)
    registry_name = registry.name
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
        component = registry.get(kind)
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


def _check_hooks(recipe: Recipe, plugins: Catalog) -> None:
    """Run every plug-in's `inrvid_check_recipe` and report what they found, located."""
    found: list[RecipeProblem] = []
    for result in plugins.call_hook("inrvid_check_recipe", recipe=recipe):
        found.extend(result or [])
    for problem in found:
        if problem.loc is None:
            parts = tuple(int(p) if p.isdigit() else p for p in problem.path.split("."))
            problem.loc = recipe.source.locate(parts)
    if found:
        raise RecipeError(_sorted(found))


def recipe_from_text(
    text: str, path: str | Path, overrides: list[str] | tuple[str, ...] = (), *, plugins: Catalog
) -> Recipe:
    """Validate a recipe held as text (e.g. the resolved recipe inside a checkpoint).

    `path` names where the text came from, for messages; it need not exist.
    """
    from inrvid.recipe.load import apply_override, parse_text

    problems: list[RecipeProblem] = []
    root = parse_text(text, str(path), problems)
    for number, override in enumerate(overrides, start=1):
        apply_override(root, override, number, problems)
    return validate(
        LoadedRecipe(root, Path(path), [Path(path)], list(overrides), problems), plugins
    )


def load_recipe(
    path: str | Path,
    overrides: list[str] | tuple[str, ...] = (),
    positions: list[int] | None = None,
    *,
    plugins: Catalog,
) -> Recipe:
    """Load, merge, override and validate a recipe; a `RecipeError` lists every problem."""
    return validate(load_tree(path, overrides, positions), plugins)
