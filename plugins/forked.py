"""Share work between this process and a forked copy of it (a second core, no pickled state).

``share(here, there)`` forks; the copy runs ``there()``, sends back its result pickled through a
pipe and exits; this process runs ``here()`` meanwhile, then waits. The copy starts with this
process's memory, so ``there`` may use any object built so far. The caller decides what to do when
the copy failed (``there``'s result is None): usually, do its share itself.

``start(there, nice=...)`` is the same copy without ``here``: the caller collects it with
``Job.result``, which may give up on it after a grace period. With a niceness, the copy gets only
the CPU time that other processes leave (for work that should fill an idle core, not compete).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time


class Job:
    """A forked copy running ``there()``; ``result`` collects what it returned."""

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd = pid, fd

    def result(self, grace: float | None = None):
        """``there()``'s result, or None if the copy failed, or (with ``grace``) was not done
        ``grace`` seconds after this call: it is then stopped. The copy is always reaped."""
        deadline = None if grace is None else time.monotonic() + grace
        chunks: list | None = []
        try:
            while True:
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                        os.kill(self.pid, signal.SIGKILL)
                        chunks = None
                        break
                data = os.read(self.fd, 1 << 20)
                if not data:
                    break
                chunks.append(data)
        finally:
            os.close(self.fd)
            status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        if chunks is None or status != 0:
            return None
        try:
            return pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - a damaged report counts as a failed copy
            return None


def start(there, nice: int = 0) -> Job | None:
    """Run ``there()`` in a forked copy, at niceness ``nice`` added to this process's (None if this
    system cannot fork)."""
    if not hasattr(os, "fork"):
        return None
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: never returns
        code = 1
        try:
            os.close(r)
            if nice:
                os.nice(nice)
            data = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return Job(pid, r)


def share(here, there):
    """(``here()``, ``there()`` run in a forked copy, or None if the copy failed or this system
    cannot fork)."""
    job = start(there)
    if job is None:
        return here(), None
    try:
        mine = here()
    finally:
        theirs = job.result()
    return mine, theirs
