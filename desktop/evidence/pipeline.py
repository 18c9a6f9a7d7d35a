"""The ingest engine: runs the persisted queue (:mod:`desktop.evidence.queue`) on worker threads. Qt-free.
(Over 600 lines: the threads, the claims and the hand-over between them share one lock and read as one.)

::

    engine = IngestEngine(ws, listener=on_event)   # on_event(IngestEvent) is called on worker threads
    engine.start()                                  # recovery (see below), then the workers
    engine.submit_paths([file_or_folder, ...])      # what a user dropped / the CLI was given
    engine.hint(Hint(path, ready=True))             # what the watcher saw (in memory; flushed in batches)
    engine.wait_idle(timeout=30)                    # True once nothing is left to run (derived=False:
                                                    #   once every file is registered)
    engine.stop()

Threads: one *flusher* turns hints into queue rows, a few at a time; all workers but the last only
register (so a new file never waits behind a long text extraction); the last takes any task, best
priority first (registration, then text, then thumbnails), and takes text and thumbnails only while no
other worker is registering. Workers copy; one *committer* makes each copied batch durable and records it
(one transaction, one audit event per file) while the worker that copied it copies the next. Two workers
by default: a third only added contention for the interpreter lock (docs/performance.md). SQLite writes
are serialised by the database's write lock.

Start-up recovery: interrupted tasks are put back (text or a thumbnail that was running when the process
died three times is failed with ``crashed``), thumbnail temp files are removed, and every evidence row still waiting
for text gets its task back. (Store temp files and orphans are handled when the workspace opens:
``ContentStore.recover``.)

Errors: a file that is gone is marked absent (or, gone during the copy, failed with
``vanished_during_copy``); a file still being written waits until it is stable; a locked file, a denied
permission, a full disk or an I/O error is retried with back-off (``retry_delays``) up to
``max_attempts`` times, then failed; a symlink loop, a broken link, an empty file, a name too long is
failed at once. Failed files stay visible (``IngestQueue.problems``) with their error code and can be
retried; nothing stops the other files.

What each task does, and how errors are classified, is in :mod:`desktop.evidence.ingest_tasks`.

``inline=True`` runs no threads: hints go straight to the queue and :meth:`IngestEngine.drain` runs the
runnable tasks in the caller's thread (small GUI tests).
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time
from typing import Any, Callable, Iterable, Sequence

from desktop import confine
from desktop.evidence import fspath, thumbnails
from desktop.evidence.ingest_tasks import QUIET_DEFAULT, QUIET_SETTING, IngestEvent, IngestTasks, Listener
from desktop.evidence.isolation import IsolatedExtractor
from desktop.evidence import ignore as ignoremod
from desktop.evidence.queue import (
    DERIVED_TASKS,
    INDEX,
    PATH_TASKS,
    REGISTER,
    SCAN,
    THUMB,
    Hint,
    IngestQueue,
    Task,
)
from desktop.errors import DiskFull, is_disk_full
from desktop.evidence.service import mark_index_failed
from desktop.parsing import limits as parse_limits
from desktop.store import StoredObject

log = logging.getLogger("evidence_desk.ingest")

ALL_TASKS = (SCAN, REGISTER, INDEX, THUMB)
# A batch of registrations is committed (one transaction, one event per file) when it holds this many
# files or bytes, or has waited this long: bulk ingest pays for a commit and a head-file update per batch.
BATCH_FILES, BATCH_BYTES, BATCH_SECONDS = 128, 64 << 20, 0.5
REGISTERING_HOLDS_DERIVED = 1.0  # seconds since the last finished copy (see _claim)

BACKGROUND_NICE = 10


def lower_thread_priority(native_id: int | None = None) -> None:
    """Run a background thread (default: the calling one) at a lower OS priority, so a GUI thread sharing
    the GIL and the CPU with it gets both first. Linux: per-thread nice value; elsewhere nothing changes."""
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, native_id or threading.get_native_id(), BACKGROUND_NICE)
        except OSError:
            pass


class IngestEngine(IngestTasks):
    def __init__(
        self,
        ws,
        *,
        workers: int = 2,
        listener: Listener | None = None,
        settle: float = 2.0,
        retry_delays: Sequence[float] = (1, 2, 5, 15, 60),
        max_attempts: int = 6,
        watch_root: str | os.PathLike[str] | None = None,
        copy_hook: Callable[[str, int], None] | None = None,
        inline: bool = False,
        quiet_seconds: float | None = None,
    ):
        self.ws = ws
        self.db = ws.db
        self.queue = IngestQueue(ws.db)
        self.workers = max(1, workers)
        self.settle = settle
        # a registered file that changes is copied again once it has been left alone this long
        # (setting ``ingest.quiet_seconds``; see IngestTasks._prepare_register)
        if quiet_seconds is None:
            from desktop.workspace import setting_number

            quiet_seconds = setting_number(ws.db, QUIET_SETTING, QUIET_DEFAULT)
        self.quiet_seconds = quiet_seconds
        self.retry_delays = tuple(retry_delays) or (1,)
        self.max_attempts = max_attempts
        self.watch_root = os.path.abspath(watch_root) if watch_root else None
        self.copy_hook = copy_hook
        self.inline = inline
        self.ignore = ignoremod.load(ws.db)
        self._listeners: list[Listener] = [listener] if listener else []
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)  # work added or finished: workers and waiters
        self._hint_cv = threading.Condition(self._lock)  # hints to save: the flusher
        self._hints: dict[tuple[str, str, int | None], Hint] = {}
        self._flushing = 0
        self._busy: set[tuple[str, Any]] = set()
        self._claim_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self._started = False
        self._idle_announced = True
        self._last_progress = 0.0
        self._orphans: set[str] = set()
        self.recovered: dict[str, Any] = {}
        # A full disk (ENOSPC, SQLITE_FULL) is not retried: every thread stops taking work, the waiters
        # raise DiskFull, and what was committed stays (see _halt).
        self.fatal: BaseException | None = None
        # Parsing runs in a child process (a crashing or hanging parser costs one file, and the parsing
        # does not hold this process's interpreter lock); inline engines (tests) parse in-process.
        # The child's ceilings (memory, time, the checks before opening) come from the workspace's settings,
        # given to each child once when it starts (docs/performance.md, "Ceilings on parsing").
        self.limits = parse_limits.load(ws.db)
        self.extractor = None if inline else IsolatedExtractor(limits=self.limits)
        # Copied batches wait here for the committer thread (flush, then record), so a worker goes on
        # copying the next batch meanwhile; at most two wait (a worker blocks when the committer lags).
        self._commits: queue.Queue | None = None
        self._copied_at = 0.0  # when a worker last finished copying a file (monotonic)
        self._committer_thread: threading.Thread | None = None
        self._handover_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "IngestEngine":
        if self._started:
            return self
        self.ws.require_writer_lock()  # only the session holding the writer lock ingests
        self.recovered = self.recover()
        self._idle_announced = False  # what recovery queued is work: say "idle" once it is done
        self._started = True
        self._stopping = False
        if not self.inline:
            self._spawn("ingest-flusher", self._flusher)
            with self._handover_lock:
                self._commits = queue.Queue(maxsize=2)
                self._committer_thread = threading.Thread(
                    target=self._thread_main, args=(self._committer, self._commits), name="ingest-committer",
                    daemon=False)
                self._committer_thread.start()
            for i in range(self.workers):
                # all but the last register only, so a new file never waits behind text extraction
                kinds = PATH_TASKS if i < self.workers - 1 else ALL_TASKS
                self._spawn(f"ingest-worker-{i}", self._worker, kinds)
        return self

    def _spawn(self, name: str, target, *args) -> None:
        # Not daemons: stop() joins them, and the process waits for a task in hand to finish.
        t = threading.Thread(target=self._thread_main, args=(target, *args), name=name, daemon=False)
        self._threads.append(t)
        t.start()

    def _thread_main(self, target, *args) -> None:
        lower_thread_priority()
        try:
            target(*args)
        finally:
            self.db.close_thread_connection()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the threads (the task in hand finishes; unsaved hints are written first)."""
        if not self._started:
            return
        try:
            self._stop_threads(timeout)
        finally:
            if self.fatal is not None:
                self._tidy_after_fatal()

    def _stop_threads(self, timeout: float) -> None:
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
            self._hint_cv.notify_all()
        if self.extractor is not None:  # a file being parsed is left for the next run: never wait on a parser
            self.extractor.close()
        with self._handover_lock:  # from now on a worker commits what it copied itself
            commits, committer = self._commits, self._committer_thread
            self._commits = self._committer_thread = None
        for t in self._threads:
            t.join(timeout)
        self._threads = []
        if committer is not None:  # it commits what was handed over before, then stops
            try:
                commits.put(None, timeout=timeout)
            except queue.Full:
                log.error("the ingest committer did not take its last batches")
            committer.join(timeout)
            if not committer.is_alive():  # (dead early: what it left is committed here)
                while True:
                    try:
                        batch = commits.get_nowait()
                    except queue.Empty:
                        break
                    if batch is not None and self.fatal is None:
                        self._commit(batch)
        if self._hints and self.fatal is None:
            self._flush_hints()
        if self.extractor is not None:
            self.extractor = IsolatedExtractor(limits=self.limits)  # started again only if the engine is
        self._started = False

    # -- a full disk -----------------------------------------------------------------------------

    def _halt(self, exc: BaseException) -> None:
        """The disk holding the workspace is full: stop taking work, once, and say so (one log line, one
        ``halted`` event). Nothing is retried: every retry would fail the same way, and the queue rows that
        would record the retries cannot be written either. Tasks left ``in_progress`` are resumed at the
        next start; copies no committed row names are moved aside when the engine stops."""
        with self._cv:
            first = self.fatal is None
            if first:
                self.fatal = exc
            self._cv.notify_all()
            self._hint_cv.notify_all()
        if first:
            log.error("ingest stopped: the disk holding the workspace is full (%s: %s)", type(exc).__name__, exc)
            self._emit(IngestEvent("halted", error="disk_full", detail=str(exc)))

    def _check_fatal(self) -> None:
        if self.fatal is not None:
            raise DiskFull(detail=str(self.fatal), path=str(self.ws.root))

    def _tidy_after_fatal(self) -> None:
        """Copies made for rows that were never committed are not left in the store as orphans (they
        go to ``store/orphaned/``, as after a crash): the workspace is as it was before the command."""
        try:
            self.ws.store.recover(r[0] for r in self.db.query("SELECT sha256 FROM evidence"))
        except Exception:
            log.warning("could not set aside the copies of a stopped ingest; the next start does", exc_info=True)

    def __enter__(self) -> "IngestEngine":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._started and not self._stopping

    def add_listener(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def remove_listener(self, fn: Listener) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def reload_settings(self) -> None:
        self.ignore = ignoremod.load(self.db)
        self.limits = parse_limits.load(self.db)
        if self.extractor is not None:  # the next file gets a child with the new ceilings
            self.extractor.set_limits(self.limits)

    def recover(self) -> dict[str, Any]:
        rec = self.queue.recover()
        for t in rec["poison"]:
            if t.task == INDEX and t.evidence_id is not None:
                try:
                    mark_index_failed(self.ws, t.evidence_id, code="crashed")
                except Exception:
                    log.exception("could not record a crashing file")
        thumbs = thumbnails.clean_temp(self.ws.thumbs)
        missing = self.db.query(
            "SELECT e.id, e.ext FROM evidence e WHERE e.text_status = 'pending' AND NOT EXISTS"
            " (SELECT 1 FROM ingest_queue q WHERE q.task = 'index' AND q.evidence_id = e.id"
            "  AND q.state IN ('pending', 'in_progress'))"
        )
        hints = [Hint(task=INDEX, evidence_id=r["id"], ready=True, origin="recovery") for r in missing]
        thumbless = [
            r["id"] for r in self.db.query(
                "SELECT e.id, e.sha256, e.ext FROM evidence e WHERE NOT EXISTS"
                " (SELECT 1 FROM ingest_queue q WHERE q.task = 'thumb' AND q.evidence_id = e.id"
                "  AND q.state IN ('pending', 'in_progress'))"
            )
            if thumbnails.needs_thumbnail(self.ws.thumbs, r["sha256"], r["ext"])
        ]
        hints += [Hint(task=THUMB, evidence_id=i, ready=True, origin="recovery") for i in thumbless]
        self.queue.add(hints)
        self._orphans = set(self.ws.store.orphans())
        return {"resumed": rec["resumed"], "crashed": len(rec["poison"]), "thumb_temp": thumbs,
                "requeued_index": len(missing), "requeued_thumbs": len(thumbless)}

    # -- adding work -----------------------------------------------------------------------------

    def hint(self, hints: Hint | Iterable[Hint]) -> None:
        """Something may have changed (watcher events): remembered in memory, written in batches."""
        if self.fatal is not None:  # a full disk stopped the engine: the next start's scan finds these files
            return
        if isinstance(hints, Hint):
            hints = [hints]
        hints = [h for h in hints if h.task in DERIVED_TASKS or not self._ignored(h.path)]
        if not hints:
            return
        if self.inline or not self._started:
            self.queue.add(hints)
            self._work_added()
            return
        with self._cv:
            for h in hints:
                key = (h.task, h.path, h.evidence_id)
                old = self._hints.get(key)
                if old is None:
                    self._hints[key] = h
                else:
                    old.ready = old.ready or h.ready
                    old.delay = min(old.delay, h.delay)
                    if h.seen_size is not None:
                        old.seen_size, old.seen_mtime_ns = h.seen_size, h.seen_mtime_ns
                    if h.priority is not None:
                        old.priority = h.priority if old.priority is None else min(old.priority, h.priority)
            self._idle_announced = False
            self._hint_cv.notify_all()

    def submit_paths(self, paths: Iterable[str | os.PathLike[str]], origin: str = "user") -> int:
        """Files and folders to register now (folders are scanned on a worker)."""
        self._check_fatal()
        hints = []
        ws_real = self._real_of(str(self.ws.root))
        exempt = self._real_of(self.watch_root) if self.watch_root else None
        for p in paths:
            p = os.path.abspath(os.fspath(p))
            if self._ignored(p):
                self._emit(IngestEvent("ignored", path=fspath.to_db(p)[0]))
                continue
            if confine.problem(p, root_real=None, workspace_real=ws_real, exempt_real=exempt) is not None:
                # the workspace's own database, store or thumbnails dropped or named: never read
                self.queue.fail_paths([(p, REGISTER, confine.INTO_WORKSPACE)], origin=origin)
                self._emit(IngestEvent("failed", path=fspath.to_db(p)[0], error=confine.INTO_WORKSPACE))
                continue
            task = SCAN if os.path.isdir(p) and not os.path.islink(p) else REGISTER
            hints.append(Hint(p, task, ready=True, origin=origin))
        if hints:
            self.queue.add(hints)
            self._work_added()
        return len(hints)

    def scan(self, folder: str | os.PathLike[str] | None = None, origin: str = "scan") -> None:
        """Reconcile ``folder`` (default: the watched folder) with the database, on a worker."""
        folder = os.path.abspath(os.fspath(folder)) if folder else self.watch_root
        if folder and self.fatal is None:
            self.queue.add([Hint(folder, SCAN, ready=True, origin=origin)])
            self._work_added()

    def retry(self, task_ids: Iterable[int] = (), evidence_ids: Iterable[int] = ()) -> None:
        """The user's "retry": failed files again, and text + thumbnails of evidence files again."""
        self.queue.retry(task_ids)
        hints = []
        for eid in evidence_ids:
            row = self.db.query_one("SELECT ext FROM evidence WHERE id = ?", (eid,))
            if row is None:
                continue
            hints.append(Hint(task=INDEX, evidence_id=eid, ready=True, origin="user", priority=1))
            if thumbnails.wants_thumbnail(row["ext"]):
                hints.append(Hint(task=THUMB, evidence_id=eid, ready=True, origin="user", priority=1))
        self.queue.add(hints)
        self._work_added()

    def bump(self, evidence_ids: Iterable[int]) -> None:
        """Text and thumbnails of these files first (they are on screen)."""
        self.queue.bump(evidence_ids)

    def _work_added(self) -> None:
        with self._cv:
            self._idle_announced = False
            self._cv.notify_all()

    def _ignored(self, path: str) -> bool:
        if self.watch_root and (path == self.watch_root or path.startswith(self.watch_root + os.sep)):
            return self.ignore.matches(path, self.watch_root)
        return self.ignore.matches_name(os.path.basename(path))

    # -- waiting ---------------------------------------------------------------------------------

    def idle(self, derived: bool = True) -> bool:
        with self._cv:
            if self._hints or self._flushing:
                return False
        return self.queue.outstanding(ALL_TASKS if derived else PATH_TASKS) == 0

    def wait_idle(self, timeout: float | None = None, derived: bool = True) -> bool:
        """Wait until no task is left to run (tasks waiting to retry after an error do not count)."""
        if self.inline:
            self.drain()
            self._check_fatal()
            return self.idle(derived)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._check_fatal()  # a full disk: DiskFull, at once
            if self.idle(derived):
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            with self._cv:
                self._cv.wait(0.05 if remaining is None else min(0.05, remaining))

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            self._check_fatal()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self.inline:
                self.drain()
                continue
            with self._cv:
                self._cv.wait(min(0.05, remaining))
        return True

    def progress(self) -> dict[str, int | str]:
        counts = self.queue.counts()

        def group(kinds):
            done = sum(counts.get(k, {}).get("done", 0) for k in kinds)
            todo = sum(counts.get(k, {}).get(s, 0) for k in kinds for s in ("pending", "in_progress"))
            return done, done + todo, todo

        reg_done, reg_total, reg_todo = group((REGISTER,))
        scan_todo = group((SCAN,))[2]
        idx_done, idx_total, idx_todo = group((INDEX,))
        th_todo = group((THUMB,))[2]
        if reg_todo or scan_todo:
            return {"phase": "register", "done": reg_done, "total": reg_total}
        if idx_todo:
            return {"phase": "index", "done": idx_done, "total": idx_total}
        if th_todo:
            done, total, _ = group((THUMB,))
            return {"phase": "thumb", "done": done, "total": total}
        return {"phase": "idle", "done": 0, "total": 0}

    # -- threads ---------------------------------------------------------------------------------

    def _flusher(self) -> None:
        while True:
            with self._hint_cv:
                while not self._hints and not self._stopping:
                    self._hint_cv.wait()
                if self._stopping:
                    return
            time.sleep(0.01)  # let a burst of events gather into one transaction
            self._flush_hints()

    def _flush_hints(self) -> None:
        with self._cv:
            hints = list(self._hints.values())
            self._hints.clear()
            self._flushing += 1
        try:
            if self.fatal is None:  # (after a full disk the next start-up scan finds these files again)
                for i in range(0, len(hints), 1000):
                    self.queue.add(hints[i : i + 1000])
        except Exception as exc:
            if is_disk_full(exc):
                self._halt(exc)
            else:
                log.exception("could not save watcher hints")
        finally:
            with self._cv:
                self._flushing -= 1
                self._idle_announced = False
                self._cv.notify_all()

    def _worker(self, kinds: Sequence[str]) -> None:
        failures = 0
        while True:
            with self._cv:
                if self._stopping or self.fatal is not None:
                    return
            try:
                tasks = self._claim(kinds)
                if not tasks:
                    self._maybe_idle()
                    due = self.queue.next_due()
                    with self._cv:
                        if self._stopping:
                            return
                        # due == 0: runnable work is held by another worker, which notifies when done
                        self._cv.wait(1.0 if not due else min(1.0, max(0.01, due)))
                    continue
                if not self._run_claimed(tasks):
                    return
                failures = 0
            except Exception as exc:  # a bug, or a database that fails (I/O error, locked): log, back off, go on
                if is_disk_full(exc):  # but a full disk stops the engine (see _halt)
                    self._halt(exc)
                    return
                if getattr(self.db, "_closed", False):  # closed under a running engine: nothing left to do
                    log.exception("ingest worker: the workspace was closed while it ran")
                    return
                failures += 1
                if failures <= 3 or failures % 100 == 0:
                    log.exception("ingest worker: %d failure(s) in a row", failures)
                with self._cv:
                    if not self._stopping:
                        self._cv.wait(min(30.0, 0.5 * 2 ** min(failures, 6)))

    def _committer(self, commits: "queue.Queue") -> None:
        while True:
            batch = commits.get()
            if batch is None:
                return
            try:
                self._commit(batch)
            except Exception as exc:  # _commit handles its errors; this thread must never die with batches queued
                if is_disk_full(exc):
                    self._halt(exc)
                else:
                    log.exception("committing a batch failed")
            try:
                self._maybe_progress()
            except Exception:
                log.exception("ingest progress")

    def _hand_over(self, batch: list[tuple[Task, StoredObject]]) -> None:
        """Commit a copied batch: on the committer thread while it runs, else here."""
        if not batch:
            return
        while True:
            with self._handover_lock:
                commits, committer = self._commits, self._committer_thread
                if commits is None or committer is None or not committer.is_alive():
                    break  # stopping (or stopped): commit here
                try:
                    commits.put_nowait(batch)
                    return
                except queue.Full:
                    pass
            with self._cv:  # the committer notifies after each batch
                self._cv.wait(0.05)
        self._commit(batch)

    def _run_claimed(self, tasks: list[Task]) -> bool:
        """Run claimed tasks; registrations are committed in batches. False when stopping cut it short.

        If something escapes a task's own error handling, what was copied is still committed and the
        tasks not yet run go back to the queue (their files are not left marked busy), then it is raised.
        """
        batch: list[tuple[Task, StoredObject]] = []
        started = time.monotonic()
        size = 0
        i = 0
        try:
            try:
                known = self._known_stamps(tasks)
            except Exception:  # only a shortcut: without it every file is copied and compared
                log.exception("reading the registered paths of a batch failed")
                known = {}
            for i, t in enumerate(tasks):
                if self._stopping or self.fatal is not None:
                    self._hand_over(batch)
                    batch = []
                    self._release(tasks[i:])
                    return False
                if t.task != REGISTER:
                    self._finish([t], lambda: self._run(t))
                    continue
                try:
                    obj = self._prepare_register(t, known)
                except Exception as exc:
                    obj = None
                    if is_disk_full(exc):
                        self._halt(exc)
                    else:
                        log.exception("ingest task register failed")
                        self._failed(t, "internal", f"{type(exc).__name__}: {exc}", transient=False)
                if obj is None:
                    self._finish([t], None)
                    continue
                batch.append((t, obj))
                size += obj.size
                if len(batch) >= BATCH_FILES or size >= BATCH_BYTES or time.monotonic() - started >= BATCH_SECONDS:
                    self._hand_over(batch)
                    batch, size, started = [], 0, time.monotonic()
            self._hand_over(batch)
            batch = []
            return True
        except Exception:
            handled = {t.key for t, _ in batch}
            rest = [t for t in tasks[i:] if t.key not in handled]
            try:
                self._hand_over(batch)
            finally:
                self._release(rest)
            raise
        finally:
            self._maybe_progress()

    def _finish(self, tasks: list[Task], run: Callable[[], None] | None) -> None:
        try:
            if run is not None:
                run()
        finally:
            with self._cv:
                for t in tasks:
                    self._busy.discard(t.key)
                self._cv.notify_all()

    def _claim(self, kinds: Sequence[str]) -> list[Task]:
        """Registration first, in batches; text and thumbnails one at a time."""
        if self.fatal is not None:
            return []
        with self._claim_lock:
            with self._cv:
                busy = set(self._busy)
            tasks: list[Task] = []
            path_kinds = [k for k in kinds if k in PATH_TASKS]
            if path_kinds:
                tasks = self.queue.claim(path_kinds, BATCH_FILES, busy, share=self.workers)
            derived = [k for k in kinds if k in DERIVED_TASKS]
            # Text and thumbnails wait while registration flows (another worker holds files and copied
            # one less than a second ago): they would compete with it for the interpreter lock, the write
            # lock and the disk. A copy that hangs or crawls (a stalled network share) does not hold them.
            registering = any(key[0] == "p" for key in busy) and \
                time.monotonic() - self._copied_at < REGISTERING_HOLDS_DERIVED
            if not tasks and derived and not registering:
                tasks = self.queue.claim(derived, 1, busy)
            with self._cv:
                self._busy.update(t.key for t in tasks)
        return tasks

    def _release(self, tasks: list[Task]) -> None:
        """Put claimed tasks back, untried; their files are no longer busy even if the queue cannot be written."""
        try:
            for t in tasks:
                self.queue.retry_later(t, delay=0, error=t.error, count_attempt=False)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self._halt(exc)  # they stay in progress: the next start resumes them
        finally:
            with self._cv:
                for t in tasks:
                    self._busy.discard(t.key)
                self._cv.notify_all()

    def drain(self, max_tasks: int | None = None) -> int:
        """Run runnable tasks in this thread until none is left (inline mode, or a caller that wants to; on
        a running engine, batches may still be with the committer when this returns)."""
        if self._hints:
            self._flush_hints()
        n = 0
        while max_tasks is None or n < max_tasks:
            tasks = self._claim(ALL_TASKS)
            if not tasks:
                break
            self._run_claimed(tasks)
            n += len(tasks)
        self._maybe_idle()
        return n

    def _maybe_progress(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_progress < 0.1:
            return
        self._last_progress = now
        self._emit(IngestEvent("progress", data=self.progress()))

    def _maybe_idle(self) -> None:
        with self._cv:
            if self._idle_announced or self._hints or self._flushing or self._busy:
                return
            self._idle_announced = True
        if self.queue.outstanding(ALL_TASKS) != 0:
            with self._cv:
                self._idle_announced = False
            return
        try:
            self.queue.purge_done()
        except Exception as exc:
            if is_disk_full(exc):
                self._halt(exc)
                return
            log.exception("purge")
        self._emit(IngestEvent("progress", data={"phase": "idle", "done": 0, "total": 0}))
        self._emit(IngestEvent("idle"))
        with self._cv:
            self._cv.notify_all()

    def _emit(self, event: IngestEvent) -> None:
        for fn in list(self._listeners):
            try:
                fn(event)
            except Exception:
                log.exception("ingest listener failed")


__all__ = ["IngestEngine", "IngestEvent", "Listener", "lower_thread_priority"]
