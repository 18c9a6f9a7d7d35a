"""The session: the open workspace, who works in it, and how work and its changes reach the window.

A :class:`Session` is what every panel is built from. It owns

* the :class:`~desktop.workspace.Workspace` (and closes it: :meth:`Session.shutdown` is the one way down);
* the identity (name, role): :meth:`set_identity`, ``identity_changed``, ``writable``, ``can_review``;
* the :class:`~desktop.ui.dispatcher.Dispatcher` and its lanes: :meth:`write` (every UI write goes through
  the writer lane), :meth:`read`, :meth:`suggest`, :meth:`job`;
* the ingest lane (:class:`~desktop.ui.ingest_lane.IngestLane`: the folder watcher and the ingest engine);
* the undo stack shared by the panels, status messages and errors (``message``, ``error``).

**Changes.** Every committed write — the writer lane's, the ingest engine's threads', anyone's — is heard
through the database's change listener (:class:`db.changes.Changes`, read off the write's audit events),
gathered, and delivered on the GUI thread as one ``changed(Changes)`` signal, at most every
:data:`DELIVERY_INTERVAL` under load. A writer-lane job's changes are delivered before its ``done``
callback runs, so the panels are current when it does. Each panel decides from the Changes what to
refresh; nothing refreshes by the name of the task that wrote.

Panels whose refresh is heavy use :class:`BatchedChanges`: while an ingest is running, changes that only
touch evidence reach them at most every :data:`BATCH_INTERVAL` (and the rest as soon as the ingest ends).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from db.changes import NO_CHANGES, Changes
from desktop.ui.dispatcher import Dispatcher, TaskResult, Throttle
from desktop.ui.ingest_lane import IngestLane
from desktop.workspace import Workspace

DELIVERY_INTERVAL = 0.15  # seconds between two deliveries of changes to the GUI thread, at most, under load
TRICKLE_INTERVAL = 0.03  # … when only a few files changed (a file dropped now and then shows at once)
TRICKLE_IDS = 4
BATCH_INTERVAL = 5.0  # seconds: how often, during a bulk ingest, heavy panels take evidence changes
OTHERS_INTERVAL = 1.0  # seconds: how often a session looks for writes another window or process made


class UndoStack(QObject):
    """What Ctrl+Z takes back and Ctrl+Shift+Z / Ctrl+Y does again: entries pushed by the panels after a
    write, each with its undo function, optionally its redo function and the words for the menu
    (``撤销“关联 #12 … ← E3《…》”``, from :mod:`desktop.text.undo`). Undoing an entry that has a redo
    puts it on the redo list; a new push empties that list (as in every editor)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._items: list[UndoEntry] = []
        self._redo: list[UndoEntry] = []

    def push(self, name: str, fn: Callable[[], Any], *, redo: Callable[[], Any] | None = None,
             events: list[dict[str, Any]] | None = None, claims: dict[int, dict[str, Any]] | None = None,
             evidence: dict[int, str] | None = None) -> None:
        """``events``: the audit events the write made (``action``, ``claim_id``, ``evidence_id``), worded
        with ``claims`` (id → row) and ``evidence`` (id → name) for 撤销 / 重做."""
        from desktop.text.undo import redo_text, undo_text

        undo_words = undo_text(events or [], claims, evidence) if events else f"撤销“{name}”"
        redo_words = redo_text(events or [], claims, evidence) if events else f"重做“{name}”"
        self._items.append(UndoEntry(name, fn, redo, undo_words, redo_words))
        self._redo.clear()
        self.changed.emit()

    def undo(self) -> None:
        if self._items:
            entry = self._items.pop()
            entry.undo()
            if entry.redo is not None:
                self._redo.append(entry)
            else:
                self._redo.clear()  # what lies beyond cannot be redone in order any more
            self.changed.emit()

    def redo(self) -> None:
        if self._redo:
            entry = self._redo.pop()
            entry.redo()
            self._items.append(entry)
            self.changed.emit()

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_text(self) -> str:
        """The words for 撤销 now: ``撤销“关联 #12 … ← E3《…》”`` (``撤销`` when there is nothing)."""
        return self._items[-1].undo_text if self._items else "撤销"

    def redo_text(self) -> str:
        return self._redo[-1].redo_text if self._redo else "重做"

    def __bool__(self) -> bool:
        return bool(self._items)


@dataclass
class UndoEntry:
    name: str
    undo: Callable[[], Any]
    redo: Callable[[], Any] | None
    undo_text: str
    redo_text: str


class Session(QObject):
    changed = Signal(object)  # Changes: what was written since the last delivery
    identity_changed = Signal()
    message = Signal(str, int)  # text for the status bar, milliseconds
    error = Signal(object)  # an exception to show (a failed write)

    def __init__(self, ws: Workspace, *, inline: bool = False, watch: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        self.ws = ws
        self.inline = inline
        self.dispatcher = Dispatcher(self, inline=inline, on_thread_end=ws.db.close_thread_connection)
        self.undo = UndoStack(self)
        self._suggestion_engine = None
        self._lock = threading.Lock()
        self._pending: Changes = NO_CHANGES
        self._changes = Throttle(self.dispatcher, self._deliver_changes, self._change_interval, self)
        ws.db.add_change_listener(self._on_commit)
        self.ingest = IngestLane(self, watch=watch and not inline)
        self.closed = False
        # Writes made by another window or process on the same workspace (a reviewer beside the preparer)
        # reach no change listener here: look for them every OTHERS_INTERVAL and deliver them as changes.
        self._others_timer = QTimer(self)
        self._others_timer.setInterval(int(OTHERS_INTERVAL * 1000))
        self._others_timer.timeout.connect(self.look_for_others)
        self._others_seen = 0

    # -- identity --------------------------------------------------------------------------------

    @property
    def writable(self) -> bool:
        """The session may edit claims, evidence and links (编制, and the workspace is not read-only)."""
        return not self.ws.readonly and self.ws.role == "editor"

    @property
    def can_review(self) -> bool:
        return not self.ws.readonly and self.ws.role == "reviewer"

    @property
    def interactive(self) -> bool:
        """Modal dialogs may be shown (not in tests and scripted runs)."""
        return not self.inline

    def set_identity(self, actor: str, role: str) -> None:
        self.ws.set_identity(actor=actor, role=role)
        self.ingest.identity_changed()  # only 编制 registers files: watching follows the role
        self.identity_changed.emit()

    # -- work --------------------------------------------------------------------------------------

    def write(self, name: str, fn: Callable[[], Any], done: Callable[[Any], None] | None = None, *,
              failed: Callable[[BaseException], None] | None = None) -> None:
        """Run a write on the writer lane. Its changes are delivered first; then ``done(value)``, or
        ``failed(error)`` (default: the error is shown)."""

        def finished(result: TaskResult) -> None:
            self.flush_changes()
            if result.error is None:
                if done is not None:
                    done(result.value)
            elif failed is not None:
                failed(result.error)
            else:
                self.show_error(result.error)

        self.dispatcher.writer.submit(name, fn, finished)

    def read(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run a read on the reader lane; ``done(value)`` on the GUI thread (a read that fails is dropped:
        the view keeps saying it is loading, as for a file that cannot be shown)."""
        self.dispatcher.reader.submit("read", fn, lambda r: done(r.value) if r.error is None else None)

    def job(self, name: str, fn: Callable[[], Any], done: Callable[[TaskResult], None]) -> None:
        """Long work (integrity check, exports) on the jobs lane; ``done(TaskResult)`` on the GUI thread."""
        self.dispatcher.jobs.submit(name, fn, done)

    def suggest(self, kind: str, job: Callable[[Any], Any],
                callback: Callable[[Any, BaseException | None], None]) -> None:
        """``job(engine)`` on the suggest lane with the lane's own :class:`SuggestionEngine`;
        ``callback(value, error)`` on the GUI thread, unless a newer job of the same ``kind`` came meanwhile."""
        self.dispatcher.suggest.submit(kind, lambda: job(self.suggestion_engine),
                                       lambda r: callback(r.value, r.error), kind=kind)

    @property
    def suggestion_engine(self):
        """The suggest lane's engine (use it inside a :meth:`suggest` job; anywhere when inline)."""
        if self._suggestion_engine is None:
            from desktop.review.suggest import SuggestionEngine

            self._suggestion_engine = SuggestionEngine(self.ws.db)
        return self._suggestion_engine

    def run_on_main(self, closure: Callable[[], None]) -> None:
        """Run ``closure`` on the GUI thread, soon (from any thread): the one funnel."""
        self.dispatcher.run_on_main(closure)

    def report_progress(self, closure: Callable[[], None]) -> None:
        """A job's progress display: at once when the job runs inline on the GUI thread, else queued."""
        self.dispatcher.call_on_main(closure)

    # -- changes ------------------------------------------------------------------------------------

    def _on_commit(self, changes: Changes) -> None:
        """The database's change listener (any thread): gather, and wake the GUI thread once."""
        with self._lock:
            self._pending = self._pending | changes
        self._changes.poke()

    def _change_interval(self) -> float:
        with self._lock:
            small = len(self._pending.evidence_ids) <= TRICKLE_IDS
        return TRICKLE_INTERVAL if small else DELIVERY_INTERVAL

    def _deliver_changes(self) -> None:
        with self._lock:
            changes, self._pending = self._pending, NO_CHANGES
        if changes and not self.closed:
            self.changed.emit(changes)

    def look_for_others(self) -> None:
        """Deliver, as changes, the writes other windows or processes committed since the last look."""
        if self.closed:
            return
        try:
            events, self._others_seen = self.ws.db.others_events_after(self._others_seen)
        except Exception:  # a busy or vanished database: look again next time
            return
        if events:
            self._on_commit(Changes.from_events(events))

    def flush_changes(self) -> None:
        """Deliver what was written so far, now (GUI thread)."""
        self._changes.flush()

    # -- messages ---------------------------------------------------------------------------------

    def show_message(self, text: str, ms: int = 5000) -> None:
        self.message.emit(text, ms)

    def show_error(self, exc: BaseException) -> None:
        self.error.emit(exc)

    # -- the one way down --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the ingest lane (after the window is wired: its first events find every panel)."""
        self.ingest.start()
        if not self.ws.readonly and not self.inline:  # a read-only copy never changes; tests run inline
            self._others_seen = self.ws.db.watch_others()
            self._others_timer.start()

    def shutdown(self) -> None:
        """Stop listening, stop ingest and every lane (the writer's jobs finish first, the ingest engine's
        threads last of them), close the workspace. Idempotent."""
        if self.closed:
            return
        self.ws.db.remove_change_listener(self._on_commit)
        self._others_timer.stop()
        self.ingest.close()
        self.dispatcher.writer.submit("停止登记", self.ingest.stop)  # the last job the writer runs
        self.dispatcher.shutdown()
        self.closed = True
        self._changes.close()
        self.ws.close()  # the session owns its workspace: closing it releases the lock


class BatchedChanges(QObject):
    """Hands a panel the session's changes for a heavy refresh: at once, except that while an ingest is
    running, changes that touch nothing but evidence are gathered and handed on every ``interval`` seconds
    (and whatever is left as soon as the ingest ends). Changes of any other kind (a link, a review) go at
    once, with whatever was gathered."""

    def __init__(self, session: Session, refresh: Callable[[Changes], None], interval: float = BATCH_INTERVAL,
                 parent: QObject | None = None):
        super().__init__(parent or session)
        self._session = session
        self._refresh = refresh
        self._held: Changes = NO_CHANGES
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(interval * 1000))
        self._timer.timeout.connect(self._release)
        session.changed.connect(self._on_changed)
        session.ingest.busy_changed.connect(self._on_ingest_busy)

    def detach(self) -> None:
        """Hand on nothing more (benchmarks leave a panel's refresh out to attribute GUI stalls)."""
        self._session.changed.disconnect(self._on_changed)
        self._timer.stop()

    def _on_changed(self, changes: Changes) -> None:
        if self._session.ingest.busy and changes.only("evidence"):
            self._held = self._held | changes
            if not self._timer.isActive():
                self._timer.start()
            return
        self._held, changes = NO_CHANGES, self._held | changes
        self._timer.stop()
        self._refresh(changes)

    def _on_ingest_busy(self, busy: bool) -> None:
        if not busy:
            self._release()

    def _release(self) -> None:
        self._timer.stop()
        held, self._held = self._held, NO_CHANGES
        if held and not self._session.closed:
            self._refresh(held)
