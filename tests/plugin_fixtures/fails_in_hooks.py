"""A plug-in that loads and registers, then fails in every later hook (INRVID_FIXTURE_FAIL).

INRVID_FIXTURE_FAIL=raise (the default) raises RuntimeError; =exit calls sys.exit(5).
"""

import os
import sys

from inrvid import hookimpl

INRVID_API = "1.0"


def _fail(hook):
    if os.environ.get("INRVID_FIXTURE_FAIL") == "exit":
        sys.exit(5)
    raise RuntimeError(f"{hook} exploded")


@hookimpl
def inrvid_add_commands(commands):
    commands.add("fixture-hello", help="never added", configure=lambda p: None, run=lambda a: 0)
    _fail("inrvid_add_commands")


@hookimpl
def inrvid_check_recipe(recipe):
    _fail("inrvid_check_recipe")


@hookimpl(tryfirst=True)
def inrvid_open_video(path):
    _fail("inrvid_open_video")
