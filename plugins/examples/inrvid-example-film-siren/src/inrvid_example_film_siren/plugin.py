"""The plug-in module: the API version and the hook (importing it changes nothing)."""

from inrvid import Registrar, hookimpl
from inrvid_example_film_siren.generator import (
    FilmSiren,
    FilmSirenConfig,
    FilmSirenNoMotion,
    FilmSirenNoMotionConfig,
)

INRVID_API = "1.0"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the FiLM-SIREN generator family."""
    registrar.generator("example_film_siren", FilmSirenConfig, FilmSiren,
                        summary="FiLM-SIREN: a sine network of (x, y, t) modulated by w, z_motion")
    registrar.generator("example_film_siren_no_motion", FilmSirenNoMotionConfig,
                        FilmSirenNoMotion,
                        summary="FiLM-SIREN without a motion latent (time frequencies shared)")
