"""Citations in code, recipes and docs point at files in the repository, and at sections that exist.

A citation is a path ending in `.md` (resolved from the repository root or from the citing
file's folder, as Markdown links are; `mkdocs.yml` names pages under docs/, some generated at
build time) or a `§N` / `§N.M` section reference. In code and recipes a section refers to the
page cited last, with a `§` after it on its line, before it in the same file (on the same line
or above); in a Markdown page, to the page cited before it on the same line, or else to the
page itself. A section exists when
the page has a heading numbered N (or N.M), or, for N.M, an item M of a numbered list in
section N. The design notes that are not in the repository must not be cited at all.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOOK = REPO / "scripts" / "docs_reference.py"
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".txt", ".sh"}
SKIP_DIRS = {"site", "build", "dist", "runs", "node_modules", "__pycache__"}
CITED_PATH = re.compile(r"(?<![\w/.:-])((?:[\w.-]+/)*[\w.-]*\w\.md)(?:#[\w-]+)?")
SECTION = re.compile(r"§\s*(\d+[a-z]?(?:\.\d+)?)")
OUTSIDE_NOTES = re.compile(r"\b(digan-reference|metrics-reference|stylegan-v-reference|plugin-conventions)\b")
HEADING = re.compile(r"^#{1,6}\s+(\d+[a-z]?(?:\.\d+)?)\.?\s")
LIST_ITEM = re.compile(r"^(\d+)\.\s")


def source_files() -> Iterator[Path]:
    for path in REPO.rglob("*"):
        parts = path.relative_to(REPO).parts
        if any(p.startswith(".") or p in SKIP_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        if path.suffix in SUFFIXES and path.is_file() and path != Path(__file__).resolve():
            yield path


def generated_pages() -> set[str]:
    """Pages the docs hook adds at build time (scripts/docs_reference.py)."""
    hook = HOOK.read_text(encoding="utf-8")
    return set(re.findall(r'^\w+_PAGE = "([^"]+)"', hook, flags=re.M))


def is_citation(cited: str, line: str, end: int, citing: Path) -> bool:
    """A path to a page rather than the name of a file a command writes (`--markdown out.md`)."""
    return (
        cited.startswith(("docs/", "../"))
        or "reference" in cited
        or "architecture" in cited
        or "§" in line[end:]
        or (citing.suffix == ".md" and line[:end].endswith(f"]({cited}"))
        or citing.name == "mkdocs.yml"
    )


def resolve(cited: str, citing: Path) -> Path | None:
    bases = [REPO, citing.parent]
    if citing.name == "mkdocs.yml":
        bases = [REPO / "docs"]
    for base in [*bases, REPO / "docs"]:
        inside_docs = (base / cited).resolve()
        docs = REPO / "docs"
        if inside_docs.is_relative_to(docs) and inside_docs.relative_to(docs).as_posix() in generated_pages():
            return HOOK
    for base in bases:
        candidate = (base / cited).resolve()
        if candidate.is_file() and REPO in candidate.parents:
            return candidate
    return None


@cache
def sections(page: Path) -> frozenset[str]:
    found, current = set(), None
    for line in page.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            current = heading.group(1)
            found.add(current)
            continue
        item = LIST_ITEM.match(line)
        if item and current is not None:
            found.add(f"{current}.{item.group(1)}")
    return frozenset(found)


def problems_of(path: Path) -> list[str]:
    out: list[str] = []
    where = path.relative_to(REPO)
    text = path.read_text(encoding="utf-8", errors="replace")
    markdown = path.suffix == ".md"
    page: Path | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if markdown:
            page = path.resolve()
        if "://" in line and ".md" in line.split("://", 1)[1]:
            line = re.sub(r"\w+://\S+", "", line)               # web addresses are not files here
        for bare in OUTSIDE_NOTES.findall(line):
            out.append(f"{where}:{number}: cites the design note '{bare}', which is not in the repository")
        for match in CITED_PATH.finditer(line):
            if not is_citation(match.group(1), line, match.end(1), path):
                continue
            target = resolve(match.group(1), path)
            if target is None:
                out.append(f"{where}:{number}: cites {match.group(1)}, which is not a file in the repository")
            elif "§" in line[match.end():]:
                page = target
            for section in SECTION.findall(line[match.end():].split(".md", 1)[0]):
                if target is not None and section not in sections(target):
                    out.append(f"{where}:{number}: cites {match.group(1)} §{section}, which has no such section")
        if not any(is_citation(m.group(1), line, m.end(1), path) for m in CITED_PATH.finditer(line)):
            for section in SECTION.findall(line):
                if page is None:
                    out.append(f"{where}:{number}: §{section} follows no citation of a page in this file")
                elif section not in sections(page):
                    out.append(f"{where}:{number}: §{section} is not a section of {page.relative_to(REPO)}")
    return out


def test_every_citation_names_a_file_and_section_in_the_repository():
    problems = [p for path in source_files() for p in problems_of(path)]
    assert not problems, "citations of files or sections not in the repository:\n" + "\n".join(problems)


def test_the_checker_flags_outside_notes_missing_pages_and_sections(tmp_path, monkeypatch):
    cited = tmp_path / "docs" / "ref.md"
    cited.parent.mkdir()
    cited.write_text("# Ref\n\n## 2. Two\n\n### 2.3 Three\n\n## 8. Eight\n\n1. one\n2. two\n")
    citing = tmp_path / "code.py"
    citing.write_text(
        '"""See docs/ref.md §2.3 and §8.2."""\n'       # fine: a heading and a list item
        "# also §9\n"                                   # no section 9
        "# digan-reference.md §1\n"                     # a note outside the repository
        "# docs/missing.md\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    found = "\n".join(problems_of(citing))
    assert "§9 is not a section of docs/ref.md" in found
    assert "design note 'digan-reference'" in found
    assert "cites digan-reference.md, which is not a file" in found
    assert "cites docs/missing.md, which is not a file" in found
    assert "§2.3" not in found and "§8.2" not in found
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text("a: 1  # (§4.3)\n")
    assert problems_of(orphan) == ["orphan.yaml:1: §4.3 follows no citation of a page in this file"]
