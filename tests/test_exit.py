"""build.py leaves without tearing the interpreter down (exit_now), but keeps what a normal exit
does for the outside world: the exit status, atexit handlers, flushed output, waiting for threads."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def _run(body: str, *args: str, **kw) -> subprocess.CompletedProcess:
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import build\n{body}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output buffered, as usual
    return subprocess.run([sys.executable, *args, "-c", code], capture_output=True, text=True, timeout=60, env=env, **kw)


def test_exit_status_atexit_and_flushed_output():
    r = _run(
        "import atexit\n"
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "sys.stdout.write('short, in the buffer')\n"  # still buffered: must be flushed, not lost
        "build.exit_now(3)\n"
        "print('not reached')\n"
    )
    assert r.returncode == 3
    assert r.stdout == "short, in the buffer"
    assert "handler ran" in r.stderr


def test_none_is_success_and_objects_are_not_torn_down():
    # A finalizer of a module-level object runs at a normal interpreter teardown, not here.
    r = _run("class Noisy:\n    def __del__(self):\n        print('torn down', file=sys.stderr)\nkeep = Noisy()\nbuild.exit_now(None)\n")
    assert r.returncode == 0
    assert "torn down" not in r.stderr


def test_waits_for_a_running_thread_like_a_normal_exit():
    r = _run(
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=late).start()\n"
        "build.exit_now(0)\n"
    )
    assert r.returncode == 0
    assert "thread finished" in r.stdout


def test_closed_standard_output_and_profilers(tmp_path):
    script = tmp_path / "leave.py"
    script.write_text(f"import sys; sys.path.insert(0, {str(ROOT)!r}); import build; build.exit_now(0)\n")
    # Started with standard output closed: sys.stdout is None, and that is not an error.
    r = subprocess.run([sys.executable, str(script)], stderr=subprocess.PIPE, text=True, timeout=60, preexec_fn=lambda: os.close(1))
    assert r.returncode == 0, r.stderr
    # Under a profiler the interpreter finishes normally, so the profile is written.
    r = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(tmp_path / "p.prof"), str(script)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "p.prof").is_file()
