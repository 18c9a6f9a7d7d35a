"""The watched folder (监控文件夹): set when a workspace is created, and set, changed or cleared later.

:func:`set_watch_dir` checks the folder before it is used, because a watcher on the wrong folder does harm:

* it must exist and be a folder (a typo must not leave a workspace watching nothing);
* it must not lie inside the workspace (the workspace's own store and thumbnails would be taken in as
  evidence, which writes more files there, which are taken in …);
* it must not contain the workspace (the same loop, one level up);
* it must not be another workspace or lie inside one (that workspace's store would be taken in).

(The checks are :func:`desktop.workspace.check_watch_dir`, which ``init --watch`` makes too.) A workspace
found *below* the watched folder is skipped by every scan, and listed with its reason.

The change is one audited ``settings.changed`` event ``{key, before, after}``. Files registered from the
old folder stay registered (their paths keep what was seen); the next scan takes in the new folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from db.database import Database
from desktop.errors import DeskError
from desktop.workspace import check_watch_dir, require_role

KEY = "watch_dir"


@dataclass
class WatchDirChange:
    before: str | None
    after: str | None


def set_watch_dir(db: Database, *, folder: str | Path | None) -> WatchDirChange:
    """Watch ``folder`` from now on (``None``: watch nothing). Refused to the reviewer role."""
    require_role(db, "settings.change", "editor")
    root = db.path.parent
    after = None if folder is None else str(check_watch_dir(root, folder))
    with db.write() as tx:
        row = tx.execute("SELECT value FROM settings WHERE key = ?", (KEY,)).fetchone()
        before = row["value"] if row else None
        if before == after:
            raise DeskError("watch.unchanged", path=after or "")
        if after is None:
            tx.execute("DELETE FROM settings WHERE key = ?", (KEY,))
        else:
            tx.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                       " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (KEY, after))
        tx.event("settings.changed", {"key": KEY, "before": before, "after": after})
    return WatchDirChange(before, after)


__all__ = ["set_watch_dir", "check_watch_dir", "WatchDirChange"]
