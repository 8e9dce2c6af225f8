"""The values of `train.numerics` and `train.nonfinite`, with their help texts."""

from __future__ import annotations

from typing import Literal

Numerics = Literal["release", "fp32", "fast"]
NonFinite = Literal["stop", "clean"]
NONFINITE_HELP = (
    "stop: stop at a non-finite loss term or gradient, naming the step and the phase's terms; "
    "clean: replace NaN/±inf in gradients by 0/±1e5 before each optimiser step and count "
    "them (the release), still stopping at a non-finite loss term"
)
NUMERICS_HELP = (
    "release: the official choices (TF32 off; the discriminators' high-resolution blocks in "
    "float16 with activations clamped to ±256 and the epilogue in float32, on CUDA; G in "
    "float32); fp32: everything in float32, TF32 off; fast: TF32 on and bfloat16 blocks"
)
