from pydantic import ConfigDict, Field

from inrvid import ComponentConfig, hookimpl
from tests.plugin_fixtures.toy import ToyEncoder

INRVID_API = "1.0"


class LaxConfig(ComponentConfig):
    model_config = ConfigDict(extra="allow", frozen=True)
    size: int = Field(1, description="a size")


@hookimpl
def inrvid_register_components(registrar):
    registrar.encoder("lax_encoder", LaxConfig, ToyEncoder, summary="relaxes extra")
