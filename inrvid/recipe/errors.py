"""Recipe problems with their source locations, and the error that reports them all at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from inrvid.base.errors import InrvidError


@dataclass(frozen=True)
class Loc:
    """A place in a recipe file (1-based line and column), or a command-line override."""

    file: str
    line: int
    col: int
    override: str | None = None

    def __str__(self) -> str:
        if self.override is not None:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class RecipeProblem:
    """One problem at a dotted recipe path, e.g. `discriminators.motion.channel_base`."""

    path: str
    message: str
    hint: str = ""
    loc: Loc | None = None
    suggestions: list[str] = field(default_factory=list)

    def headline(self) -> str:
        """`file:line:col: dotted.path: message` (an override: `command line argument N: ...`)."""
        where = f"{self.loc}: " if self.loc else ""
        if self.loc is not None and self.loc.override is not None:
            where += f"{self.loc.override}: "
        path = f"{self.path}: " if self.path else ""
        return f"{where}{path}{self.message}"

    def render(self, with_snippet: bool = True) -> str:
        """The headline, the hint, and a snippet of the file with the line marked."""
        lines = [self.headline()]
        if self.hint:
            lines.append(f"  {self.hint}")
        if with_snippet and self.loc is not None and self.loc.override is None:
            lines.extend(snippet(self.loc))
        return "\n".join(lines)


SNIPPET_BYTES = 1 << 20  # a snippet never reads more of a file than this
SNIPPET_WIDTH = 160  # nor shows more of a line


def snippet(loc: Loc, context: int = 1) -> list[str]:
    """A few lines of the file around `loc`, the line itself marked with `>` and a caret."""
    try:
        with open(loc.file, "rb") as f:
            data = f.read(SNIPPET_BYTES)
    except (OSError, ValueError):
        return []
    text = [line[:SNIPPET_WIDTH] for line in data.decode("utf-8", "replace").splitlines()]
    if not 1 <= loc.line <= len(text):
        return []
    first, last = max(loc.line - context, 1), min(loc.line + context, len(text))
    out = []
    for number in range(first, last + 1):
        mark = ">" if number == loc.line else " "
        out.append(f"  {mark} {number:4d} | {text[number - 1]}")
        if number == loc.line:
            out.append(f"         | {' ' * min(loc.col - 1, SNIPPET_WIDTH)}^")
    return out


class RecipeError(InrvidError):
    """Every problem of a recipe, reported together."""

    def __init__(self, problems: list[RecipeProblem], footer: str = "") -> None:
        self.problems = problems
        self.footer = footer
        count = len(problems)
        body = "\n".join(p.render() for p in problems)
        head = f"the recipe has {count} problem{'s' if count != 1 else ''}"
        super().__init__(f"{head}\n{body}" + (f"\n{footer}" if footer else ""))
