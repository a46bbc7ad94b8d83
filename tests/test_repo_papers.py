"""Every paper in papers/: its arXiv bundle passes the preflight and its PDF reads like the paper."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PAPERS = sorted(p.parent.name for p in ROOT.glob("papers/*/paper.md"))
pytestmark = [
    pytest.mark.latex,
    pytest.mark.xdist_group("repo-papers"),
    pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None, reason="TeX Live / poppler missing"),
]


@pytest.fixture(scope="module")
def built():
    res = subprocess.run([sys.executable, "build.py", "papers", *PAPERS], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    paths = [line.strip() for line in res.stdout.splitlines() if line.strip()]
    return {p.split("/")[-2]: [x for x in paths if x.split("/")[-2] == p.split("/")[-2]] for p in paths}


@pytest.mark.parametrize("slug", PAPERS)
def test_bundle_preflight_and_pdf_text(built, slug):
    from plugins import papers

    files = built[slug]
    pdf = next(f for f in files if f.endswith(".pdf"))
    bundle = next(f for f in files if f.endswith(".tar.gz"))
    assert papers.preflight(bundle) == []
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    source = (ROOT / "papers" / slug / "paper.md").read_text()
    title = re.search(r'^title:\s*"?(.+?)"?\s*$', source, re.M).group(1)
    first_words = " ".join(title.split()[:4])
    assert first_words in flat, first_words
    headings = [re.sub(r"\s*\{[^}]*\}\s*$", "", h).strip() for h in re.findall(r"^## (.+)$", source, re.M)]
    for h in headings:
        words = " ".join(re.sub(r"[*_`$\\]", "", h).split()[:3])
        assert words in flat, f"section heading {h!r} not in the PDF"
    assert "References" in flat
