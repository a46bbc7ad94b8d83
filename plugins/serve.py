"""``build.py serve``: preview on localhost, rebuild on change, reload the browser.

The server reads ``output/`` at each request (the build swaps it atomically), injects a tiny
live-reload script into HTML pages it serves (never into the built files), and pushes a reload
through Server-Sent Events once a rebuild triggered by a file change has succeeded.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
import time
from pathlib import Path

WATCH = ["posts", "papers", "bib", "figures", "experiments", "theme", "docs", "plugins", "pelicanconf.py"]
SNIPPET = (
    b"<script>(function(){var s=new EventSource('/__livereload');"
    b"s.onmessage=function(e){if(e.data==='reload')location.reload();};})();</script>"
)


class _State:
    version = 0
    lock = threading.Condition()


def make_handler(out: Path):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            if self.path == "/__livereload":
                return self._events()
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                body = path.read_bytes().replace(b"</body>", SNIPPET + b"</body>", 1)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
                return None
            return super().do_GET()

        def _events(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = _State.version
            try:
                while True:
                    with _State.lock:
                        _State.lock.wait(timeout=15)
                        current = _State.version
                    msg = b"data: reload\n\n" if current != seen else b": ping\n\n"
                    seen = current
                    self.wfile.write(msg)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return functools.partial(Handler, directory=str(out))


def notify():
    with _State.lock:
        _State.version += 1
        _State.lock.notify_all()


def serve(root: Path, host="127.0.0.1", port=8000, settings="pelicanconf.py", jobs=2, once=False) -> int:
    from watchfiles import watch

    from .site import build, finish_background_search, quick_update, start_pagefind

    last = {}

    def cancel_search() -> bool:
        """Stop re-indexing for an older version of the site: the next build starts its own.
        True when an index was stopped before it was finished."""
        job, thread = last.pop("search", (None, None))
        stopped = hasattr(job, "poll") and job.poll() is None
        if stopped:
            job.kill()
            print("search index stopped (the site changed again)", file=sys.stderr)
        if thread is not None:
            thread.join()
        return stopped

    def index_in_background(res, t0):
        job = res.search_job

        def run():
            problem = finish_background_search(res)
            if (getattr(job, "returncode", None) or 0) < 0:
                return  # cancelled by a newer edit
            print(problem.format() if problem else f"search index updated ({time.monotonic() - t0:.2f} s)", file=sys.stderr)

        thread = threading.Thread(target=run, daemon=True)
        last["search"] = (job, thread)
        thread.start()

    def rebuild(first=False, changed=()):
        t0 = time.monotonic()
        stopped = cancel_search()
        # An edit to a post's body alone re-renders that page from the objects of the last build;
        # anything else rebuilds (reusing unchanged pages). After the first build the search index
        # is rebuilt after the reload, in the background (the previous index serves meanwhile).
        res = quick_update(root, last["res"], changed) if not first and last.get("res") else None
        if res is None:
            res = build(
                root, settings_file=settings, jobs=jobs, papers=True, search=True if first else "background", progress=lambda m: None
            )
        for p in res.report.errors:
            print(p.format(), file=sys.stderr)
        unchanged = "up-to-date" in res.timings
        if "quick" in res.timings:
            how = f"quick: {res.quick_pages} page{'' if res.quick_pages == 1 else 's'}"
        else:
            how = "unchanged" if unchanged else "full"
        prev = last.get("res")
        if unchanged and prev is not None and (prev.quick or {}).get("site") == os.path.basename(os.path.realpath(res.output)):
            res = prev  # the site this process last made, unchanged: keep what the quick path needs
        # The index stopped above was for the site still being served when nothing changed or
        # the build failed: index that site again.
        shown = res if res.output is not None else prev
        if stopped and shown is not None and shown.output is not None and shown.search_job is None and (unchanged or shown is prev):
            live = Path(os.path.realpath(shown.output))
            shown.search_job = start_pagefind(live, output_path=live / "pagefind.new")
        if res.output is not None:
            last["res"] = res
            print(f"rebuilt in {time.monotonic() - t0:.2f} s ({how})", file=sys.stderr)
            if not first:
                notify()
        else:
            print("build failed; still serving the previous site", file=sys.stderr)
        if shown is not None and shown.search_job is not None:
            index_in_background(shown, t0)

    rebuild(first=True)
    out = root / "output"
    httpd = http.server.ThreadingHTTPServer((host, port), make_handler(out))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"serving http://{host}:{httpd.server_port}/  (Ctrl-C to stop)", file=sys.stderr)
    paths = [str(root / w) for w in WATCH if (root / w).exists()]
    try:
        for changes in watch(*paths, debounce=150, step=50, rust_timeout=0):
            rebuild(changed=[path for _change, path in changes])
            if once:
                break
    except KeyboardInterrupt:
        pass
    cancel_search()
    httpd.shutdown()
    return 0
