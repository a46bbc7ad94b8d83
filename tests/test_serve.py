"""``build.py serve``: serves the site, rebuilds on a change, and pushes a live reload."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from tests.conftest import make_site

pytestmark = pytest.mark.xdist_group("serve")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=180):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            return urllib.request.urlopen(url, timeout=5).read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} never answered")


def _watch_output(proc):
    """serve's stderr lines as they come, a wait for the next live-reload event and a wait for a line."""
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True).start()

    def next_reload(events):
        t0 = time.monotonic()
        line = b""
        while b"data: reload" not in line and time.monotonic() - t0 < 120:
            line = events.readline()
        assert b"data: reload" in line

    def wait_line(prefix, after, suffix=""):
        """The first line serve printed after line ``after`` with this prefix and suffix (one save
        can be seen as two changes: a second rebuild of an unchanged file may come first)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < 120:
            found = [x.strip() for x in lines[after:] if x.startswith(prefix) and x.strip().endswith(suffix)]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"serve never printed {prefix!r}...{suffix!r}: {lines[after:]}")

    return lines, next_reload, wait_line


def _start_serve(root):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "build.py", "serve", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    return port, proc


def test_serve_rebuilds_and_reloads(tmp_path):
    root = make_site(tmp_path / "s")
    port, proc = _start_serve(root)
    lines, next_reload, wait_line = _watch_output(proc)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/posts/other-post/")
        assert "EventSource('/__livereload')" in page  # injected at serve time only
        assert "EventSource" not in (root / "output/posts/other-post/index.html").read_text()
        events = urllib.request.urlopen(f"http://127.0.0.1:{port}/__livereload", timeout=120)
        entry = (root / "output/pagefind/pagefind-entry.json").read_text()
        post = root / "posts" / "other-post.md"
        post.write_text(post.read_text().replace("again.", "again, freshly edited."))
        t0 = time.monotonic()
        line = b""
        while b"data: reload" not in line and time.monotonic() - t0 < 120:
            line = events.readline()
        assert b"data: reload" in line
        assert "freshly edited" in wait_for(f"http://127.0.0.1:{port}/posts/other-post/")
        # The search index is rebuilt after the reload (the previous one serves meanwhile) and
        # then replaces it: the edited word becomes searchable.
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/pagefind/pagefind-entry.json", timeout=10).status == 200
        t0 = time.monotonic()
        while (root / "output/pagefind/pagefind-entry.json").read_text() == entry and time.monotonic() - t0 < 120:
            time.sleep(0.5)
        assert (root / "output/pagefind/pagefind-entry.json").read_text() != entry, "search index was never rebuilt"
        assert not (root / "output/pagefind.new").exists()
        wait_line("serving http", 0)
        served = next(i for i, x in enumerate(lines) if x.startswith("serving http"))
        wait_line("rebuilt in", served, "(quick: 1 page)")  # a body edit: the quick path
        # An edit that breaks another page's link fails and leaves the site as it was; undoing it
        # is a body edit again. Saving the settings unchanged finds the site up to date and keeps the
        # quick path for the next body edit.
        n = len(lines)
        post.write_text(post.read_text().replace("{#sec-other}", "{#sec-gone}"))
        wait_line("build failed", n)
        assert "sec-gone" not in wait_for(f"http://127.0.0.1:{port}/posts/other-post/")
        n = len(lines)
        post.write_text(post.read_text().replace("{#sec-gone}", "{#sec-other}"))
        wait_line("rebuilt in", n, "(quick: 1 page)")
        n = len(lines)
        conf = root / "pelicanconf.py"
        conf.write_text(conf.read_text())
        wait_line("rebuilt in", n, "(unchanged)")
        n = len(lines)
        post.write_text(post.read_text().replace("freshly edited", "edited twice"))
        next_reload(events)
        wait_line("rebuilt in", n, "(quick: 1 page)")
        assert "edited twice" in wait_for(f"http://127.0.0.1:{port}/posts/other-post/")
        # A .bib entry cited by one post: that post and the bibliography page are rendered again.
        n = len(lines)
        bib = root / "bib" / "refs.bib"
        bib.write_text(bib.read_text().replace("Attention Is All You Need", "Attention Is All You Need Served", 1))
        wait_line("rebuilt in", n, "(quick: 1 page)")
        assert "need served" in wait_for(f"http://127.0.0.1:{port}/bibliography/").lower()
        assert "need served" in wait_for(f"http://127.0.0.1:{port}/posts/demo-post/").lower()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_indexes_again_when_it_stopped_an_index_and_nothing_changed(tmp_path):
    """A save while the search index of the previous edit is being written stops that index. When
    the new save changes nothing (or fails), the site served is still the previous edit's: serve
    indexes it again instead of leaving the index one edit behind."""
    root = make_site(tmp_path / "s")
    filler = " ".join(f"filler{i % 97} words about oversight and alignment." for i in range(400))
    for i in range(150):  # enough pages that indexing takes long enough to be interrupted
        (root / "posts" / f"filler-{i:03d}.md").write_text(f"---\ntitle: Filler {i}\ndate: 2026-01-01\n---\n{filler}\n")
    port, proc = _start_serve(root)
    lines, next_reload, wait_line = _watch_output(proc)
    post, conf = root / "posts" / "other-post.md", root / "pelicanconf.py"
    try:
        wait_for(f"http://127.0.0.1:{port}/posts/other-post/")
        for attempt in range(5):
            n = len(lines)
            post.write_text(post.read_text() + f"\nInterrupted edit {attempt}.\n")
            wait_line("rebuilt in", n, "(quick: 1 page)")
            conf.write_text(conf.read_text())  # at once: the edit's index is still being written
            m = len(lines)
            wait_line("rebuilt in", n, "(unchanged)")
            if any(x.startswith("search index stopped") for x in lines[n:]):
                break
            wait_line("search index updated", n)  # it finished first: try again
        else:
            pytest.fail(f"never saved while an index was being written: {lines[-12:]}")
        wait_line("search index updated", m)
        time.sleep(0.5)
        assert not (root / "output/pagefind.new").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
