"""Run-time: building components from a recipe, checkpoints, chunked rendering, metric scoring.

What the commands share to turn a validated recipe into networks (`build`), to save and
rebuild them (`checkpoint/`), to render videos in bounded chunks (`render`) and to compute
metrics on real and generated clips (`scoring/`). It imports the recipe, plug-in, video,
component and base layers, never a command package (`train`, `generation`, `evaluation`,
`data`, `scaffold`) or `inrvid.cli`.
"""
