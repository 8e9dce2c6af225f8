"""A plug-in module that cannot be imported: its dependency is never installed."""

from __future__ import annotations

import not_installed_dep  # noqa: F401  # the point of this example: an import that fails

INRVID_API = "1.0"
