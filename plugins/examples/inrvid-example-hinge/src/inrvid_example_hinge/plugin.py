"""The plug-in module: the API version and the hook (importing it changes nothing)."""

from inrvid import Registrar, hookimpl
from inrvid_example_hinge.loss import Hinge, HingeConfig

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the hinge loss."""
    registrar.loss("example_hinge", HingeConfig, Hinge,
                   summary="hinge GAN loss: -D(fake); relu(1 + D(fake)) + relu(1 - D(real))")
