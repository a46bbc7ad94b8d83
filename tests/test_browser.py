"""Real-browser tests: Playwright driving Debian's headless Chromium, with the network cut.

The built fixture site is served from 127.0.0.1 under a sub-path (``/repo/``), as on GitHub Pages
project sites. Every request that would leave localhost is recorded and aborted. Screenshots (wide
and phone, light and dark, and a citation hover card) are saved under ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)"),
]


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    prefix = "/repo"

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        if not path.startswith(self.prefix + "/"):
            return "/nonexistent"
        return super().translate_path(path[len(self.prefix) :])


@pytest.fixture(scope="module")
def server(built_site):
    site = built_site / "output"
    handler = functools.partial(_SubPathHandler, directory=str(site.resolve()))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/repo/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


class Page:
    """A page with the network cut: requests off localhost are aborted and recorded."""

    def __init__(self, browser, width=1400, height=900, scheme="light"):
        self.ctx = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        self.page = self.ctx.new_page()
        self.external, self.errors, self.failed = [], [], []

        def route(r):
            host = urlsplit(r.request.url).hostname
            if r.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
                r.continue_()
            else:
                self.external.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def goto(self, url):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_timeout(150)
        return self.page

    def shot(self, name, full=True):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)

    def close(self):
        self.ctx.close()


def test_post_math_sidenotes_figures_wide_and_phone(browser, server):
    for scheme in ("light", "dark"):
        wide = Page(browser, 1400, 900, scheme)
        page = wide.goto(server + "posts/demo-post/")
        assert page.locator(".math .katex").count() >= 3
        body = page.evaluate(
            "() => { const c = document.querySelector('.content').cloneNode(true); c.querySelectorAll('code, pre, .katex').forEach(e => e.remove()); return c.textContent; }"
        )
        assert "Cost $5." in body and "$" not in body.replace("$5", "")  # no raw TeX delimiters left
        assert page.locator(".math.display .katex-display").count() == 1
        note = page.locator(".sidenote").first
        assert note.is_visible()
        nb, cb = note.bounding_box(), page.locator(".content > p").first.bounding_box()
        assert nb["x"] >= cb["x"] + cb["width"] - 5, "sidenote sits in the right margin"
        img = page.locator("figure img").first
        assert img.evaluate("i => i.complete && i.naturalWidth > 0") and img.get_attribute("src").endswith(".svg")
        wide.shot(f"post-wide-{scheme}")
        assert not wide.errors and not wide.external and not wide.failed
        wide.close()

        phone = Page(browser, 375, 740, scheme)
        page = phone.goto(server + "posts/demo-post/")
        note = page.locator(".sidenote").first
        assert not note.is_visible()
        page.locator("a.footnote-ref").first.click()
        assert note.is_visible()
        box = note.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, "the opened note fits the phone screen"
        assert page.evaluate("document.documentElement.scrollWidth") <= 376, "no horizontal scrolling"
        phone.shot(f"post-phone-{scheme}")
        assert not phone.errors and not phone.external and not phone.failed
        phone.close()


def test_citation_hover_card_and_keyboard(browser, server):
    p = Page(browser, 1400, 900)
    page = p.goto(server + "posts/demo-post/")
    cite = page.locator("a.cite").first
    cite.hover()
    card = page.locator(".cite-card")
    card.wait_for(state="visible", timeout=3000)
    assert "Risks from learned optimization" in card.inner_text()
    p.shot("citation-hover-card", full=False)
    page.mouse.move(5, 5)
    page.wait_for_timeout(500)
    assert page.locator(".cite-card").count() == 0
    cite.focus()
    assert page.locator(".cite-card").count() == 1
    page.keyboard.press("Escape")
    assert page.locator(".cite-card").count() == 0
    assert not p.errors and not p.external
    p.close()


def test_home_and_agenda(browser, server):
    for name, path in (("home", ""), ("agenda", "agenda/"), ("bibliography", "bibliography/")):
        for scheme in ("light", "dark"):
            p = Page(browser, 1280, 900, scheme)
            page = p.goto(server + path)
            assert page.locator("h1").first.is_visible()
            if name == "agenda":
                assert page.locator(".agenda-item").count() == 26
            p.shot(f"{name}-{scheme}")
            assert not p.errors and not p.external and not p.failed, (p.errors, p.external, p.failed)
            p.close()


def test_search_finds_a_word_from_the_post(browser, server):
    p = Page(browser, 1280, 900)
    page = p.goto(server + "search/")
    page.locator(".pagefind-ui__search-input").fill("zanzibarite")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10000)
    links = [a.get_attribute("href") for a in page.locator(".pagefind-ui__result-link").all()]
    assert any("posts/demo-post/" in h for h in links)
    page.locator(".pagefind-ui__search-input").fill("quokkaesque")  # only in a draft
    page.wait_for_timeout(1500)
    assert not any("draft-post" in (a.get_attribute("href") or "") for a in page.locator(".pagefind-ui__result-link").all())
    page.locator(".pagefind-ui__search-input").fill("alignmentconcepts2026demopost")  # in the post's "Cite this" BibTeX
    page.locator(".pagefind-ui__message").wait_for(timeout=10000)
    page.wait_for_timeout(1000)
    hits = [a.get_attribute("href") for a in page.locator(".pagefind-ui__result-link").all()]
    assert not any(h.endswith("#cite-this") for h in hits), f"the citation boilerplate is not indexed: {hits}"
    p.shot("search", full=False)
    assert not p.errors and not p.external
    p.close()


def test_crawl_whole_site_under_sub_path(browser, server):
    """Every page, link, image, stylesheet and script resolves under /repo/; nothing leaves localhost."""
    p = Page(browser, 1280, 900)
    seen, queue, broken = set(), [server], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        resp = p.page.goto(url, wait_until="load")
        if resp is None or resp.status >= 400:
            broken.append(f"{url}: {resp.status if resp else 'no response'}")
            continue
        if "text/html" not in (resp.headers.get("content-type") or ""):
            continue
        for href in p.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            u = href.split("#")[0]
            if u.startswith(server) and u not in seen:
                queue.append(u)
    assert len(seen) >= 12
    assert not broken and not p.failed, (broken, p.failed)
    assert not p.external, p.external
    assert not p.errors, p.errors
    p.close()


def test_site_works_without_javascript(browser, server):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(server + "posts/demo-post/")
    href = page.locator("a.cite").first.get_attribute("href")
    assert href.startswith("#ref-") and page.locator(href.replace(":", "\\:")).count() == 1
    ctx.close()


def test_wide_equation_and_table_math_fit_a_phone(browser, server, built_site):
    """A tagged equation wider than a phone scrolls inside its box with its number after it, and
    inline math in a table does not widen the page (KaTeX's hidden MathML copy stays in the box)."""
    out = (built_site / "output").resolve()
    html = (out / "posts/demo-post/index.html").read_text()
    wide = "+".join(f"a_{{{i}}} x^{{{i}}}" for i in range(40))
    extra = (
        f'<div class="math display" id="eq-wide">\\[{wide} \\tag{{7}}\\]</div>'
        '<div class="table-wrap"><table><tr>'
        + "".join(f'<td><span class="math inline">\\(x_{{{i}}}^2\\)</span></td>' for i in range(30))
        + "</tr></table></div>"
    )
    start = html.index('<div class="content">') + len('<div class="content">')
    probe = out / "posts/phone-math-probe"
    probe.mkdir(exist_ok=True)
    (probe / "index.html").write_text(html[:start] + extra + html[start:])
    try:
        phone = Page(browser, 375, 740, "light")
        page = phone.goto(server + "posts/phone-math-probe/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 376, "no horizontal page scrolling"
        box = page.locator("#eq-wide")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the wide equation scrolls inside its own box"
        tag, base = box.locator(".tag"), box.locator(".base").last
        assert tag.bounding_box()["x"] >= base.bounding_box()["x"] + base.bounding_box()["width"] - 1, "the number follows the equation"
        phone.close()
    finally:
        shutil.rmtree(probe)
