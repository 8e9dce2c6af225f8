"""First-party inrvid plug-in `inrvid_video3d` (loaded only through its entry point)."""
