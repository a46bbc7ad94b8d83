"""Whole-site builds: outputs, determinism, the failed-build rule, build.py's subcommands."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_build

pytestmark = pytest.mark.xdist_group("build")


def tree_hashes(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file()}


def test_site_pages_exist(built_site):
    out = built_site / "output"
    for rel in (
        "index.html",
        "agenda/index.html",
        "feed.xml",
        "sitemap.xml",
        "404.html",
        "archives.html",
        "tags.html",
        "bibliography/index.html",
        "search/index.html",
        "posts/demo-post/index.html",
        "posts/other-post/index.html",
        "authoring/index.html",
        "figures/demo.svg",
        "pagefind/pagefind-ui.js",
        "theme/katex/katex.min.js",
    ):
        assert (out / rel).is_file(), rel


def test_post_page_renders_citations_references_and_cross_refs(built_site):
    html = (built_site / "output/posts/demo-post/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    for label in (
        "(Hubinger et al., 2019; see Langosco et al., 2022, p. 3)",
        "Erdős and Rényi (1959) showed",
        "(2022)",
        "(Ngo, 2022, sec. 2)",
        "(Hadfield-Menell et al., 2017b; Hadfield-Menell et al., 2017a)",
        "Hadfield-Menell et al. (2016)",
        "(OpenAI, 2023)",
        "(Vaswani et al., 2017)",
        "(Christiano et al., 2017)",
        "(Armstrong and Mindermann, 2018)",
    ):
        assert label in text, label
    refs = re.findall(r'<li class="reference" id="ref-([^"]+)"', html)
    assert refs == sorted(refs, key=lambda k: refs.index(k)) and len(refs) == 12 and "unused2020entry" not in refs
    assert ">Figure 1</a>" in html and ">Equation (1)</a>" in html and ">Section 1</a>" in html and ">Table 1</a>" in html
    assert 'href="../../posts/other-post/#sec-other"' in html
    assert 'src="../../figures/demo.svg"' in html
    assert "@@ROOT@@" not in html


def test_titles_are_escaped(built_site):
    html = (built_site / "output/posts/other-post/index.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_agenda_lists_26_requests_with_status(built_site):
    html = (built_site / "output/agenda/index.html").read_text()
    assert len(re.findall(r'class="agenda-item status-', html)) == 26
    assert re.search(r'id="R10" class="agenda-item status-published".*?posts/demo-post/', html, re.S)
    assert 'id="R11" class="agenda-item status-draft"' in html
    assert 'id="R01" class="agenda-item status-missing"' in html


def test_bibliography_page_has_cited_by_backlinks(built_site):
    html = (built_site / "output/bibliography/index.html").read_text()
    entry = re.search(r'<li id="hubinger2019risks".*?</li>', html, re.S).group(0)
    assert "posts/demo-post/#ref-hubinger2019risks" in entry and "posts/other-post/#ref-hubinger2019risks" in entry
    assert "Not cited yet." in re.search(r'<li id="unused2020entry".*?</li>', html, re.S).group(0)


def test_drafts_built_but_hidden(built_site):
    out = built_site / "output"
    assert (out / "drafts/draft-post/index.html").is_file()
    for rel in ("index.html", "feed.xml", "sitemap.xml", "archives.html"):
        assert "draft-post" not in (out / rel).read_text(), rel
    assert "data-pagefind-body" not in (out / "drafts/draft-post/index.html").read_text()


def test_feed_and_sitemap(built_site):
    feed = (built_site / "output/feed.xml").read_text()
    assert "<feed" in feed and "A demonstration post" in feed
    sm = (built_site / "output/sitemap.xml").read_text()
    assert "posts/demo-post/" in sm and "<lastmod>2026-11-20</lastmod>" in sm


def test_two_builds_are_byte_identical(site):
    assert run_build(site, "build", "--no-papers").returncode == 0
    first = tree_hashes(site / "output")
    shutil.rmtree(site / ".cache" / "docs")
    (site / ".cache" / "last-build.json").unlink()  # force a real second build
    assert run_build(site, "build", "--no-papers").returncode == 0
    assert tree_hashes(site / "output") == first


def test_failed_build_keeps_previous_site(site):
    assert run_build(site, "build", "--no-papers", "--no-search").returncode == 0
    before = tree_hashes(site / "output")
    post = site / "posts" / "demo-post.md"
    text = post.read_text()
    post.write_text(text.replace("[@hubinger2019risks;", "[@hubinger2019risk;", 1))
    res = run_build(site, "build", "--no-papers", "--no-search")
    assert res.returncode == 1
    assert (
        "posts/demo-post.md:12:" in res.stderr
        and "unknown citation key 'hubinger2019risk' (did you mean 'hubinger2019risks'?)" in res.stderr
    )
    assert "Traceback" not in res.stderr
    assert tree_hashes(site / "output") == before
    assert post.read_text() != text  # sources are never rewritten by the build


@pytest.mark.parametrize(
    "front,expected",
    [
        ("---\ndate: 2026-01-01\n---\nx", "posts/bad.md:1: front matter is missing 'title': add 'title: …'"),
        ("---\ntitle: T\ndate: 2026-02-30\n---\nx", "posts/bad.md:3: 'date' must be a date written YYYY-MM-DD (got '2026-02-30')"),
        ("---\ntitle: T\ndate: 2026-01-01\nstatus: done\n---\nx", "posts/bad.md:4: 'status' must be 'draft' or 'published' (got 'done')"),
        ("---\ntitle: T\ndate: 2026-01-01\nrequest: R99\n---\nx", "posts/bad.md:4: 'request' must be an agenda id R01 to R26 (got 'R99')"),
        ("---\ntitle: [unclosed\ndate: 2026-01-01\n---\nx", "posts/bad.md:3: malformed YAML front matter"),
        ("no front matter here", "posts/bad.md:1: no YAML front matter"),
        ("", "posts/bad.md:1: file is empty"),
    ],
)
def test_bad_front_matter_fails_with_file_and_line(site, front, expected):
    (site / "posts" / "bad.md").write_text(front)
    res = run_build(site, "build", "--no-papers", "--no-search")
    assert res.returncode == 1 and expected in res.stderr and "Traceback" not in res.stderr


def test_duplicate_slug_and_non_utf8(site):
    (site / "posts" / "demo-post.ipynb").write_text("{}")
    (site / "posts" / "latin.md").write_bytes(b"---\ntitle: T\ndate: 2026-01-01\n---\ncaf\xe9\n")
    res = run_build(site, "build", "--no-papers", "--no-search")
    assert res.returncode == 1
    assert (
        "posts/demo-post.md:1: duplicate slug 'demo-post'" in res.stderr
        or "posts/demo-post.ipynb:1: duplicate slug 'demo-post'" in res.stderr
    )
    assert "posts/latin.md:5: file is not UTF-8 text" in res.stderr


@pytest.mark.parametrize("sub", ["build", "serve", "new", "check", "figures", "papers", "pdf", "clean"])
def test_every_subcommand_explains_itself(sub):
    res = run_build(ROOT, sub, "--help")
    assert res.returncode == 0 and "usage: build.py " + sub in res.stdout and len(res.stdout) > 150


def test_top_level_help_lists_subcommands():
    res = run_build(ROOT, "--help")
    assert res.returncode == 0
    for sub in ("build", "serve", "new", "check", "figures", "papers", "clean"):
        assert sub in res.stdout


def test_new_scaffolds_and_refuses_to_overwrite(site):
    res = run_build(site, "new", "post", "Why Deference Fails")
    assert res.returncode == 0 and (site / "posts/why-deference-fails.md").is_file()
    assert "status: draft" in (site / "posts/why-deference-fails.md").read_text()
    assert run_build(site, "new", "post", "Why Deference Fails").returncode == 1
    assert run_build(site, "new", "paper", "A Paper").returncode == 0 and (site / "papers/a-paper/paper.md").is_file()


def test_clean_removes_output_and_cache(site):
    assert run_build(site, "build", "--no-papers", "--no-search").returncode == 0
    assert run_build(site, "clean").returncode == 0
    assert not (site / "output").exists() and not (site / ".cache").exists()


def test_check_reports_and_json(built_site):
    res = run_build(built_site, "check", "--format", "json")
    import json

    data = json.loads(res.stdout)
    assert res.returncode == 0 and data["errors"] == 0
    assert any(p["message"] == "unused2020entry: entry is cited nowhere" and p["severity"] == "warning" for p in data["problems"])


def test_check_github_annotations(site):
    (site / "posts" / "demo-post.md").write_text((site / "posts" / "demo-post.md").read_text().replace("@fig-demo,", "@fig-nope,"))
    import os
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "build.py", "check"], cwd=site, capture_output=True, text=True, env=dict(os.environ, GITHUB_ACTIONS="true")
    )
    assert res.returncode == 1
    assert "::error file=posts/demo-post.md,line=18,col=5::unknown cross-reference '@fig-nope'" in res.stdout


def test_dead_links_get_archived_copy(tmp_path):
    from plugins.site import mark_dead_links

    (tmp_path / "p.html").write_text('<p><a href="https://gone.example/x">gone</a> <a href="https://ok.example/">ok</a></p>')
    n = mark_dead_links(tmp_path, {"https://gone.example/x": "https://web.archive.org/web/20260101/https://gone.example/x"})
    html = (tmp_path / "p.html").read_text()
    assert n == 1
    assert (
        '<a href="https://gone.example/x">gone</a> <a class="dead-link-archive" href="https://web.archive.org/web/20260101/https://gone.example/x"'
        in html
    )
    assert html.count("dead-link-archive") == 1


def test_draft_tags_do_not_link_to_missing_tag_pages(built_site):
    html = (built_site / "output/drafts/draft-post/index.html").read_text()
    assert '<span class="tag">draft-only-tag</span>' in html and "tag/draft-only-tag/" not in html
    assert not (built_site / "output/tag/draft-only-tag").exists()


def test_unchanged_inputs_skip_the_build_and_any_change_rebuilds(site):
    assert run_build(site, "build", "--no-papers", "--no-search").returncode == 0
    target = (site / "output").resolve()
    res = run_build(site, "build", "--no-papers", "--no-search")
    assert res.returncode == 0 and "site is up to date" in res.stderr and (site / "output").resolve() == target
    post = site / "posts" / "other-post.md"
    post.write_text(post.read_text().replace("again.", "again, edited."))
    res = run_build(site, "build", "--no-papers", "--no-search")
    assert res.returncode == 0 and "up to date" not in res.stderr
    assert "again, edited." in (site / "output/posts/other-post/index.html").read_text()


def test_editing_a_bib_entry_reparses_only_pieces_that_cite_it(site):
    import json
    import os
    import subprocess
    import sys

    assert run_build(site, "build", "--no-papers", "--no-search").returncode == 0
    code = (
        "import sys, json; sys.path.insert(0, '.'); from pathlib import Path; from plugins import site as S\n"
        "calls = []\n_orig = S.parse_one\n"
        "def spy(root, src, ctx=None, execute=None, **kw):\n    calls.append(src.path); return _orig(root, src, ctx, execute, **kw)\n"
        "S.parse_one = spy\nres = S.build(Path('.'), papers=False, search=False, progress=lambda m: None)\n"
        "print(json.dumps(sorted(calls)))\n"
    )
    bib = site / "bib" / "refs.bib"
    bib.write_text(bib.read_text().replace("On Random Graphs {I}", "On Random Graphs, Part {I}"))  # cited by demo-post only
    out = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, env=dict(os.environ))
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["posts/demo-post.md"], out.stderr[-2000:]
    assert 'On random graphs, part <span class="bibtex-protected">I</span>' in (site / "output/posts/demo-post/index.html").read_text()
    bib.write_text(bib.read_text().replace("An Entry Nobody Cites", "An Entry Still Uncited"))
    out = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, env=dict(os.environ))
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [], out.stderr[-2000:]


def test_figure_caption_links_to_its_script(built_site):
    html = (built_site / "output/posts/demo-post/index.html").read_text()
    assert '<a class="code-link" href="https://github.com/alignment-concepts/alignment-concepts/blob/main/figures/demo.py">Code</a>' in html


def test_check_reports_what_the_latex_export_would_refuse(site):
    """Math the site shows but LaTeX cannot typeset is found by ``check``, not first by ``make site``."""
    paper = site / "papers" / "t" / "paper.md"
    paper.parent.mkdir(parents=True)
    paper.write_text(
        "---\ntitle: T\ndate: 2026-01-01\nstatus: published\nabstract: A.\n---\n\nOne.\n\nTwo $P(\\text{$a$ is optimal})$ here.\n"
    )
    res = run_build(site, "check")
    assert res.returncode == 1
    assert "papers/t/paper.md:10: math has unbalanced braces" in res.stdout, res.stdout
    paper.write_text(paper.read_text().replace("\\text{$a$ is optimal}", "a\\ \\text{is optimal}"))
    res = run_build(site, "check")
    assert "unbalanced" not in res.stdout, res.stdout


def test_paper_abstract_too_long_for_arxiv_is_a_warning_with_its_line(site):
    paper = site / "papers" / "t" / "paper.md"
    paper.parent.mkdir(parents=True)
    head = "---\ntitle: T\ndate: 2026-01-01\nstatus: published\nabstract: "
    paper.write_text(head + "word " * 400 + "\n---\n\nBody.\n")
    res = run_build(site, "check")
    assert "papers/t/paper.md:5: warning: the abstract has 1999 characters; arXiv's submission form takes at most 1920" in res.stdout, (
        res.stdout
    )
    paper.write_text(head + "word " * 300 + "\n---\n\nBody.\n")
    assert "arXiv's submission form" not in run_build(site, "check").stdout


def test_write_atomic_replaces_whole_file_and_leaves_no_temporary(tmp_path):
    from plugins.atomic import write_atomic

    f = tmp_path / "state.json"
    f.write_text("old")
    write_atomic(f, b"new")
    assert f.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (make test installs TeX Live)")
def test_pdf_of_a_post_after_a_site_build(site):
    """``build.py pdf`` exports a post whose parse the site build cached (without the element tree
    the LaTeX serializer walks: the post is parsed again) with its body, not an empty document."""
    from plugins.papers import pdf_text

    assert run_build(site, "build", "--no-papers", "--no-search").returncode == 0
    res = run_build(site, "pdf", "posts/demo-post.md")
    assert res.returncode == 0, res.stderr[-2000:]
    text = pdf_text(site / "output" / "pdf" / "demo-post.pdf") or ""
    assert "zanzibarite" in text and "Second section" in text, text[:500]


def test_the_bibliography_loads_in_a_forked_copy_beside_the_settings(site, monkeypatch):
    """A cold build loads the bibliography in a forked copy while it reads the settings; the result
    is what loading it here gives. A cached bibliography is loaded here, and so is one whose copy
    failed, or when the process has other threads."""
    import threading

    from plugins import forked
    from plugins import site as S
    from plugins.bibliography import Bibliography

    serial = Bibliography.load(sorted((site / "bib").glob("*.bib")), site)
    threads = [1]  # the build's process has no other thread (pytest-xdist's worker has one: hidden)
    monkeypatch.setattr(threading, "active_count", lambda: threads[0])
    started = []
    real = forked.start
    monkeypatch.setattr(forked, "start", lambda there, **kw: started.append(getattr(there, "func", there)) or real(there, **kw))

    def build():
        shutil.rmtree(site / ".cache" / "docs", ignore_errors=True)
        (site / ".cache" / "last-build.json").unlink(missing_ok=True)
        started.clear()
        res = S.build(site, papers=False, search=False, jobs=2, progress=lambda m: None)
        assert not res.report.errors, res.report.sorted()
        assert res.bib.export_labels() == serial.export_labels()
        assert [p.format() for p in res.bib.problems] == [p.format() for p in serial.problems]
        return Bibliography.load_cached in started

    assert build()  # cold: the copy loaded it
    assert not build()  # cached: loaded here
    shutil.rmtree(site / ".cache" / "bib")
    threads[0] = 3  # another thread runs (serve): no fork
    assert not build()
    shutil.rmtree(site / ".cache" / "bib")
    threads[0] = 1
    monkeypatch.setattr(forked, "start", lambda there, **kw: None)  # the fork fails
    assert not build()


def test_build_py_starts_the_bibliography_copy_before_importing_the_engine(site):
    """``build.py build`` forks the bibliography's copy before it imports the rest of the engine
    (``plugins.site`` and Pelican), so that the copy works while this process imports them."""
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, '.'); import build\n"
        "from plugins import forked\n"
        "real, seen = forked.start, []\n"
        "def spy(there, **kw):\n"
        "    seen.append((getattr(there, 'func', there).__qualname__, 'plugins.site' in sys.modules, 'pelican' in sys.modules))\n"
        "    return real(there, **kw)\n"
        "forked.start = spy\n"
        "rc = build.main(['build', '--no-papers', '--no-search', '-q'])\n"
        "print(rc, seen[0])\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split("\n")[-2] == "0 ('Bibliography.load_cached', False, False)", r.stdout

    # If importing the engine fails after the copy started, the copy is stopped and collected.
    code = (
        "import os, sys; sys.path.insert(0, '.'); import build\n"
        "from plugins import forked\n"
        "real, jobs = forked.start, []\n"
        "forked.start = lambda there, **kw: jobs.append(real(there, **kw)) or jobs[-1]\n"
        "sys.modules['plugins.site'] = None  # the import fails\n"
        "try:\n"
        "    build.main(['build', '--no-papers', '--no-search', '-q'])\n"
        "except ImportError:\n"
        "    pass\n"
        "try:\n"
        "    os.waitpid(jobs[0].pid, os.WNOHANG)\n"
        "    print('left behind')\n"
        "except ChildProcessError:\n"
        "    print('collected')\n"
    )
    shutil.rmtree(site / ".cache" / "bib", ignore_errors=True)
    r = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, timeout=300)
    assert r.stdout.strip() == "collected", (r.stdout, r.stderr[-2000:])


def test_last_updated_comes_from_git_history(site):
    """A post whose last commit is later than its date says when it was last updated; the date
    comes from ``git log``, run in the background while the build works (outside a repository:
    no date, no error)."""
    import os
    import subprocess

    page = site / "output" / "posts" / "demo-post" / "index.html"
    assert run_build(site, "build", "--no-papers", "--no-search").returncode == 0
    assert "last updated" not in page.read_text()
    env = dict(os.environ, GIT_COMMITTER_DATE="2030-01-02T03:04:05Z", GIT_AUTHOR_DATE="2030-01-02T03:04:05Z")
    for cmd in (["init", "-q"], ["add", "-A"], ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x"]):
        subprocess.run(["git", *cmd], cwd=site, check=True, env=env, capture_output=True)
    res = run_build(site, "build", "--no-papers", "--no-search")
    assert res.returncode == 0, res.stderr
    assert 'last updated <time datetime="2030-01-02">2030-01-02</time>' in page.read_text()


def test_a_symlinked_source_is_a_page_of_its_own(site):
    """A post that is a symbolic link to another post inside the repository is built as a page of
    its own (the reader knows sources by the name Pelican found them under; keyed by their real
    path, both posts were one and Pelican stopped on writing the same page twice)."""
    import os

    os.symlink("demo-post.md", site / "posts" / "alias-post.md")
    res = run_build(site, "build", "--no-papers", "--no-search")
    assert res.returncode == 0, res.stderr[-2000:]
    for slug in ("demo-post", "alias-post"):
        html = (site / "output" / "posts" / slug / "index.html").read_text()
        assert f"posts/{slug}/" in html and "zanzibarite" in html
