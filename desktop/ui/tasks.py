"""Background work and the one route back to the GUI thread.

:class:`TaskRunner` runs callables on a single worker thread (the writer: SQLite allows one writer, so a
serial executor is all we need) and delivers each result or error to the GUI thread through a queued Qt
signal. No worker touches a widget. ``inline=True`` runs tasks synchronously (tests, and tiny actions).
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal, Slot


@dataclass
class TaskResult:
    task_id: int
    name: str
    value: Any = None
    error: BaseException | None = None


class TaskRunner(QObject):
    """Serial background executor whose results arrive on the GUI thread."""

    task_finished = Signal(object)  # TaskResult
    progress_changed = Signal(str, int, int)  # name, done, total
    _deliver = Signal(object, object)  # (TaskResult, callback)
    _deliver_progress = Signal(str, int, int)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, inline: bool = False, on_thread_end=None):
        super().__init__(parent)
        self.inline = inline
        self._ids = itertools.count(1)
        self._pending = 0
        self._lock = threading.Lock()
        self._on_thread_end = on_thread_end
        self._closed = False  # after shutdown(): results still queued are dropped (the workspace is closed)
        self._executor = None if inline else ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)
        self._deliver_progress.connect(self.progress_changed, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def report_progress(self, name: str, done: int, total: int) -> None:
        """Callable from the worker: progress reaches the GUI thread queued."""
        if self.inline:
            self.progress_changed.emit(name, done, total)
        else:
            self._deliver_progress.emit(name, done, total)

    def submit(
        self,
        name: str,
        fn: Callable[[], Any],
        on_done: Callable[[TaskResult], None] | None = None,
    ) -> int:
        task_id = next(self._ids)
        with self._lock:
            self._pending += 1
            first = self._pending == 1
        if first:
            self.busy_changed.emit(True)
        if self.inline:
            result = self._run(task_id, name, fn)
            self._on_deliver(result, on_done)
            return task_id
        assert self._executor is not None
        self._executor.submit(self._run_and_deliver, task_id, name, fn, on_done)
        return task_id

    def _run(self, task_id: int, name: str, fn: Callable[[], Any]) -> TaskResult:
        try:
            return TaskResult(task_id, name, fn())
        except BaseException as exc:  # delivered to the GUI thread, shown there
            return TaskResult(task_id, name, error=exc)

    def _run_and_deliver(self, task_id, name, fn, on_done) -> None:
        self._deliver.emit(self._run(task_id, name, fn), on_done)

    @Slot(object, object)
    def _on_deliver(self, result: TaskResult, on_done) -> None:
        if self._closed:  # a result arriving after shutdown (none should): its owner is gone
            return
        with self._lock:
            self._pending -= 1
            idle = self._pending == 0
        try:
            if on_done is not None:
                on_done(result)
        finally:
            self.task_finished.emit(result)
            if idle:
                self.busy_changed.emit(False)

    def shutdown(self) -> None:
        """Wait for the task in hand, deliver its result now (the owner — and its workspace — are still
        open, so an error is still shown), then run and deliver nothing more."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            if self._on_thread_end:
                try:
                    executor.submit(self._on_thread_end).result(timeout=30)
                except Exception:
                    pass
            executor.shutdown(wait=True)
            QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)  # results queued to us, delivered here
        self._closed = True
