"""The docs' Home page shows the README's set-up commands, word for word."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)]


def test_home_page_shows_the_readme_setup_commands():
    readme = bash_blocks((REPO / "README.md").read_text())[:2]
    home = bash_blocks((REPO / "docs" / "index.md").read_text())
    assert len(readme) == 2, "the README lost its set-up and test commands"
    for command in readme:
        assert command in home, f"docs/index.md does not show the README's command: {command}"
