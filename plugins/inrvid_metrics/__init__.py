"""First-party inrvid plug-in `inrvid_metrics` (loaded only through its entry point)."""
