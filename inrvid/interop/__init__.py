"""Models in and out: `inrvid import` (release snapshots) and `inrvid export` (safetensors).

- `importing`: a release snapshot converted by a plug-in's importer (`inrvid.release`), its
  recipe validated, its weights loaded strictly into the networks that recipe builds, and
  written as an ordinary checkpoint with an `origin` record;
- `commands`: the two commands' arguments and actions.

A command package: it may import everything below the command layer, never `train`,
`generation` or `evaluation`. The export format itself is `inrvid.runtime.checkpoint.export`.
"""
