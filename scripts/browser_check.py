"""Open the built docs site in headless Chromium and fail on anything a reader would hit.

Builds the site (`mkdocs build --strict`) unless --site names a built one, serves it on
localhost, and visits every page in the system Chromium (driven by Playwright, which downloads
no browser: `executable_path` is the Debian `chromium`). A page fails on

- a console error or an uncaught exception,
- a request that fails or answers 4xx/5xx, and any request that leaves localhost
  (the site must work offline),
- an image that does not load (`naturalWidth == 0`),
- an internal link to a page or file that does not exist, or to an anchor the page lacks.

It saves screenshots of Home, a tutorial, the component reference and the gallery to --shots.
Prints one line per problem and a summary; exit status 1 if there is any problem.

    python scripts/browser_check.py [--site DIR] [--shots DIR] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import functools
import html.parser
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = {
    "home": "",
    "tutorial": "tutorials/ucf101/",
    "components": "reference/components/",
    "gallery": "gallery/",
}


class Quiet(http.server.SimpleHTTPRequestHandler):
    """A static file handler that logs nothing."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: D102
        del format, args


class Ids(html.parser.HTMLParser):
    """Collects the `id` and `name` attributes of a page (link anchors)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: D102
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


def build(into: Path) -> None:
    """`mkdocs build --strict` into a folder."""
    # Not -q: mkdocs 1.6 then drops the warnings that --strict counts, and passes a broken site.
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(into)],
                          cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"mkdocs build --strict failed:\n{done.stderr}")


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `site` on a free localhost port in a daemon thread."""
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def pages_of(site: Path) -> list[str]:
    """Every HTML page of the built site, as URL paths (`tutorials/ucf101/`)."""
    out = []
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        if rel == "." or not rel.startswith(("assets", "search")):
            out.append("" if rel == "." else rel + "/")
    for path in sorted(site.glob("*.html")):
        if path.name not in ("index.html", "404.html"):
            out.append(path.name)
    return out


def target_file(site: Path, path: str) -> Path | None:
    """The file a same-site URL path serves, or None."""
    local = site / urllib.parse.unquote(path).lstrip("/")
    if local.is_dir():
        local = local / "index.html"
    return local if local.is_file() else None


def anchors(site: Path, page: Path, cache: dict[Path, set[str]]) -> set[str]:
    """The ids on a built page (parsed once)."""
    if page not in cache:
        parser = Ids()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        cache[page] = parser.ids
    return cache[page]


def check(site: Path, shots: Path, chromium: str) -> list[str]:
    """Visit every page; return the problems found."""
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    problems: list[str] = []
    id_cache: dict[Path, set[str]] = {}
    shots.mkdir(parents=True, exist_ok=True)
    pages = pages_of(site)
    try:
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 900},
            )
            page = context.new_page()
            current = {"url": ""}

            def note(text: str) -> None:
                problems.append(f"{current['url'] or '/'}: {text}")

            def on_console(message: object) -> None:
                if getattr(message, "type", "") == "error":
                    note(f"console error: {getattr(message, 'text', message)}")

            def on_response(response: object) -> None:
                status = getattr(response, "status", 200)
                if status >= 400:
                    note(f"HTTP {status} for {getattr(response, 'url', '?')}")

            def on_route(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith(base) or url.startswith("data:") or url.startswith("blob:"):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    note(f"request leaves localhost: {url}")
                    route.abort()  # type: ignore[attr-defined]

            page.on("console", on_console)
            page.on("pageerror", lambda exc: note(f"uncaught exception: {exc}"))
            page.on("requestfailed", lambda request: note(
                f"request failed: {request.url} ({request.failure})")
                if request.url.startswith(base) else None)
            page.on("response", on_response)
            page.route("**/*", on_route)

            for path in pages:
                current["url"] = path
                page.goto(base + path, wait_until="load")
                page.wait_for_load_state("networkidle")
                broken = page.evaluate(
                    "Array.from(document.images)"
                    ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
                )
                for src in broken:
                    note(f"image does not load: {src}")
                hrefs = page.evaluate(
                    "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
                )
                for href in sorted(set(hrefs)):
                    if not href.startswith(base):
                        continue
                    parsed = urllib.parse.urlparse(href)
                    local = target_file(site, parsed.path)
                    if local is None:
                        note(f"link to a missing page or file: {parsed.path}")
                    elif parsed.fragment and local.suffix == ".html":
                        fragment = urllib.parse.unquote(parsed.fragment)
                        if fragment not in anchors(site, local, id_cache):
                            note(f"link to a missing anchor: {parsed.path}#{fragment}")
                for name, shot_path in SCREENSHOTS.items():
                    if shot_path == path:
                        page.screenshot(path=str(shots / f"{name}.png"))
            context.close()
    finally:
        server.shutdown()
    for name, shot_path in SCREENSHOTS.items():
        if shot_path not in pages:
            problems.append(f"{shot_path or '/'}: page for the '{name}' screenshot is missing")
    print(f"visited {len(pages)} pages; screenshots in {shots}", flush=True)
    return problems


def main(argv: list[str] | None = None) -> int:
    """Build (or take) the site, check it in Chromium, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--shots", type=Path, default=REPO / "site-screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        print(f"error: no Chromium at {args.chromium}\n  install the Debian package "
              "`chromium` (apt-get install chromium), or pass --chromium PATH", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        site = args.site
        if site is None:
            site = Path(scratch) / "site"
            build(site)
        problems = check(site.resolve(), args.shots, args.chromium)
    for problem in problems:
        print(f"problem: {problem}")
    print(f"browser check: {len(problems)} problems ({time.monotonic() - started:.0f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
