"""SQLite connections with the pragmas every workspace database needs.

Connections are opened in autocommit mode (``isolation_level=None``): every write goes through an
explicit ``BEGIN IMMEDIATE`` … ``COMMIT`` in :mod:`db.database`, so nothing is ever left in an
implicit, half-open transaction.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import weakref
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
            # A WAL database on a read-only folder or share: SQLite cannot create the -shm index it needs.
            conn.close()
            conn = _open_unwritable(path, uri)
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


class _CopyConnection(sqlite3.Connection):
    """A connection to a private copy of a database; the copy goes when the connection does."""

    _tmpdir: str | None = None

    def close(self) -> None:
        super().close()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


def _open_unwritable(path: Path, uri: str) -> sqlite3.Connection:
    """Read a WAL database in a folder nobody can write to.

    Without a ``-wal`` file (or an empty one) the main file is the whole database, and ``immutable=1``
    reads it in place. With a non-empty ``-wal`` — left by a writer that crashed, or that never
    checkpointed — ``immutable`` would silently ignore the newest commits, so the database and its
    ``-wal`` are copied to a private temporary folder and that copy is opened instead.
    """
    wal = path.with_name(path.name + "-wal")
    try:
        has_wal = wal.stat().st_size > 0
    except OSError:
        has_wal = False
    if not has_wal:
        return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    tmpdir = tempfile.mkdtemp(prefix="evidence-desk-ro-")
    try:
        copy = Path(tmpdir) / path.name
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))  # the log first: a checkpoint racing
        shutil.copyfile(path, copy)                                # us only moves pages the log still has
        conn = sqlite3.connect(f"file:{quote(str(copy))}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False, factory=_CopyConnection)
        conn._tmpdir = tmpdir
        weakref.finalize(conn, shutil.rmtree, tmpdir, True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
