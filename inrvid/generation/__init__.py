"""Generation: rendering in chunks, latent modes, inversion, and the notebook API.

`inrvid.load(checkpoint)` (see `inrvid.generation.api`) returns a `VideoModel`; the
`inrvid generate` and `inrvid predict` are core commands (`inrvid.cli.CORE_COMMANDS`).
"""
