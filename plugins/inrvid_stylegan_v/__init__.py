"""First-party inrvid plug-in `inrvid_stylegan_v` (loaded only through its entry point)."""
