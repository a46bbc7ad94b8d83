"""Incremental builds equal clean builds: random edit sequences, byte-for-byte comparison."""

from __future__ import annotations

import random
import shutil

import pytest

from tests.conftest import run_build
from tests.test_build import tree_hashes

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("incremental")]


def _edit(site, rng, step):
    kind = rng.choice(["post", "bib", "new", "figure", "draft"])
    if kind == "post":
        p = site / "posts" / "demo-post.md"
        p.write_text(p.read_text().replace("Searchable word", f"Searchable word (edit {step})", 1))
    elif kind == "bib":
        p = site / "bib" / "refs.bib"
        p.write_text(
            p.read_text().replace("title = {The Off-Switch Game}", f"title = {{The Off-Switch Game {step}}}", 1)
            if "Off-Switch Game}" in p.read_text()
            else p.read_text().replace("Attention Is All You Need", f"Attention Is All You Need {step}", 1)
        )
    elif kind == "new":
        (site / "posts" / f"new-{step}.md").write_text(
            f"---\ntitle: New {step}\ndate: 2026-11-{10 + step:02d}\ntags: [t{step}]\n---\nCites [@hubinger2019risks].\n"
        )
    elif kind == "figure":
        p = site / "figures" / "demo.py"
        p.write_text(p.read_text().replace('label="linear"', f'label="linear {step}"'))
    else:
        p = site / "posts" / "draft-post.md"  # nothing links to it, so it may change status freely
        text = p.read_text()
        p.write_text(
            text.replace("status: published", "status: draft")
            if "status: published" in text
            else text.replace("status: draft", "status: published")
        )
    return kind


@pytest.mark.parametrize("seed", [0, 1])
def test_incremental_equals_clean(site, tmp_path, seed):
    rng = random.Random(seed)
    assert run_build(site, "build", "--no-papers").returncode == 0
    for step in range(3):
        kind = _edit(site, rng, step)
        res = run_build(site, "build", "--no-papers")
        assert res.returncode == 0, (kind, res.stderr[-2000:])
        clean = tmp_path / f"clean-{seed}-{step}"
        shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".cache", "output", "output.swap"))
        res = run_build(clean, "build", "--no-papers")
        assert res.returncode == 0, res.stderr[-2000:]
        assert tree_hashes(site / "output") == tree_hashes(clean / "output"), f"step {step} ({kind}) differs from a clean build"
