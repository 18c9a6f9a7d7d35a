"""The bridge between the Qt-free watcher / ingest engine and the GUI thread.

The watcher and the engine run on their own threads and call :meth:`WatchBridge._on_event` there. That
method only records what changed (under a lock) and, once per batch, emits ``_wake`` — connected with
``Qt.QueuedConnection``, it is the one route back to the GUI thread. :meth:`WatchBridge._deliver` then runs
on the GUI thread and re-emits what changed as plain signals. However fast files arrive, the GUI sees
at most one delivery per ``DELIVERY_INTERVAL`` (a burst of 10,000 files is a few hundred
deliveries, not 10,000), and no worker ever touches a widget.

``inline=True`` (small tests) runs the engine synchronously in the GUI thread instead.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any, Iterable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from desktop.evidence.pipeline import IngestEngine, IngestEvent
from desktop.evidence.watcher import MODE_SETTING, EvidenceWatcher
from desktop.workspace import Workspace, set_setting


DELIVERY_INTERVAL = 0.15  # seconds between two deliveries to the GUI thread, at most, under load
TRICKLE_INTERVAL = 0.03  # … when only a few files changed (a file dropped now and then shows at once)
TRICKLE_IDS = 4
SWITCH_INTERVAL = 0.001  # seconds: how often a thread holding the GIL must offer it to the others


class WatchBridge(QObject):
    evidence_changed = Signal(list)  # evidence ids whose rows changed (new, new version, indexed, absent…)
    thumbnails_ready = Signal(list)  # evidence ids with a new thumbnail
    problems_changed = Signal()  # files that could not be registered (failed / retrying) changed
    progress_changed = Signal(str, int, int)  # phase (register / index / thumb / idle), done, total
    state_changed = Signal(str, str)  # watcher state (watching / polling / stopped / unavailable / restarting / off)
    idle = Signal()
    _wake = Signal()

    def __init__(self, ws: Workspace, parent: QObject | None = None, *, watch: bool = True, inline: bool = False,
                 **options: Any):
        super().__init__(parent)
        self.ws = ws
        self.watch = watch
        self.inline = inline
        self.options = options
        self.watcher: EvidenceWatcher | None = None
        self.engine: IngestEngine | None = None
        self.state = "off"
        self.state_detail = ("readonly" if ws.readonly else "reviewer") if not self.writable else (
            "no_folder" if ws.watch_dir is None else "")
        self._lock = threading.Lock()
        self._ids: set[int] = set()
        self._thumbs: set[int] = set()
        self._problems = False
        self._progress: dict[str, Any] | None = None
        self._new_state: tuple[str, str] | None = None
        self._idle = False
        self._scheduled = False
        self._problem_paths: set[str] = set()
        self.events_delivered = 0
        self._last_delivery = 0.0
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._deliver)
        self._wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)

    @property
    def writable(self) -> bool:
        return not self.ws.readonly and self.ws.role == "editor"

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the engine (and the watcher when the workspace has a folder and watching is on)."""
        # The engine's threads run Python too: hand the GIL over more often than every 5 ms, so the GUI
        # thread never waits long for it (measured: longest stall while ingesting drops by about a third).
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        if self.engine is not None or not self.writable:
            if not self.writable:
                self.state_changed.emit("off", self.state_detail)
            return
        folder = self.ws.watch_dir
        if self.watch and not self.inline and folder is not None:
            self.watcher = EvidenceWatcher(self.ws, listener=self._on_event, state_listener=self._on_state,
                                           **self.options)
            self.engine = self.watcher.engine
            self.watcher.start()
        else:
            self.engine = IngestEngine(self.ws, listener=self._on_event, inline=self.inline,
                                       watch_root=str(folder) if folder else None, **self.options)
            self.engine.start()
            self._on_state("off", "not_watching" if folder else "no_folder")
        if self.inline:
            self.engine.drain()
            self._deliver()

    def identity_changed(self) -> None:
        """The session's role changed: only 编制 registers files, so watching follows the role."""
        if self.writable and self.engine is None:
            self.state_detail = "" if self.ws.watch_dir is not None else "no_folder"
            self.start()
        elif not self.writable and self.engine is not None:
            self.shutdown()
            self.state, self.state_detail = "off", "reviewer"
            self.state_changed.emit(self.state, self.state_detail)

    def shutdown(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        elif self.engine is not None:
            self.engine.stop()
        self.watcher = None
        self.engine = None

    # -- actions (GUI thread) --------------------------------------------------------------------

    def add_paths(self, paths: Iterable[str | os.PathLike[str]]) -> int:
        """Register dropped / chosen files and folders (in the background)."""
        if self.engine is None:
            self.start()
        if self.engine is None:
            return 0
        n = self.engine.submit_paths(paths, origin="user")
        self._after_action()
        return n

    def retry(self, task_ids: Iterable[int] = (), evidence_ids: Iterable[int] = ()) -> None:
        if self.engine is None:
            return
        self.engine.retry(task_ids, evidence_ids)
        with self._lock:
            self._problems = True
        self._after_action()

    def dismiss(self, task_ids: Iterable[int]) -> None:
        if self.engine is not None:
            self.engine.queue.dismiss(task_ids)
            self.problems_changed.emit()

    def bump(self, evidence_ids: Iterable[int]) -> None:
        if self.engine is not None:
            self.engine.bump(evidence_ids)

    def scan_now(self) -> None:
        if self.watcher is not None:
            self.watcher.scan_now()
        elif self.engine is not None and self.ws.watch_dir is not None:
            self.engine.scan(str(self.ws.watch_dir))
        self._after_action()

    def set_mode(self, mode: str) -> None:
        """Switch how the folder is watched (saved as the workspace setting, audited)."""
        set_setting(self.ws.db, key=MODE_SETTING, value=mode)
        if self.watcher is not None:
            self.watcher.set_mode(mode)

    @property
    def mode(self) -> str:
        return self.watcher.mode_setting if self.watcher else (self.ws.db.get_setting(MODE_SETTING) or "auto")

    def problems(self) -> list[dict[str, Any]]:
        if self.engine is not None:
            rows = self.engine.queue.problems()
        else:
            from desktop.evidence.queue import IngestQueue

            rows = IngestQueue(self.ws.db).problems()
        with self._lock:
            self._problem_paths = {r["path"] for r in rows}
        return rows

    def _after_action(self) -> None:
        if self.inline and self.engine is not None:
            self.engine.drain()
            self._deliver()

    # -- worker threads → GUI thread -------------------------------------------------------------

    def _on_event(self, e: IngestEvent) -> None:
        """Called on worker threads: remember, and wake the GUI thread once."""
        with self._lock:
            if e.kind in ("registered", "absent", "indexed") and not (e.kind == "registered" and e.outcome == "unchanged"):
                self._ids.update(i for i in e.evidence_ids if i)
            if e.kind == "thumb" and e.data.get("status") == "made":
                self._thumbs.update(e.evidence_ids)
            if e.kind in ("failed", "retrying") or (e.kind in ("registered", "absent")
                                                       and e.path in self._problem_paths):
                self._problems = True  # a failure appeared, or a failed file has just gone through
            if e.kind == "progress":
                self._progress = e.data
            if e.kind == "idle":
                self._idle = True
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    def _on_state(self, state: str, detail: str) -> None:
        with self._lock:
            self._new_state = (state, detail)
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    @Slot()
    def _on_wake(self) -> None:
        with self._lock:
            small = len(self._ids) <= TRICKLE_IDS
        wait = self._last_delivery + (TRICKLE_INTERVAL if small else DELIVERY_INTERVAL) - time.monotonic()
        if wait > 0 and not self.inline:
            if not self._later.isActive():
                self._later.start(int(wait * 1000) + 1)
            return
        self._deliver()

    @Slot()
    def _deliver(self) -> None:
        self._last_delivery = time.monotonic()
        with self._lock:
            ids, self._ids = self._ids, set()
            thumbs, self._thumbs = self._thumbs, set()
            problems, self._problems = self._problems, False
            progress, self._progress = self._progress, None
            state, self._new_state = self._new_state, None
            idle, self._idle = self._idle, False
            self._scheduled = False
        self.events_delivered += 1
        if state is not None:
            self.state, self.state_detail = state
            self.state_changed.emit(*state)
        if ids:
            self.evidence_changed.emit(sorted(ids))
        if problems:
            self.problems_changed.emit()
        if thumbs:
            self.thumbnails_ready.emit(sorted(thumbs))
        if progress is not None:
            self.progress_changed.emit(str(progress.get("phase")), int(progress.get("done", 0)),
                                       int(progress.get("total", 0)))
        if idle:
            self.idle.emit()
