"""Plug-ins: discovery of installed distributions, the `Registrar`, the plug-in manager.

Loads the entry points of the group `inrvid.plugins` and the core's internal plug-ins, checks
their API version and fills the component registries. It imports `inrvid.base`,
`inrvid.components` and `inrvid.video` (whose reader hooks are internal plug-ins); never the
recipe, run-time or command layers.
"""
