"""An advisory lock on a workspace folder, so a second instance opens it read-only.

The lock is an OS file lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) on
``workspace.lock``: it is released by the OS when the process dies, so a crash never leaves a stale lock.
The file also records who holds it, for the read-only message.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from db.filelock import try_lock as _try_lock, unlock as _unlock  # one OS lock, two files


class WorkspaceLock:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, actor: str = "") -> bool:
        """Try once, without waiting. True when this process now holds the lock."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            return False
        self._fd = fd
        info = {"pid": os.getpid(), "host": socket.gethostname(), "actor": actor, "since": time.time()}
        # Windows locks byte 0, so the holder info goes after it.
        data = b" " + json.dumps(info, ensure_ascii=False).encode("utf-8")
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0) if sys.platform != "win32" else None
            os.write(fd, data)
            os.fsync(fd)
        except OSError:
            # Who holds the lock is only shown to a second instance; the lock itself is what matters.
            # Failing here (a full disk, an I/O error) must neither leak the descriptor nor leave the
            # lock held by nobody: keep it, and a second instance just says "another program".
            pass
        return True

    def holder(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
            return json.loads(raw.strip() or b"{}")
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)
