"""SQLite connections with the pragmas every workspace database needs.

Connections are opened in autocommit mode (``isolation_level=None``): every write goes through an
explicit ``BEGIN IMMEDIATE`` … ``COMMIT`` in :mod:`db.database`, so nothing is ever left in an
implicit, half-open transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open ``path`` with WAL, foreign keys and a busy timeout.

    ``readonly`` opens the file with ``mode=ro`` so that no statement can write to it, whatever the
    caller does; it is how a second instance looks at a workspace another process holds.
    """
    path = Path(path)
    if readonly:
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL database on a read-only folder or share: SQLite cannot create the -shm index it needs,
            # so read the file as immutable (nobody can be writing it there anyway).
            conn.close()
            conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None,
                                   check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed audit event is on disk before the head file outside the database is
        # rewritten, so a power cut can never make the head file point past the database.
        conn.execute("PRAGMA synchronous = FULL")
    return conn
