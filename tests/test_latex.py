"""The LaTeX serializer: Markdown in, the expected LaTeX fragment out, from the one parse."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins import latex
from plugins.bibliography import Bibliography
from plugins.render import RenderContext, render

FIXTURES = Path(__file__).parent / "fixtures" / "papers"
TEMPLATE = Path(__file__).parent.parent / "theme" / "latex" / "preprint.tex"
BIB = Bibliography.load([FIXTURES / "refs.bib"]).export_labels()
HEAD = "---\ntitle: T\ndate: 2026-11-26\n---\n"


def doc_of(body: str):
    return render(HEAD + body, "papers/t/paper.md", RenderContext(bib=BIB, figures={"demo"}))


def tex(body: str, **kw) -> str:
    return latex.to_latex(doc_of(body), source=HEAD + body, **kw).body


def export(body: str):
    return latex.to_latex(doc_of(body), source=HEAD + body)


# ------------------------------------------------------------------ headings and inline
def test_headings_map_shallowest_level_to_section_with_labels():
    out = tex("## One {#sec-one}\n\n### Two\n\n#### Three\n\n##### Four\n\n## Extra {.unnumbered #sec-x}\n")
    assert "\\section{One}\\label{sec-one}" in out
    assert "\\subsection{Two}\\label{two}" in out
    assert "\\subsubsection{Three}\\label{three}" in out
    assert "\\paragraph{Four}\\label{four}" in out
    assert "\\section*{Extra}\\phantomsection\\label{sec-x}" in out


def test_h1_is_section_when_shallowest():
    assert "\\section{Top}\\label{top}" in tex("# Top\n\n## Sub\n")
    assert "\\subsection{Sub}" in tex("# Top\n\n## Sub\n")


def test_emphasis_strong_strike_and_inline_code():
    out = tex("*em* **strong** ~~gone~~ `a_b{c}\\d`\n")
    assert "\\emph{em}" in out and "\\textbf{strong}" in out and "\\acxstrike{gone}" in out
    assert "\\texttt{a\\_b\\{c\\}{\\textbackslash}d}" in out


def test_links_external_internal_anchor_and_autolink():
    out = tex(
        "[x](https://example.org/a_b?q=1#f) <https://example.org/plain> [here](#sec-a)\n\n## A {#sec-a}\n", base_url="https://site.test"
    )
    assert "\\href{https://example.org/a_b?q=1\\#f}{x}" in out
    assert "\\url{https://example.org/plain}" in out
    assert "\\hyperref[sec-a]{here}" in out


def test_site_internal_link_becomes_absolute_or_plain_text():
    d = render(HEAD + "[guide](../../docs/authoring.md)\n", "papers/t/paper.md", RenderContext(urls={"docs/authoring.md": "authoring/"}))
    assert "\\href{https://site.test/authoring/}{guide}" in latex.to_latex(d, base_url="https://site.test").body
    assert latex.to_latex(d).body.strip() == "guide"


def test_special_characters_are_escaped_text():
    out = tex("a & b % c $5 # d _ e { f } g ~ h ^ i \\\\ j\n")
    for frag in ("\\&", "\\%", "\\$5", "\\#", "\\_", "\\{", "\\}", "{\\textasciitilde}", "{\\textasciicircum}", "{\\textbackslash}"):
        assert frag in out


def test_latex_commands_in_prose_are_harmless():
    out = tex("Try \\input{/etc/passwd} and \\write18{rm -rf /} here.\n")
    assert "\\input" not in out and "\\write18" not in out
    assert "{\\textbackslash}input\\{/etc/passwd\\}" in out
    assert "{\\textbackslash}write18\\{rm -rf /\\}" in out


def test_quotes_dashes_ellipsis_and_unicode():
    out = tex("He said \"hi\" and 'so' -- then --- stop… Erdős naïve αβ Ω — “ok”\n")
    assert "{\\textquotedblleft}hi{\\textquotedblright}" in out
    assert "{\\textquoteleft}so{\\textquoteright}" in out
    assert "{\\textendash} then {\\textemdash} stop{\\textellipsis}" in out  # smarty dashes on both sides
    assert "Erd\\H{o}s" in out and 'na{\\"\\i}ve' in out
    assert "\\ensuremath{\\alpha}\\ensuremath{\\beta}" in out and "\\ensuremath{\\Omega}" in out
    assert "{\\textemdash}" in out
    assert out.isascii()


def test_unknown_characters_become_question_marks():
    e = export("Chinese 中 and Cyrillic Ж\n")
    assert "{?}" in e.body and "中" not in e.body
    assert {"中", "Ж"} <= e.unknown_chars


# ------------------------------------------------------------------ blocks
def test_code_block_uses_listings_with_language():
    out = tex('```python\nprint("%s" % x)  # 100%\n```\n')
    assert '\\begin{lstlisting}[language=Python]\nprint("%s" % x)  # 100%\n\\end{lstlisting}' in out


def test_code_block_unknown_language_and_non_ascii():
    out = tex("```rust\nlet é = 1;\n```\n")
    assert "\\begin{lstlisting}[]\nlet (*@\\'e@*) = 1;" in out or "\\begin{lstlisting}[]\nlet (*@{\\'e}@*) = 1;" in out


def test_code_block_that_would_end_listing_falls_back_to_texttt():
    out = tex("```\n\\end{lstlisting}\n```\n")
    assert "\\begin{lstlisting}" not in out and "{\\ttfamily" in out


def test_lists_nested_and_ordered_with_start():
    out = tex("3. three\n4. four\n    - inner *x*\n\n")
    assert "\\begin{enumerate}\n\\setcounter{enumi}{2}\n\\item{} three" in out
    assert "\\begin{itemize}\n\\item{} inner \\emph{x}\n\\end{itemize}" in out


def test_blockquote_and_rule():
    out = tex("> quoted **text**\n\n---\n\nafter\n")
    assert "\\begin{quote}\nquoted \\textbf{text}\n\\end{quote}" in out
    assert "\\rule{0.4\\linewidth}{0.4pt}" in out


def test_table_with_caption_label_and_alignment():
    out = tex("| a | b | c |\n|:--|--:|:-:|\n| 1 | 2 | 3 |\n\n: Scores & ranks. {#tbl-s}\n\nSee @tbl-s.\n")
    assert "\\begin{table}[tbp]" in out and "\\caption{Scores \\& ranks.}\\label{tbl-s}" in out
    assert "\\begin{tabular}{lrc}\n\\toprule\n\\textbf{a} & \\textbf{b} & \\textbf{c} \\\\\n\\midrule\n1 & 2 & 3 \\\\\n\\bottomrule" in out
    assert "Table~\\ref{tbl-s}" in out


def test_figure_uses_pdf_twin_and_drops_number():
    e = export("![A *demo* plot.](figures/demo.svg){#fig-d}\n\nAs @fig-d shows.\n")
    assert "\\includegraphics[width=0.8\\linewidth,height=0.45\\textheight,keepaspectratio]{figures/demo.pdf}" in e.body
    assert "\\caption{A \\emph{demo} plot.}\\label{fig-d}" in e.body
    assert "Figure 1" not in e.body and "Figure~\\ref{fig-d}" in e.body
    assert e.images == {"figures/demo.pdf": ("figure", "demo")}


def test_math_inline_and_display_with_label():
    out = tex("Inline $a_1 + \\beta$ here.\n\n$$\nE = mc^2\n$$ {#eq-e}\n\n$$\nx\n$$\n\nSee @eq-e.\n")
    assert "Inline \\(a_1 + \\beta\\) here." in out
    assert "\\begin{equation}\nE = mc^2\n\\label{eq-e}\n\\end{equation}" in out
    assert "\\[\nx\n\\]" in out
    assert "Equation~(\\ref{eq-e})" in out


def test_math_with_file_primitives_is_refused():
    e = export("Bad $\\input{/etc/passwd}$ math.\n")
    assert "\\input{" not in e.body
    assert any("math uses '\\input'" in p.message and p.line == 5 for p in e.problems)


def test_every_xref_kind():
    body = "## S {#sec-s}\n\n![Cap.](figures/demo.svg){#fig-f}\n\n| a |\n|---|\n| 1 |\n\n: T. {#tbl-t}\n\n$$\ny\n$$ {#eq-y}\n\n@sec-s @fig-f @tbl-t @eq-y\n"
    out = tex(body)
    assert "Section~\\ref{sec-s} Figure~\\ref{fig-f} Table~\\ref{tbl-t} Equation~(\\ref{eq-y})" in out


def test_citation_forms():
    out = tex(
        "A [@hubinger2019risks]. B [@hubinger2019risks, p. 12]. C [see @hubinger2019risks]. "
        "D [see @hubinger2019risks, ch. 2]. E @langosco2022goal says. F @langosco2022goal [p. 4] too. "
        "G [-@erdos1959random]. H [-@erdos1959random, p. 9]. I [@hubinger2019risks; @langosco2022goal]. "
        "J [see @hubinger2019risks; @langosco2022goal, p. 3]. K [@hubinger2019risks, p. 1; see @langosco2022goal, p. 3].\n"
    )
    assert "A \\citep{hubinger2019risks}." in out
    assert "B \\citep[p. 12]{hubinger2019risks}." in out
    assert "C \\citep[see][]{hubinger2019risks}." in out
    assert "D \\citep[see][ch. 2]{hubinger2019risks}." in out
    assert "E \\citet{langosco2022goal} says." in out
    assert "F \\citet[p. 4]{langosco2022goal} too." in out
    assert "G \\citeyearpar{erdos1959random}." in out
    assert "H \\citeyearpar[p. 9]{erdos1959random}." in out
    assert "I \\citep{hubinger2019risks,langosco2022goal}." in out
    assert "J \\citep[see][p. 3]{hubinger2019risks,langosco2022goal}." in out
    assert "K \\citetext{\\citealp[p. 1]{hubinger2019risks}; see \\citealp[p. 3]{langosco2022goal}}." in out


def test_unknown_citation_is_plain_text():
    out = tex("X [@nosuchkey2020].\n")
    assert "\\cite" not in out and "?nosuchkey2020" in out


def test_footnotes():
    out = tex("Text.[^a] More.\n\n[^a]: Note with *em* and [@erdos1959random].\n")
    assert "Text.\\footnote{\\label{note-fn:a}Note with \\emph{em} and \\citep{erdos1959random}.} More." in out
    assert "Back to text" not in out and "footnote-backref" not in out


def test_footnote_used_twice_and_self_reference():
    out = tex("A.[^a] B.[^a]\n\n[^a]: Note.[^a]\n")
    assert out.count("\\footnote{") == 1 and "\\textsuperscript{\\ref{note-fn:a}}" in out


def test_callouts_div_and_details():
    out = tex('::: {.callout-warning title="Careful *now*"}\nBody **b**.\n:::\n\n::: {.callout-tip collapse="true"}\nHidden.\n:::\n')
    assert "\\begin{callout}{calloutwarning}{Careful \\emph{now}}\nBody \\textbf{b}.\n\\end{callout}" in out
    assert "\\begin{callout}{callouttip}{Tip}\nHidden.\n\\end{callout}" in out


def test_raw_latex_passes_through_and_raw_html_warns():
    e = export("```{=latex}\n\\newpage % a comment\n```\n\nHi <span>there</span> x.\n\n<div>block</div>\n")
    assert "\\newpage" in e.body and "a comment" not in e.body
    assert "<span>" not in e.body and "there" in e.body
    warns = [p for p in e.problems if p.severity == "warning"]
    assert any(p.message == "raw HTML is left out of the LaTeX export" and p.line == 9 for p in warns)
    assert all(p.path == "papers/t/paper.md" for p in warns)


def test_entities_become_characters():
    assert "{\\textcopyright}" in tex("&copy; 2026\n") or "\\textcopyright" in tex("&copy; 2026\n")


def test_references_section_and_footnote_div_are_skipped():
    out = tex("Cite [@hubinger2019risks].[^n]\n\n[^n]: N.\n")
    assert "References" not in out and "Risks from" not in out


def test_notebook_cell_code_renders_code():
    out = tex("::: {.cell-code}\n\n```python\nx = 1\n```\n\n:::\n")
    assert "\\begin{lstlisting}[language=Python]\nx = 1\n\\end{lstlisting}" in out


# ------------------------------------------------------------------ compiling
def _compile_body(body: str, tmp: Path) -> subprocess.CompletedProcess:
    pre = TEMPLATE.read_text().split("\\title{")[0]
    (tmp / "t.tex").write_text(pre + "\\begin{document}\n" + body + "\n\\end{document}\n", encoding="utf-8")
    return subprocess.run(
        ["pdflatex", "-draftmode", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "t.tex"],
        cwd=tmp,
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (make test installs TeX Live)")

PROSE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="$"),
    max_size=120,
).filter(lambda s: "{=" not in s)


@pytest.mark.latex
@needs_tex
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=PROSE)
def test_arbitrary_text_compiles(text, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prop")
    body = latex.to_latex(doc_of(text + "\n")).body
    proc = _compile_body(body, tmp)
    assert proc.returncode == 0, (text, body, proc.stdout.decode("latin-1")[-1500:])


@pytest.mark.latex
@needs_tex
def test_every_construct_compiles(tmp_path):
    src = (FIXTURES / "papers" / "demo-paper" / "paper.md").read_text()
    body = latex.to_latex(render(src, "papers/demo-paper/paper.md", RenderContext(bib=BIB, figures=set()))).body
    body += "\n" + tex(
        "Special & % $5 # _ { } ~ ^ \\\\ “q” — … Erdős 中\n\n> > > > > > > deep\n\n"
        "- [x] item\n\n| c |\n|---|\n| [a] |\n\n```\n[1, 2]\n```\n\nline  \n[after break]\n\n"
        "<https://e.org/a%20b#x~y>\n\n- a\n    - b\n        - c\n            - d\n                - e\n"
    )
    proc = _compile_body(body, tmp_path)
    assert proc.returncode == 0, proc.stdout.decode("latin-1")[-2000:]


def test_long_tables_break_across_pages():
    from plugins import latex as latexmod
    from plugins.render import RenderContext, render

    rows = "\n".join(f"| r{i} | text {i} |" for i in range(25))
    d = render("---\ntitle: T\ndate: 2026-01-01\n---\n| a | b |\n|---|---|\n" + rows + "\n\n: Long. {#tbl-long}\n", "p.md", RenderContext())
    body = latexmod.to_latex(d).body
    assert "\\begin{longtable}{ll}" in body and "\\caption{Long.}\\label{tbl-long}" in body and "\\endhead" in body
    assert "\\begin{table}" not in body
