"""Share work between this process and a forked copy of it (a second core, no pickled state).

``share(here, there)`` forks; the copy runs ``there()``, sends back its result pickled through a
pipe and exits; this process runs ``here()`` meanwhile, then waits. The copy starts with this
process's memory, so ``there`` may use any object built so far. The caller decides what to do when
the copy failed (``there``'s result is None): usually, do its share itself.

``start(there, nice=..., stream=...)`` is the same copy without ``here``: the caller collects it
with ``Job.result`` or, when ``there`` yields its results piece by piece (``stream``), with
``Job.items``, which keeps the pieces a copy sent before it was given up on. With a niceness, the
copy gets only the CPU time that other processes leave (work that should fill an idle core, not
compete for a busy one).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import threading


class Job:
    """A forked copy running ``there()``. A thread of this process reads what it sends as it comes
    (so that the copy never waits for a full pipe)."""

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd = pid, fd
        self._items: list = []
        self._eof = self._damaged = False
        self._left = 0  # bytes of an incomplete piece at the end
        self._reader = threading.Thread(target=self._read, name=f"copy-{pid}", daemon=True)
        self._reader.start()

    def _read(self):
        buf = bytearray()
        try:
            while True:
                data = os.read(self.fd, 1 << 20)
                if not data:
                    self._eof = True
                    break
                buf += data
                while len(buf) >= 8:
                    n = int.from_bytes(buf[:8], "little")
                    if len(buf) < 8 + n:
                        break
                    self._items.append(pickle.loads(bytes(buf[8 : 8 + n])))
                    del buf[: 8 + n]
        except Exception:  # noqa: BLE001 - a damaged piece ends what counts as sent
            self._damaged = True
        self._left = len(buf)

    def items(self, grace: float | None = None) -> tuple[list, bool]:
        """What the copy sent, and whether it finished (sent everything and exited cleanly). With
        ``grace``, a copy not done ``grace`` seconds after this call is stopped; what it sent so far
        is kept. The copy is always reaped, and stopped if this process is interrupted meanwhile."""
        try:
            self._reader.join(grace)
        finally:
            if self._reader.is_alive():
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self._reader.join()  # the copy's end of the pipe closed with it
            os.close(self.fd)
            status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        finished = self._eof and not self._damaged and not self._left and status == 0
        return list(self._items), finished

    def result(self, grace: float | None = None):
        """``there()``'s result, or None if the copy failed or (with ``grace``) was not done."""
        items, finished = self.items(grace)
        return items[0] if finished and len(items) == 1 else None


def start(there, nice: int = 0, stream: bool = False) -> Job | None:
    """Run ``there()`` in a forked copy, at niceness ``nice`` added to this process's; with
    ``stream``, each item ``there()`` yields is sent as it comes. None if this system cannot fork
    (or the fork failed)."""
    if not hasattr(os, "fork"):
        return None
    r, w = os.pipe()
    # Ctrl-C must not make the copy unwind this process's stack (its cleanup would run twice): the
    # copy starts with SIGINT blocked and then dies of it without running Python code. Objects made
    # so far are frozen for the collector, so that it does not touch (and copy) them in the copy.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    gc.freeze()
    try:
        pid = os.fork()
    except OSError:
        gc.unfreeze()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the copy: never returns
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(r)
            if nice:
                os.nice(nice)
            with os.fdopen(w, "wb") as out:
                for item in there() if stream else (there(),):
                    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
                    out.write(len(data).to_bytes(8, "little") + data)
                    out.flush()
            code = 0
        finally:
            os._exit(code)
    gc.unfreeze()
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
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
