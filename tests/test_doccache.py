"""The parse cache's SQLite file: round trip, damage, pruning, the old per-document files."""

from __future__ import annotations

import pickle

from plugins import site as sitemod
from plugins.doccache import NAME, DocCache


def test_round_trip_and_misses(tmp_path):
    c = DocCache(tmp_path / "docs")
    items = [(f"doc{i:04d}", pickle.dumps({"i": i})) for i in range(1203)]  # more than one statement's parameters
    c.put(items)
    got = c.get([n for n, _ in items] + ["absent"])
    assert len(got) == 1203 and "absent" not in got
    assert pickle.loads(got["doc0777"]) == {"i": 777}
    c.put([("doc0777", b"new")])  # replaced, not duplicated
    assert c.get(["doc0777"]) == {"doc0777": b"new"}


def test_damaged_file_is_started_again(tmp_path):
    c = DocCache(tmp_path / "docs")
    c.put([("a", b"1")])
    (tmp_path / "docs" / NAME).write_bytes(b"this is not a database" * 100)
    assert c.get(["a"]) == {}
    c.put([("b", b"2")])
    assert c.get(["a", "b"]) == {"b": b"2"}


def test_a_locked_file_is_waited_for_then_left_alone(tmp_path, monkeypatch):
    import sqlite3

    c = DocCache(tmp_path / "docs")
    c.put([("a", b"1")])
    monkeypatch.setattr(DocCache, "timeout", 0.2)
    other = sqlite3.connect(c.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process writing for longer than the timeout
    try:
        assert c.get(["a"]) == {}
        c.put([("b", b"2")])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert c.get(["a", "b"]) == {"a": b"1"}  # the file was kept, not taken for damaged


def test_a_mistake_in_the_code_is_not_taken_for_a_damaged_file(tmp_path):
    import sqlite3

    import pytest

    c = DocCache(tmp_path / "docs")
    c.put([("a", b"1")])
    with pytest.raises(sqlite3.IntegrityError):
        c.put([("b", None)])  # the table refuses an empty document
    assert c.get(["a"]) == {"a": b"1"}  # the file was kept


def test_prune_keeps_the_current_documents_once_over_the_limit(tmp_path):
    c = DocCache(tmp_path / "docs")
    c.put([(f"old{i}", b"x") for i in range(10)] + [("now1", b"1"), ("now2", b"2")])
    c.prune({"now1", "now2"}, limit=12)  # not over the limit: nothing dropped
    assert len(c.get([f"old{i}" for i in range(10)])) == 10
    c.prune({"now1", "now2"}, limit=5)
    assert c.get([f"old{i}" for i in range(10)]) == {}
    assert c.get(["now1", "now2"]) == {"now1": b"1", "now2": b"2"}


def test_earlier_per_document_files_are_removed(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "0123abcd.pickle").write_bytes(b"old cache")
    DocCache(folder).put([("a", b"1")])
    assert not list(folder.glob("*.pickle")) and (folder / NAME).is_file()


def test_build_reuses_and_repairs_the_cache(site):
    """A second parse reads every document from the file; a damaged entry is parsed again."""
    root = site
    report = sitemod.Report()
    sources = sitemod.discover(root, report)
    from plugins import figures as figmod
    from plugins.bibliography import Bibliography

    bib = Bibliography.load_cached(root)
    figs, results, _ = figmod.run_all(root, jobs=1, progress=lambda *a: None)
    ctx = sitemod.render_context(root, sources, bib, figs, results, sitemod._read_settings(root, "pelicanconf.py"))
    folder = root / ".cache" / "docs"
    sitemod._MEMO.clear()  # documents parsed in memory by earlier tests (same content, same names) are not stored again
    first, _ = sitemod.parse_all(root, sources, ctx, folder, jobs=1)
    sitemod._MEMO.clear()
    parsed = []
    real = sitemod._parse_pickled
    try:
        sitemod._parse_pickled = lambda r, s, *a: parsed.append(s.path) or real(r, s, *a)
        again, _ = sitemod.parse_all(root, sources, ctx, folder, jobs=1)
        assert parsed == [] and {k: d.html for k, d in again.items()} == {k: d.html for k, d in first.items()}
        store = DocCache(folder)
        import sqlite3

        con = sqlite3.connect(store.path)
        name = con.execute("SELECT name FROM docs ORDER BY name LIMIT 1").fetchone()[0]
        con.execute("UPDATE docs SET data = ? WHERE name = ?", (b"damaged", name))
        con.commit()
        con.close()
        sitemod._MEMO.clear()
        again, _ = sitemod.parse_all(root, sources, ctx, folder, jobs=1)
        assert len(parsed) == 1 and {k: d.html for k, d in again.items()} == {k: d.html for k, d in first.items()}
    finally:
        sitemod._parse_pickled = real
        sitemod._MEMO.clear()
