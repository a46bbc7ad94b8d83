"""Internal link check of a built site: missing pages and fragments, mapped back to the source line."""

from __future__ import annotations

from pathlib import Path

from plugins.linkcheck import check_site
from plugins.site import Source


def write(out: Path, rel: str, html: str):
    p = out / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(f"<html><body><main>{html}</main></body></html>")


def test_missing_page_and_fragment_named_by_source_file_and_line(tmp_path):
    out, root = tmp_path / "out", tmp_path / "repo"
    (root / "posts").mkdir(parents=True)
    (root / "posts" / "a.md").write_text("---\ntitle: A\ndate: 2026-01-01\n---\nIntro.\n\nSee [b](../b/#sec-nope) and [c](../c/).\n")
    write(out, "posts/a/index.html", '<a href="../b/#sec-nope">b</a> <a href="../c/">c</a> <a href="#top">t</a><span id="top"></span>')
    write(out, "posts/b/index.html", '<h2 id="sec-yes">B</h2>')
    write(out, "index.html", '<a href="posts/a/">a</a> <a href="missing.css">x</a>')
    sources = [Source("posts/a.md", "post", "a", "posts/a/", 2)]
    msgs = [p.format() for p in check_site(out, sources, None, root)]
    assert "posts/a.md:7: broken link '../b/#sec-nope' on posts/a/index.html: no element with id 'sec-nope' on posts/b/index.html" in msgs
    assert "posts/a.md:7: broken link '../c/' on posts/a/index.html: no file posts/c/index.html in the built site" in msgs
    assert "output/index.html:1: broken link 'missing.css' on index.html: no file missing.css in the built site" in msgs
    assert len(msgs) == 3


def test_clean_site_has_no_problems(tmp_path):
    out = tmp_path / "out"
    write(out, "index.html", '<a href="a/#x">a</a> <a href="https://example.org/">ext</a> <a href="mailto:x@y.z">m</a>')
    write(out, "a/index.html", '<p id="x">x</p>')
    assert check_site(out) == []


def test_cached_scan_gives_the_same_answer_and_reparses_only_changed_pages(tmp_path, monkeypatch):
    from plugins import linkcheck

    out, cache = tmp_path / "out", tmp_path / "pages.json"
    write(out, "index.html", '<a href="a/#x">a</a>')
    write(out, "a/index.html", '<p id="x">x</p>')
    assert check_site(out, cache=cache) == []
    fed = []
    real = linkcheck._Collector.feed
    monkeypatch.setattr(linkcheck._Collector, "feed", lambda self, data: fed.append(data) or real(self, data))
    write(out, "a/index.html", '<p id="y">y</p>')  # the fragment target disappears
    msgs = [p.format() for p in check_site(out, cache=cache)]
    assert msgs == ["output/index.html:1: broken link 'a/#x' on index.html: no element with id 'x' on a/index.html"]
    assert len(fed) == 1  # only the changed page was parsed
