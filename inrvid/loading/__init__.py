"""Plug-ins: discovery, the `Registrar`, the hook specifications and the `Plugins` value.

`inrvid.loading.plugins.load_plugins()` loads the entry points of the group `inrvid.plugins`
and the core's internal plug-ins (the video reader, the recipe cross checks), checks their API
version and fills a registry per row of the table of kinds, all held by the `Plugins` it
returns. `listing` holds `inrvid plugins` and `inrvid describe`. This layer imports
`inrvid.recipe`, `inrvid.video`, `inrvid.components`, `inrvid.release` and `inrvid.base`;
never the run-time or command layers. Nothing is imported here, so that the command line's
parser (which imports `listing`) loads no plug-in and no torch.
"""
