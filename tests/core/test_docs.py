"""Every hook specification is documented, with its arguments, in the hook reference."""

import inspect
import re
from pathlib import Path

from inrvid.loading import hookspecs

HOOKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins" / "hooks.md"


def hook_specs():
    return {
        name: fn
        for name, fn in vars(hookspecs).items()
        if name.startswith("inrvid_") and callable(fn)
    }


def test_every_hook_spec_is_documented_with_its_arguments():
    text = HOOKS_DOC.read_text()
    documented = dict(re.findall(r"^## (inrvid_\w+)\(([^)]*)\)", text, flags=re.M))
    specs = hook_specs()
    assert specs, "no hook specs found"
    for name, fn in specs.items():
        assert name in documented, f"{name} is not documented in {HOOKS_DOC.name}"
        args = [a.strip() for a in documented[name].split(",") if a.strip()]
        assert args == list(inspect.signature(fn).parameters), f"{name}: arguments differ"
    assert set(documented) <= set(specs), "the docs describe a hook that does not exist"
