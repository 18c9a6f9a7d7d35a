"""What the ingest engine does with each task it runs (register, scan, index, thumbnail), how an OS error
met on the way is classified (transient: retried with back-off; permanent: the file fails at once), and the
:class:`IngestEvent` the engine tells its listeners. Qt-free.

:class:`IngestTasks` is the half of :class:`desktop.evidence.pipeline.IngestEngine` that runs one task; the
engine (threads, queue claims, waiting, the committer hand-over) is the other half.
"""

from __future__ import annotations

import errno
import logging
import os
import stat as _stat
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from desktop import confine
from desktop.errors import Forbidden, is_disk_full
from desktop.evidence import fspath, thumbnails
from desktop.evidence.indexing import index_evidence
from desktop.evidence.isolation import ExtractorClosed
from desktop.evidence.queue import INDEX, REGISTER, SCAN, THUMB, Hint, Task
from desktop.evidence.scan import scan_folder
from desktop.evidence.service import mark_index_failed, mark_path_absent, path_rows, record_objects
from desktop.store import SourceChanged, SourceVanished, StoredObject

log = logging.getLogger("evidence_desk.ingest")

ROLE_RETRY = 5.0
#: where a change to a registered file must have settled before it becomes a new version (the watcher and
#: its scans); a file the user names or drops is taken as it is
QUIET_ORIGINS = ("watcher", "scan")
QUIET_SETTING = "ingest.quiet_seconds"
QUIET_DEFAULT = 2.0  # seconds: a file met while the session is 审核 (who may not register) is tried again

_TRANSIENT = {
    errno.EACCES: "permission_denied",
    errno.EPERM: "permission_denied",
    errno.EBUSY: "locked",
    errno.ETXTBSY: "locked",
    errno.EAGAIN: "locked",
    errno.ENOLCK: "locked",
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EIO: "io_error",
    errno.ETIMEDOUT: "io_error",
    errno.EHOSTDOWN: "io_error",
    errno.EHOSTUNREACH: "io_error",
    errno.ESTALE: "io_error",
    errno.EINTR: "io_error",
}
_PERMANENT = {
    errno.ELOOP: "symlink_loop",
    errno.ENAMETOOLONG: "name_too_long",
    errno.EINVAL: "bad_name",
    errno.EILSEQ: "bad_name",
}
_WINERROR = {32: "locked", 33: "locked", 5: "permission_denied", 112: "disk_full"}


def classify(exc: OSError) -> tuple[str, bool]:
    """``(error code, transient?)`` for an OS error met while reading a file."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERROR:
        return _WINERROR[winerror], True
    if exc.errno in _TRANSIENT:
        return _TRANSIENT[exc.errno], True
    if exc.errno in _PERMANENT:
        return _PERMANENT[exc.errno], False
    return "os_error", False


def _filename(exc: OSError) -> str | None:
    """The path an OS error names, as text (None when it names none, or only a descriptor)."""
    name = exc.filename
    return os.fsdecode(name) if isinstance(name, (str, bytes, os.PathLike)) else None


def _names(exc: OSError, path: str | bytes) -> bool:
    """Whether ``exc`` is about ``path`` itself (not about a file the store was writing)."""
    return _filename(exc) == os.fsdecode(path)


@dataclass
class IngestEvent:
    """What the engine tells its listeners (on a worker thread)."""

    kind: str  # registered / absent / indexed / thumb / failed / retrying / scanned / progress / idle /
    #   halted (a full disk stopped the engine: error ``disk_full``)
    evidence_ids: list[int] = field(default_factory=list)
    path: str | None = None  # as stored (fspath text form)
    outcome: str | None = None  # registered: added / new_version / duplicate / renamed / restored / unchanged
    error: str | None = None
    detail: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[IngestEvent], None]


class IngestTasks:
    """Running one task (the engine provides ``ws``, ``db``, ``queue``, ``settle``, ``max_attempts``,
    ``retry_delays``, ``extractor``, ``watch_root``, ``ignore``, ``copy_hook`` and the bookkeeping used below)."""

    # -- running one task ------------------------------------------------------------------------

    def _run(self, t: Task) -> None:
        try:
            if t.task == REGISTER:
                obj = self._prepare_register(t, self._known_stamps([t]))
                if obj is not None:
                    self._commit([(t, obj)])
            elif t.task == SCAN:
                self._scan(t)
            elif t.task == INDEX:
                self._index(t)
            elif t.task == THUMB:
                self._thumb(t)
            else:
                self.queue.fail(t, error="unknown_task")
        except Exception as exc:  # a bug, or something no one foresaw: this file fails, the rest go on
            if is_disk_full(exc):  # not this file's fault: the engine stops (IngestEngine._halt)
                self._halt(exc)
                return
            log.exception("ingest task %s failed", t.task)
            try:
                self._failed(t, "internal", f"{type(exc).__name__}: {exc}", transient=False)
            except Exception:
                log.exception("could not record the failure")

    def _failed(self, t: Task, code: str, detail: str | None, *, transient: bool,
                seen: tuple[int, int] | None = None) -> None:
        if transient and t.attempts < self.max_attempts:
            delay = self.retry_delays[min(t.attempts - 1, len(self.retry_delays) - 1)]
            self.queue.retry_later(t, delay=delay, error=code, detail=detail, seen=seen)
            self._emit(IngestEvent("retrying", path=t.path_text, error=code, detail=detail,
                                   data={"attempts": t.attempts, "delay": delay, "task_id": t.id}))
            return
        self.queue.fail(t, error=code, detail=detail, seen=seen)
        ids = [t.evidence_id] if t.evidence_id else []
        self._emit(IngestEvent("failed", ids, path=t.path_text, error=code, detail=detail,
                               data={"attempts": t.attempts, "task_id": t.id, "task": t.task}))

    # -- nothing from outside (desktop/confine.py) --------------------------------------------------

    def _real_of(self, folder: str) -> str:
        cache = self.__dict__.setdefault("_real_cache", {})
        found = cache.get(folder)
        if found is None:
            found = cache[folder] = confine.real(folder)
        return found

    def _confinement(self, path: str) -> tuple[str | None, str, str | None]:
        """``(real watched folder or None, real workspace root, real watched folder)`` for ``path``: a path
        in the watched folder must lead to a file inside it; no path may lead into the workspace's own
        files (a watched folder kept inside the workspace, as the demo's, is not among them)."""
        root = self.watch_root
        inside = bool(root) and confine.lexically_within(path, root)
        watch_real = self._real_of(root) if root else None
        return (watch_real if inside else None), self._real_of(str(self.ws.root)), watch_real

    def _refusal(self, path: str) -> str | None:
        root_real, ws_real, exempt = self._confinement(path)
        return confine.problem(path, root_real=root_real, workspace_real=ws_real, exempt_real=exempt)

    def _prepare_register(self, t: Task, known: dict) -> StoredObject | None:
        """Check the file and copy it into the store; None when the task was settled another way."""
        path = t.path
        if self._ignored(path):
            self.queue.done([t.id])
            return None
        refused = self._refusal(path)
        if refused is not None:  # a link out of the watched folder, or into the workspace: never opened
            self._failed(t, refused, None, transient=False)
            return None
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._source_missing(t)
            return None
        except OSError as exc:
            code, transient = classify(exc)
            self._failed(t, code, exc.strerror or str(exc), transient=transient)
            return None
        if _stat.S_ISDIR(st.st_mode):
            if not os.path.islink(path):
                self.queue.add([Hint(path, SCAN, ready=True, origin=t.origin or "watcher")])
            self.queue.done([t.id])
            return None
        if not _stat.S_ISREG(st.st_mode):
            self._failed(t, "not_regular", None, transient=False)
            return None
        stamp = (st.st_size, st.st_mtime_ns)
        if known.get((t.path_text, t.raw_path)) == stamp:  # a repeated hint for a file registered as it is now
            self.queue.done([t.id])
            return None
        if st.st_size == 0:
            self._failed(t, "empty", None, transient=False, seen=stamp)
            return None
        if not t.ready:
            stable = (t.seen_size, t.seen_mtime_ns) == stamp
            quiet = time.time() - st.st_mtime_ns / 1e9 >= self.settle
            if not (stable or quiet):  # may still be being written: look again after ``settle``
                self.queue.retry_later(t, delay=self.settle, seen=stamp, count_attempt=False)
                return None
        if (t.path_text, t.raw_path) in known and t.origin in QUIET_ORIGINS and not self._quiet(t, st, stamp):
            # A registered file changed, and was changed within the last ``quiet_seconds``: a log or a
            # sheet re-opened and appended to every second would otherwise become a version per close.
            # It is looked at again once it has been left alone that long (each new change, seen by the
            # watcher, starts the wait again), so a burst of appends is one new version.
            self.queue.retry_later(t, delay=self.quiet_seconds, seen=stamp, count_attempt=False)
            return None
        hook = self.copy_hook
        on_chunk = (lambda n: hook(path, n)) if hook else None
        root_real, ws_real, exempt = self._confinement(path)

        def opened(fd: int) -> None:  # the file really opened, before a byte is read (a link swapped in
            confine.check_opened(fd, path, root_real=root_real, workspace_real=ws_real,  # since the check)
                                 exempt_real=exempt)

        try:
            # the batch is made durable at once before its rows commit (_commit → sync_batch)
            obj = self.ws.store.add_file(path, on_chunk=on_chunk, sync_dir=False, sync_data=False, opened=opened)
            self._copied_at = time.monotonic()
            return obj
        except confine.OutsideFolder as exc:
            # where the opened file lies could not be told (renamed or replaced between the open and the
            # look): tried again a few times; known to lie outside: failed at once
            self._failed(t, exc.code, None, transient=not exc.real)
        except SourceVanished:
            self._failed(t, "vanished_during_copy", None, transient=False)
        except SourceChanged as exc:  # still being written: wait until it is stable
            self.queue.retry_later(t, delay=self.settle, ready=False, seen=stamp, count_attempt=False,
                                   error=None, detail=str(exc))
        except FileNotFoundError as exc:
            if _names(exc, path) or not os.path.lexists(path):  # the source (or a link's target) went
                self._source_missing(t)
            else:  # the file is there: what went missing is on the store's side (its folder removed…)
                where = _filename(exc)
                self._failed(t, "store_error", f"{exc.strerror or exc}" + (f": {where}" if where else ""),
                             transient=True)
        except IsADirectoryError:
            self.queue.done([t.id])
        except OSError as exc:
            if is_disk_full(exc):  # the store's disk: no file can be taken now, so stop (see _halt)
                self._halt(exc)
                return None
            code, transient = classify(exc)
            self._failed(t, code, exc.strerror or str(exc), transient=transient)
        return None

    def _commit(self, batch: list[tuple[Task, StoredObject]]) -> None:
        """Record a batch of copied files: one transaction, one audit event per file."""
        if not batch:
            return
        try:
            try:
                self.ws.store.sync_batch([obj for _, obj in batch])
            except OSError as exc:  # the disk refused the flush (full, I/O error): retry the batch later
                if is_disk_full(exc):  # … unless it is full: stop (see _halt); the next start resumes them
                    self._halt(exc)
                    return
                code, _ = classify(exc)
                for t, _obj in batch:
                    try:
                        self._failed(t, code, exc.strerror or str(exc), transient=True)
                    except Exception:  # the queue cannot be written either (disk full): the task stays
                        log.exception("could not record the failed flush of %s", t.path_text)  # in progress,
                return  # and the next start resumes it
            tasks = [t for t, _ in batch]
            try:
                regs = record_objects(self.ws, [(t.path, obj, obj.mtime_ns, None) for t, obj in batch],
                                      batch_tx=lambda tx, written: self._registered_tx(tx, tasks, written))
            except Forbidden:  # the session switched to 审核 meanwhile: register once it is 编制 again
                for t, _ in batch:
                    self.queue.retry_later(t, delay=ROLE_RETRY, error="role_forbidden", count_attempt=False)
                return
            except Exception as exc:
                if is_disk_full(exc):
                    self._halt(exc)
                    return
                if len(batch) > 1:  # find the one that fails; the others go through
                    for item in batch:
                        self._commit([item])
                    return
                log.exception("recording %s failed", batch[0][0].path_text)
                self._failed(batch[0][0], "internal", f"{type(exc).__name__}: {exc}", transient=False)
                return
            for (t, obj), reg in zip(batch, regs):
                if reg.outcome == "unchanged":
                    self.queue.done([t.id])  # written nothing, so the transaction hook may not have run
                if reg.sha256 in self._orphans:
                    self.ws.store.drop_orphan(reg.sha256)
                    self._orphans.discard(reg.sha256)
                ids = [reg.evidence_id] + ([reg.supersedes] if reg.supersedes else [])
                self._emit(IngestEvent("registered", ids, path=reg.path, outcome=reg.outcome,
                                       data={"sha256": reg.sha256, "supersedes": reg.supersedes,
                                             "moved_from": reg.moved_from, "origin": t.origin}))
        finally:
            with self._cv:
                for t, _ in batch:
                    self._busy.discard(t.key)
                self._cv.notify_all()

    def _quiet(self, t: Task, st: os.stat_result, stamp: tuple[int, int]) -> bool:
        """The file has been left alone ``quiet_seconds``: by its mtime, or — when that clock cannot be
        trusted (an mtime in the future: a share's clock) — by showing the same size and mtime as at the
        last look, which was that long ago."""
        age = time.time() - st.st_mtime_ns / 1e9
        if age < 0:
            return (t.seen_size, t.seen_mtime_ns) == stamp
        return age >= self.quiet_seconds

    def _known_stamps(self, tasks: list[Task]) -> dict[tuple[str, bytes | None], tuple[int, int]]:
        """``(size, mtime_ns)`` each path of ``tasks`` is registered with now, in one query. (No other
        worker touches these paths meanwhile: a claimed task's path is busy.)"""
        keys = {(t.path_text, t.raw_path) for t in tasks if t.task == REGISTER}
        if not keys:
            return {}
        return {key: (row["size"], row["mtime_ns"])
                for key, (row, _) in path_rows(self.db.conn, keys).items() if row is not None}

    def _registered_tx(self, tx, tasks: list[Task], written: list[tuple[int, Any]]) -> None:
        """Inside the registration's transaction: finish the tasks, schedule text and thumbnails."""
        done = [tasks[i] for i, _ in written]
        self.queue.done([t.id for t in done], conn=tx)
        self.queue.clear_failures(tx, [(t.path_text, t.raw_path) for t in done])
        wanted = []
        for i, reg in written:
            if reg.new:
                ext = os.path.splitext(fspath.display_name(os.path.basename(tasks[i].path)))[1].lower().lstrip(".")
                wanted.append((reg.evidence_id, [INDEX] + ([THUMB] if thumbnails.wants_thumbnail(ext) else [])))
        self.queue.add_derived(tx, wanted)

    def _source_missing(self, t: Task) -> None:
        if os.path.islink(t.path):
            self._failed(t, "broken_link", None, transient=False)
        else:
            self._gone(t)

    def _gone(self, t: Task) -> None:
        try:
            ids = mark_path_absent(self.ws, t.path, in_tx=lambda tx: self.queue.done([t.id], conn=tx))
        except Forbidden:
            self.queue.retry_later(t, delay=ROLE_RETRY, error="role_forbidden", count_attempt=False)
            return
        if ids:
            self._emit(IngestEvent("absent", ids, path=t.path_text))
        else:
            self.queue.done([t.id])

    def _scan(self, t: Task) -> None:
        folder = t.path
        root = self.watch_root
        inside = bool(root) and (folder == root or folder.startswith(root + os.sep))
        if not os.path.isdir(folder):
            if os.path.lexists(folder):  # a file after all
                self.queue.add([Hint(folder, REGISTER, ready=True, origin=t.origin or "scan")])
                self.queue.done([t.id])
                return
            if inside and folder != root and os.path.isdir(root):
                # a sub-folder that went away: each file recorded below it is checked (and marked absent)
                self.queue.done([t.id])
                self.queue.add([Hint(folder.rsplit(os.sep, 1)[0] or root, SCAN, ready=True, origin="scan")])
                return
            self._failed(t, "folder_missing", None, transient=False)
            return
        exclude = (str(self.ws.root),)
        # links found by the scan must lead inside the folder the scan started from: the watched folder,
        # or the folder the user dropped / named
        confine_real = self._real_of(root) if inside else confine.real(folder)
        ws_real = self._real_of(str(self.ws.root))
        exempt = self._real_of(root) if root else None
        refused = confine.problem(folder, root_real=confine_real, workspace_real=ws_real, exempt_real=exempt)
        other = confine.workspace_above(folder) if refused is None else None
        if other is not None and str(other) != ws_real:
            refused = "workspace_folder"  # another workspace, or a folder inside one (its store …)
        if refused is not None:
            self._failed(t, refused, None, transient=False)
            return
        try:
            res = scan_folder(self.db, self.queue, folder, ignore=self.ignore, settle=self.settle,
                              reconcile=inside, exclude=exclude, origin=t.origin or "scan",
                              assume_complete=t.origin in ("user", "cli"), on_enqueued=self._work_added,
                              confine_real=confine_real, workspace_real=ws_real, exempt_real=exempt)
        except OSError as exc:
            code, transient = classify(exc)
            self._failed(t, code, exc.strerror or str(exc), transient=transient)
            return
        if res.refused:  # listed with their reason, nothing read
            self.queue.fail_paths([(p, kind, code) for p, kind, code in res.refused], origin=t.origin or "scan")
            for p, _kind, code in res.refused:
                self._emit(IngestEvent("failed", path=fspath.to_db(p)[0], error=code, data={"task": _kind}))
        self.queue.add([Hint(d, SCAN, ready=True, origin="scan") for d, _ in res.errors])
        self.queue.done([t.id])
        with self._cv:
            self._idle_announced = False
            self._cv.notify_all()
        self._emit(IngestEvent("scanned", path=folder, data={
            "files": res.files, "enqueued": res.enqueued, "missing": res.missing, "ignored": res.ignored,
            "errors": [(d, e.strerror or str(e)) for d, e in res.errors]}))

    def _index(self, t: Task) -> None:
        eid = t.evidence_id
        if eid is None or self.db.query_one("SELECT 1 FROM evidence WHERE id = ?", (eid,)) is None:
            self.queue.done([t.id])
            return
        try:
            res = index_evidence(self.ws, eid, in_tx=lambda tx: self.queue.done([t.id], conn=tx),
                                 extract=self.extractor)
        except ExtractorClosed:  # the engine is stopping: this file is parsed at the next start
            self.queue.retry_later(t, delay=0, count_attempt=False)
            return
        except MemoryError as exc:
            mark_index_failed(self.ws, eid, code="too_large", detail=str(exc))
            self.queue.done([t.id])
            res = None
        except Exception as exc:
            if is_disk_full(exc):
                raise  # not the file's fault (see _run)
            log.exception("text extraction failed for E%s", eid)
            mark_index_failed(self.ws, eid, code="index_failed", detail=f"{type(exc).__name__}: {exc}")
            self.queue.done([t.id])
            res = None
        data = {"text_status": res.text_status, "numbers": res.numbers} if res else {}
        self._emit(IngestEvent("indexed", [eid], error=res.error if res else "index_failed", data=data,
                               detail=res.detail if res else None))

    def _thumb(self, t: Task) -> None:
        eid = t.evidence_id
        row = self.db.query_one("SELECT sha256, ext FROM evidence WHERE id = ?", (eid,)) if eid else None
        if row is None:
            self.queue.done([t.id])
            return
        try:
            make = self.extractor.thumbnail if self.extractor is not None else thumbnails.make_thumbnail
            res = make(self.ws.store.object_path(row["sha256"]), row["ext"], self.ws.thumbs, row["sha256"])
        except ExtractorClosed:
            self.queue.retry_later(t, delay=0, count_attempt=False)
            return
        except OSError as exc:
            if is_disk_full(exc):
                raise
            code, transient = classify(exc)
            self._failed(t, code, exc.strerror or str(exc), transient=transient)
            return
        self.queue.done([t.id])
        self._emit(IngestEvent("thumb", [eid], error=res.error, data={"status": res.status}))
