"""Reconciliation: compare a folder with the database and enqueue what differs.

Watcher events are hints; this scan is what guarantees completeness (inotify drops events under bursts,
network drives send none). It stats every file below the folder — reading nothing — and enqueues a
``register`` task for each file that is not registered with its current size and mtime (unless it is
already queued, or failed with exactly this size and mtime), and, when ``reconcile`` is set (the watched
folder), a ``register`` task for each recorded path that is no longer on disk, which marks it absent.

Folders are walked without following symlinks to folders (no loops); a symlink to a file inside the
folder the scan started from is registered through its target; one that leads outside it (or into the
workspace) is not followed — it is returned in ``refused`` with its reason (:mod:`desktop.confine`), and so
is a folder that is another workspace (it holds a ``workspace.db``), which is not entered. A broken or
looping link is enqueued so that it fails with a clear error.
"""

from __future__ import annotations

import os
import stat as _stat
import time
from dataclasses import dataclass, field
from typing import Callable

from desktop import confine
from desktop.evidence import fspath
from desktop.evidence.ignore import IgnoreList
from desktop.evidence.queue import REGISTER, Hint, IngestQueue

BATCH = 500
FIRST_BATCH = 64  # the first files are queued sooner: the engine's other workers start on them


@dataclass
class ScanResult:
    folder: str
    files: int = 0
    enqueued: int = 0
    missing: int = 0
    ignored: list[str] = field(default_factory=list)
    errors: list[tuple[str, OSError]] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (path, task, reason code)


def _prefix_range(folder: str) -> tuple[str, str]:
    text, _ = fspath.to_db(folder.rstrip(os.sep) + os.sep)
    return text, text[:-1] + chr(ord(os.sep) + 1)


def scan_folder(
    db,
    queue: IngestQueue,
    folder: str,
    *,
    ignore: IgnoreList,
    settle: float,
    reconcile: bool,
    exclude: tuple[str, ...] = (),
    origin: str = "scan",
    assume_complete: bool = False,
    on_enqueued: Callable[[], None] | None = None,
    confine_real: str | None = None,
    workspace_real: str | None = None,
    exempt_real: str | None = None,
) -> ScanResult:
    """Walk ``folder``; see the module docstring. ``assume_complete``: the user asked for these files
    now (a dropped folder, the CLI), so recent ones do not wait to prove stable (a file that changes
    while it is copied is still caught by the store). ``on_enqueued()`` runs after each chunk of files
    is queued (the engine wakes its other workers: they need not wait for the whole walk).
    ``confine_real``: links must lead inside this (resolved) folder; ``workspace_real``: nor into this."""
    folder = os.path.abspath(folder)
    res = ScanResult(folder)
    lo, hi = _prefix_range(folder)
    known = {
        (r["path"], r["raw_path"]): (r["size"], r["mtime_ns"])
        for r in db.query(
            "SELECT path, raw_path, size, mtime_ns FROM evidence_paths WHERE present = 1 AND path >= ? AND path < ?",
            (lo, hi),
        )
    }
    failed = {
        (r["path"], r["raw_path"]): (r["seen_size"], r["seen_mtime_ns"])
        for r in db.query(
            "SELECT path, raw_path, seen_size, seen_mtime_ns FROM ingest_queue WHERE task = 'register'"
            " AND state = 'failed' AND path >= ? AND path < ?",
            (lo, hi),
        )
    }
    queued = {
        (r["path"], r["raw_path"])
        for r in db.query(
            "SELECT path, raw_path FROM ingest_queue WHERE task = 'register' AND state IN ('pending', 'in_progress')"
            " AND path >= ? AND path < ?",
            (lo, hi),
        )
    }
    excluded = {os.path.abspath(e) for e in exclude}
    seen: set[tuple[str, bytes | None]] = set()
    batch: list[Hint] = []
    now = time.time()

    def flush() -> None:
        if batch:
            res.enqueued += queue.add(batch)
            batch.clear()
            if on_enqueued is not None:
                on_enqueued()

    stack = [folder]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if d == folder:
                raise  # the folder itself cannot be read: the task's error handling says why
            res.errors.append((d, exc))
            continue
        if d != folder and any(e.name == confine.WORKSPACE_DB for e in entries) and \
                os.path.isfile(os.path.join(d, confine.WORKSPACE_DB)):
            res.refused.append((d, "scan", "workspace_folder"))  # another workspace: not entered
            continue
        for entry in entries:
            path = entry.path
            if ignore.matches_name(entry.name):
                res.ignored.append(path)
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if os.path.abspath(path) not in excluded:
                    stack.append(path)
                continue
            key = fspath.to_db(path)
            try:
                link = entry.is_symlink()
            except OSError:
                link = False
            if link and (confine_real or workspace_real):
                refused = confine.problem(path, root_real=confine_real, workspace_real=workspace_real,
                                          exempt_real=exempt_real)
                if refused is not None:  # not followed: not even stat'ed through
                    res.refused.append((path, REGISTER, refused))
                    seen.add(key)
                    continue
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError:  # broken or looping symlink, vanished: let the task say what it is
                if key not in queued and key not in failed:
                    batch.append(Hint(path, REGISTER, ready=True, origin=origin))
                seen.add(key)
                continue
            if _stat.S_ISDIR(st.st_mode):  # a symlink to a folder: not followed
                res.ignored.append(path)
                continue
            if not _stat.S_ISREG(st.st_mode):
                continue  # fifo, socket, device: not a document
            res.files += 1
            seen.add(key)
            stamp = (st.st_size, st.st_mtime_ns)
            if known.get(key) == stamp or failed.get(key) == stamp or key in queued:
                continue
            if assume_complete or now - st.st_mtime_ns / 1e9 >= settle:  # untouched for a while: complete
                batch.append(Hint(path, REGISTER, ready=True, origin=origin))
            else:  # may still be being written: it must show the same size and mtime after ``settle``
                batch.append(Hint(path, REGISTER, delay=settle, seen_size=st.st_size, seen_mtime_ns=st.st_mtime_ns,
                                  origin=origin))
            if len(batch) >= (BATCH if res.enqueued else FIRST_BATCH):
                flush()
    if reconcile and os.path.isdir(folder):
        for key in known:
            if key not in seen and key not in queued and not ignore.matches(fspath.from_db(*key), folder):
                batch.append(Hint(fspath.from_db(*key), REGISTER, ready=True, origin=origin))
                res.missing += 1
    flush()
    return res
