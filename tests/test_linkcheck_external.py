"""Tests for plugins/linkcheck_external.py against a local HTTP server (never the internet)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plugins import linkcheck_external as lc
from plugins.linkcheck_external import (
    LinkRef,
    LinkResult,
    check_external,
    dead_links_with_archive,
    format_report,
    load_ignore_file,
    validate_url,
)

ANCHOR_PAGE = b"""<!doctype html><html><body>
<h2 id="present">Present</h2>
<a name="named-anchor">old-style anchor</a>
<p id='quoted'>x</p>
</body></html>"""


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: Counter[tuple[str, str]] = Counter()
        self.active = 0
        self.max_active = 0
        self.busy = 0  # requests inside /busy/'s work, before the reply is written
        self.max_busy = 0


class _Handler(BaseHTTPRequestHandler):
    state: _State  # set per server

    def log_message(self, *args: object) -> None:  # keep pytest output quiet
        pass

    def _send(self, code: int, body: bytes = b"ok", ctype: str = "text/html", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        st = self.state
        path = self.path
        with st.lock:
            st.hits[(self.command, path)] += 1
            n = st.hits[("HEAD", path)] + st.hits[("GET", path)]
            st.active += 1
            st.max_active = max(st.max_active, st.active)
        try:
            if path == "/ok":
                self._send(200)
            elif path == "/moved":
                self._send(301, Location="/ok")
            elif path == "/loop-a":
                self._send(302, Location="/loop-b")
            elif path == "/loop-b":
                self._send(302, Location="/loop-a")
            elif path == "/cookie-gate":
                if "gate=1" in (self.headers.get("Cookie") or ""):
                    self._send(200)
                else:
                    self._send(302, Location="/cookie-gate", Set_Cookie="gate=1; Path=/")
            elif path == "/missing":
                self._send(404, b"not found")
            elif path == "/ratelimited":
                if n == 1:
                    self._send(429, b"slow down", Retry_After="1")
                else:
                    self._send(200)
            elif path == "/unavailable":
                if n == 1:
                    self._send(503, b"busy")
                else:
                    self._send(200)
            elif path == "/unavailable-date":
                if n == 1:
                    self._send(
                        503,
                        b"busy",
                        Retry_After=formatdate(time.time() + 1, usegmt=True),
                    )
                else:
                    self._send(200)
            elif path == "/slow":
                time.sleep(1.5)
                self._send(200)
            elif path == "/anchors":
                self._send(200, ANCHOR_PAGE, "text/html; charset=utf-8")
            elif path == "/nohead":
                if self.command == "HEAD":
                    self._send(405, b"", Allow="GET")
                else:
                    self._send(200)
            elif path.startswith("/busy/"):
                # Counted from arrival to just before replying: a reply already read by the client
                # frees its slot while this thread may still be unwinding, which must not count.
                with st.lock:
                    st.busy += 1
                    st.max_busy = max(st.max_busy, st.busy)
                time.sleep(0.25)
                with st.lock:
                    st.busy -= 1
                self._send(200)
            else:
                self._send(404, b"no route")
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with st.lock:
                st.active -= 1

    do_GET = _route
    do_HEAD = _route


@pytest.fixture
def server():
    state = _State()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield base, state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for var in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")


FAST = {"timeout": 1.0, "retries": 2, "backoff": 0.05, "max_retry_after": 3.0}


def _by_url(results: list[LinkResult]) -> dict[str, LinkResult]:
    return {r.ref.url: r for r in results}


def test_statuses_sources_and_lines(server, tmp_path):
    base, state = server
    refs = [
        LinkRef(f"{base}/ok", "posts/a.md", 3),
        LinkRef(f"{base}/moved", "posts/a.md", 7),
        LinkRef(f"{base}/loop-a", "posts/b.md", 1),
        LinkRef(f"{base}/cookie-gate", "posts/b.md", 8),
        LinkRef(f"{base}/missing", "papers/p/paper.md", 40),
        LinkRef(f"{base}/ratelimited", "posts/c.md", 2),
        LinkRef(f"{base}/unavailable", "posts/c.md", 9),
        LinkRef(f"{base}/nohead", "posts/d.md", 5),
    ]
    t0 = time.monotonic()
    res = check_external(list(reversed(refs)), cache_path=tmp_path / "links.json", **FAST)
    elapsed = time.monotonic() - t0

    # deterministic order: (source, line, url)
    assert [(r.ref.source, r.ref.line) for r in res] == sorted((r.source, r.line) for r in refs)
    got = _by_url(res)

    ok = got[f"{base}/ok"]
    assert (ok.ref.source, ok.ref.line, ok.status, ok.ok, ok.error) == (
        "posts/a.md",
        3,
        200,
        True,
        None,
    )
    assert ok.redirects == [] and ok.final_url == f"{base}/ok"

    moved = got[f"{base}/moved"]
    assert (moved.ref.source, moved.ref.line, moved.status, moved.ok) == (
        "posts/a.md",
        7,
        200,
        True,
    )
    assert moved.redirects == [f"{base}/ok"] and moved.final_url == f"{base}/ok"

    loop = got[f"{base}/loop-a"]
    assert (loop.ref.source, loop.ref.line, loop.ok, loop.error) == (
        "posts/b.md",
        1,
        False,
        "redirect loop",
    )
    assert loop.status == 302
    assert loop.redirects == [f"{base}/loop-b", f"{base}/loop-a"]

    gate = got[f"{base}/cookie-gate"]
    assert (gate.ref.source, gate.ref.line, gate.status, gate.ok) == ("posts/b.md", 8, 200, True)
    assert gate.redirects == [f"{base}/cookie-gate"]

    missing = got[f"{base}/missing"]
    assert (missing.ref.source, missing.ref.line, missing.status, missing.ok) == (
        "papers/p/paper.md",
        40,
        404,
        False,
    )
    assert missing.error == "HTTP 404"
    assert state.hits[("HEAD", "/missing")] == 1  # a 404 is not retried

    rl = got[f"{base}/ratelimited"]
    assert (rl.ref.source, rl.ref.line, rl.status, rl.ok) == (
        "posts/c.md",
        2,
        200,
        True,
    )
    assert state.hits[("HEAD", "/ratelimited")] == 2
    assert elapsed >= 0.95  # Retry-After: 1 was honoured (not the 0.05 s backoff)

    un = got[f"{base}/unavailable"]
    assert (un.ref.source, un.ref.line, un.status, un.ok) == (
        "posts/c.md",
        9,
        200,
        True,
    )
    assert state.hits[("HEAD", "/unavailable")] == 2

    nohead = got[f"{base}/nohead"]
    assert (nohead.ref.source, nohead.ref.line, nohead.status, nohead.ok) == (
        "posts/d.md",
        5,
        200,
        True,
    )
    assert state.hits[("HEAD", "/nohead")] == 1 and state.hits[("GET", "/nohead")] == 1


def test_retry_after_http_date(server, tmp_path):
    base, state = server
    (r,) = check_external([LinkRef(f"{base}/unavailable-date", "posts/a.md", 1)], cache_path=None, **FAST)
    assert r.ok and r.status == 200
    assert state.hits[("HEAD", "/unavailable-date")] == 2


def test_parse_retry_after_forms():
    assert lc._parse_retry_after("3") == 3.0
    now = 1_700_000_000.0
    assert lc._parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30.0)
    assert lc._parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert lc._parse_retry_after("soon") is None
    assert lc._parse_retry_after(None) is None


def test_retry_after_is_capped(server, tmp_path, monkeypatch):
    base, _ = server
    sleeps: list[float] = []
    monkeypatch.setattr(lc.time, "sleep", lambda s: sleeps.append(s))
    (r,) = check_external(
        [LinkRef(f"{base}/ratelimited", "posts/a.md", 1)],
        cache_path=None,
        timeout=1.0,
        retries=2,
        max_retry_after=0.25,
    )
    assert r.ok
    assert sleeps == [0.25]


def test_exhausted_retries_report_last_status(server, tmp_path, monkeypatch):
    base, state = server
    monkeypatch.setattr(lc.time, "sleep", lambda s: None)
    (r,) = check_external(
        [LinkRef(f"{base}/ratelimited", "posts/a.md", 1)],
        cache_path=None,
        timeout=1.0,
        retries=0,
    )
    assert (r.status, r.ok, r.error) == (429, False, "HTTP 429")
    assert state.hits[("HEAD", "/ratelimited")] == 1


def test_timeout(server, tmp_path):
    base, _ = server
    t0 = time.monotonic()
    (r,) = check_external(
        [LinkRef(f"{base}/slow", "posts/slow.md", 12)],
        cache_path=None,
        timeout=0.3,
        retries=0,
    )
    assert time.monotonic() - t0 < 1.4
    assert (r.ref.source, r.ref.line, r.status, r.ok, r.error) == (
        "posts/slow.md",
        12,
        None,
        False,
        "timeout",
    )


def test_connection_refused_is_retried_then_reported(tmp_path):
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (r,) = check_external([LinkRef(f"http://127.0.0.1:{port}/x", "posts/a.md", 3)], cache_path=None, timeout=1.0, retries=1, backoff=0.01)
    assert (r.status, r.ok) == (None, False)
    assert r.error.startswith("connection error")


def test_fragments(server, tmp_path):
    base, state = server
    refs = [
        LinkRef(f"{base}/anchors#present", "posts/f.md", 1),
        LinkRef(f"{base}/anchors#named-anchor", "posts/f.md", 2),
        LinkRef(f"{base}/anchors#absent", "posts/f.md", 3),
        LinkRef(f"{base}/anchors", "posts/f.md", 4),
    ]
    res = check_external(refs, cache_path=tmp_path / "c.json", check_fragments=True, **FAST)
    assert [(r.ref.line, r.status, r.ok, r.error) for r in res] == [
        (1, 200, True, None),
        (2, 200, True, None),
        (3, 200, False, "missing fragment #absent"),
        (4, 200, True, None),
    ]
    # one GET for the page, shared by the four refs
    assert state.hits[("GET", "/anchors")] == 1 and state.hits[("HEAD", "/anchors")] == 0

    # #top, text fragments and GitHub's user-content- prefix are not false alarms
    assert lc._fragment_found("top", ["present"])
    assert lc._fragment_found(":~:text=hello", [])
    assert lc._fragment_found("intro", ["user-content-intro"])
    assert not lc._fragment_found("intro", ["introduction"])

    # without check_fragments a missing fragment is fine
    res = check_external(refs[2:3], cache_path=None, **FAST)
    assert res[0].ok

    # cached anchors answer the fragment check again without a request
    res = check_external(refs, cache_path=tmp_path / "c.json", check_fragments=True, **FAST)
    assert [r.ok for r in res] == [True, True, False, True]
    assert all(r.from_cache for r in res)
    assert state.hits[("GET", "/anchors")] == 1


def test_cache_ttl(server, tmp_path):
    base, state = server
    cache = tmp_path / ".cache" / "links.json"
    refs = [
        LinkRef(f"{base}/ok", "posts/a.md", 1),
        LinkRef(f"{base}/missing", "posts/a.md", 2),
    ]

    first = check_external(refs, cache_path=cache, ttl_days=7, **FAST)
    assert [r.from_cache for r in first] == [False, False]
    assert state.hits[("HEAD", "/ok")] == 1 and state.hits[("HEAD", "/missing")] == 1
    data = json.loads(cache.read_text())
    assert data["entries"][f"{base}/ok"]["ok"] is True
    assert not list(cache.parent.glob("*.tmp"))  # atomic write left no temp file

    # within TTL: the live URL is not asked again; the dead one always is
    second = check_external(refs, cache_path=cache, ttl_days=7, **FAST)
    assert [(r.ok, r.from_cache) for r in second] == [(True, True), (False, False)]
    assert state.hits[("HEAD", "/ok")] == 1 and state.hits[("HEAD", "/missing")] == 2

    # expire the entry: it is asked again
    data = json.loads(cache.read_text())
    data["entries"][f"{base}/ok"]["checked_at"] -= 8 * 86400
    cache.write_text(json.dumps(data))
    third = check_external(refs, cache_path=cache, ttl_days=7, **FAST)
    assert third[0].ok and not third[0].from_cache
    assert state.hits[("HEAD", "/ok")] == 2


def test_corrupt_cache_is_ignored(server, tmp_path):
    base, state = server
    cache = tmp_path / "links.json"
    for junk in (
        "{not json",
        json.dumps({"version": 1, "entries": []}),
        json.dumps([1, 2]),
    ):
        cache.write_text(junk)
        (r,) = check_external([LinkRef(f"{base}/ok", "posts/a.md", 1)], cache_path=cache, **FAST)
        assert r.ok and not r.from_cache
    assert state.hits[("HEAD", "/ok")] == 3
    assert json.loads(cache.read_text())["version"] == lc.CACHE_VERSION

    # an entry with a forged shape is not trusted
    data = json.loads(cache.read_text())
    data["entries"][f"{base}/ok"]["checked_at"] = "yesterday"
    cache.write_text(json.dumps(data))
    (r,) = check_external([LinkRef(f"{base}/ok", "posts/a.md", 1)], cache_path=cache, **FAST)
    assert not r.from_cache


def test_per_host_limit(server, tmp_path):
    base, state = server
    refs = [LinkRef(f"{base}/busy/{i}", "posts/many.md", i) for i in range(8)]
    t0 = time.monotonic()
    res = check_external(refs, cache_path=None, concurrency=8, per_host=2, **FAST)
    assert all(r.ok for r in res)
    assert state.max_busy == 2
    assert time.monotonic() - t0 >= 0.9  # 8 requests x 0.25 s / 2 at a time


def test_offline_makes_no_requests(server, tmp_path):
    base, state = server
    refs = [
        LinkRef(f"{base}/missing", "posts/a.md", 1),
        LinkRef("ftp://example.org/file", "posts/a.md", 2),
        LinkRef("https:///no-host", "posts/a.md", 3),
        LinkRef("https://example.org/a b", "posts/a.md", 4),
        LinkRef("example.org/page", "posts/a.md", 5),
        LinkRef("https://example.org:99999/", "posts/a.md", 6),
        LinkRef("https://example.org/ok?q=1#frag", "posts/a.md", 7),
    ]
    res = check_external(refs, cache_path=tmp_path / "c.json", offline=True)
    assert sum(state.hits.values()) == 0
    assert not (tmp_path / "c.json").exists()
    assert [r.ok for r in res] == [True, False, False, False, False, False, True]
    assert all(r.status is None for r in res)
    assert "scheme" in res[1].error and "no host" in res[2].error and "whitespace" in res[3].error
    assert validate_url("https://example.org/") is None


def test_ignore_list(server, tmp_path):
    base, state = server
    ignore_file = tmp_path / "linkcheck-ignore.txt"
    ignore_file.write_text("# comment line\n\n^https?://127\\.0\\.0\\.1:\\d+/missing$\n   \n")
    assert load_ignore_file(ignore_file) == [r"^https?://127\.0\.0\.1:\d+/missing$"]
    assert load_ignore_file(tmp_path / "absent.txt") == []
    refs = [
        LinkRef(f"{base}/missing", "posts/a.md", 1),
        LinkRef(f"{base}/loop-a", "posts/a.md", 2),
        LinkRef(f"{base}/ok", "posts/a.md", 3),
    ]
    res = check_external(refs, cache_path=None, ignore=[r"/loop-"], ignore_file=ignore_file, **FAST)
    assert [(r.ok, r.ignored) for r in res] == [
        (True, True),
        (True, True),
        (True, False),
    ]
    assert state.hits[("HEAD", "/missing")] == 0 and state.hits[("HEAD", "/loop-a")] == 0

    bad = tmp_path / "bad.txt"
    bad.write_text("ok\n(unclosed\n")
    with pytest.raises(ValueError, match=r"bad\.txt:2"):
        load_ignore_file(bad)


def test_archive_fallback(server, tmp_path):
    base, _ = server
    cache = tmp_path / "links.json"
    url = f"{base}/ok"
    res = check_external(
        [LinkRef(url, "posts/a.md", 1), LinkRef(f"{base}/missing", "posts/a.md", 2)],
        cache_path=cache,
        record_archive=True,
        **FAST,
    )
    day = time.strftime("%Y%m%d", time.gmtime())
    assert res[0].archived == f"https://web.archive.org/web/{day}/{url}"
    assert res[1].archived == f"https://web.archive.org/web/{day}/{base}/missing"
    assert dead_links_with_archive(cache) == {f"{base}/missing": f"https://web.archive.org/web/{day}/{base}/missing"}

    # a link seen alive long ago and dead now keeps the archive date of its last good day
    data = json.loads(cache.read_text())
    old = f"{base}/missing"
    data["entries"][old].update(
        ok=True,
        status=200,
        error=None,
        archived=f"https://web.archive.org/web/20200101/{old}",
    )
    data["entries"][old]["checked_at"] -= 30 * 86400
    cache.write_text(json.dumps(data))
    (dead,) = check_external([LinkRef(old, "posts/a.md", 2)], cache_path=cache, record_archive=True, **FAST)
    assert not dead.ok and dead.archived == f"https://web.archive.org/web/20200101/{old}"
    assert dead_links_with_archive(cache) == {old: f"https://web.archive.org/web/20200101/{old}"}
    assert dead_links_with_archive(tmp_path / "nope.json") == {}


def test_reports(server, tmp_path):
    base, _ = server
    refs = [
        LinkRef(f"{base}/moved", "posts/a.md", 7),
        LinkRef(f"{base}/missing", "posts/we,ird:name.md", 40),
        LinkRef("not a url", "posts/a.md", 9),
    ]
    res = check_external(refs, cache_path=None, **FAST)

    text = format_report(res, "text").splitlines()
    assert text == [
        f"posts/a.md:7: 200 {base}/moved (-> {base}/ok)",
        "posts/a.md:9: ERROR not a url [invalid URL: contains whitespace]",
        f"posts/we,ird:name.md:40: 404 {base}/missing [HTTP 404]",
    ]
    assert format_report(res, "text", only_failures=True).count("\n") == 1

    gh = format_report(res, "github").splitlines()
    assert gh == [
        "::error file=posts/a.md,line=9,title=Dead external link::ERROR not a url (invalid URL: contains whitespace)",
        f"::error file=posts/we%2Cird%3Aname.md,line=40,title=Dead external link::404 {base}/missing (HTTP 404)",
    ]

    data = json.loads(format_report(res, "json"))
    assert data["summary"] == {"total": 3, "ok": 1, "failed": 2, "ignored": 0}
    assert data["results"][0]["ref"] == {
        "url": f"{base}/moved",
        "source": "posts/a.md",
        "line": 7,
    }
    assert data["results"][0]["redirects"] == [f"{base}/ok"]

    odd = LinkResult(LinkRef("https://x.org/100%", "a.md", 1), None, False, error="line1\nline2")
    assert format_report([odd], "github") == (
        "::error file=a.md,line=1,title=Dead external link::ERROR https://x.org/100%25 (line1%0Aline2)"
    )

    with pytest.raises(ValueError):
        format_report(res, "xml")


def test_cache_write_is_atomic(tmp_path, monkeypatch):
    cache = tmp_path / "links.json"
    cache.write_text(json.dumps({"version": 1, "entries": {}}))

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(lc.os, "replace", boom)
    with pytest.raises(OSError):
        lc._write_cache(cache, {"https://x.org/": {"checked_at": 1.0, "ok": True, "status": 200}})
    assert json.loads(cache.read_text()) == {"version": 1, "entries": {}}
    assert [p.name for p in tmp_path.iterdir()] == ["links.json"]
