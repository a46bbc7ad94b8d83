"""Share work between this process and a forked copy of it (a second core, no pickled state).

``share(here, there)`` forks; the copy runs ``there()``, sends back its result pickled through a
pipe and exits; this process runs ``here()`` meanwhile, then waits. The copy starts with this
process's memory, so ``there`` may use any object built so far. The caller decides what to do when
the copy failed (``there``'s result is None): usually, do its share itself.
"""

from __future__ import annotations

import os
import pickle


def share(here, there):
    """(``here()``, ``there()`` run in a forked copy, or None if the copy failed or this system
    cannot fork)."""
    if not hasattr(os, "fork"):
        return here(), None
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: never returns
        code = 1
        try:
            os.close(r)
            data = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    try:
        mine = here()
    finally:
        with os.fdopen(r, "rb") as f:
            report = f.read()
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if status != 0:
        return mine, None
    try:
        return mine, pickle.loads(report)
    except Exception:  # noqa: BLE001 - a damaged report counts as a failed copy
        return mine, None
