"""Checks across recipe sections that no single config can make, run by `recipe validate`.

- The frames the sampler shows per video against the frames each discriminator takes
  (`TimeSampler.frames_shown`, `Discriminator.frames_seen_for`).
- Role names held by config fields marked `DiscriminatorRoles` (any component, so third-party
  losses get the check from the marker alone) against the recipe's discriminator roles.

The core registers this module as one of its own plug-ins (`inrvid_check_recipe`), so its
problems are reported, located, exactly like a plug-in's.
"""

from __future__ import annotations

from typing import Any

from inrvid.components.discriminator import Discriminator
from inrvid.components.loss import referenced_roles
from inrvid.components.markers import hookimpl
from inrvid.components.registry import BuildContext, Section, VideoSpec, close_matches
from inrvid.components.sampler import TimeSampler
from inrvid.recipe.errors import Loc, RecipeProblem
from inrvid.recipe.schema import Recipe


@hookimpl
def inrvid_check_recipe(recipe: Recipe) -> list[RecipeProblem]:
    """Frames shown vs frames scored, and role names vs the recipe's roles."""
    return [*frame_problems(recipe), *role_problems(recipe)]


def _where(recipe: Recipe, section: Section[Any], key: str | None = "kind") -> Loc | None:
    """Where `key` of a section is written (None: the section's own key)."""
    parts = tuple(int(p) if p.isdigit() else p for p in section.path.split("."))
    return recipe.source.locate((*parts, key) if key else parts, key=True)


def _item(recipe: Recipe, section: Section[Any], key: str, index: int) -> Loc | None:
    parts = tuple(int(p) if p.isdigit() else p for p in section.path.split("."))
    return recipe.source.locate((*parts, key, index))


def _named(section: Section[Any]) -> str:
    """`discriminators.motion (digan_motion_d)`: the section's path and its component."""
    return f"{section.path} ({section.component.name})"


def video_of(recipe: Recipe) -> VideoSpec | None:
    """The video spec the dataset config asks for (clip length and square size), unbuilt."""
    cfg = recipe.data.config
    frames, size = getattr(cfg, "clip_frames", None), getattr(cfg, "resolution", None)
    if not isinstance(frames, int) or not isinstance(size, int):
        return None
    return VideoSpec(frames=frames, height=size, width=size)


def frames_shown(recipe: Recipe, video: VideoSpec | None) -> int | None:
    """Frames per video the recipe's sampler shows, or None when it cannot be known unbuilt.

    Samplers are plain objects that hold no weights, so the sampler is built to read it.
    """
    section = recipe.sampler
    declared = getattr(section.component.factory, "frames_shown", None)
    if isinstance(declared, int):
        return declared
    try:
        sampler = section.component.factory(section.config, BuildContext(video=video))
    except Exception:  # noqa: BLE001 - a build that fails here fails again, reported, at run time
        return None
    shown = getattr(sampler, "frames_shown", None) if isinstance(sampler, TimeSampler) else None
    return shown if isinstance(shown, int) else None


def frames_seen(section: Section[Any], video: VideoSpec) -> int | None:
    """Frames a discriminator section takes (None: any, or unknown), without building it."""
    factory = section.component.factory
    if isinstance(factory, type) and issubclass(factory, Discriminator):
        return factory.frames_seen_for(section.config, video)
    return None


def frame_problems(recipe: Recipe) -> list[RecipeProblem]:
    """A discriminator that takes a fixed number of frames other than the sampler shows."""
    video = video_of(recipe)
    shown = frames_shown(recipe, video)
    if shown is None or video is None:
        return []
    problems = []
    for role, section in recipe.discriminators.items():
        seen = frames_seen(section, video)
        if seen is None or seen == shown:
            continue
        problems.append(RecipeProblem(
            "sampler.kind",
            f"sampler '{recipe.sampler.component.name}' shows {shown} frames per video, but "
            f"discriminator {_named(section)} takes exactly {seen}",
            hint=f"discriminators.{role} is at {_where(recipe, section, None)}; choose a "
            f"sampler that shows {seen} frames or a discriminator that takes {shown}",
            loc=_where(recipe, recipe.sampler),
        ))
    return problems


def role_problems(recipe: Recipe) -> list[RecipeProblem]:
    """A config field marked with a `RoleReference` that names a role the recipe lacks."""
    problems = []
    for section in recipe.sections():
        if section is None:
            continue
        for key, (reference, names) in referenced_roles(section.config).items():
            roles = getattr(recipe, reference.section, None)
            if not isinstance(roles, dict):
                continue
            value = getattr(section.config, key)
            for index, name in enumerate(names):
                if name in roles:
                    continue
                near = close_matches(name, list(roles))
                guess = f"did you mean '{near[0]}'? " if near else ""
                listed = ", ".join(roles) or "none"
                role = reference.section.removesuffix("s")
                problems.append(RecipeProblem(
                    f"{section.path}.{key}",
                    f"{section.component.registry or 'component'} {_named(section)} names "
                    f"{role} role '{name}', which this recipe does not have",
                    hint=f"{guess}the recipe's {role} roles are: {listed}",
                    loc=_where(recipe, section, key)
                    if isinstance(value, str) else _item(recipe, section, key, index),
                    suggestions=near,
                ))
    return problems
