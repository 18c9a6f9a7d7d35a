"""The commit lock: one audit event and its head-file update at a time, across processes.

SQLite's ``BEGIN IMMEDIATE`` already lets one writer at a time append to the chain, but the head file
outside the database is rewritten *after* the commit, when SQLite's lock is gone: two processes writing to
one workspace (the group's window ingesting, an inspector recording reviews) could then write their head
files in the wrong order and leave the head pointing behind the chain, or race on its temporary file.

So every audited write holds this lock (an OS file lock on ``audit-head.lock`` beside the head file) from
before ``BEGIN IMMEDIATE`` until the head file names the new event. Whoever holds it sees the head file and
the chain agree (or lag after a crash); a checker that takes it for a moment reads a head file and starts a
read transaction that match exactly. The OS drops the lock when its process dies.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Take the OS lock on ``fd`` without waiting; False when another process holds it."""
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take the OS lock on ``fd`` without waiting; False when another process holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


LOCK_FILE = "audit-head.lock"


class LockTimeout(RuntimeError):
    """Another process held the commit lock for longer than the timeout."""


class CommitLock:
    """A re-entrant-per-holder OS file lock, taken with a timeout (polling: the OS waits have none).

    Not thread-safe on its own: :class:`db.database.Database` takes it only while holding its in-process
    write lock.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self._fd: int | None = None
        self._depth = 0

    def _open(self) -> int | None:
        if self._fd is None:
            try:
                if self.readonly:
                    self._fd = os.open(self.path, os.O_RDONLY)
                else:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                if not self.readonly:
                    raise
                return None  # a read-only look at a workspace that never had a writer (or an unreadable share)
        return self._fd

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds. False: a read-only holder could not open the
        file (nothing to align with); raises :class:`LockTimeout` when someone else kept it."""
        if self._depth:
            self._depth += 1
            return True
        fd = self._open()
        if fd is None:
            return False
        deadline = time.monotonic() + timeout
        pause = 0.0002
        while not try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(str(self.path))
            time.sleep(pause)
            pause = min(pause * 2, 0.005)
        self._depth = 1
        return True

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            unlock(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            if self._depth:
                self._depth = 0
                try:
                    unlock(self._fd)
                except OSError:
                    pass
            os.close(self._fd)
            self._fd = None
