"""The parse cache: each document's parse, pickled, under a name that hashes everything the parse
depends on, kept in one SQLite file (``.cache/docs/parsed.sqlite``).

One file rather than one per document: creating a thousand files cost a cold build of the
benchmark corpus about half a second of kernel time here, taken from the two cores the parse keeps
busy (0.47-0.70 s of system time in the build process in nine of ten cold parses, against
0.05-0.08 s for SQLite), and a warm build reads one file instead of opening a thousand. SQLite makes each
write atomic and lets a running ``serve`` and a ``build`` share the file. It is a cache, never a
source of truth: a damaged file is deleted and started again, and if SQLite cannot be used (a
lock held too long, an unwritable folder) every document is simply parsed again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

NAME = "parsed.sqlite"


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    """SQLite found the file corrupt or not a database at all."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # Python before 3.11 does not say: judge by the message
        return "malformed" in str(exc) or "not a database" in str(exc)
    return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


class DocCache:
    timeout = 30.0  # seconds to wait for another process's write (a serve and a build at once)

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / NAME

    def _connect(self) -> sqlite3.Connection:
        new = not self.path.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            con.execute("PRAGMA synchronous=OFF")  # a cache: a crash may lose it, never corrupt a build
            con.execute("CREATE TABLE IF NOT EXISTS docs (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
        except sqlite3.DatabaseError:
            con.close()
            raise
        if new:  # the one-file-per-document cache of earlier versions
            for old in self.folder.glob("*.pickle"):
                old.unlink(missing_ok=True)
        return con

    def _run(self, job, default):
        """``job(connection)``; a damaged file is deleted and the job tried once more on a new one.
        A file another process holds locked too long is left alone (the job is skipped)."""
        for attempt in (0, 1):
            try:
                con = self._connect()
                try:
                    return job(con)
                finally:
                    con.close()
            except sqlite3.OperationalError:  # locked, unreadable folder, full disk: not damage
                return default
            except sqlite3.DatabaseError as exc:
                if not _damaged(exc):
                    raise  # a mistake in this module, not in the file: let it show
                if attempt == 0:
                    try:
                        self.path.unlink(missing_ok=True)
                    except OSError:
                        return default
            except OSError:
                return default
        return default

    def get(self, names: list[str]) -> dict[str, bytes]:
        """The stored bytes of those of ``names`` the cache holds."""
        if not names:
            return {}

        def job(con):
            found = {}
            for i in range(0, len(names), 500):  # SQLite's limit on parameters per statement
                part = names[i : i + 500]
                marks = ",".join("?" * len(part))
                found.update(con.execute(f"SELECT name, data FROM docs WHERE name IN ({marks})", part).fetchall())
            return found

        return self._run(job, {})

    def put(self, items: list[tuple[str, bytes]]) -> None:
        """Store ``(name, bytes)`` pairs, all in one transaction."""
        if not items:
            return

        def job(con):
            with con:
                con.execute("BEGIN")
                con.executemany("INSERT OR REPLACE INTO docs (name, data) VALUES (?, ?)", items)

        self._run(job, None)

    def prune(self, keep: set[str], limit: int) -> None:
        """When the cache holds more than ``limit`` documents, drop every one not in ``keep``."""

        def job(con):
            (count,) = con.execute("SELECT COUNT(*) FROM docs").fetchone()
            if count <= limit:
                return
            with con:
                con.execute("BEGIN")
                con.execute("CREATE TEMP TABLE keep (name TEXT PRIMARY KEY)")
                con.executemany("INSERT OR IGNORE INTO keep (name) VALUES (?)", [(k,) for k in keep])
                con.execute("DELETE FROM docs WHERE name NOT IN (SELECT name FROM keep)")
            con.execute("VACUUM")

        self._run(job, None)
