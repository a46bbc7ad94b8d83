"""``build.py serve``: serves the site, rebuilds on a change, and pushes a live reload."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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


def test_serve_rebuilds_and_reloads(tmp_path):
    root = make_site(tmp_path / "s")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "build.py", "serve", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
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
    finally:
        proc.terminate()
        proc.wait(timeout=20)
