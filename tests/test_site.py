"""The rendered site in a real browser: headless Chromium, driven by Playwright.

Run by ``make browser`` (part of ``make test``) on the book ``make book-stored`` has just built:
``ACTBOOK_SITE`` names the folder, and the tests are skipped without it. Every page is served
from localhost and loaded with every request to another host refused, so the pages must be
self-contained. Checked on each page: no console error or uncaught exception, math typeset
(no MathJax error, no raw ``\\(`` left in the text), every image loaded and described by its
``alt`` text, every table within the column at 1280 px (on a phone tables scroll inside
themselves), no page wider than a 390 px phone screen; and, from the files, every internal link
and anchor resolves and the API page documents every public name.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

SITE = Path(os.environ["ACTBOOK_SITE"]).resolve() if os.environ.get("ACTBOOK_SITE") else None
CHROMIUM = os.environ.get("ACTBOOK_CHROMIUM") or shutil.which("chromium")
#: Flags that keep a sandboxed, offline Chromium from reaching out (see the env notes).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE, DESKTOP = 390, 1280

pytestmark = pytest.mark.skipif(
    SITE is None or CHROMIUM is None,
    reason="the browser test needs ACTBOOK_SITE (a built site) and Chromium: run make browser",
)


_REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.I)


def _pages() -> list[str]:
    if SITE is None or not SITE.is_dir():
        return []
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts)


def _is_redirect(path: str) -> bool:
    return bool(_REDIRECT.search((SITE / path).read_text(encoding="utf-8")))


ALL_PAGES = _pages()
#: The pages a reader sees; the site's root page only redirects to the book's first page.
PAGES = [p for p in ALL_PAGES if not _is_redirect(p)]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


#: JavaScript: text of the page outside code, with the TeX delimiters MathJax should have
#: replaced; MathJax error nodes; images not loaded; the widths.
_PROBE = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const skip = "pre, code, script, style, textarea, .highlight, mjx-container, .MathJax";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    if (/\\\(|\\\[|\$\$/.test(text)) raw.push(text.trim().slice(0, 80));
  }
  return {
    raw: raw,
    mathErrors: document.querySelectorAll("mjx-merror").length,
    images: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
                                .map(i => i.getAttribute("src")),
    badAlt: [...document.images]
      .filter(i => !i.alt || /_images\/|\.(png|svg|jpg)$/.test(i.alt))
      .map(i => i.getAttribute("src")),
    // figures: stored at twice their size, drawn unsquashed, each a link to its full image
    figures: [...document.querySelectorAll("figure img, .cell_output img")].map(i => {
      const box = i.getBoundingClientRect();
      const link = i.closest("a");
      return {
        src: i.getAttribute("src"),
        sharp: i.naturalWidth >= 1.9 * box.width,
        squashed: Math.abs(box.height * i.naturalWidth - box.width * i.naturalHeight)
                  > 0.02 * box.width * i.naturalHeight,
        linked: !!link && link.getAttribute("href") === i.getAttribute("src"),
      };
    }),
    wideTables: [...document.querySelectorAll("table")]
      .filter(t => t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
      .map(t => (t.querySelector("th, td") || {}).textContent),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
}
"""


def _visit(browser, url: str, width: int) -> tuple[dict, list[str], list[str]]:
    """Load ``url`` at ``width`` px; return the probe, console errors and refused requests."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    refused: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(url.split("/", 3)[0] + "//" + url.split("/", 3)[2]):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    probe = page.evaluate(_PROBE)
    page.close()
    return probe, errors, refused


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline_without_errors(browser, base_url: str, path: str) -> None:
    probe, errors, refused = _visit(browser, base_url + path, DESKTOP)
    assert not refused, f"{path} needs the network for {refused[:5]}"
    assert not errors, f"{path}: console errors {errors[:5]}"
    assert probe["mathErrors"] == 0, f"{path}: {probe['mathErrors']} MathJax errors"
    assert not probe["raw"], f"{path}: TeX left untypeset: {probe['raw'][:3]}"
    assert not probe["images"], f"{path}: images not loaded: {probe['images']}"
    assert not probe["badAlt"], f"{path}: images without a text alternative {probe['badAlt']}"
    assert not probe["wideTables"], f"{path}: tables wider than the column {probe['wideTables']}"
    figures = probe["figures"]
    assert not [f["src"] for f in figures if not f["sharp"]], f"{path}: figures below 2x"
    assert not [f["src"] for f in figures if not f["linked"]], (
        f"{path}: figures that do not open at full size")


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone(browser, base_url: str, path: str) -> None:
    probe, _, _ = _visit(browser, base_url + path, PHONE)
    assert probe["scrollWidth"] <= probe["innerWidth"], (
        f"{path} is {probe['scrollWidth']} px wide on a {probe['innerWidth']} px screen")
    squashed = [f["src"] for f in probe["figures"] if f["squashed"]]
    assert not squashed, f"{path}: figures drawn out of proportion on a phone: {squashed}"


_LINK = re.compile(r'<a\s[^>]*href="([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')


@functools.cache
def _ids(path: Path) -> frozenset[str]:
    return frozenset(_ID.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", PAGES)
def test_internal_links_and_anchors_resolve(path: str) -> None:
    page = SITE / path
    broken = []
    for href in _LINK.findall(page.read_text(encoding="utf-8")):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("mailto:"):
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(href)
        elif parts.fragment and target.suffix == ".html" and parts.fragment not in _ids(target):
            broken.append(href)
    assert not broken, f"{path}: broken links {broken[:10]}"


def test_the_site_has_its_pages() -> None:
    assert {"book/01_introduction.html", "book/api.html", "genindex.html"} <= set(PAGES)


@pytest.mark.parametrize("path", [p for p in ALL_PAGES if p not in PAGES])
def test_redirects_lead_to_a_page(path: str) -> None:
    (target,) = _REDIRECT.findall((SITE / path).read_text(encoding="utf-8"))
    assert ((SITE / path).parent / target).resolve().relative_to(SITE).as_posix() in PAGES


def test_the_probe_sees_raw_tex_wide_pages_and_console_errors(browser) -> None:
    """The checks above can fail: a page without MathJax, wider than a phone, with an error,
    and a figure that is blurred, squashed and not a link."""
    page = browser.new_page(viewport={"width": PHONE, "height": 600})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
             "nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==")
    page.set_content(r'<p>\(x^2\)</p><div style="width: 600px">wide</div>'
                     f'<figure><img src="{pixel}" alt="a dot" width="40" height="20"></figure>'
                     "<script>undefinedFunction()</script>")
    probe = page.evaluate(_PROBE)
    page.close()
    assert probe["figures"] == [{"src": pixel, "sharp": False, "squashed": True, "linked": False}]
    assert probe["raw"] == [r"\(x^2\)"]
    assert probe["scrollWidth"] > probe["innerWidth"]
    assert errors and "undefinedFunction" in errors[0]


def _public_modules() -> list[str]:
    import pkgutil

    import actbook

    root = Path(actbook.__file__).parent
    return ["actbook"] + [m.name for m in pkgutil.walk_packages([str(root)], "actbook.")
                          if not m.name.endswith("__main__")
                          and not any(p.startswith("_") for p in m.name.split("."))]


def _defined_names(module_name: str) -> list[str]:
    """Public names a module defines itself: functions, classes and assigned constants."""
    import ast
    import importlib

    source = Path(importlib.import_module(module_name).__file__).read_text(encoding="utf-8")
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


@pytest.mark.parametrize("module_name", _public_modules() if SITE else [])
def test_api_reference_documents_every_public_name(module_name: str) -> None:
    ids = _ids(SITE / "book" / "api.html")
    assert module_name in {i.removeprefix("module-") for i in ids}, f"{module_name}: no section"
    missing = [n for n in _defined_names(module_name) if f"{module_name}.{n}" not in ids]
    assert not missing, f"book/api.html does not document {module_name}: {missing}"


def test_search_snippets_show_no_tex_and_keep_cells_apart(browser, base_url: str) -> None:
    page = browser.new_page(viewport={"width": DESKTOP, "height": 900})
    page.goto(base_url + "search.html?q=SwiGLU", wait_until="load")
    page.wait_for_function("document.querySelectorAll('p.context').length >= 5",
                           timeout=30_000)
    page.wait_for_timeout(1000)  # the remaining pages' snippets
    snippets = page.eval_on_selector_all("p.context", "ps => ps.map(p => p.textContent)")
    page.close()
    assert snippets
    assert not [s for s in snippets if "\\(" in s or "\\[" in s or "\\operatorname" in s]
    assert not [s for s in snippets if "SwiGLUSwiGLU" in s]
