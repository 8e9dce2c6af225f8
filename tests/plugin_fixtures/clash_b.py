from inrvid import hookimpl
from tests.plugin_fixtures.toy import ToyEncoder, ToyEncoderConfig

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar):
    registrar.encoder("shared_name", ToyEncoderConfig, ToyEncoder, summary="from clash_b")
