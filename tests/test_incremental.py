"""Incremental builds equal clean builds: random edit sequences, byte-for-byte comparison."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_build
from tests.test_build import tree_hashes

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("incremental")]


def _edit(site, rng, step):
    kind = rng.choice(["post", "bib", "new", "figure", "draft", "template", "settings"])
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
    elif kind == "template":  # every page shows the footer: nothing may be reused
        p = site / "theme" / "templates" / "base.html"
        p.write_text(p.read_text().replace("original alignment research", f"original alignment research ({step})", 1))
    elif kind == "settings":
        p = site / "pelicanconf.py"
        p.write_text(p.read_text() + f'\nSITE_DESCRIPTION = "Edited description {step}."\n')
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
    for step in range(4):
        kind = _edit(site, rng, step)
        res = run_build(site, "build", "--no-papers")
        assert res.returncode == 0, (kind, res.stderr[-2000:])
        clean = tmp_path / f"clean-{seed}-{step}"
        shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".cache", "output", "output.swap"))
        res = run_build(clean, "build", "--no-papers")
        assert res.returncode == 0, res.stderr[-2000:]
        assert tree_hashes(site / "output") == tree_hashes(clean / "output"), f"step {step} ({kind}) differs from a clean build"


def test_one_post_edit_reuses_every_other_page_and_a_template_edit_none(site):
    def reused(res):
        assert res.returncode == 0, res.stderr[-2000:]
        return int(res.stderr.split("pages-reused=")[1].split()[0])

    assert reused(run_build(site, "build", "--no-papers", "--no-search", "-v")) == 0  # nothing to reuse yet
    n_docs = len(list((site / "posts").glob("*.md"))) + len(list((site / "papers").glob("*/paper.md")))
    p = site / "posts" / "demo-post.md"
    p.write_text(p.read_text().replace("Searchable word", "Searchable word (edited)", 1))
    res = run_build(site, "build", "--no-papers", "--no-search", "-v")
    assert reused(res) >= n_docs - 1 and "(edited)" in (site / "output/posts/demo-post/index.html").read_text()
    t = site / "theme" / "templates" / "base.html"
    t.write_text(t.read_text().replace("original alignment research", "original alignment research, edited", 1))
    assert reused(run_build(site, "build", "--no-papers", "--no-search", "-v")) == 0
    assert "research, edited" in (site / "output/posts/demo-post/index.html").read_text()


def test_bib_and_figure_edits_rerender_only_the_pages_that_use_them(site):
    def reused(res):
        assert res.returncode == 0, res.stderr[-2000:]
        return int(res.stderr.split("pages-reused=")[1].split()[0])

    build = ("build", "--no-papers", "--no-search", "-v")
    assert reused(run_build(site, *build)) == 0
    other = site / "posts" / "other-post.md"
    other.write_text(other.read_text().replace("again.", "again, edited."))
    all_but_one = reused(run_build(site, *build))  # one page re-rendered
    assert all_but_one >= 2
    page = site / "output/posts/other-post/index.html"
    before = page.read_bytes()
    # vaswani2017attention is cited by demo-post alone; the demo figure is shown there alone.
    bib = site / "bib" / "refs.bib"
    bib.write_text(bib.read_text().replace("Attention Is All You Need", "Attention Is All You Need (edited)", 1))
    assert reused(run_build(site, *build)) == all_but_one
    assert "(edited)" in (site / "output/posts/demo-post/index.html").read_text() and page.read_bytes() == before
    # A figure's page refers to it by name: the script runs again and the figure is replaced, and
    # no page needs rendering (their HTML is unchanged).
    fig = site / "figures" / "demo.py"
    fig.write_text(fig.read_text().replace('label="linear"', 'label="linear, edited"'))
    assert reused(run_build(site, *build)) == all_but_one + 1
    assert "linear, edited" in (site / "output/figures/demo.svg").read_text() and page.read_bytes() == before


def _assert_equals_clean(site, tmp_path, name, why=""):
    """The site's output equals a clean build of a copy of its sources (caches and output left out)."""
    clean = tmp_path / name
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".cache", "output", "output.swap"))
    assert run_build(clean, "build", "--no-papers", "--no-search").returncode == 0
    assert tree_hashes(site / "output") == tree_hashes(clean / "output"), why or f"{name} differs from a clean build"


def test_serve_quick_path_equals_a_clean_build(site, tmp_path):
    """serve's quick path (a post's body edited: only its page and the feed re-rendered from the
    last build's objects) leaves exactly the site a clean build makes, and steps aside otherwise."""
    from plugins.site import build, quick_update

    res = build(site, papers=False, search=False, progress=lambda m: None)
    assert res.output is not None and not res.report.errors
    post = site / "posts" / "demo-post.md"
    for step, (old, new) in enumerate([("Searchable word", "Searchable term"), ("Searchable term", "Findable term")]):
        post.write_text(post.read_text().replace(old, new, 1))
        quick = quick_update(site, res, [str(post)])
        assert quick is not None and not quick.report.errors, step
        res = quick
        _assert_equals_clean(site, tmp_path, f"clean-{step}", f"quick step {step} differs from a clean build")
        assert "Findable" in (site / "output/posts/demo-post/index.html").read_text() or step == 0
    # A title change shows on listing pages: the quick path steps aside for a full build.
    post.write_text(post.read_text().replace("title: ", "title: Retitled ", 1))
    assert quick_update(site, res, [str(post)]) is None
    post.write_text(post.read_text().replace("title: Retitled ", "title: ", 1))
    # Another page links to a section of this post; renaming that section's label breaks the link:
    # the error is reported with the linking file, and the live page is left as it was.
    other = site / "posts" / "other-post.md"
    other.write_text(other.read_text() + "\nSee [the second section](demo-post.md#sec-second).\n")
    res = build(site, papers=False, search=False, progress=lambda m: None)
    assert res.output is not None and not res.report.errors
    before = (site / "output/posts/demo-post/index.html").read_bytes()
    post.write_text(post.read_text().replace("{#sec-second}", "{#sec-renamed}", 1))
    broken = quick_update(site, res, [str(post)])
    assert broken is not None and any("sec-second" in p.message and p.path == "posts/other-post.md" for p in broken.report.errors)
    assert (site / "output/posts/demo-post/index.html").read_bytes() == before
    # A broken link added to the edited page itself is found by the quick path's partial check.
    # (The failed edit left the site as ``res`` made it: restore the source and go on from there.)
    post.write_text(post.read_text().replace("{#sec-renamed}", "{#sec-second}", 1))
    post.write_text(
        post.read_text() + '\nSee <a href="../no-such-post/">nowhere</a> and <a href="../other-post/#sec-none">a lost part</a>.\n'
    )
    broken = quick_update(site, res, [str(post)])
    assert broken is not None
    messages = [p.message for p in broken.report.errors if p.path == "posts/demo-post.md"]
    assert any("no-such-post" in m for m in messages) and any("sec-none" in m for m in messages), messages
    assert (site / "output/posts/demo-post/index.html").read_bytes() == before
    # A failed edit leaves no trace in the objects the next quick edit renders from: after editing
    # another post, the feed (which carries both posts) equals a clean build's.
    post.write_text(post.read_text().split('\nSee <a href="../no-such-post/">')[0] + "\n")
    other.write_text(other.read_text().replace("again.", "again, quickly."))
    res = quick_update(site, res, [str(other)])
    assert res is not None and not res.report.errors
    _assert_equals_clean(site, tmp_path, "clean-after-failure")


def test_serve_quick_path_for_a_bib_edit_equals_a_clean_build(site, tmp_path):
    """A .bib edit in serve re-renders the posts citing the changed entry, the bibliography page
    and the feed; the site equals a clean build's. A removed entry that is cited needs the full
    build (which reports the missing key)."""
    from plugins.site import build, quick_update

    res = build(site, papers=False, search=False, progress=lambda m: None)
    assert res.output is not None and not res.report.errors
    bib = site / "bib" / "refs.bib"
    other_page = (site / "output/posts/other-post/index.html").read_bytes()
    for step, (old, new) in enumerate([("Attention Is All You Need", "Attention Is All You Need, Edited"), ("Edited", "Twice")]):
        bib.write_text(bib.read_text().replace(old, new, 1))
        quick = quick_update(site, res, [str(bib)])
        assert quick is not None and not quick.report.errors, step
        res = quick
        _assert_equals_clean(site, tmp_path, f"clean-bib-{step}", f"bib step {step} differs from a clean build")
    assert "need, twice" in (site / "output/posts/demo-post/index.html").read_text().lower()  # pybtex sentence-cases titles
    assert "need, twice" in (site / "output/bibliography/index.html").read_text().lower()
    assert (site / "output/posts/other-post/index.html").read_bytes() == other_page  # cites other entries only
    text = bib.read_text()
    start = text.index("@", text.index("vaswani2017attention") - 20)
    bib.write_text(text[:start] + text[text.index("\n}", start) + 2 :])
    assert quick_update(site, res, [str(bib)]) is None


def test_search_index_is_reused_only_while_its_pages_are_unchanged(site, tmp_path):
    """An edit that changes no page search indexes (a draft's body) reuses the last index (the same
    files, hard-linked); an edit to a published post indexes again; either way the site equals a
    clean build. serve's in-place quick edits withdraw the record of the index they invalidate."""

    def entry_inode():
        return os.stat(site / "output/pagefind/pagefind-entry.json").st_ino

    def build_v():
        res = run_build(site, "build", "--no-papers", "-v")
        assert res.returncode == 0, res.stderr[-2000:]
        return res.stderr

    assert "search-index-reused" not in build_v()  # nothing to reuse yet
    first = entry_inode()
    draft = site / "posts" / "draft-post.md"
    draft.write_text(draft.read_text() + "\nA sentence added to the draft.\n")
    assert "search-index-reused" in build_v() and entry_inode() == first
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".cache", "output", "output.swap"))
    assert run_build(clean, "build", "--no-papers").returncode == 0
    assert tree_hashes(site / "output") == tree_hashes(clean / "output")

    post = site / "posts" / "demo-post.md"
    post.write_text(post.read_text().replace("Searchable word", "Searchable term", 1))
    assert "search-index-reused" not in build_v() and entry_inode() != first

    from plugins.site import _indexed_key, build, finish_background_search, quick_update

    def recorded():
        return _indexed_key(site / ".cache", os.path.basename(os.path.realpath(site / "output")))

    assert recorded()  # by the last build
    # serve's builds index in the background after showing the site: such an index is not recorded,
    # neither while it is written nor after it is put in place.
    post.write_text(post.read_text().replace("Searchable term", "Searchable phrase", 1))
    res = build(site, papers=False, search="background", progress=lambda m: None)
    assert res.output is not None and not res.search_reused and recorded() is None
    finish_background_search(res)
    assert recorded() is None
    # A later full build records its index again; serve's in-place quick edit then withdraws it.
    res = build(site, papers=False, search=True, progress=lambda m: None)
    assert recorded()
    res = build(site, papers=False, search="background", progress=lambda m: None)
    assert res.search_reused and recorded()  # pages unchanged: the recorded index, reused whole
    post.write_text(post.read_text().replace("Searchable phrase", "Searchable word", 1))
    quick = quick_update(site, res, [str(post)])
    assert quick is not None and not quick.report.errors
    finish_background_search(quick)
    assert recorded() is None


def test_search_key_depends_on_the_pages_and_pagefind(monkeypatch, tmp_path):
    from plugins import site as sitemod
    from plugins.linkcheck import scan

    page = {"p/index.html": ("1", True)}
    a = sitemod.search_key(page)
    assert a is not None and a == sitemod.search_key(dict(page))
    others = [{"p/index.html": ("2", True)}, {"q/index.html": ("1", True)}, {**page, "r/index.html": ("3", False)}]
    assert a not in {sitemod.search_key(o) for o in others}
    # No page carries the mark as an attribute: Pagefind indexes every page, which no key covers.
    assert sitemod.search_key({"p/index.html": ("1", False)}) is None and sitemod.search_key({}) is None
    pinned = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/pagefind"]["version"]
    assert f"@{pinned}/pagefind" in sitemod._pagefind_version()  # the build runs the Pagefind the lock pins
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "h2")  # Pagefind reads its settings from these
    assert sitemod.search_key(page) not in {a, None}
    monkeypatch.delenv("PAGEFIND_EXCLUDE_SELECTORS")
    monkeypatch.chdir(tmp_path)  # ... and from a configuration file where it runs
    (tmp_path / "pagefind.yml").write_text("exclude_selectors: [h2]\n")
    assert sitemod.search_key(page) not in {a, None}
    (tmp_path / "pagefind.yml").unlink()
    assert sitemod.search_key(page) == a
    monkeypatch.setattr(sitemod, "_pagefind_version", lambda: "linux-x64@9.9.9/pagefind_extended")
    assert sitemod.search_key(page) not in {a, None}
    monkeypatch.setattr(sitemod, "_pagefind_version", lambda: "")
    assert sitemod.search_key(page) is None  # unknown Pagefind: never reused

    # The scan tells a marked page from one that only mentions the mark in its text.
    site = tmp_path / "site"
    for name, body in [("a", "<main data-pagefind-body>x</main>"), ("b", "<p>&lt;main data-pagefind-body&gt;</p>"), ("c", "<p>y</p>")]:
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_text(f"<!doctype html><html><body>{body}</body></html>")
    found = {}
    scan(site, searchable=found)
    assert {k: v[1] for k, v in found.items()} == {"a/index.html": True, "b/index.html": False}


def test_links_checked_beside_the_index_give_the_answer_a_serial_check_gives(site, monkeypatch):
    """With search on, a forked copy at the lowest priority scans the pages and checks their links
    while Pagefind writes the index, sending what it finds piece by piece; links into the index are
    checked once it is written. Broken links, into the index or elsewhere, are reported with their
    source line alike whether the copy did all of that work, only part of it (stopped after its
    first piece), failed, or could not be forked, or the build runs on one core."""
    from plugins import forked
    from plugins import site as sitemod
    from plugins.site import build

    post = site / "posts" / "demo-post.md"
    post.write_text(
        post.read_text() + '\nSee <a href="../../pagefind/no-such.js">the index</a> and <a href="../no-such-post/">nowhere</a>.\n'
    )
    line = post.read_text().count("\n")
    real_start, real_items = forked.start, forked.Job.items
    seen = []

    def spy(job, grace=None):  # what the copy sent, as the build receives it
        items, finished = real_items(job, grace)
        seen.append((items, finished))
        return items, finished

    def first_piece_only(job, grace=None):
        items, _ = real_items(job, None)
        return items[:1], False

    monkeypatch.setattr(forked.Job, "items", spy)
    from plugins import linkcheck

    real_check, checks_here = linkcheck.check_site, []

    def check_spy(*args, **kwargs):  # the checks made in this process (the copy's are its own)
        checks_here.append((os.getpid(), kwargs.get("under", ())))
        return real_check(*args, **kwargs)

    monkeypatch.setattr(linkcheck, "check_site", check_spy)
    from plugins.bibliography import Bibliography

    Bibliography.load_cached(site)
    answers = []
    for fake, jobs in (
        (real_start, 2),
        (lambda there, **kw: real_start(lambda: 1 / 0, **kw), 2),
        (lambda there, **kw: None, 2),
        (real_start, 1),
        ("first piece", 2),
    ):
        if fake == "first piece":  # the copy stopped after scanning 5 pages: the rest are scanned here
            monkeypatch.setattr(forked.Job, "items", first_piece_only)
            monkeypatch.setattr(sitemod, "SCAN_PIECE", 5)
            fake = real_start
        monkeypatch.setattr(forked, "start", fake)
        for kept in (site / ".cache").glob("*"):  # no index to reuse: Pagefind runs
            if kept.name != "bib":  # (the bibliography is cached: no copy loads it, only the link check's runs)
                shutil.rmtree(kept) if kept.is_dir() else kept.unlink()
        res = build(site, papers=False, jobs=jobs, progress=lambda m: None)
        assert res.output is None
        answers.append(sorted(p.format() for p in res.report.errors))
        if len(answers) == 1:  # this process only checked the links into the index
            assert [u for pid, u in checks_here if pid == os.getpid()] == [("pagefind/",)]
    # The first build used the copy's work: all its pieces, then its check, with the pages whose
    # links into the index were left for after it.
    items, finished = seen[0]
    assert finished and [i[0] for i in items] == ["pages", "checked"]
    assert items[-1][2] == {"posts/demo-post/index.html", "search/index.html"}
    assert len(seen) == 2 and seen[1] == ([], False)  # the failing copy sent nothing
    assert answers[0] == answers[1] == answers[2] == answers[3] == answers[4]
    assert (
        f"posts/demo-post.md:{line}: broken link '../../pagefind/no-such.js' on posts/demo-post/index.html: no file pagefind/no-such.js in the built site"
        in answers[0]
    )
    assert any(a.startswith(f"posts/demo-post.md:{line}: broken link '../no-such-post/'") for a in answers[0]), answers[0]


def test_pagefind_is_found_beside_the_engine_or_its_virtual_environment(monkeypatch, tmp_path):
    """npm installs Pagefind's binary into node_modules/@pagefind/<platform>-<cpu>; a copy of the
    engine elsewhere (the tests' sites, the benchmark's corpus) finds the one beside the .venv that
    runs it; the npm wrapper's PAGEFIND_(EXTENDED_)BINARY_PATH names another; without any, a build
    says how to install it or build without search."""
    from plugins import site as sitemod

    here = sitemod._pagefind_install()
    assert here is not None
    package = Path(here[0][0]).parent.parent
    assert package.parent.name == "@pagefind" and package.parent.parent.name == "node_modules"

    def fresh(engine: Path, prefix: Path):
        monkeypatch.setattr(sitemod, "__file__", str(engine / "plugins" / "site.py"))
        monkeypatch.setattr(sys, "prefix", str(prefix))
        sitemod._pagefind_install.cache_clear()
        return sitemod._pagefind_install()

    def install(base: Path, name: str, version: str) -> Path:
        pkg = base / "node_modules" / "@pagefind" / name
        (pkg / "bin").mkdir(parents=True)
        (pkg / "package.json").write_text(f'{{"version": "{version}"}}')
        (pkg / "bin" / Path(here[0][0]).name).write_text("")
        return pkg / "bin" / Path(here[0][0]).name

    binary = Path(here[0][0]).name
    try:
        # A copy of the engine with no node_modules, run by a virtual environment inside a checkout that has one.
        checkout = tmp_path / "checkout"
        copied = install(checkout, package.name, "7.7.7")
        found = fresh(tmp_path / "elsewhere", checkout / ".venv")
        assert found == ((str(copied),), f"{package.name}@7.7.7/{binary}")
        # The engine's own node_modules comes before the one beside the virtual environment.
        engine = tmp_path / "engine"
        own = install(engine, package.name, "8.8.8")
        assert fresh(engine, checkout / ".venv") == ((str(own),), f"{package.name}@8.8.8/{binary}")
        # Where npm named the platform package otherwise (another processor name), that one is used.
        other = install(tmp_path / "npm-elsewhere", "darwin-arm64", "9.9.9")
        assert fresh(tmp_path / "npm-elsewhere", tmp_path / "other" / ".venv") == ((str(other),), f"darwin-arm64@9.9.9/{binary}")
        # Nothing installed: the build's search step reports it with what to run.
        assert fresh(tmp_path / "elsewhere", tmp_path / "other" / ".venv") is None
        problem = sitemod.start_pagefind(tmp_path)
        assert isinstance(problem, sitemod.Problem) and "make site" in problem.message and "npm ci" in problem.message
        assert "--no-search" in problem.message and "PAGEFIND_BINARY_PATH" in problem.message
        assert sitemod._pagefind_version() == "" and sitemod.search_key({"p/index.html": ("1", True)}) is None
        # The npm wrapper's settings name another binary, the extended one's first.
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/opt/pagefind")
        sitemod._pagefind_install.cache_clear()
        assert sitemod._pagefind_command() == ("/opt/pagefind",) and sitemod._pagefind_version() == ""
        monkeypatch.setenv("PAGEFIND_EXTENDED_BINARY_PATH", "/opt/pagefind_extended")
        sitemod._pagefind_install.cache_clear()
        assert sitemod._pagefind_command() == ("/opt/pagefind_extended",)
    finally:
        monkeypatch.undo()
        sitemod._pagefind_install.cache_clear()
