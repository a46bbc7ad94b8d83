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
    real = linkcheck._fast_collect
    monkeypatch.setattr(linkcheck, "_fast_collect", lambda data: fed.append(data) or real(data))
    write(out, "a/index.html", '<p id="y">y</p>')  # the fragment target disappears
    msgs = [p.format() for p in check_site(out, cache=cache)]
    assert msgs == ["output/index.html:1: broken link 'a/#x' on index.html: no element with id 'x' on a/index.html"]
    assert len(fed) == 1  # only the changed page was parsed


TRICKY = """<!doctype html>
<html><head><title>a <a href="not-a-link"> title</title>
<script src="s.js"></script><script>var x = '<a href="in-script">';</script>
<STYLE>a[href="in-style"] { }</STYLE></head>
<body><!-- <a href="in-comment"> -->
<a HREF='single.html' title="x > y">one</a>
<a
  href="multi/line/"
  id="ml">two</a><p id=bare class=c>p</p><img alt="" src=img.png />
<a name="named"></a><div name="not-an-anchor"></div><link rel="stylesheet" href="t.css?v=1&amp;w=2">
<a href="#frag&amp;x">amp</a><a href>valueless</a><source src="v.webm"><iframe src="f.html"></iframe>
</body></html>"""


def test_fast_scanner_agrees_with_the_standard_tokenizer():
    from plugins.linkcheck import _Collector, _fast_collect

    c = _Collector()
    c.feed(TRICKY)
    ids, links = _fast_collect(TRICKY)
    assert (ids, links) == (c.ids, c.links)
    urls = [u for _a, u, _l in links]
    assert "multi/line/" in urls and "single.html" in urls and "t.css?v=1&w=2" in urls
    assert not any(u.startswith("in-") for u in urls)
    assert ids == {"ml", "bare", "named"}


def test_fast_scanner_agrees_on_the_built_site(built_site):
    from plugins.linkcheck import _Collector, _fast_collect

    out = (built_site / "output").resolve()
    pages = [p for p in sorted(out.rglob("*.html")) if "pagefind" not in p.relative_to(out).parts]
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        c = _Collector()
        c.feed(text)
        assert _fast_collect(text) == (c.ids, c.links), page


def test_links_into_a_folder_still_being_written_are_deferred_then_checked(tmp_path):
    out = tmp_path / "out"
    write(out, "search/index.html", '<a href="../pagefind/ui.js">s</a> <a href="../pagefind">d</a> <a href="../nope/">n</a>')
    write(out, "index.html", '<a href="search/">s</a>')
    later: set = set()
    msgs = [p.format() for p in check_site(out, defer=("pagefind/",), deferred=later)]
    # the other links are checked now; those into the folder (or naming it) wait for it
    assert msgs == ["output/search/index.html:1: broken link '../nope/' on search/index.html: no file nope/index.html in the built site"]
    assert later == {"search/index.html"}
    (out / "pagefind").mkdir()
    msgs = [p.format() for p in check_site(out, only=sorted(later))]
    assert (
        "output/search/index.html:1: broken link '../pagefind/ui.js' on search/index.html: no file pagefind/ui.js in the built site" in msgs
    )
    (out / "pagefind" / "ui.js").write_text("")
    (out / "pagefind" / "index.html").write_text("<html></html>")
    assert [p.format() for p in check_site(out, only=sorted(later))] == [
        "output/search/index.html:1: broken link '../nope/' on search/index.html: no file nope/index.html in the built site"
    ]
