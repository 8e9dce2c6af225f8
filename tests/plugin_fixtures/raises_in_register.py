from inrvid import hookimpl
from tests.plugin_fixtures.toy import ToyEncoder, ToyEncoderConfig

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar):
    registrar.encoder("half_registered", ToyEncoderConfig, ToyEncoder, summary="never kept")
    raise RuntimeError("registration exploded")
