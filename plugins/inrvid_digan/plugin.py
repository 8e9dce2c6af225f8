"""Entry point `digan`: DIGAN's generator, encoder, discriminators, losses and augments."""

from __future__ import annotations

from inrvid import Registrar, hookimpl
from inrvid.components.importers import ImporterTable
from inrvid_digan.augments import (
    DiffAugColor,
    DiffAugColorConfig,
    DiffAugTranslation,
    DiffAugTranslationConfig,
)
from inrvid_digan.discriminators import (
    DiganImageDiscriminatorConfig,
    DiganMotionDiscriminatorConfig,
    DiganMotionDiscriminatorNoDtConfig,
    ImageDiscriminator,
    MotionDiscriminator,
    MotionDiscriminatorNoDt,
)
from inrvid_digan.encoder import (
    DiganFourierConfig,
    DiganFourierEncoder,
    DiganFourierNoFMConfig,
    DiganFourierNoFMEncoder,
)
from inrvid_digan.generator import (
    DiganGenerator,
    DiganGeneratorConfig,
    DiganNoMotionConfig,
    DiganNoMotionGenerator,
    DiganSingleScaleConfig,
    DiganSingleScaleGenerator,
)
from inrvid_digan.losses import (
    NonSaturatingLogistic,
    NonSaturatingLogisticConfig,
    R1Penalty,
    R1PenaltyConfig,
)
from inrvid_digan.release_import import DiganImporter

INRVID_API = "1.1"


@hookimpl
def inrvid_register_components(registrar: Registrar) -> None:
    """Register DIGAN's components and its ablations."""
    registrar.generator(
        "digan",
        DiganGeneratorConfig,
        DiganGenerator,
        summary="DIGAN: FMM-modulated INR, coordinates + time at three scales",
    )
    registrar.generator(
        "digan_no_motion",
        DiganNoMotionConfig,
        DiganNoMotionGenerator,
        summary="DIGAN ablation: no motion latent (time heads see w only)",
    )
    registrar.generator(
        "digan_single_scale",
        DiganSingleScaleConfig,
        DiganSingleScaleGenerator,
        summary="DIGAN ablation: coordinates and time embedded at one scale",
    )
    registrar.encoder(
        "digan_fourier_xyt",
        DiganFourierConfig,
        DiganFourierEncoder,
        summary="w-conditioned Fourier features of (x, y) + f_M motion phase of t",
    )
    registrar.encoder(
        "digan_fourier_xyt_no_fm",
        DiganFourierNoFMConfig,
        DiganFourierNoFMEncoder,
        summary="DIGAN ablation: motion phase sigma_t t u without f_M",
    )
    registrar.discriminator(
        "digan_image_d",
        DiganImageDiscriminatorConfig,
        ImageDiscriminator,
        summary="StyleGAN2 residual D scoring frames one by one",
    )
    registrar.discriminator(
        "digan_motion_d",
        DiganMotionDiscriminatorConfig,
        MotionDiscriminator,
        summary="StyleGAN2 residual D on a frame pair + Δt plane (7 ch)",
    )
    registrar.discriminator(
        "digan_motion_d_no_dt",
        DiganMotionDiscriminatorNoDtConfig,
        MotionDiscriminatorNoDt,
        summary="DIGAN ablation: motion D without the Δt plane (6 ch)",
    )
    registrar.loss(
        "nonsaturating_logistic",
        NonSaturatingLogisticConfig,
        NonSaturatingLogistic,
        summary="non-saturating logistic GAN loss over every discriminator",
    )
    registrar.loss(
        "r1_penalty",
        R1PenaltyConfig,
        R1Penalty,
        summary="lazy R1 on reals (motion D: on its 7-channel input before augment)",
    )
    registrar.augment(
        "diffaug_color",
        DiffAugColorConfig,
        DiffAugColor,
        summary="DiffAugment brightness/saturation/contrast, one draw per video",
    )
    registrar.augment(
        "diffaug_translation",
        DiffAugTranslationConfig,
        DiffAugTranslation,
        summary="DiffAugment integer translation with zero fill, one draw per video",
    )


@hookimpl
def inrvid_snapshot_importers(importers: ImporterTable) -> None:
    """`inrvid import digan`: the official release's network-snapshot-*.pkl."""
    importers.add(DiganImporter())
