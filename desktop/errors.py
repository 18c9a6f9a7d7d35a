"""Errors the core raises: a stable code plus parameters, never user-facing words.

The UI layer (``desktop.text.messages``) turns a code into Chinese; the CLI prints the same text.
"""

from __future__ import annotations

from typing import Any


class DeskError(Exception):
    """An expected failure with a stable ``code`` (``"report.empty"``) and parameters."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return f"{self.code} {self.params}"


class ReadOnlyWorkspace(DeskError):
    def __init__(self, **params: Any):
        super().__init__("workspace.readonly", **params)


class Forbidden(DeskError):
    """The session's role may not do this (an inspector editing a claim, say)."""

    def __init__(self, action: str, role: str):
        super().__init__("role.forbidden", action=action, role=role)


class DiskFull(DeskError):
    """The disk holding the workspace is full (ENOSPC / EDQUOT, SQLite's SQLITE_FULL): the command stops
    cleanly, with what was committed kept and nothing half-written."""

    def __init__(self, **params: Any):
        super().__init__("disk.full", **params)


_FULL_ERRNOS = {28, 122}  # ENOSPC, EDQUOT (Linux); on Windows also winerror 39 / 112
_FULL_WINERRORS = {39, 112}
_SQLITE_FULL = 13


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` — or an error it was raised from or while handling — says the disk is full."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, DiskFull):
            return True
        if isinstance(exc, OSError) and (exc.errno in _FULL_ERRNOS
                                         or getattr(exc, "winerror", None) in _FULL_WINERRORS):
            return True
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == _SQLITE_FULL:
            return True
        if type(exc).__module__ == "sqlite3" and "database or disk is full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def disk_nearly_full(path: object, margin: int = 512 * 1024) -> bool:
    """Whether the disk holding ``path`` has less than ``margin`` bytes free (SQLite says "disk I/O error"
    rather than "full" when the shared-memory file of a full disk cannot grow)."""
    import os
    import shutil

    where = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    while where and not os.path.exists(where):
        parent = os.path.dirname(where)
        if parent == where:
            return False
        where = parent
    if not where:
        return False
    try:
        return shutil.disk_usage(where).free < margin
    except OSError:
        return False
