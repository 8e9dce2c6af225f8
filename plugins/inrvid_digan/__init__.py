"""First-party inrvid plug-in `inrvid_digan` (loaded only through its entry point)."""
