"""Generation: rendering in chunks, latent modes, inversion, and the notebook API.

`inrvid.load(checkpoint)` (see `inrvid.generation.api`) returns a `VideoModel`; the
`inrvid generate` and `inrvid predict` commands are added by `inrvid.generation.hooks`.
"""
