"""The official StyleGAN-V code's parameter names -> inrvid_stylegan_v's (the one mapping).

Used by `inrvid import stylegan-v` (`release_import.py`), `scripts/stylegan_v_official_check.py`
and `scripts/release_snapshot_check.py`, which prove it: frames and logits of the official
networks and of inrvid's, loaded through it, agree (docs/stylegan_v.md,
docs/release-snapshots.md). Names map inrvid -> official (`src/training/networks.py`,
`motion.py`, `layers.py` of github.com/universome/stylegan-v); a tensor of the same numbers
may have another shape (`SQUEEZED`: a leading axis of 1 in the release). With `buffers`, the
release's time-frequency buffers are mapped too, so a converted network uses its exact numbers.
The FIR filters (`resample_filter`) and the truncation average (`mapping.w_avg`) have no inrvid
tensor (the importer checks the filters and notes `w_avg`).
"""

from __future__ import annotations

# inrvid names whose release tensor has an extra leading axis of 1
SQUEEZED = frozenset({"first.const", "motion.time_encoder.omega",
                      "motion.time_encoder.phase_scale", "gaps.coefs"})


def generator_names(resolutions: list[int], *, buffers: bool = False,
                    mapping_layers: int = 2) -> dict[str, str]:
    """Parameter names, inrvid -> official, of the generator (and its buffers if asked).

    `resolutions` are the synthesis blocks' after b4 (8, 16, ..., R).
    """
    names = {f"mapping.layers.{i}.{p}": f"mapping.fc{i}.{p}" for i in range(mapping_layers)
             for p in ("weight", "bias")}
    names |= {f"motion.codes.convs.{i}.{p}": f"synthesis.motion_encoder.conv.{i}.{p}"
              for i in (0, 1) for p in ("weight", "bias")}
    encoder = "synthesis.motion_encoder.time_encoder"
    names |= {"motion.time_encoder.frequency_map": f"{encoder}.periods_predictor.weight",
              "motion.time_encoder.phase_map": f"{encoder}.phase_predictor.weight",
              "motion.time_encoder.aligner_map": f"{encoder}.aligners_predictor.weight",
              "first.const": "synthesis.b4.input.input.const"}
    parts = ("weight", "bias", "affine.weight", "affine.bias")
    names |= {f"first.{ours}.{p}": f"synthesis.b4.{theirs}.{p}"
              for ours, theirs in (("conv1", "conv1"), ("to_rgb", "torgb")) for p in parts}
    for i, r in enumerate(resolutions):
        names |= {f"blocks.{i}.{ours}.{p}": f"synthesis.b{r}.{theirs}.{p}"
                  for ours, theirs in (("conv0", "conv0"), ("conv1", "conv1"),
                                       ("to_rgb", "torgb")) for p in parts}
    if buffers:
        names |= {"motion.time_encoder.omega": f"{encoder}.freqs",
                  "motion.time_encoder.phase_scale": f"{encoder}.phase_scales"}
    return names


def discriminator_names(frame_resolutions: list[int], video_resolutions: list[int], *,
                        buffers: bool = False, mapping_layers: int = 2) -> dict[str, str]:
    """Parameter names, inrvid -> official, of the discriminator (and its buffers if asked).

    `frame_resolutions` are the blocks before the frames are fused (R, ..., 2 fuse), and
    `video_resolutions` the blocks after (fuse, ..., 8).
    """
    names: dict[str, str] = {}
    convs = ("conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias", "skip.weight")
    for prefix, resolutions in (("frame_blocks", frame_resolutions),
                                ("video_blocks", video_resolutions)):
        for i, r in enumerate(resolutions):
            names |= {f"{prefix}.{i}.{p}": f"b{r}.{p}" for p in convs}
    first = frame_resolutions[0]
    names |= {f"frame_blocks.0.from_rgb.{p}": f"b{first}.fromrgb.{p}" for p in ("weight", "bias")}
    names |= {f"epilogue.{p}": f"b4.{p}" for p in ("conv.weight", "conv.bias", "fc.weight",
                                                   "fc.bias", "out.weight", "out.bias")}
    names |= {"gaps.table.weight": "time_encoder.const_embed.weight",
              "mapping.embed.weight": "mapping.embed.weight",
              "mapping.embed.bias": "mapping.embed.bias"}
    names |= {f"mapping.layers.{i}.{p}": f"mapping.fc{i}.{p}" for i in range(mapping_layers)
              for p in ("weight", "bias")}
    if buffers:
        names["gaps.coefs"] = "time_encoder.time_encoder.fourier_coefs"
    return names
