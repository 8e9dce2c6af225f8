"""A plug-in for a ninth kind of component, `probe`, that only a test's table of kinds has."""

from __future__ import annotations

from pydantic import Field

from inrvid import BuildContext, ComponentConfig, hookimpl
from inrvid.components.kinds import Kind

INRVID_API = "1.0"


class Probe:
    """The base class of the kind: something a run could ask for a number."""

    def level(self) -> float:
        """The number."""
        raise NotImplementedError


# The one row that adds the kind: sections `probes: {role: {kind: ...}}`, optional.
PROBE_KIND = Kind("probe", Probe, ("probes",), "roles", "role -> probe section", required=False)


class ToyProbeConfig(ComponentConfig):
    level: float = Field(1.0, ge=0, description="the number the probe reports")


class ToyProbe(Probe):
    def __init__(self, cfg: ToyProbeConfig, ctx: BuildContext) -> None:
        self.cfg, self.seed = cfg, ctx.seed

    def level(self) -> float:
        return self.cfg.level


@hookimpl
def inrvid_register_components(registrar):
    registrar.probe("ninth_kind_probe", ToyProbeConfig, ToyProbe, summary="a probe of a test")
