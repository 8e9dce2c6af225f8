"""Which metrics `inrvid eval` runs and with what config: names, protocol, counts, weights.

Metrics come from `--metrics fvd,kvd,is` (names of registered metrics, with the short alias
`is` for `inception_score`) or, without it, from the checkpoint recipe's `eval.metrics`.
Command-line settings then apply to every metric whose config has the field: `--protocol`,
the counts, `--weights NAME=PATH` and `<metric>.<option>=value` tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic
import yaml

from inrvid.base.errors import WeightsError
from inrvid.components.metric import Metric
from inrvid.components.registry import BuildContext, Component, Registry
from inrvid.evaluation.errors import EvalArgumentError

METRIC_ALIASES: dict[str, str] = {"is": "inception_score"}
# Which registered metrics each `--weights` network name applies to.
DETECTOR_METRICS: dict[str, tuple[str, ...]] = {
    "i3d": ("fvd", "kvd"),
    "c3d": ("inception_score",),
    "inception": ("fid",),
}


@dataclass
class MetricPlan:
    """One metric to build: its role (the name results are keyed by), component and config."""

    role: str
    component: Component[Metric]
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def fields(self) -> set[str]:
        """The option names the metric's config accepts."""
        return set(self.component.config.model_fields)

    def set(self, key: str, value: Any) -> bool:
        """Set `key` if the config has it; whether it did."""
        if key in self.fields:
            self.config[key] = value
            return True
        return False


def recipe_metric_sections(resolved: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A resolved recipe's `eval.metrics` sections by role (no plug-in needed to read them)."""
    return dict((resolved.get("eval") or {}).get("metrics") or {})


def plans_from_names(
    text: str, metrics: Registry[Metric], configured: Mapping[str, Mapping[str, Any]] | None = None
) -> list[MetricPlan]:
    """`fvd,kvd,is` -> one plan per name (an unknown name raises, naming the close matches).

    A name that the recipe's `eval.metrics` configures (`configured`: sections by role; matched
    by role, or by kind when one role has it) starts from the recipe's settings, e.g. the
    quickstart's 64-video SWD rather than the metric's built-in 2048; command-line settings
    still apply on top. Other recipe metrics are not looked up: their plug-ins may be absent.
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise EvalArgumentError(
            f"--metrics: got '{text}', expected comma-separated metric names\n"
            "  e.g. --metrics fvd,kvd,is"
        )
    sections = configured or {}
    plans = []
    for name in names:
        kind = METRIC_ALIASES.get(name, name)
        component = metrics.get(kind)

        def same_kind(section: Mapping[str, Any], wanted: str = component.name) -> bool:
            return str(section.get("kind", "")).rsplit(":", 1)[-1] == wanted

        same = [s for role, s in sections.items() if role == name and same_kind(s)]
        same = same or [s for s in sections.values() if same_kind(s)]
        config = {k: v for k, v in same[0].items() if k != "kind"} if len(same) == 1 else {}
        plans.append(MetricPlan(name, component, config))
    duplicates = sorted({p.role for p in plans if [q.role for q in plans].count(p.role) > 1})
    if duplicates:
        raise EvalArgumentError(
            f"--metrics: names {', '.join(duplicates)} more than once\n  list each metric once"
        )
    return plans


def plans_from_recipe(resolved: Mapping[str, Any], metrics: Registry[Metric]) -> list[MetricPlan]:
    """A resolved recipe's `eval.metrics` (e.g. a checkpoint's), by role, configs as set there.

    Only the metrics' plug-ins are needed, not the rest of the recipe's.
    """
    return [
        MetricPlan(role, metrics.get(section["kind"]),
                   {k: v for k, v in section.items() if k != "kind"})
        for role, section in recipe_metric_sections(resolved).items()
    ]


def parse_weights(items: list[str]) -> dict[str, str]:
    """`["i3d=/w/i3d.pt", ...]` -> `{"i3d": "/w/i3d.pt"}`."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise EvalArgumentError(
                f"--weights: got '{item}', expected NAME=PATH\n"
                f"  e.g. --weights i3d=/data/weights/i3d_pretrained_400.pt (names: "
                f"{', '.join(DETECTOR_METRICS)}, or a metric name)"
            )
        out[name] = path
    return out


def parse_value(text: str) -> Any:
    """A command-line value as YAML reads it: `3` is an int, `null` None, `true` a bool."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_weights(plans: list[MetricPlan], weights: dict[str, str]) -> None:
    """Set `weights_path` of the metrics each `--weights NAME=PATH` names."""
    roles = {p.role: p for p in plans}
    for name, path in weights.items():
        if name in DETECTOR_METRICS:
            targets = [p for p in plans if p.component.name in DETECTOR_METRICS[name]]
        elif name in roles:
            targets = [roles[name]]
        else:
            raise EvalArgumentError(
                f"--weights {name}=...: got '{name}', expected a network "
                f"({', '.join(DETECTOR_METRICS)}) or one of the metrics ({', '.join(roles)})\n"
                "  e.g. --weights i3d=/data/weights/i3d_pretrained_400.pt"
            )
        for plan in targets:
            if not plan.set("weights_path", path):
                raise EvalArgumentError(
                    f"--weights {name}=...: metric '{plan.role}' takes no weight file\n"
                    "  drop this --weights option"
                )


def apply_metric_options(plans: list[MetricPlan], options: dict[str, dict[str, Any]]) -> None:
    """Set `<role>.<option>=value` tokens; an unknown role or option is an error."""
    roles = {p.role: p for p in plans}
    for role, values in options.items():
        plan = roles.get(role)
        if plan is None:
            raise EvalArgumentError(
                f"{role}.{next(iter(values))}=…: got metric '{role}', expected one of the "
                f"metrics evaluated ({', '.join(roles)}) or data\n  check the name before the dot"
            )
        for key, value in values.items():
            if not plan.set(key, value):
                raise EvalArgumentError(
                    f"{role}.{key}=…: metric '{plan.component.name}' has no option '{key}'; "
                    f"expected one of {', '.join(sorted(plan.fields))}\n"
                    f"  `inrvid describe metric {plan.component.name}` lists them"
                )


def apply_shared(plans: list[MetricPlan], settings: dict[str, Any]) -> None:
    """Set each non-None setting (protocol, counts) on every metric whose config has it."""
    for plan in plans:
        for key, value in settings.items():
            if value is not None:
                plan.set(key, value)


def _validation_message(role: str, exc: pydantic.ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "config"
        lines.append(f"metric '{role}': {where}: got {err.get('input')!r}, {err['msg']}")
    return "\n".join(lines)


def _weights_hint(plan: MetricPlan) -> str:
    """The `--weights` option that fixes a missing weight file of `plan`'s metric."""
    network = next(
        (n for n, kinds in DETECTOR_METRICS.items() if plan.component.name in kinds), plan.role
    )
    spec = getattr(plan.component.factory, "spec", None)
    file_names = getattr(spec, "file_names", None)
    file_name = file_names[0] if file_names else "FILE"
    return f"  on the command line: inrvid eval ... --weights {network}=/path/to/{file_name}"


def build_plans(plans: list[MetricPlan], ctx: BuildContext) -> dict[str, Metric]:
    """Validate every config and build the metrics (weight files are resolved here)."""
    metrics: dict[str, Metric] = {}
    for plan in plans:
        try:
            cfg = plan.component.config.model_validate(plan.config)
        except pydantic.ValidationError as exc:
            raise EvalArgumentError(
                f"{_validation_message(plan.role, exc)}\n"
                f"  `inrvid describe metric {plan.component.name}` lists the options"
            ) from None
        try:
            metrics[plan.role] = plan.component.build(cfg, ctx)
        except WeightsError as exc:
            raise WeightsError(f"{exc}\n{_weights_hint(plan)}") from None
    return metrics
