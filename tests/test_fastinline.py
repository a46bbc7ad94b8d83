"""The inline-pattern prefilter (plugins/fastinline.py) must never change what Markdown produces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plugins import fastinline
from plugins.bibliography import Bibliography
from plugins.errors import BuildError
from plugins.render import RenderContext, render

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ctx():
    bib = Bibliography.load(sorted((ROOT / "bib").glob("*.bib")))
    return RenderContext(bib=bib.export_labels(), figures=set(), urls={}, bib_suggest=bib.suggest)


def _dump(tree):
    """The LaTeX snapshot tree as plain data (attribute values may be None: valueless attributes)."""
    if tree is None:
        return None
    return [(el.tag, sorted((k, repr(v)) for k, v in el.attrib.items()), el.text, el.tail) for el in tree.iter()]


def both(text, path, ctx, monkeypatch):
    """HTML and LaTeX snapshot with and without the prefilter (errors compared as messages)."""
    from plugins import render as render_mod

    out = []
    for fast in (True, False):
        with monkeypatch.context() as m:
            # Each thread keeps its Markdown converter: a fresh one is built for each mode, or the
            # plain render would reuse the converter the prefilter was installed on.
            m.setattr(render_mod._MD, "md", None)
            if not fast:
                m.setattr(fastinline, "install", lambda md: md)
            try:
                d = render(text, path, ctx)
                out.append((d.html, _dump(getattr(d, "tree", None)), sorted(p.format() for p in d.problems)))
            except BuildError as e:
                out.append(("error", sorted(p.format() for p in e.problems)))
    return out


def test_every_piece_in_the_repository_renders_identically(ctx, monkeypatch):
    sources = sorted(ROOT.glob("posts/*.md")) + sorted(ROOT.glob("papers/*/paper.md")) + [ROOT / "docs" / "authoring.md"]
    assert len(sources) > 20
    for src in sources:
        fast, plain = both(src.read_text(encoding="utf-8"), src.relative_to(ROOT).as_posix(), ctx, monkeypatch)
        assert fast == plain, src


def test_triggers_are_found_for_the_common_patterns():
    from plugins.render import _make_md

    md = _make_md(None, None, None, 1)
    inline = md.treeprocessors["inline"]
    assert type(inline) is fastinline.FastInlineProcessor
    triggers = {item.name: fastinline._trigger_of(inline.inlinePatterns[item.name])[0] for item in inline.inlinePatterns._priority}
    assert triggers["acx_math"].pattern == r"[\$]" and triggers["footnote"].pattern == r"\[\^"
    assert triggers["acx_xref"].pattern == "[@]"  # the optional '[' before '@' is skipped, not a reason to give up
    # Required text longer than a character: a URL needs '://' or (case-insensitively) 'www.'; an
    # ellipsis needs '...', not just a full stop.
    assert triggers["magic-link"].pattern == r"www\.|://" and triggers["magic-link"].flags & re.IGNORECASE
    starts = {item.name: inline.inlinePatterns[item.name].getCompiledRegExp() for item in inline.inlinePatterns._priority}
    assert isinstance(starts["acx_xref"], fastinline.ScanFirst) and starts["acx_xref"].first.pattern == r"[@\[]"
    assert isinstance(starts["link"], fastinline.ScanFirst)
    assert not isinstance(starts["acx_math"], fastinline.ScanFirst)  # begins with a literal: the engine skips ahead itself
    smarty = md.treeprocessors["smarty"]
    assert type(smarty) is fastinline.FastInlineProcessor


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        (r"(?i)kelvin", "\u212aelvin"),  # a case fold to a character that is not k or K
        (r"(?:ab|c)d?", "c"),
        (r"x*y", "y"),
        (r"(?<=a)b", "ab"),
        (r"\d+", "7"),
    ],
)
def test_trigger_never_excludes_a_real_match(regex, text):
    compiled = re.compile(regex)
    assert compiled.search(text)
    trig = fastinline.trigger(compiled)
    assert trig is None or trig.search(text), (regex, trig.pattern)


def _patterns():
    from plugins.render import _make_md

    md = _make_md(None, None, None, 1)
    out = []
    for name in ("inline", "smarty", "smart-symbols"):
        if name in md.treeprocessors:
            proc = md.treeprocessors[name]
            out += [proc.inlinePatterns[i.name].getCompiledRegExp() for i in proc.inlinePatterns._priority]
    return out


SCANNED = [rx for rx in _patterns() if isinstance(rx, fastinline.ScanFirst)]


def _spans(matches):
    return [(m.span(), m.groups()) for m in matches]


@pytest.mark.parametrize(
    ("regex", "first"),
    [
        (r"(?<!\\)(`+)x", "[`]"),
        (r"(?:a|b)?c", "[abc]"),
        (r"(?<=x)(?:ab|cd)", "[ac]"),
        (r"x", None),  # a literal first: the engine already skips ahead
        (r"a?", None),  # can match nothing: it can begin anywhere
        (r"(?i)(?<!x)k", None),  # a case fold (K, the Kelvin sign) the class would have to list
        (r"(?<!x)\w", None),
    ],
)
def test_first_chars(regex, first):
    got = fastinline.first_chars(re.compile(regex))
    assert (got.pattern if got else None) == first


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    index=st.integers(min_value=0),
    text=st.lists(
        st.sampled_from(list("ab 1\n`\\$@[]!<>&'\"-.~^:/") + ["@fig-a", "[@fig-b]", "...", "--", "---", "&amp;", "<b>"]), max_size=30
    ).map("".join),
    pos=st.integers(min_value=0, max_value=40),
)
def test_scanning_from_the_first_characters_finds_the_same_matches(index, text, pos):
    rx = SCANNED[index % len(SCANNED)]
    pos = min(pos, len(text))
    assert _spans(rx.finditer(text, pos)) == _spans(rx.regex.finditer(text, pos)), rx.regex.pattern
    assert _spans(filter(None, [rx.search(text, pos)])) == _spans(filter(None, [rx.regex.search(text, pos)]))


ALPHABET = list("ab 1\n*_`$@[]()!<>&'\"-.~+=^:#{}|\\/") + ["http://x.org", "@fig-a", "[@key]", "$$", "  \n", "www.", "x@y.z"]


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(body=st.lists(st.sampled_from(ALPHABET), max_size=50).map("".join))
@example(body="'a' \"b\" -- ... <-- != +- `c` *d* _e_ ~~f~~ <http://x.org> x@y.z &amp;")
@example(body="x@y.z{a}")  # found by this test: a valueless attribute in the snapshot tree
def test_random_markdown_renders_identically(ctx, monkeypatch, body):
    fast, plain = both("---\ntitle: T\ndate: 2026-01-01\n---\n" + body, "posts/t.md", ctx, monkeypatch)
    assert fast == plain


def _mask_reference(body: str) -> str:
    """The character-by-character masking ``render.mask_source`` replaced (kept as the reference)."""
    out = list(body)

    def blank(a, b):
        for i in range(a, b):
            if out[i] != "\n":
                out[i] = " "

    for m in re.finditer(r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\2[`~]*[ \t]*$", body, re.M | re.S):
        blank(m.start(), m.end())
    masked = "".join(out)
    for m in re.finditer(r"(`+)(?!`).+?(?<!`)\1(?!`)", masked, re.S):
        blank(m.start(), m.end())
    masked = "".join(out)
    for m in re.finditer(r"\$\$.*?\$\$", masked, re.S):
        blank(m.start(), m.end())
    masked = "".join(out)
    for m in re.finditer(r"(?<![\\$])\$(?=\S)(?:[^$\n]|\n(?!\s*\n))+?(?<![\s\\])\$", masked):
        blank(m.start(), m.end())
    return "".join(out)


def test_mask_source_matches_the_reference_on_every_piece():
    from plugins.render import mask_source

    files = sorted(ROOT.glob("posts/*.md")) + sorted(ROOT.glob("papers/*/paper.md")) + sorted(ROOT.glob("docs/*.md"))
    assert len(files) > 20
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert mask_source(text) == _mask_reference(text), f


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(list("ab \n\t`~$\\") + ["```", "~~~", "$$", "```py\n", "\n```\n", "\n\n"]), max_size=40).map("".join))
def test_mask_source_matches_the_reference_on_random_text(text):
    from plugins.render import mask_source

    assert mask_source(text) == _mask_reference(text)


def _count_inline_runs(monkeypatch) -> list:
    """A list that gets, for each inline pass run from now on, its number of patterns."""
    from markdown.treeprocessors import InlineProcessor

    runs = []
    real = InlineProcessor.run

    def counted(self, tree, ancestors=None):
        runs.append(len(self.inlinePatterns))
        return real(self, tree, ancestors)

    monkeypatch.setattr(InlineProcessor, "run", counted)
    return runs


def test_a_pass_whose_triggers_appear_nowhere_is_not_run(ctx, monkeypatch):
    """The typographic-symbols pass (three patterns) is skipped for a document holding none of
    '+/-', '=/=', '-->' or '<--', and run for one that holds one; the HTML is plain
    Python-Markdown's either way."""
    runs = _count_inline_runs(monkeypatch)
    for body, symbols_pass in (("Plain words, a 'quote' -- and *emphasis*.", False), ("Costs +/- 3 and a --> b.", True)):
        runs.clear()
        fast, plain = both("---\ntitle: T\ndate: 2026-01-01\n---\n" + body, "posts/t.md", ctx, monkeypatch)
        assert fast == plain
        assert runs.count(3) == (2 if symbols_pass else 1), runs  # the plain render always runs it


def test_a_pass_of_many_patterns_is_skipped_when_no_trigger_string_appears(ctx, monkeypatch):
    """Smarty's pass has 18 patterns whose triggers are all plain strings; they reduce to four
    (a string holding another is left out), and the pass is skipped for a document holding none of
    them and run when a text holds one, with plain Python-Markdown's HTML either way."""
    from plugins import render as render_mod

    render("---\ntitle: T\ndate: 2026-01-01\n---\nx", "posts/t.md", ctx)
    smarty = render_mod._MD.md.treeprocessors["smarty"]
    patterns = fastinline.filed(smarty.inlinePatterns)
    assert len(patterns) == 18
    assert fastinline._trigger_strings(patterns) == ('"', "'", "--", "...")

    runs = _count_inline_runs(monkeypatch)
    for body, smarty_pass in (
        ("Plain words and *emphasis* - a hyphen, a dot.", False),
        ("Plain words, then *it's* here.", True),
        ("A tail after *emphasis* -- with a dash.", True),
        ("Wait... for it.", True),
    ):
        runs.clear()
        fast, plain = both("---\ntitle: T\ndate: 2026-01-01\n---\n" + body, "posts/t.md", ctx, monkeypatch)
        assert fast == plain
        assert runs.count(18) == (2 if smarty_pass else 1), (body, runs)  # the plain render always runs it


def test_the_contents_marker_is_still_replaced_and_only_looked_for_where_it_is(ctx, monkeypatch):
    """A '[TOC]' paragraph becomes the contents list as in plain Python-Markdown; a document
    without the marker gets no list built and no search for it (``md.toc`` is then empty)."""
    from markdown.extensions.toc import TocTreeprocessor

    from plugins import render as render_mod

    searched = []
    real = TocTreeprocessor.replace_marker
    monkeypatch.setattr(TocTreeprocessor, "replace_marker", lambda self, root, elem: searched.append(1) or real(self, root, elem))
    head = "---\ntitle: T\ndate: 2026-01-01\n---\n"
    marked = head + "[TOC]\n\n## One {#sec-one}\n\nText.\n\n## Two\n\nMore [TOC] text.\n"
    fast, plain = both(marked, "posts/t.md", ctx, monkeypatch)
    assert fast == plain
    assert '<div class="toc">' in fast[0] and 'href="#sec-one"' in fast[0]
    assert len(searched) == 2  # the fast render and the plain one

    for body, searches in (("## One\n\nNo marker here.\n", 0), ("## One\n\nA [TOC] inside a paragraph.\n", 1)):
        searched.clear()
        monkeypatch.setattr(render_mod._MD, "md", None)  # a converter built while the search is counted
        render(head + body, "posts/t.md", ctx)
        assert len(searched) == searches
        assert ("<li>" in render_mod._MD.md.toc) == bool(searches)
        if not searches:
            assert render_mod._MD.md.toc == ""  # not built: empty, rather than an empty list that looks real
        assert [t["id"] for t in render_mod._MD.md.toc_tokens] == ["one"]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(list("ab \n\t`~$\\*_-#>[]()!\"'=/;:.,{}|\x02\x03\x00\r\u00e9") + ["\n\n", "    ", "```"]), max_size=40).map(
        "".join
    )
)
def test_text_without_markup_passes_the_html_block_parser_unchanged(text):
    """The HTML-block preprocessors of Python-Markdown and of md_in_html give back text holding
    no '<' and no '&' unchanged, with nothing stashed: what lets the prefilter skip them."""
    import markdown

    for ext in ([], ["markdown.extensions.md_in_html"]):
        md = markdown.Markdown(extensions=ext)
        lines = text.split("\n")
        assert md.preprocessors["html_block"].run(list(lines)) == lines
        assert md.htmlStash.html_counter == 0


def test_the_html_block_parser_still_runs_on_markup(ctx, monkeypatch):
    head = "---\ntitle: T\ndate: 2026-01-01\n---\n"
    for body, expect in (
        ("<div>\n*not emphasis*\n</div>\n\ntext", "<div>\n*not emphasis*\n</div>"),  # a raw block, kept raw
        ("A &copy; 2026 and &#8212;.", "&copy; 2026 and &#8212;."),
        ("An em dash &#8212 here, and &#xbb too.", "&#8212; here, and &#xbb; too"),  # '&' alone makes it parse (review)
        ("Plain *text* only.", "<em>text</em>"),
    ):
        fast, plain = both(head + body, "posts/t.md", ctx, monkeypatch)
        assert fast == plain
        assert expect in fast[0], fast[0]


def test_patterns_are_filed_again_when_the_pass_changes():
    """What a pass knows of its patterns is kept between documents, but a pattern registered
    afterwards is tried: the kept knowledge is for the same pattern objects only."""
    import markdown
    from markdown.inlinepatterns import SimpleTextInlineProcessor

    md = fastinline.install(markdown.Markdown(extensions=["markdown.extensions.smarty"]))
    assert md.convert("a %% b") == "<p>a %% b</p>"

    class Percent(SimpleTextInlineProcessor):
        def handleMatch(self, m, data):
            return "per cent", m.start(0), m.end(0)

    md.inlinePatterns.register(Percent(r"%%"), "percent", 1)
    assert md.convert("a %% b") == "<p>a per cent b</p>"
    # A pattern that rebuilds its expression in place (found by review): the emphasis processor
    # given a delimiter is filed again too.
    md.inlinePatterns["em_strong"].add("=", "del,ins")
    plain = markdown.Markdown(extensions=["markdown.extensions.smarty"])
    plain.inlinePatterns["em_strong"].add("=", "del,ins")
    assert md.convert("a ==b== =c= d") == plain.convert("a ==b== =c= d") == "<p>a <del>b</del> <ins>c</ins> d</p>"


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(list("-_* \na#>") + ["---", "- - -", "*  *  *", "\n\n"]), max_size=30).map("".join))
def test_horizontal_rule_trigger_is_in_every_rule(block):
    from markdown.blockprocessors import HRProcessor

    if HRProcessor.SEARCH_RE.search(block):
        assert fastinline.HR_TRIGGER.search(block), block


def test_block_tests_are_prefiltered():
    from plugins.render import _make_md

    md = _make_md(None, None, None, 1)
    for name in ("hashheader", "quote", "hr", "setextheader"):
        assert not hasattr(md.parser.blockprocessors[name].test, "__self__"), name  # a function, not the bound method
    for name in ("reference", "footnote"):
        assert not hasattr(md.parser.blockprocessors[name].run, "__self__"), name


BLOCK_PIECES = [
    "a",
    " ",
    "  ",
    "\n",
    "=",
    "==",
    "-",
    "---",
    "_",
    "*",
    "[",
    "]",
    "]:",
    "[^",
    "[^1]: note",
    "[x]: http://x.org",
    ' "t"',
    "#",
    ">",
    "\t",
]


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(BLOCK_PIECES), max_size=14).map("".join), min_size=1, max_size=3))
@example(blocks=["a\n---"])
@example(blocks=["Title\n=== "])
@example(blocks=["a\n* * *\nb"])
@example(blocks=['text\n[x]: http://x.org "t"', "more"])
@example(blocks=["[^1]: note\n[^2]: other", "    continued"])
def test_prefiltered_block_processors_decide_as_python_markdowns_do(blocks):
    """Each block processor given a prefilter answers every block as Python-Markdown's own does:
    the same test result, and for the definition processors the same blocks left, references and
    footnotes recorded."""
    import xml.etree.ElementTree as etree

    import markdown

    fast = fastinline.install(markdown.Markdown(extensions=["markdown.extensions.footnotes"]))
    plain = markdown.Markdown(extensions=["markdown.extensions.footnotes"])
    for name in ("hashheader", "quote", "hr", "setextheader"):
        f, p = fast.parser.blockprocessors[name], plain.parser.blockprocessors[name]
        assert bool(f.test(None, blocks[0])) == bool(p.test(None, blocks[0])), name
    for name in ("reference", "footnote"):
        fb, pb = list(blocks), list(blocks)
        parent_f, parent_p = etree.Element("div"), etree.Element("div")
        rf = fast.parser.blockprocessors[name].run(parent_f, fb)
        rp = plain.parser.blockprocessors[name].run(parent_p, pb)
        assert (rf is False) == (rp is False) and fb == pb, name
        assert fast.references == plain.references
        assert fast.parser.md.treeprocessors["footnote"].footnotes.footnotes == plain.treeprocessors["footnote"].footnotes.footnotes


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from([" ", "  ", "\n", "a", "\t", " \n", "\n \n"]), max_size=40).map("".join))
def test_blank_line_spaces_are_removed_as_python_markdown_removes_them(source):
    assert fastinline.BLANK_LINE_SPACES.sub("\n", source) == re.sub(r"(?<=\n) +\n", "\n", source)


def test_whitespace_normalisation_is_replaced_only_for_the_known_python_markdown():
    from markdown import preprocessors

    from plugins.render import _make_md

    md = _make_md(None, None, None, 1)
    run = md.preprocessors["normalize_whitespace"].run
    # Installed for the pinned Python-Markdown; after an upgrade, compare its NormalizeWhitespace.run
    # with fastinline's copy and update _KNOWN_NORMALIZE_SHA.
    assert getattr(run, "__self__", None) is None, "the replacement is not installed"
    original = preprocessors.NormalizeWhitespace(md).run
    for text in ["a\n  \nb", "x\r\n \r\ny\t\tz\n   ", "\x02a\x03\n \n \n"]:
        assert run(text.split("\n")) == original(text.split("\n"))
