"""inrvid-example-film-siren: FiLM-SIREN video generators as a third-party inrvid plug-in."""
