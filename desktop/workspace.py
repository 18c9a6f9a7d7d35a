"""A workspace: one evaluation's folder, and the one object the UI and the CLI hold.

Layout::

    workspace.db        SQLite (WAL)
    audit-head.json     seq and hash of the last audit event (outside the database on purpose)
    workspace.lock      OS lock: the first process writes, any other opens read-only
    store/ab/<sha256>   read-only copies of every evidence file
    thumbs/             thumbnails (PNG)
"""

from __future__ import annotations

import functools
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from db import audit
from db.changes import NO_CHANGES, Changes
from db.database import Database, LockTimeout, ReadOnlyError
from desktop import config
from desktop.errors import DeskError, DiskFull, Forbidden, ReadOnlyWorkspace, disk_nearly_full, is_disk_full
from desktop.store import ContentStore
from desktop.lock import WorkspaceLock
from desktop.version import app_version

DB_NAME = "workspace.db"
STORE_DIR = "store"
THUMBS_DIR = "thumbs"
LOCK_NAME = "workspace.lock"

ROLES = ("editor", "reviewer")  # 编制 / 审核


@dataclass
class OpenInfo:
    readonly: bool
    reason: str | None  # "locked" when another process holds the workspace
    holder: dict[str, Any]


class Workspace:
    def __init__(self, root: Path, db: Database, lock: WorkspaceLock | None, info: OpenInfo):
        self.root = root
        self.db = db
        self.store = ContentStore(root / STORE_DIR)
        self.thumbs = root / THUMBS_DIR
        self._lock = lock
        self.info = info
        self.review_only = False  # a review workspace (received package): the 审核 role only

    # -- creating and opening --------------------------------------------------------------------

    @staticmethod
    def is_workspace(root: str | Path) -> bool:
        return (Path(root) / DB_NAME).is_file()

    @classmethod
    def create(
        cls,
        root: str | Path,
        *,
        watch_dir: str | Path | None = None,
        actor: str | None = None,
        role: str = "editor",
        name: str | None = None,
    ) -> "Workspace":
        require_sqlite()
        root = Path(root).expanduser().absolute()
        if cls.is_workspace(root):
            raise DeskError("workspace.exists", path=str(root))
        if root.exists() and not root.is_dir():
            raise DeskError("workspace.not_a_folder", path=str(root))
        if watch_dir is not None:  # before anything is made: a refused folder leaves no half workspace
            # (it may be made later; the demo keeps its folder inside the workspace, which the scan excludes
            # the workspace's own files from)
            watch_dir = check_watch_dir(root, watch_dir, must_exist=False, allow_inside=True)
        try:
            root.mkdir(parents=True, exist_ok=True)
            ContentStore(root / STORE_DIR).ensure()
            (root / THUMBS_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            raise DeskError("workspace.cannot_create", path=str(root), detail=str(exc)) from exc
        ws = cls.open(root, actor=actor, role=role)
        if ws.readonly:
            ws.close()
            raise DeskError("workspace.locked", path=str(root))
        settings = {"name": name or root.name}
        if watch_dir is not None:
            settings["watch_dir"] = str(Path(watch_dir).expanduser().absolute())
        with ws.db.write() as tx:
            for key, value in settings.items():
                tx.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
            tx.event("workspace.created", {"settings": settings, "app_version": app_version()})
        return ws

    @classmethod
    def open(
        cls,
        root: str | Path,
        *,
        actor: str | None = None,
        role: str | None = None,
        readonly: bool = False,
        ingest: bool | None = None,
    ) -> "Workspace":
        """Open a workspace.

        Only a session that watches the folder and ingests takes the writer lock (``workspace.lock``):
        ``ingest=True``, or by default the 编制 role (the group's window watches its folder). If another
        program holds it, such a session opens read-only (``info.reason == "locked"``, ``info.holder``
        names who). Every other session — an inspector reviewing, a command that links or answers a request
        — writes without it: SQLite's own locking (with a busy timeout) and the commit lock of
        :mod:`db.filelock` keep its writes and the audit chain in order with the ingesting program's.

        A review workspace (made by ``receive`` from a package) opens in the 审核 role whatever is asked.
        """
        require_sqlite()
        root = Path(root).expanduser().absolute()
        db_path = root / DB_NAME
        if not root.is_dir():
            raise DeskError("workspace.not_found", path=str(root))
        role = role or "editor"
        if role not in ROLES:
            raise DeskError("workspace.bad_role", role=role)
        actor = (actor or config.default_actor()).strip() or config.os_user()
        review_only = _is_review_workspace(db_path)
        if review_only:
            role = "reviewer"
        if ingest is None:
            ingest = role == "editor"
        lock = WorkspaceLock(root / LOCK_NAME)
        reason = None
        holder: dict[str, Any] = {}
        lock_to_keep = None
        if readonly:
            reason = "requested"
        elif ingest and not review_only:
            try:
                acquired = lock.acquire(actor)
            except OSError:  # a read-only folder or share: the lock file cannot even be created
                acquired = False
                reason = "unwritable"
            if acquired:
                lock_to_keep = lock
            else:
                readonly = True
                if reason is None:
                    reason = "locked"
                    holder = lock.holder()
        elif not _folder_writable(root):
            readonly, reason = True, "unwritable"
        if readonly and not db_path.is_file():
            raise DeskError("workspace.not_found", path=str(root))
        db = Database(db_path, readonly=readonly, head_path=root / audit.HEAD_FILE, actor=actor, role=role)
        problem = None
        head_unwritable = None
        try:
            if not readonly:
                db.migrate()
                try:
                    db.reconcile_head()
                except OSError as exc:  # the head file cannot be written: nothing else could be either
                    head_unwritable = str(exc)
                problem = db.head_problem()
                if problem is None and lock_to_keep is not None:
                    _recover_store(root, db)
            else:
                db.conn  # open now so a broken file fails here, not later
                has_events = db.scalar(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'"
                )
                if not has_events:
                    raise DeskError("workspace.not_initialised", path=str(root))
        except DeskError:
            db.close()
            if lock_to_keep:
                lock_to_keep.release()
            raise
        except LockTimeout as exc:
            db.close()
            if lock_to_keep:
                lock_to_keep.release()
            raise DeskError("workspace.busy", path=str(root)) from exc
        except Exception as exc:
            db.close()
            if lock_to_keep:
                lock_to_keep.release()
            if is_disk_full(exc) or (isinstance(exc, (sqlite3.Error, OSError)) and disk_nearly_full(root)):
                raise DiskFull(path=str(root), detail=str(exc)) from exc
            raise DeskError("workspace.cannot_open", path=str(root), detail=str(exc)) from exc
        downgrade = None
        if problem is not None:
            # Events were removed or rewritten behind our back. Writing on would move the head file over
            # the evidence, so the workspace opens read-only and says why (verify names the place).
            downgrade = ("tampered", {"problem": problem})
        elif head_unwritable is not None:
            # The database took the migration but the head file next to it cannot be rewritten (its
            # permissions, a full disk): every mutation would be left unanchored, so do not write at all.
            downgrade = ("unwritable", {"detail": head_unwritable})
        if downgrade is not None:
            db.close()
            if lock_to_keep:
                lock_to_keep.release()
                lock_to_keep = None
            db = Database(db_path, readonly=True, head_path=root / audit.HEAD_FILE, actor=actor, role=role)
            readonly = True
            reason, holder = downgrade
        ws = cls(root, db, lock_to_keep, OpenInfo(readonly, reason, holder))
        ws.review_only = review_only
        return ws

    def close(self) -> None:
        self.db.close()
        if self._lock:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- identity --------------------------------------------------------------------------------

    @property
    def readonly(self) -> bool:
        return self.info.readonly

    @property
    def actor(self) -> str:
        return self.db.actor

    @property
    def role(self) -> str:
        return self.db.role

    def set_identity(self, *, actor: str | None = None, role: str | None = None) -> None:
        """Change who acts in this session (recorded on every later event). A review workspace stays in
        the 审核 role."""
        if role is not None:
            if role not in ROLES:
                raise DeskError("workspace.bad_role", role=role)
            self.db.role = "reviewer" if self.review_only else role
        if actor is not None and actor.strip():
            self.db.actor = actor.strip()

    # -- settings --------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.db.get_setting("name") or self.root.name

    @property
    def watch_dir(self) -> Path | None:
        value = self.db.get_setting("watch_dir")
        return Path(value) if value else None

    def check_writable(self) -> None:
        if self.readonly:
            raise ReadOnlyWorkspace(path=str(self.root), **self.info.holder)

    # -- the writer lock (ingesting) -------------------------------------------------------------

    @property
    def holds_writer_lock(self) -> bool:
        return self._lock is not None

    def require_writer_lock(self) -> None:
        """Before watching or ingesting: take the writer lock if this session does not hold it yet, or say
        who does (``workspace.locked`` with the holder's name, machine and process)."""
        self.check_writable()
        if self._lock is not None:
            return
        if self.review_only:
            raise DeskError("workspace.review_only", path=str(self.root))
        lock = WorkspaceLock(self.root / LOCK_NAME)
        try:
            acquired = lock.acquire(self.actor)
        except OSError as exc:
            raise DeskError("workspace.unwritable", path=str(self.root), detail=str(exc)) from exc
        if not acquired:
            raise DeskError("workspace.locked", path=str(self.root), **lock.holder())
        self._lock = lock
        _recover_store(self.root, self.db)


def _recover_store(root: Path, db: Database) -> None:
    """A crash between copying an object and committing its rows leaves a temp file or an object no row
    names: tidy both (see ContentStore.recover). Only the writer-lock holder does this: it is the only one
    copying files in, so nothing it removes can be another program's copy in progress."""
    ContentStore(root / STORE_DIR).recover(r[0] for r in db.query("SELECT sha256 FROM evidence"))


def _is_review_workspace(db_path: Path) -> bool:
    """Whether the workspace was made from a received package (the setting ``kind`` is ``review``)."""
    if not db_path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{quote(str(db_path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'kind'").fetchone()
        return bool(row and row[0] == "review")
    except sqlite3.Error:  # not (yet) a workspace, or one on a share that needs a private copy to read
        return False
    finally:
        conn.close()


def _folder_writable(root: Path) -> bool:
    return os.access(root, os.W_OK)


#: the oldest SQLite a workspace works with: ``RETURNING`` (the ingest queue's claims) came in 3.35,
#: the FTS5 ``trigram`` tokenizer (evidence text search) in 3.34
SQLITE_MIN = (3, 35, 0)
_FTS_PROBE = "CREATE VIRTUAL TABLE temp.probe USING fts5(text, tokenize = 'trigram')"


def require_sqlite() -> None:
    """Fail at once, with words, where the Python's SQLite is too old or lacks FTS5 (an old Linux
    distribution's own build), rather than with an SQL syntax error in the middle of an ingest."""
    problem = _sqlite_problem(sqlite3.sqlite_version_info, _FTS_PROBE)
    if problem:
        version = ".".join(map(str, sqlite3.sqlite_version_info))
        raise DeskError(problem, version=version, needed=".".join(map(str, SQLITE_MIN)))


@functools.lru_cache(maxsize=None)
def _sqlite_problem(version: tuple[int, ...], probe: str) -> str | None:
    if tuple(version) < SQLITE_MIN:
        return "workspace.sqlite_too_old"
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(probe)
    except sqlite3.Error:
        return "workspace.sqlite_no_fts"
    finally:
        conn.close()
    return None


@dataclass
class SettingChange:
    key: str
    before: str | None
    after: str
    changes: Changes = NO_CHANGES


def _within(inner: Path, outer: Path) -> bool:
    try:
        inner.relative_to(outer)
    except ValueError:
        return False
    return True


def check_watch_dir(workspace_root: str | Path, folder: str | Path, *, must_exist: bool = True,
                    allow_inside: bool = False) -> Path:
    """The folder as it will be stored (absolute), or a :class:`DeskError` saying why it cannot be watched:
    missing, not a folder, inside this workspace or containing it (the workspace's own files would be taken
    in as evidence, which writes more files there …), or another workspace / inside one (its store would be)."""
    from desktop import confine

    path = Path(os.path.expanduser(str(folder))).absolute()
    if not path.exists() and must_exist:
        raise DeskError("watch.not_found", path=str(path))
    if path.exists() and not path.is_dir():
        raise DeskError("watch.not_a_folder", path=str(path))
    real, root = Path(confine.real(path)), Path(confine.real(workspace_root))
    if _within(real, root):
        if not allow_inside:
            raise DeskError("watch.inside_workspace", path=str(path), workspace=str(root))
    elif _within(root, real):
        raise DeskError("watch.contains_workspace", path=str(path), workspace=str(root))
    other = confine.workspace_above(real)
    if other is not None and other != root:
        raise DeskError("watch.other_workspace", path=str(path), workspace=str(other))
    return path


#: numeric settings and the values they may take (inclusive): seconds, counts, sizes. ``set_setting`` refuses
#: anything else (negative, nan, inf, absurdly large) naming the range, and :func:`setting_number` reads a
#: value outside it (a database edited by hand) as the default. Areas that add a numeric setting add it here.
SETTING_RANGES: dict[str, tuple[float, float]] = {
    "ingest.poll_interval": (0.2, 3600),  # seconds between two looks at a polled folder
    "ingest.scan_interval": (10, 7 * 86400),  # seconds between two reconciliation scans
    "ingest.quiet_seconds": (0.5, 600),  # how long a growing file must stay unchanged before a new version
}


def _number(text: object) -> float | None:
    import math

    try:
        value = float(str(text).strip())
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def check_setting(key: str, value: str) -> str:
    """``value`` as it will be stored, or :class:`DeskError` ``setting.out_of_range`` naming the range."""
    bounds = SETTING_RANGES.get(key)
    if bounds is None:
        return value
    number = _number(value)
    lo, hi = bounds
    if number is None or not lo <= number <= hi:
        raise DeskError("setting.out_of_range", key=key, value=str(value)[:40], lo=_plain(lo), hi=_plain(hi))
    return str(value).strip()


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def setting_number(db: Database, key: str, default: float) -> float:
    """A numeric setting's value, or ``default`` when it is unset or outside :data:`SETTING_RANGES`."""
    number = _number(db.get_setting(key))
    lo, hi = SETTING_RANGES.get(key, (float("-inf"), float("inf")))
    return number if number is not None and lo <= number <= hi else default


def set_setting(db: Database, *, key: str, value: str) -> SettingChange:
    """Change one workspace setting (audited). Settings belong to the evaluation group (编制). A numeric
    setting must lie in its range (:data:`SETTING_RANGES`)."""
    require_role(db, "settings.change", "editor")
    value = check_setting(key, value)
    old = db.get_setting(key)
    with db.write() as tx:
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        tx.event("settings.changed", {"key": key, "before": old, "after": value})
    return SettingChange(key, old, value, tx.changes)


def require_writable(db: Database) -> None:
    if db.readonly:
        raise ReadOnlyWorkspace(path=str(db.path.parent))


def require_role(db: Database, action: str, *roles: str) -> None:
    """Refuse ``action`` unless the session's role is one of ``roles`` (and the db is writable)."""
    require_writable(db)
    if db.role not in roles:
        raise Forbidden(action, db.role)


__all__ = [
    "Workspace",
    "ReadOnlyError",
    "set_setting",
    "check_watch_dir",
    "check_setting",
    "setting_number",
    "SETTING_RANGES",
    "require_role",
    "require_writable",
    "ROLES",
]
