"""SQLite connections with the pragmas every workspace database needs.

Connections are opened in autocommit mode (``isolation_level=None``): every write goes through an
explicit ``BEGIN IMMEDIATE`` … ``COMMIT`` in :mod:`db.database`, so nothing is ever left in an
implicit, half-open transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
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
            conn = _open_unwritable(path)
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
    """A connection to a private copy of a database; the copy goes with the last connection to it."""

    _snapshot: "_Snapshot | None" = None

    def close(self) -> None:
        super().close()
        snap, self._snapshot = self._snapshot, None
        if snap is not None:
            snap.release()


SNAPSHOT_PREFIX = "evidence-desk-ro-"
_snapshots: dict[str, "_Snapshot"] = {}
_building: dict[str, threading.Lock] = {}
_snapshots_lock = threading.Lock()


class _Snapshot:
    """One consistent private copy of a database and its ``-wal``, shared by every connection (every
    thread) that reads the same unwritable database, so they all see the same state."""

    def __init__(self, key: str, folder: Path, copy: Path):
        self.key, self.folder, self.copy, self.users = key, folder, copy, 0

    def release(self) -> None:
        with _snapshots_lock:
            self.users -= 1
            if self.users > 0:
                return
            if _snapshots.get(self.key) is self:
                del _snapshots[self.key]
        shutil.rmtree(self.folder, ignore_errors=True)


def _stamp(db: Path, wal: Path) -> tuple:
    """What must not change while the pair is copied (log first, then the main file): the main file
    (a checkpoint writes it) and the log's 32-byte header (salts and checkpoint sequence change when the
    log restarts). Frames merely appended to the log meanwhile are harmless: the copy of the log ends
    before them, or SQLite drops the torn last frames of a transaction that did not fully arrive."""
    try:
        st = db.stat()
        main = (st.st_size, st.st_mtime_ns)
    except FileNotFoundError:
        main = None
    try:
        with open(wal, "rb") as f:
            header = f.read(32)
    except FileNotFoundError:
        header = None
    return main, header


def _make_snapshot(path: Path, wal: Path) -> Path:
    """Copy ``path`` and ``wal`` into a new private folder; retried until neither changed meanwhile (a
    writer elsewhere on the share) and the copy passes ``quick_check``."""
    _sweep_stale_snapshots()
    last: Exception | None = None
    for _attempt in range(5):
        folder = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX))
        try:
            (folder / "pid").write_text(str(os.getpid()), encoding="ascii")
            copy = folder / path.name
            before = _stamp(path, wal)
            if before[1]:  # a log with a header: the newest commits may be only there
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            shutil.copyfile(path, copy)
            if _stamp(path, wal) != before:
                raise sqlite3.OperationalError("the database changed while it was being copied")
            probe = sqlite3.connect(f"file:{quote(str(copy))}?mode=ro", uri=True)
            try:
                ok = probe.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            finally:
                probe.close()
            if not ok:
                raise sqlite3.DatabaseError("the copy of the database is not consistent")
            return copy
        except (sqlite3.DatabaseError, OSError) as exc:
            last = exc
            shutil.rmtree(folder, ignore_errors=True)
            time.sleep(0.2)
    raise sqlite3.OperationalError(f"cannot take a consistent copy of {path}: {last}")


def _sweep_stale_snapshots() -> None:
    """Remove copies left by a process that no longer runs (killed, or crashed before closing them)."""
    try:
        entries = list(Path(tempfile.gettempdir()).glob(SNAPSHOT_PREFIX + "*"))
    except OSError:
        return
    for folder in entries:
        try:
            pid = int((folder / "pid").read_text(encoding="ascii"))
        except (OSError, ValueError):
            try:
                if time.time() - folder.stat().st_mtime < 86400:
                    continue  # being made right now, or unknown: leave it a day
            except OSError:
                continue  # removed meanwhile by its owner
            pid = None
        if pid is not None and _pid_alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - no cheap check without handles: assume alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _open_unwritable(path: Path) -> sqlite3.Connection:
    """Read a WAL database in a folder this process cannot write to.

    SQLite cannot create the ``-shm`` index there. ``immutable=1`` would read the file in place, but it
    ignores the ``-wal`` (commits a writer that crashed or never checkpointed left only there) and assumes
    the file never changes — on a share that another machine writes, pages could change under a read.
    So the database (and its ``-wal``, if it has one) is copied to a private temporary folder, consistently,
    and that snapshot is read: one copy for all of this process's connections to it, made again once they
    are all closed (reopening the workspace shows newer changes).
    """
    wal = path.with_name(path.name + "-wal")
    key = str(path.resolve())
    with _snapshots_lock:
        building = _building.setdefault(key, threading.Lock())
    with building:  # one copy per database at a time; other databases (and releases) do not wait
        with _snapshots_lock:
            snap = _snapshots.get(key)
            if snap is not None:
                snap.users += 1
        if snap is None:
            copy = _make_snapshot(path, wal)
            with _snapshots_lock:
                snap = _snapshots[key] = _Snapshot(key, copy.parent, copy)
                snap.users += 1
    try:
        conn = sqlite3.connect(f"file:{quote(str(snap.copy))}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False, factory=_CopyConnection)
        conn._snapshot = snap
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except BaseException:
        snap.release()
        raise
