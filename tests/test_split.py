"""Article and listing pages written by two processes (``acx_pelican.split_generate_pages``) must be
exactly the pages one process writes, including which pages are reused from the previous site; what
Pelican logs in the second process must reach the report; and a failure of the second process must
neither lose pages nor touch the live site."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("build")


def _hashes(out: Path) -> dict:
    out = out.resolve()
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file()}


def _build(root: Path, split: bool, monkeypatch, expect_ok: bool = True):
    from plugins import site as sitemod

    monkeypatch.setattr(sitemod, "SPLIT_MIN", 1 if split else 10**9)
    res = sitemod.build(root, papers=False, search=False, progress=lambda *a: None)
    if expect_ok:
        assert not res.report.errors, [p.message for p in res.report.errors]
    return res


def _more_posts(root: Path, n: int = 5) -> None:
    for i in range(n):
        (root / "posts" / f"extra-{i}.md").write_text(
            f"---\ntitle: Extra post {i}\ndate: 2024-03-0{i + 1}\nsummary: Filler {i}.\nauthors: [{{name: A. Author}}]\ntags: [extra]\n---\n\n"
            f"# Part {i} {{#sec-part}}\n\nBody of extra post {i}, citing [@hubinger2019risks].\n",
            encoding="utf-8",
        )


def _counting_splits(monkeypatch) -> list:
    from plugins import acx_pelican

    calls = []
    real = acx_pelican._every_other

    def counted(write, mine, record_others):
        calls.append((os.getpid(), mine))
        return real(write, mine, record_others)

    monkeypatch.setattr(acx_pelican, "_every_other", counted)
    return calls


def test_two_processes_write_what_one_writes_and_reuse_the_same_pages(site, tmp_path, monkeypatch):
    import shutil

    _more_posts(site)
    calls = _counting_splits(monkeypatch)
    one = _build(site, split=False, monkeypatch=monkeypatch)
    assert calls == []
    expected = _hashes(site / "output")
    shutil.rmtree(site / ".cache")
    (site / "output").unlink()
    two = _build(site, split=True, monkeypatch=monkeypatch)
    assert (os.getpid(), 0) in calls  # this process wrote half and recorded the rest
    assert _hashes(site / "output") == expected
    assert two.reused == one.reused == 0

    # An edit: the unchanged pages are reused (hard-linked) whichever process writes them.
    post = site / "posts" / "extra-3.md"
    post.write_text(post.read_text().replace("Body of extra post 3", "Edited body of extra post 3"))
    edited = _build(site, split=True, monkeypatch=monkeypatch)
    n_docs = len(edited.docs)
    assert edited.reused == n_docs - 1
    after_edit = _hashes(site / "output")
    assert "Edited body" in (site / "output/posts/extra-3/index.html").read_text()
    shutil.rmtree(site / ".cache")
    (site / "output").unlink()
    _build(site, split=False, monkeypatch=monkeypatch)
    assert _hashes(site / "output") == after_edit  # the same as a clean build


def test_a_failed_second_process_loses_no_page_and_leaves_the_live_site_alone(site, monkeypatch):
    from plugins import forked
    from plugins import site as sitemod

    _more_posts(site)
    _build(site, split=True, monkeypatch=monkeypatch)
    live = _hashes(site / "output")
    target = (site / "output").resolve()

    # The copy hard-links the unchanged pages from the live site, then fails before reporting.
    parent = os.getpid()

    class FailingInCopy:  # the copy's report is sent pickled (plugins/forked.py)
        HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL

        @staticmethod
        def dumps(obj, protocol=None):
            if os.getpid() != parent:
                raise RuntimeError("the copy fails")
            return pickle.dumps(obj, protocol=protocol)

        loads = staticmethod(pickle.loads)

    monkeypatch.setattr(forked, "pickle", FailingInCopy)
    post = site / "posts" / "extra-1.md"
    post.write_text(post.read_text().replace("Body of extra post 1", "Changed body of extra post 1"))

    def fail(*args):  # and the build fails after Pelican: the live site must be as it was
        raise sitemod.BuildError([])

    monkeypatch.setattr(sitemod, "write_sitemap", fail)
    res = _build(site, split=True, monkeypatch=monkeypatch, expect_ok=False)
    assert res.output is None
    assert (site / "output").resolve() == target and _hashes(site / "output") == live

    # Without the failure after Pelican, the build succeeds with every page, the edit included.
    monkeypatch.undo()
    monkeypatch.setattr(forked, "pickle", FailingInCopy)
    res = _build(site, split=True, monkeypatch=monkeypatch)
    out = site / "output"
    assert "Changed body" in (out / "posts/extra-1/index.html").read_text()
    for i in range(5):
        assert (out / f"posts/extra-{i}/index.html").is_file()
    assert (out / "tag/extra/index.html").is_file()  # a listing the copy writes
    # The copy's report was lost: its share was written again (this process's share was reused).
    assert 0 < res.reused < len(res.docs) - 1


def test_pelican_generate_pages_calls_what_the_split_shares_out():
    """The split replaces Pelican's ``generate_pages`` with the same calls shared between two
    processes; a Pelican whose ``generate_pages`` calls anything else must be looked at first."""
    from pelican.generators import ArticlesGenerator

    from plugins import acx_pelican

    pelican_own = acx_pelican._GENERATE_PAGES or ArticlesGenerator.generate_pages
    called = [n for n in pelican_own.__code__.co_names if n.startswith("generate_")]
    assert tuple(called) == acx_pelican.PELICAN_PAGES


def test_what_pelican_logs_in_the_second_process_is_reported(site, monkeypatch):
    """A warning logged while the copy writes its pages (here: the tag pages) is in the build's
    report, as when one process writes them all."""
    import logging
    import shutil

    from pelican.generators import ArticlesGenerator

    _more_posts(site)
    real = ArticlesGenerator.generate_tags
    pids = _counting_splits(monkeypatch)
    for split in (False, True):

        def warn_then_write(self, write, split=split):  # Pelican logs a message once per process: one each
            logging.getLogger("pelican.generators").warning("tag pages written (split: %s)", split)
            return real(self, write)

        monkeypatch.setattr(ArticlesGenerator, "generate_tags", warn_then_write)
        shutil.rmtree(site / ".cache", ignore_errors=True)  # not skipped as up to date
        res = _build(site, split=split, monkeypatch=monkeypatch)
        assert [p.message for p in res.report.problems if "tag pages" in p.message] == [f"Pelican: tag pages written (split: {split})"]
    assert (os.getpid(), 0) in pids  # the second build was split (this process wrote the even articles)


def test_a_warning_still_there_is_reported_by_every_build_of_one_process(site, monkeypatch):
    """Pelican logs a given warning once per process; serve builds many times in one process, and a
    warning that was not fixed must show in each build's report, not only the first."""
    import logging

    from pelican.generators import ArticlesGenerator

    real = ArticlesGenerator.generate_tags

    def warn_then_write(self, write):
        logging.getLogger("pelican.generators").warning("the same warning each time")
        return real(self, write)

    monkeypatch.setattr(ArticlesGenerator, "generate_tags", warn_then_write)
    post = site / "posts" / "demo-post.md"
    for i in range(2):
        post.write_text(post.read_text() + f"\nEdit {i}.\n")  # not skipped as up to date
        res = _build(site, split=False, monkeypatch=monkeypatch)
        assert [p.message for p in res.report.problems if "same warning" in p.message] == ["Pelican: the same warning each time"], i


def test_a_copy_failing_before_its_listings_loses_none_of_them(site, tmp_path, monkeypatch):
    """The copy fails after its articles, before it writes the tag pages: this process writes its
    whole share, and the site is what one process writes."""
    import shutil

    from pelican.generators import ArticlesGenerator

    _more_posts(site)
    _build(site, split=False, monkeypatch=monkeypatch)
    expected = _hashes(site / "output")
    shutil.rmtree(site / ".cache")
    (site / "output").unlink()
    parent, real = os.getpid(), ArticlesGenerator.generate_tags

    def fail_in_copy(self, write):
        if os.getpid() != parent:
            raise RuntimeError("the copy fails before its listings")
        return real(self, write)

    monkeypatch.setattr(ArticlesGenerator, "generate_tags", fail_in_copy)
    _build(site, split=True, monkeypatch=monkeypatch)
    assert _hashes(site / "output") == expected


def test_a_file_written_by_both_processes_is_an_error(site, monkeypatch):
    """Pelican refuses to write a file twice; with the pages shared out, each process knows only its
    own files, so a file both wrote is reported after the split."""
    from pelican.generators import ArticlesGenerator

    _more_posts(site)
    real = ArticlesGenerator.generate_drafts
    clash = []

    def also_write_an_odd_article(self, write):  # runs in this process; article 1 is the copy's
        clash.append(self.articles[1].save_as)
        write(clash[0], self.get_template("404"), self.context, template_name="404", page_name="404", url="404.html")
        return real(self, write)

    monkeypatch.setattr(ArticlesGenerator, "generate_drafts", also_write_an_odd_article)
    res = _build(site, split=True, monkeypatch=monkeypatch, expect_ok=False)
    assert [p.message for p in res.report.errors] == [f'Pelican: Failed to write "{clash[0]}": two pages are written to it']
