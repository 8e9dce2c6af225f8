"""First-party inrvid plug-in `inrvid_datasets` (loaded only through its entry point)."""
