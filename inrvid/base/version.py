"""Package and plug-in API versions (the API is versioned separately, see the plug-in guide)."""

__version__ = "0.1.0"
PLUGIN_API = "1.1"
