"""A plug-in that calls sys.exit while it is imported."""

import sys

INRVID_API = "1.0"

sys.exit(7)
