"""`python -m inrvid` runs the CLI (torchrun uses this form too)."""

from inrvid.cli import main

raise SystemExit(main())
