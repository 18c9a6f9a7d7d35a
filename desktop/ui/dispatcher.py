"""Background work in named lanes, and the one route back to the GUI thread.

:class:`Dispatcher` owns the lanes a window runs work in, each a single thread that takes its jobs in order:

* ``writer`` — every write the UI makes (SQLite has one writer; a serial lane is all it needs);
* ``reader`` — reads too slow for the GUI thread: searches, thumbnails, file previews;
* ``suggest`` — the suggestion engine (its indexes live on that thread); a newer job of the same *kind*
  supersedes an older one still waiting, and an older answer arriving late is dropped;
* ``jobs`` — long work that must not hold up the reader: the integrity check, exports.

(The fourth source of results, the ingest engine's events, has threads of its own: see
:mod:`desktop.ui.ingest_lane`.)

Whatever a lane (or any other thread) has for the GUI goes through :meth:`Dispatcher.run_on_main`: a closure
is queued and one queued signal wakes the GUI thread, which runs the closures in order. It is the only
route back; no worker touches a widget. :class:`Throttle` is the same route for a stream of events (the
ingest engine, committed changes): at most one delivery per interval, however fast they come.

``inline=True`` runs every job at once in the caller's thread and delivers its result before ``submit``
returns (tests, and offscreen scripts); closures passed to ``run_on_main`` are still queued.

:meth:`Dispatcher.shutdown` is the one way down: waits for the writer's jobs and delivers their results
(the workspace is still open, so an error is still shown), drops what the other lanes had not delivered,
closes each lane thread's database connection, and from then on runs nothing more.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

log = logging.getLogger("evidence_desk.ui")

Closure = Callable[[], None]


@dataclass
class TaskResult:
    name: str
    value: Any = None
    error: BaseException | None = None


class Lane:
    """One worker thread (none when inline) running jobs in order; results come back through the funnel."""

    def __init__(self, dispatcher: "Dispatcher", name: str, *, latest_wins: bool = False):
        self.dispatcher = dispatcher
        self.name = name
        self.latest_wins = latest_wins
        self._executor = None if dispatcher.inline else ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._pending = 0
        self._latest: dict[str, int] = {}
        self._generations = itertools.count(1)
        self.closed = False  # results arriving now are dropped
        self.on_busy: Callable[[bool], None] | None = None

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(self, name: str, fn: Callable[[], Any], done: Callable[[TaskResult], None] | None = None,
               *, kind: str | None = None) -> None:
        """Run ``fn()`` on the lane; ``done(TaskResult)`` on the GUI thread. ``kind`` (``latest_wins``
        lanes): only the newest job of a kind runs late and is delivered."""
        if self.closed:
            return
        gen = 0
        with self._lock:
            if self.latest_wins and kind is not None:
                gen = next(self._generations)
                self._latest[kind] = gen
            self._pending += 1
            first = self._pending == 1
        if first and self.on_busy:
            self.on_busy(True)
        if self._executor is None:
            self._deliver(kind, gen, TaskResult(name, *self._run(fn)), done)
            return
        self._executor.submit(self._run_and_deliver, name, fn, done, kind, gen)

    def _stale(self, kind: str | None, gen: int) -> bool:
        return self.latest_wins and kind is not None and self._latest.get(kind) != gen

    @staticmethod
    def _run(fn: Callable[[], Any]) -> tuple[Any, BaseException | None]:
        try:
            return fn(), None
        except BaseException as exc:  # delivered to the GUI thread, shown there
            return None, exc

    def _run_and_deliver(self, name, fn, done, kind, gen) -> None:
        with self._lock:
            stale = self._stale(kind, gen)
        result = TaskResult(name) if stale else TaskResult(name, *self._run(fn))  # skipped: superseded
        self.dispatcher.run_on_main(lambda: self._deliver(kind, gen, result, done, skipped=stale))

    def _deliver(self, kind, gen, result: TaskResult, done, skipped: bool = False) -> None:
        with self._lock:
            self._pending -= 1
            idle = self._pending == 0
            stale = skipped or self._stale(kind, gen)
        try:
            if done is not None and not stale and not self.closed:
                done(result)
        finally:
            if idle and self.on_busy:
                self.on_busy(False)

    def shutdown(self, *, deliver: bool, on_thread_end: Closure | None) -> None:
        """Run what is queued (a writer's jobs must not be lost), then end the thread; ``deliver``: results
        still reach their callbacks (else they are dropped from now on)."""
        if not deliver:
            self.closed = True
            with self._lock:
                self._latest.clear()
        executor, self._executor = self._executor, None
        if executor is not None:
            if on_thread_end is not None:
                try:
                    executor.submit(on_thread_end).result(timeout=30)
                except Exception:
                    log.exception("lane %s: ending its thread", self.name)
            executor.shutdown(wait=True)


class Dispatcher(QObject):
    """The window's lanes and its one funnel to the GUI thread."""

    writer_busy_changed = Signal(bool)
    _closures_pending = Signal()

    def __init__(self, parent: QObject | None = None, *, inline: bool = False,
                 on_thread_end: Closure | None = None):
        super().__init__(parent)
        self.inline = inline
        self._on_thread_end = on_thread_end
        self._closures: list[Closure] = []
        self._lock = threading.Lock()
        self.closed = False
        self._closures_pending.connect(self._run_closures, Qt.ConnectionType.QueuedConnection)
        self.writer = Lane(self, "writer")
        self.reader = Lane(self, "reader")
        self.suggest = Lane(self, "suggest", latest_wins=True)
        self.jobs = Lane(self, "jobs")
        self.writer.on_busy = self.writer_busy_changed.emit

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return (self.writer, self.reader, self.suggest, self.jobs)

    # -- the funnel --------------------------------------------------------------------------------

    def run_on_main(self, closure: Closure) -> None:
        """Run ``closure`` on the GUI thread, soon (callable from any thread)."""
        with self._lock:
            if self.closed:
                return
            self._closures.append(closure)
            wake = len(self._closures) == 1
        if wake:
            self._closures_pending.emit()

    def call_on_main(self, closure: Closure) -> None:
        """Run ``closure`` on the GUI thread: at once when called there (an inline job reporting its
        progress), else through the funnel."""
        if threading.current_thread() is threading.main_thread():
            if not self.closed:
                closure()
        else:
            self.run_on_main(closure)

    @Slot()
    def _run_closures(self) -> None:
        with self._lock:
            closures, self._closures = self._closures, []
        for closure in closures:
            try:
                closure()
            except Exception:  # one failing delivery must not lose the others queued with it
                sys.excepthook(*sys.exc_info())

    # -- the one way down --------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Drop what the reading lanes still had, finish the writer's jobs and deliver their results, close
        every lane thread's connection; then run nothing more (idempotent)."""
        if self.closed:
            return
        for lane in (self.suggest, self.reader, self.jobs):
            lane.shutdown(deliver=False, on_thread_end=self._on_thread_end)
        self.writer.shutdown(deliver=True, on_thread_end=self._on_thread_end)
        self._run_closures()  # the writer's results queued to us, delivered now
        with self._lock:
            self.closed = True
            self._closures.clear()
        self.writer.closed = True


class Throttle(QObject):
    """Deliver a stream of events from any thread on the GUI thread, at most once per interval.

    ``poke()`` (any thread) asks for a delivery; ``deliver()`` runs on the GUI thread through the
    dispatcher's funnel — at once when the last one is older than ``interval()``, else when it is. The
    caller gathers what to deliver under its own lock; :meth:`flush` delivers now.
    """

    def __init__(self, dispatcher: Dispatcher, deliver: Closure, interval: Callable[[], float],
                 parent: QObject | None = None):
        super().__init__(parent or dispatcher)
        self._dispatcher = dispatcher
        self._deliver = deliver
        self._interval = interval
        self._lock = threading.Lock()
        self._scheduled = False
        self._last = 0.0
        self.closed = False
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.flush)

    def poke(self) -> None:
        with self._lock:
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._dispatcher.run_on_main(self._on_wake)

    def _on_wake(self) -> None:
        if self.closed:
            return
        wait = self._last + self._interval() - time.monotonic()
        if wait > 0 and not self._dispatcher.inline:
            if not self._later.isActive():
                self._later.start(int(wait * 1000) + 1)
            return
        self.flush()

    @Slot()
    def flush(self) -> None:
        """Deliver now (GUI thread)."""
        if self.closed:
            return
        self._later.stop()
        with self._lock:
            self._scheduled = False
        self._last = time.monotonic()
        self._deliver()

    def close(self) -> None:
        self.closed = True
        self._later.stop()
