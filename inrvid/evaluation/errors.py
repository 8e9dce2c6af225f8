"""Errors of the evaluation commands."""

from __future__ import annotations

from inrvid.base.errors import InrvidError


class EvalArgumentError(InrvidError):
    """An argument of `inrvid eval` or `inrvid compare` is malformed or does not fit the rest."""
