"""Notebooks as sources: same Markdown pipeline, rendered outputs, figure cells, execution errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import make_site, run_build

NB = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture
def nb_site(tmp_path):
    root = make_site(tmp_path / "s")
    shutil.copy(NB / "nb-post.ipynb", root / "posts" / "nb-post.ipynb")
    return root


def test_notebook_post_renders_figure_citation_and_crossref(nb_site):
    res = run_build(nb_site, "build", "--no-papers", "--no-search")
    assert res.returncode == 0, res.stderr
    html = (nb_site / "output/posts/nb-post/index.html").read_text()
    assert '<figure class="figure" id="fig-line">' in html and "Figure 1: </span>A straight line." in html
    assert ">Figure 1</a>" in html and ">Section 1</a>" in html
    assert "(Hubinger et al. (2019)" in html or "Hubinger et al. (2019)" in re.sub(r"<[^>]+>", "", html)
    assert 'class="math inline"' in html
    assert "hello from a cell" in html and "cell-code" in html
    assert "<script>alert(1)</script>" not in html and "<td>1</td>" in html  # sanitized HTML output


def test_notebook_errors_name_the_file(tmp_path):
    root = make_site(tmp_path / "s")
    (root / "posts" / "broken.ipynb").write_text("{not json")
    (root / "posts" / "old.ipynb").write_text('{"nbformat": 3, "cells": []}')
    res = run_build(root, "build", "--no-papers", "--no-search")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "posts/broken.ipynb:1:2: notebook is not valid JSON" in res.stderr
    assert "posts/old.ipynb:1: unsupported notebook format (nbformat 3)" in res.stderr


def test_execution_error_names_the_cell(tmp_path):
    pytest.importorskip("ipykernel")
    root = make_site(tmp_path / "s")
    shutil.copy(NB / "failing.ipynb", root / "posts" / "failing.ipynb")
    res = run_build(root, "build", "--no-papers", "--no-search", "--execute", timeout=240)
    assert res.returncode == 1, res.stderr
    assert "posts/failing.ipynb:1: notebook execution failed in cell 3" in res.stderr
    assert "cell two breaks" in res.stderr


def test_notebook_code_cells_fold(nb_site):
    res = run_build(nb_site, "build", "--no-papers", "--no-search")
    assert res.returncode == 0, res.stderr
    html = (nb_site / "output/posts/nb-post/index.html").read_text()
    assert '<details class="cell-code" open><summary class="fold-title">Code</summary>' in html
