"""Entry point `video3d`: a 3D-convolution video discriminator over whole clips."""

from __future__ import annotations

from inrvid import Registrar, hookimpl
from inrvid_video3d.discriminator import Conv3dVideoDiscriminator, Conv3dVideoDiscriminatorConfig

INRVID_API = "1.1"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register the 3D-convolution video discriminator."""
    registrar.discriminator(
        "conv3d_video_d",
        Conv3dVideoDiscriminatorConfig,
        Conv3dVideoDiscriminator,
        summary="TGAN/MoCoGAN-style 3D-conv D scoring a whole clip",
    )
