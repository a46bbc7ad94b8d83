"""Papers: main.tex + main.bbl + figures -> PDF and a deterministic arXiv bundle that passes preflight."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from plugins import papers
from plugins.bibliography import Bibliography
from plugins.errors import Report
from plugins.render import RenderContext, render
from plugins.site import Source

FIXTURES = Path(__file__).parent / "fixtures" / "papers"
PAPER = "papers/demo-paper/paper.md"
BIB = Bibliography.load([FIXTURES / "refs.bib"])  # loaded once: pybtex's plugin look-ups are slow
needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (make test installs TeX Live)")


@pytest.fixture()
def site(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns(".cache"))
    bib = BIB
    figs = {"demo": root / "figcache"}
    return root, bib, figs


def _parse(root, bib, path=PAPER):
    text = (root / path).read_text(encoding="utf-8")
    return render(text, path, RenderContext(bib=bib.export_labels(), figures={"demo"}))


def _source(path=PAPER):
    slug = path.split("/")[1]
    return Source(path, "paper", slug, f"papers/{slug}/", 2)


def _files(root, bib, figs):
    doc = _parse(root, bib)
    srcs = papers.prepare(root, PAPER, doc, bib, figs, report=Report())
    return dict(srcs.all_files())


# ------------------------------------------------------------------ main.bbl
def test_bbl_uses_site_labels_sorted_and_only_cited(site):
    root, bib, figs = site
    bbl = papers.make_bbl(["langosco2022goal", "hubinger2019risks", "erdos1959random", "hubinger2019second"], bib.entries)
    assert bbl.startswith("\\begin{thebibliography}{4}")
    assert "\\bibitem[{{Hubinger et~al.}(2019b){Hubinger et~al.}}]{hubinger2019risks}" in bbl
    assert "\\bibitem[{{Erd\\H{o}s and R\\'{e}nyi}(1959){Erd\\H{o}s and R\\'{e}nyi}}]{erdos1959random}" in bbl or "Erd\\H{o}s" in bbl
    order = re.findall(r"\\bibitem\[.*?\]\{(.*?)\}", bbl)
    assert order == ["erdos1959random", "hubinger2019second", "hubinger2019risks", "langosco2022goal"]
    assert "\\href{https://arxiv.org/abs/1906.01820}{\\nolinkurl{arXiv:1906.01820}}" in bbl
    assert "\\href{https://doi.org/10.1234/example.5678}{\\nolinkurl{doi:10.1234/example.5678}}" in bbl
    assert bbl.isascii()
    assert "langosco2022goal" not in papers.make_bbl(["erdos1959random"], bib.entries)


def test_main_tex_has_front_matter(site):
    files = _files(*site)
    main = files["main.tex"].decode()
    assert '\\title{Mesa-Optimizers \\& Goal Misgeneralization: A 100\\% Na{\\"\\i}ve Test}' in main
    assert "Ada Erd\\H{o}s\\\\ {\\small Alignment Concepts}" in main and " \\and Bob Tester" in main
    assert "\\href{mailto:ada_e@alignment-concepts.org}" in main
    assert "\\date{November 26, 2026}" in main
    assert "\\begin{abstract}\nWe test the \\emph{export} of a paper with \\(x^2\\) math and a citation \\citep{hubinger2019risks}." in main
    assert "\\textbf{Keywords:} deceptive alignment, testing" in main
    assert "\\bibliography{main}" in main and "\\bibliographystyle" not in main
    assert json.loads(files["00README.json"])["sources"] == [{"filename": "main.tex", "usage": "toplevel"}]
    assert set(files) == {"00README.json", "main.tex", "main.bbl", "figures/demo.pdf"}


def test_raw_html_is_a_warning_with_source_line(site):
    root, bib, figs = site
    path = "papers/demo-paper/paper.md"
    text = (root / path).read_text() + "\nSome <kbd>raw</kbd> HTML.\n"
    (root / path).write_text(text)
    report = Report()
    papers.prepare(root, path, _parse(root, bib), bib, figs, report=report)
    line = text.count("\n")
    assert [p.format() for p in report.warnings] == [f"{path}:{line}: warning: raw HTML is left out of the LaTeX export"]


def test_bundle_is_deterministic(site, tmp_path):
    files = _files(*site)
    a, b = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    papers.write_bundle(files, a)
    papers.write_bundle(dict(reversed(list(files.items()))), b)
    assert a.read_bytes() == b.read_bytes()
    raw = a.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip mtime 0
    with tarfile.open(a) as tar:
        members = tar.getmembers()
        assert all(m.isfile() for m in members)
        assert [m.name for m in members] == sorted(m.name for m in members)
        assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.uname == "" for m in tar.getmembers())


# ------------------------------------------------------------------ preflight rules
def _preflight(files, tmp_path):
    bundle = tmp_path / "x.tar.gz"
    papers.write_bundle(files, bundle)
    return papers.preflight(bundle)


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda f: f.__setitem__("main.tex", f["main.tex"].replace(b"{figures/demo.pdf}", b"{/tmp/demo.pdf}")), "absolute-path"),
        (lambda f: f.__setitem__(".DS_Store", b"x"), "hidden-file"),
        (lambda f: f.__setitem__("figures/my figure.pdf", b"%PDF"), "bad-file-name"),
        (lambda f: f.pop("main.bbl"), "missing-bbl"),
        (lambda f: f.__setitem__("figures/extra.pdf", b"%PDF"), "unused-file"),
        (lambda f: f.__setitem__("main.log", b"log"), "output-file"),
        (lambda f: f.__setitem__("main.tex", f["main.tex"].replace(b"\\maketitle", b"\\maketitle % note")), "comments"),
        (lambda f: f.__setitem__("main.tex", f["main.tex"].replace(b"\\maketitle", b"\\maketitle\\immediate\\write18{ls}")), "write18"),
        (lambda f: f.__setitem__("main.tex", f["main.tex"].replace(b"{figures/demo.pdf}", b"{figures/Demo.pdf}")), "case-mismatch"),
        (lambda f: f.__setitem__("main.tex", f["main.tex"].replace(b"{figures/demo.pdf}", b"{figures/demo.svg}")), "bad-figure-format"),
        (lambda f: f.pop("00README.json"), "missing-00README"),
        (lambda f: f.__setitem__("00README.json", b'{"process": {"compiler": "latex"}, "sources": []}'), "bad-00README"),
        (lambda f: f.__setitem__("figures/big.png", b"\0" * (10 * 1024 * 1024)), "too-large"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_preflight_rule_broken_once(site, tmp_path, change, reason):
    files = _files(*site)
    change(files)
    failures = _preflight(files, tmp_path)
    assert any(f.startswith(reason + ":") for f in failures), failures


# ------------------------------------------------------------------ end to end
@pytest.mark.latex
@needs_tex
def test_paper_end_to_end(site, tmp_path, monkeypatch):
    root, bib, figs = site
    doc = _parse(root, bib)
    report = Report()
    out = tmp_path / "out"
    res = papers.build_all(root, [_source(), Source("posts/p.md", "post", "p", "posts/p/", 2)], {PAPER: doc}, bib, figs, out, report)
    assert not report.errors, [p.format() for p in report.problems]
    assert res == {PAPER: {"pdf_url": "papers/demo-paper/demo-paper.pdf", "bundle_url": "papers/demo-paper/demo-paper-arxiv.tar.gz"}}
    pdf, bundle = out / res[PAPER]["pdf_url"], out / res[PAPER]["bundle_url"]
    assert pdf.read_bytes().startswith(b"%PDF") and bundle.is_file()
    # the bundle alone, extracted and compiled in a clean folder (what arXiv does)
    pre = papers.preflight_report(bundle, keep_pdf=True)
    assert pre.failures == [] and pre.warnings == []
    assert pre.compiled.ok and pre.compiled.passes >= 2
    assert not re.search(r"undefined", pre.compiled.log, re.I)
    (tmp_path / "alone.pdf").write_bytes(pre.pdf_bytes)
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(tmp_path / "alone.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    for needle in (
        "Mesa-Optimizers & Goal Misgeneralization: A 100% Naïve Test",
        "1 Introduction",
        "2 Method",
        "2.1 Details",
        "3 Conclusion",
        "References",
        "Erdős and Rényi",
        "Hubinger et al. (2019b)",
        "Figure 1",
        "Table 1",
        "Equation (1)",
    ):
        assert needle in flat, needle
    assert "(see Langosco et al., 2022, p. 3; Hubinger et al., 2019a)" in flat

    # unchanged: no LaTeX run at all
    def boom(*a, **k):
        raise AssertionError("pdflatex ran for an unchanged paper")

    monkeypatch.setattr(papers, "compile_tex", boom)
    report2 = Report()
    assert papers.build_all(root, [_source()], {PAPER: doc}, bib, figs, tmp_path / "out2", report2) == res
    assert (tmp_path / "out2" / res[PAPER]["pdf_url"]).read_bytes() == pdf.read_bytes()


@pytest.mark.latex
@needs_tex
def test_latex_error_names_source_line(site, tmp_path):
    root, bib, figs = site
    path = PAPER
    text = (root / path).read_text().replace("That is all.", "That is $\\undefinedthing{x}$ all.")
    (root / path).write_text(text)
    report = Report()
    res = papers.build_all(root, [_source()], {path: _parse(root, bib)}, bib, figs, tmp_path / "out", report)
    assert res == {}
    errs = report.errors
    assert errs and all(p.path == path for p in errs)
    line = text.splitlines().index("That is $\\undefinedthing{x}$ all.") + 1
    assert any("Undefined control sequence" in p.message and p.line == line for p in errs), [p.format() for p in errs]


def test_without_pdflatex_build_all_warns_and_skips(site, tmp_path, monkeypatch):
    root, bib, figs = site
    monkeypatch.setattr(papers, "have_pdflatex", lambda: False)
    report = Report()
    assert papers.build_all(root, [_source()], {PAPER: _parse(root, bib)}, bib, figs, tmp_path, report) == {}
    assert not report.errors
    assert any("make papers" in p.message and "apt" in p.message for p in report.warnings)
    assert papers.cli(root, []) == 1


def test_cli_rejects_unknown_slug(site, capsys):
    root, _bib, _figs = site
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed")
    assert papers.cli(root, ["nope"]) == 1
    assert "no paper named nope" in capsys.readouterr().err


def test_gzip_header_has_no_name(site, tmp_path):
    files = _files(*site)
    papers.write_bundle(files, tmp_path / "x.tar.gz")
    with gzip.open(tmp_path / "x.tar.gz") as gz:
        tarfile.open(fileobj=io.BytesIO(gz.read()))
    assert (tmp_path / "x.tar.gz").read_bytes()[3] & 0x08 == 0  # FNAME flag unset


def test_unchanged_paper_skips_latex_serialization(site, tmp_path, monkeypatch):
    """A second build of an unchanged paper reuses the result without preparing LaTeX again."""
    root, bib, figs = site
    doc = _parse(root, bib)
    first = papers.build_all(root, [_source()], {PAPER: doc}, bib, figs, tmp_path / "a", Report())
    assert first
    calls = []
    real = papers.prepare
    monkeypatch.setattr(papers, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert papers.build_all(root, [_source()], {PAPER: doc}, bib, figs, tmp_path / "b", Report()) == first
    assert (
        calls == [] and (tmp_path / "b" / first[PAPER]["pdf_url"]).read_bytes() == (tmp_path / "a" / first[PAPER]["pdf_url"]).read_bytes()
    )
    (root / PAPER).write_text((root / PAPER).read_text() + "\nOne more sentence.\n")
    papers.build_all(root, [_source()], {PAPER: _parse(root, bib)}, bib, figs, tmp_path / "c", Report())
    assert calls == [1]  # an edited source is prepared again
