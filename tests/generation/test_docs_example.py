"""The Python example of docs/generation.md runs against a real checkpoint."""

from __future__ import annotations

import re

from tests.generation.conftest import REPO

DOC = REPO / "docs" / "generation.md"


def test_the_api_example_in_the_docs_runs(tiny_checkpoint):
    blocks = re.findall(r"^```python\n(.*?)^```$", DOC.read_text(), flags=re.M | re.S)
    assert len(blocks) == 1
    code = blocks[0]
    assert '"runs/quickstart"' in code
    namespace: dict = {}
    exec(compile(code.replace('"runs/quickstart"', repr(str(tiny_checkpoint))), str(DOC), "exec"),
         namespace)
    assert namespace["future"].shape == (1, 8, 3, 32, 32)
    assert float(namespace["fit"].final_loss[0]) < float(namespace["fit"].initial_loss[0])


def test_every_image_the_page_shows_exists_and_is_small():
    images = re.findall(r"\]\((img/[^)]+)\)", DOC.read_text())
    assert len(images) == 6
    for name in images:
        path = DOC.parent / name
        assert path.is_file(), name
        assert path.stat().st_size < 300_000, name
