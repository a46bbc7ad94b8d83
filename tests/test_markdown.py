"""The Markdown pipeline: math, citations, cross-references, figures, tables, callouts, notes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.bibliography import Bibliography
from plugins.errors import BuildError
from plugins.render import RenderContext, render

FIX = Path(__file__).parent / "fixtures" / "site"


@pytest.fixture(scope="module")
def ctx():
    bib = Bibliography.load([FIX / "bib" / "refs.bib"])
    return RenderContext(bib=bib.export_labels(), figures={"demo"}, urls={"posts/other.md": "posts/other/"}, bib_suggest=bib.suggest)


def md(body, ctx, path="posts/t.md"):
    return render("---\ntitle: T\ndate: 2026-01-01\n---\n" + body, path, ctx)


def errors(doc):
    return [p.format() for p in doc.problems if p.severity == "error"]


def test_inline_and_display_math_kept_for_the_renderer(ctx):
    d = md("Let $a_1 + b^2$ hold.\n\n$$\n\\frac{1}{2}\n$$ {#eq-half}\n\nSee @eq-half.", ctx)
    assert '<span class="math inline">\\(a_1 + b^2\\)</span>' in d.html
    assert 'id="eq-half"' in d.html and "\\tag{1}" in d.html
    assert ">Equation (1)</a>" in d.html
    assert not errors(d)


def test_escaped_dollars_are_not_math(ctx):
    d = md("It costs \\$5 and \\$6 each.", ctx)
    assert "math" not in d.html and "$5 and $6" in d.html


def test_citation_forms(ctx):
    d = md("A [@hubinger2019risks]. B [see @langosco2022goal, p. 3; @ngo2022some]. C @erdos1959random says. D [-@ngo2022alignment].", ctx)
    text = re.sub(r"<[^>]+>", "", d.html)
    assert "(Hubinger et al., 2019)" in text
    assert "(see Langosco et al., 2022, p. 3; Ngo, 2022)" in text
    assert "Erdős and Rényi (1959) says" in text
    assert "D (2022)." in text
    assert set(d.citations) == {"hubinger2019risks", "langosco2022goal", "ngo2022some", "erdos1959random", "ngo2022alignment"}
    assert 'href="#ref-hubinger2019risks"' in d.html and 'id="ref-hubinger2019risks"' in d.html


def test_citations_left_alone_in_code_math_and_email(ctx):
    d = md("Mail me@example.org. Code `[@hubinger2019risks]`. Math $@x$.\n\n```\n[@nokey]\n```\n", ctx)
    assert d.citations == [] and not errors(d)


def test_unknown_key_names_file_line_column_and_suggests(ctx):
    d = md("Intro.\n\nSee [@langosco2022] here.", ctx)
    (err,) = errors(d)
    assert err == "posts/t.md:7:6: unknown citation key 'langosco2022' (did you mean 'langosco2022goal'?)"


def test_references_list_only_cited_sorted(ctx):
    d = md("[@vaswani2017attention] and [@erdos1959random].", ctx)
    refs = re.findall(r'id="ref-([^"]+)"', d.html)
    assert refs == ["erdos1959random", "vaswani2017attention"]
    assert "https://arxiv.org/abs/1706.03762" in d.html


def test_figures_numbered_with_caption_and_reference(ctx):
    d = md("See @fig-a.\n\n![First *figure*.](figures/demo.svg){#fig-a}\n", ctx)
    assert '<figure class="figure" id="fig-a">' in d.html
    assert "Figure 1: </span>First <em>figure</em>." in d.html
    assert ">Figure 1</a>" in d.html
    assert d.figures == ["demo"]


def test_missing_figure_and_empty_alt_are_errors_with_lines(ctx):
    d = md("Text.\n\n![](figures/demo.svg){#fig-a}\n\n![Cap.](figures/nothere.svg){#fig-b}\n", ctx)
    errs = errors(d)
    assert any(e.startswith("posts/t.md:7:") and "empty alt text" in e for e in errs)
    assert any(e.startswith("posts/t.md:9:") and "no figure script produces 'nothere'" in e for e in errs)


def test_unknown_cross_reference_is_an_error(ctx):
    d = md("One.\n\nSee @fig-nope.", ctx)
    assert errors(d) == ["posts/t.md:7:5: unknown cross-reference '@fig-nope': no figure has the label {#fig-nope}"]


def test_table_caption_and_label(ctx):
    d = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n: Caption here. {#tbl-x}\n\nSee @tbl-x.", ctx)
    assert '<table id="tbl-x">' in d.html and "Table 1: </span>Caption here." in d.html
    assert ">Table 1</a>" in d.html


def test_sections_numbered_and_referenced(ctx):
    d = md("## A {#sec-a}\n\n### B {#sec-b}\n\n## C\n\nSee @sec-b.", ctx)
    assert 'data-number="1.1" id="sec-b"' in d.html and ">Section 1.1</a>" in d.html


def test_heading_ids_stable_and_unique(ctx):
    d = md("## Results\n\n## Results\n", ctx)
    assert re.findall(r'<h2[^>]* id="([^"]+)"', d.html) == ["results", "results_1"]


def test_footnotes_become_sidenotes_and_keep_list(ctx):
    d = md("Claim.[^a]\n\n[^a]: The note, citing [@hubinger2019risks].", ctx)
    assert '<span class="sidenote" role="note">' in d.html and 'class="footnote"' in d.html
    assert "hubinger2019risks" in d.citations


def test_callouts_and_collapse(ctx):
    d = md('::: {.callout-note title="Definition"}\nA *thing*.\n:::\n\n::: {.callout-tip collapse="true"}\nHidden.\n:::\n', ctx)
    assert '<div class="callout callout-note"' in d.html and '<div class="callout-title">Definition</div>' in d.html
    assert '<details class="callout callout-tip"' in d.html and '<summary class="callout-title">Tip</summary>' in d.html
    assert "<em>thing</em>" in d.html


def test_code_highlighted_and_raw_latex_hidden(ctx):
    d = md("```python\nx = 1\n```\n\n```{=latex}\n\\newpage\n```\n", ctx)
    assert 'class="highlight" data-lang="python"' in d.html and '<span class="n">x</span>' in d.html
    assert 'class="raw-latex" hidden' in d.html


def test_links_to_sources_rewritten_and_broken_ones_reported(ctx):
    d = md("[ok](other.md#sec-x) and [bad](missing.md).", ctx)
    assert 'href="@@ROOT@@/posts/other/#sec-x"' in d.html
    assert errors(d) == ["posts/t.md:5:32: link to 'missing.md': no such post or paper (posts/missing.md)"]


def test_paths_outside_repository_refused(ctx):
    d = md("![Secret.](../../etc/passwd) and [x](/etc/passwd)", ctx)
    errs = " ".join(errors(d))
    assert "points outside the repository" in errs and "absolute path '/etc/passwd'" in errs


def test_front_matter_errors_raise_with_line():
    with pytest.raises(BuildError) as exc:
        render("---\ntitle: T\ndate: 2026-13-01\n---\nx", "posts/t.md", RenderContext())
    assert exc.value.problems[0].format() == "posts/t.md:3: 'date' must be a date written YYYY-MM-DD (got '2026-13-01')"


def test_less_than_in_math_and_code_inside_callouts(ctx):
    d = md('::: {.callout-tip title="S" collapse="true"}\nIf $t<H$ and `a<b` then x.\n:::\n\nAfter $a<b$.', ctx)
    assert "\\(t&lt;H\\)" in d.html and "<code>a&lt;b</code>" in d.html and "After <span" in d.html


def test_inline_math_may_span_a_line_break(ctx):
    d = md("A $x +\ny$ b.", ctx)
    assert '<span class="math inline">\\(x +\ny\\)</span>' in d.html


def test_indented_code_is_not_double_escaped(ctx):
    d = md("Text.\n\n    a < b && c\n", ctx)
    assert "a &lt; b &amp;&amp; c" in d.html and "&amp;lt;" not in d.html


def test_contents_titles_keep_typographic_quotes_and_escape_text(ctx):
    d = md('## Choosing one\'s own "data" when a < b {#sec-x}\n\nText.\n', ctx)
    title = [h for h in d.toc if h.get("id") == "sec-x"][0]["title"]
    assert "wzxhzdk" not in title and "\x02" not in title
    assert title == "Choosing one&rsquo;s own &ldquo;data&rdquo; when a &lt; b"


def test_citation_followed_by_colon_at_line_start_is_an_error(ctx):
    d = md("Intro.\n\n[@hubinger2019risks]: this whole line would vanish.\n", ctx)
    assert any("is a Markdown link definition" in e and "t.md:7:1:" in e for e in errors(d)), errors(d)
    assert not any("link definition" in e for e in errors(md("See [@hubinger2019risks]: fine mid-line.\n", ctx)))


def test_reused_converter_leaks_nothing_between_documents(ctx):
    """One Markdown instance serves every document of a thread; its state must not carry over."""
    from plugins import render as r

    a = "Text[^n] with $x$ and [@hubinger2019risks].\n\n[^n]: A note.\n\n## Head {#sec-h}\n\nSee @sec-h.\n"
    b = "[ref]: https://example.org\n\nOther[^m] ``code`` [ref] 'quote'.\n\n[^m]: Another.\n\n## Head {#sec-h}\n"
    r._MD.md = None
    fresh = md(a, ctx)
    md(b, ctx)
    again = md(a, ctx)
    assert again.html == fresh.html and again.toc == fresh.toc and again.citations == fresh.citations
    assert md(b, ctx).html.count("example.org") == 1
    assert "[ref]" in md("Uses [ref] without a definition.\n", ctx).html  # b's link definition is gone


def test_figure_alt_text_has_resolved_cross_references(ctx):
    d = md("| a |\n|---|\n| 1 |\n\n: Numbers. {#tbl-n}\n\n![Plot of the values in @tbl-n.](figures/demo.svg){#fig-p}\n", ctx)
    assert 'alt="Plot of the values in Table 1."' in d.html, d.html


# The regular expressions that check a look-behind just after their first character, against the
# forms that check it before (the same language; see plugins/markdown_ext.py).
_LOOKBEHIND_PAIRS = [
    (
        r"(`+)(?!`).+?(?<!`)\1(?!`)|(?<![\\$])\$(?=\S)[^$\n]+?(?<![\s\\])\$",
        "INLINE_PROTECT",
    ),
    (r"(?<![\\$\w])\$(?![\s$])((?:[^$\\\n]|\\.|\n(?!\s*\n))+?)(?<![\s\\])\$(?![\d$])", "acx_math"),
    (r"(?<![\w@\\/.])@(" + "[A-Za-z0-9_][\\w:.#$%&+?<>~/-]*[A-Za-z0-9_]|[A-Za-z0-9_]" + r")(?: \[([^\]@]+)\](?![(\[]))?", "acx_ncite"),
    (r"(?<![\\$])\$(?=\S)(?:[^$\n]|\n(?!\s*\n))+?(?<![\s\\])\$", "mask_math"),
    (r"(`+)(?!`).+?(?<!`)\1(?!`)", "mask_code"),
]


def _current_pattern(name):
    from plugins import markdown_ext, render

    if name == "INLINE_PROTECT":
        return markdown_ext.INLINE_PROTECT
    if name == "mask_math":
        return render._INLINE_MATH
    if name == "mask_code":
        return render._INLINE_CODE
    md = render._make_md(None, None, None, 1)
    return md.inlinePatterns[name].compiled_re


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(list("ab1 \n\\$@[].:/_-`") + ["$$", "@a", "@fig-x", "\n\n", "[@k]", "x@y"]), max_size=30).map("".join),
    st.integers(min_value=0, max_value=40),
)
def test_lookbehind_rewrites_match_the_same_text(text, start):
    for old_pattern, name in _LOOKBEHIND_PAIRS:
        new = _current_pattern(name)
        old = re.compile(old_pattern, new.flags)
        groups = name not in ("INLINE_PROTECT", "mask_code")  # their first group is the backtick run less one
        key = (lambda m: (m.span(), m.groups())) if groups else (lambda m: m.span())
        assert [key(m) for m in old.finditer(text)] == [key(m) for m in new.finditer(text)], name
        a, b = old.search(text, start), new.search(text, start)
        assert (a and key(a)) == (b and key(b)), name


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("ab_9 -.'\t\n\x00\x0b\x1c\x85\xa0éß—²٣") + ["\u2028", "\U0001d400"]), max_size=30), max_size=6
    )
)
def test_words_are_counted_as_the_word_expression_counts_them(texts):
    """The reading time counts runs of word characters (``\\w+``) in each text; ASCII texts are
    counted by a byte translation, which must give the expression's count."""
    from plugins.render import count_words

    assert count_words(texts) == sum(len(re.findall(r"\w+", t)) for t in texts)


def test_reading_time_counts_prose_but_not_code_or_math():
    doc = render(
        "---\ntitle: T\ndate: 2026-01-01\n---\none two_2 three-four, café naïve.\n\n```\nnot counted here\n```\n\n"
        "Math $a + b$ and `code span` then words. It's \\*here\\*.\n\n```{=latex}\n\\newpage hidden words\n```\n",
        "posts/t.md",
        RenderContext(),
    )
    # one, two_2, three, four, café, naïve; Math, and, then, words; It's (one word), here. Not
    # counted: the code block and span, the math, the hidden LaTeX block, the stashed apostrophe and
    # escapes (Python-Markdown's markers in the text).
    assert doc.words == 12
