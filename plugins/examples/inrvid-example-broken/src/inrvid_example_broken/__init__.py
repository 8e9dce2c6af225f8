"""inrvid-example-broken: fails to import on purpose."""
