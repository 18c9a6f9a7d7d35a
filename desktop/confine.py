"""Nothing from outside: where a path really leads, and whether that is inside a folder. Qt-free.

A symlink (or, on Windows, a junction) in the watched folder that leads outside it is not followed: a link
to ``/etc/shadow`` or ``..\\..\\Users\\x\\私人`` would otherwise put someone else's bytes in the store and
their text in the full-text index. Nor is a path that leads into the workspace itself (its database, its
store, its thumbnails) ever read as evidence.

Links that stay inside the watched folder are followed, once each: the file is registered under the link's
own name, and the store keeps one copy of the bytes (a second name for the same bytes is the outcome
``duplicate``). They are the user's own arrangement of files already in the folder, so following them shows
nothing that is not already there. Windows shortcuts (``.lnk``) are ordinary files to the OS: they are
never followed (only a shell resolves them), and are registered as the small files they are.

The check is made twice: by path before anything is opened (so the reason can be given at once), and on
the opened file itself before a byte is read (:func:`check_opened`): a link swapped in between the first
check and the open is caught there. On Linux the opened file's own path comes from ``/proc/self/fd``;
elsewhere the resolved path is checked and must still be the very file that was opened.

Hard links are not paths and cannot be told from the original; making one needs the right to the target
file (Linux ``protected_hardlinks``), so they are outside this module's reach by design.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

#: reasons, as ingest error codes (words in desktop/text/messages.py INGEST_ERRORS)
OUTSIDE = "outside_folder"  # 链接指向监控文件夹以外
INTO_WORKSPACE = "into_workspace"  # 指向工作区自身的文件
WORKSPACE_DB = "workspace.db"


class OutsideFolder(PermissionError):
    """The opened file lies outside the folder it was found in (or inside the workspace): nothing was read."""

    def __init__(self, code: str, path: str, real: str):
        super().__init__(errno.EACCES, code, path)
        self.code = code
        self.real = real


def real(path: str | os.PathLike[str]) -> str:
    """Where ``path`` leads, every link and junction resolved (the path itself when it cannot be)."""
    try:
        return os.path.realpath(os.fspath(path))
    except (OSError, ValueError, RuntimeError):
        return os.path.abspath(os.fspath(path))


def within(path_real: str, root_real: str) -> bool:
    """``path_real`` is ``root_real`` or below it (both already resolved)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        path_real, root_real = os.path.normcase(path_real), os.path.normcase(root_real)
    root = root_real.rstrip(os.sep) + os.sep
    return path_real == root_real or path_real.startswith(root)


def lexically_within(path: str, root: str) -> bool:
    """``path`` is written as ``root`` or a path below it (no link resolved)."""
    root = root.rstrip(os.sep)
    return path == root or path.startswith(root + os.sep)


def into_workspace(where: str, workspace_real: str | None, exempt_real: str | None = None) -> bool:
    """``where`` (resolved) is one of the workspace's own files: below its root, and not in ``exempt_real``
    (a watched folder kept inside the workspace, as the demo workspace keeps its 佐证材料)."""
    if not workspace_real or not within(where, workspace_real):
        return False
    return not (exempt_real and within(where, exempt_real))


def problem(path: str, *, root_real: str | None, workspace_real: str | None,
            exempt_real: str | None = None) -> str | None:
    """Why ``path`` must not be read: :data:`OUTSIDE` (it leads out of ``root_real``),
    :data:`INTO_WORKSPACE` (it leads into the workspace's own files, see :func:`into_workspace`), or None."""
    where = real(path)
    if into_workspace(where, workspace_real, exempt_real):
        return INTO_WORKSPACE
    if root_real and not within(where, root_real):
        return OUTSIDE
    return None


def opened_path(fd: int, path: str | os.PathLike[str]) -> str | None:
    """The resolved path of the file open as ``fd`` (None when it cannot be told)."""
    if sys.platform.startswith("linux"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = None
        if target and target.startswith(os.sep) and not target.endswith(" (deleted)"):
            return target
    where = real(path)
    try:
        a, b = os.fstat(fd), os.stat(where)
    except OSError:
        return None
    return where if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) else None


def check_opened(fd: int, path: str | os.PathLike[str], *, root_real: str | None,
                 workspace_real: str | None, exempt_real: str | None = None) -> None:
    """Raise :class:`OutsideFolder` unless the file open as ``fd`` lies inside ``root_real`` (when given) and
    outside ``workspace_real``. Called after the open, before the first read."""
    if not root_real and not workspace_real:
        return
    where = opened_path(fd, path)
    shown = os.fsdecode(os.fspath(path))
    if where is None:  # swapped between the open and this look: what was opened cannot be vouched for
        raise OutsideFolder(OUTSIDE if root_real else INTO_WORKSPACE, shown, "")
    if into_workspace(where, workspace_real, exempt_real):
        raise OutsideFolder(INTO_WORKSPACE, shown, where)
    if root_real and not within(where, root_real):
        raise OutsideFolder(OUTSIDE, shown, where)


def workspace_above(folder: str | os.PathLike[str]) -> Path | None:
    """The workspace ``folder`` is (or lies inside), found by its ``workspace.db``; None when there is none."""
    here = Path(real(folder))
    for candidate in (here, *here.parents):
        if (candidate / WORKSPACE_DB).is_file():
            return candidate
    return None


__all__ = ["OUTSIDE", "INTO_WORKSPACE", "OutsideFolder", "real", "within", "lexically_within", "problem",
           "opened_path", "check_opened", "workspace_above", "into_workspace"]
