"""The pluggy markers of inrvid: `hookspec` for the specifications, `hookimpl` for implementations.

`hookimpl` is the one marker of hook implementations, for plug-ins (as `inrvid.hookimpl`) and
the core's own (the video readers, the recipe cross checks) alike; the specifications are in
`inrvid.loading.hookspecs`.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("inrvid")
hookimpl = pluggy.HookimplMarker("inrvid")
