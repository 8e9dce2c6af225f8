"""Entry point `stylegan_v`: StyleGAN-V's generator, discriminator, frame sampler and R1."""

from __future__ import annotations

from inrvid import Registrar, hookimpl
from inrvid.components.importers import ImporterTable
from inrvid_stylegan_v.discriminator import StyleganVDiscriminator, StyleganVDiscriminatorConfig
from inrvid_stylegan_v.generator import StyleganVGenerator, StyleganVGeneratorConfig
from inrvid_stylegan_v.losses import StyleganVR1, StyleganVR1Config
from inrvid_stylegan_v.release_import import StyleganVImporter
from inrvid_stylegan_v.sampler import StyleganVSparse, StyleganVSparseConfig

INRVID_API = "1.1"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register StyleGAN-V's components."""
    registrar.generator(
        "stylegan_v",
        StyleganVGeneratorConfig,
        StyleganVGenerator,
        summary="StyleGAN-V: StyleGAN2 synthesis with continuous-time motion codes at 4x4",
    )
    registrar.discriminator(
        "stylegan_v_d",
        StyleganVDiscriminatorConfig,
        StyleganVDiscriminator,
        summary="StyleGAN2 residual D on sparse frames fused at 16x16, projected on time gaps",
    )
    registrar.sampler(
        "stylegan_v_sparse",
        StyleganVSparseConfig,
        StyleganVSparse,
        summary="3 sparse frames per video, span uniform on {2, 4, ..., 32}",
    )
    registrar.loss(
        "stylegan_v_r1",
        StyleganVR1Config,
        StyleganVR1,
        summary="lazy R1 through the augmentation, averaged over a video's frames",
    )


@hookimpl
def inrvid_snapshot_importers(importers: ImporterTable) -> None:
    """`inrvid import stylegan-v`: the official release's network-snapshot-*.pkl."""
    importers.add(StyleganVImporter())
