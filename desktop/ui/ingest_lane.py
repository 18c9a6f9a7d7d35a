"""The ingest lane: the Qt-free folder watcher and ingest engine, seen from the GUI thread.

The watcher and the engine run on their own threads and call :meth:`IngestLane._on_event` there. That
method only records what happened (under a lock) and pokes a :class:`~desktop.ui.dispatcher.Throttle`, so
the GUI thread sees at most one delivery per :data:`DELIVERY_INTERVAL` through the dispatcher's funnel
(a burst of 10,000 files is a few hundred deliveries, not 10,000). :meth:`IngestLane._deliver` re-emits
what happened as plain signals: thumbnails made, files that could not be registered, progress, the
watcher's state, idle. What the engine *wrote* (new files, new versions, text extracted) is not among
them: its commits reach the window as the session's ``changed`` like every other write.

Starting the engine, and every action that writes (files dropped, retry, dismiss, the watch mode, the
ignore list), runs on the session's writer lane. ``inline`` sessions (small tests) run the engine in the
GUI thread instead, every action finished before it returns.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable

from PySide6.QtCore import QObject, Signal

from desktop.evidence.pipeline import IngestEngine, IngestEvent
from desktop.evidence.queue import IngestQueue
from desktop.evidence.watcher import MODE_SETTING, EvidenceWatcher
from desktop.ui.dispatcher import Throttle
from desktop.workspace import set_setting

if TYPE_CHECKING:
    from desktop.ui.session import Session

DELIVERY_INTERVAL = 0.15  # seconds between two deliveries to the GUI thread, at most, under load
TRICKLE_INTERVAL = 0.03  # … while little is happening
SWITCH_INTERVAL = 0.001  # seconds: how often a thread holding the GIL must offer it to the others


class IngestLane(QObject):
    thumbnails_ready = Signal(list)  # evidence ids with a new thumbnail
    problems_changed = Signal()  # files that could not be registered (failed / retrying) changed
    progress_changed = Signal(str, int, int)  # phase (register / index / thumb / idle), done, total
    busy_changed = Signal(bool)  # an ingest started (True) or fell idle (False)
    state_changed = Signal(str, str)  # watcher state (watching / polling / stopped / unavailable / restarting / off)
    idle = Signal()

    def __init__(self, session: "Session", *, watch: bool = True, **options: Any):
        super().__init__(session)
        self.session = session
        self.ws = session.ws
        self.watch = watch
        self.inline = session.inline
        self.options = options
        self.watcher: EvidenceWatcher | None = None
        self.engine: IngestEngine | None = None
        self.state = "off"
        self.state_detail = self._off_reason()
        self.busy = False
        self.closed = False
        self._lock = threading.Lock()
        self._thumbs: set[int] = set()
        self._problems = False
        self._progress: dict[str, Any] | None = None
        self._new_state: tuple[str, str] | None = None
        self._idle = False
        self._busy_events = 0
        self._problem_paths: set[str] = set()
        self._halted: str | None = None
        self.events_delivered = 0
        self._throttle = Throttle(session.dispatcher, self._deliver, self._interval, self)

    @property
    def writable(self) -> bool:
        return self.session.writable

    def _off_reason(self) -> str:
        if not self.writable:
            return "readonly" if self.ws.readonly else "reviewer"
        return "no_folder" if self.ws.watch_dir is None else ""

    # -- lifecycle (GUI thread; the engine starts on the writer lane) -----------------------------

    def start(self) -> None:
        """Start the engine (and the watcher when the workspace has a folder and watching is on)."""
        # The engine's threads run Python too: hand the GIL over more often than every 5 ms, so the GUI
        # thread never waits long for it (measured: longest stall while ingesting drops by about a third).
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        if not self.writable:
            self.state, self.state_detail = "off", self._off_reason()
            self.state_changed.emit(self.state, self.state_detail)
            return
        self._on_writer("开始登记", self._start_engine, drain=True)

    def _start_engine(self) -> None:
        """On the writer lane: recover the queue, start the engine's threads (and the watcher)."""
        if self.engine is not None or self.closed or not self.writable:
            return
        folder = self.ws.watch_dir
        if self.watch and not self.inline and folder is not None:
            watcher = EvidenceWatcher(self.ws, listener=self._on_event, state_listener=self._on_state,
                                      **self.options)
            self.watcher, self.engine = watcher, watcher.engine
            watcher.start()
        else:
            self.engine = IngestEngine(self.ws, listener=self._on_event, inline=self.inline,
                                       watch_root=str(folder) if folder else None, **self.options)
            self.engine.start()
            self._on_state("off", "not_watching" if folder else "no_folder")

    def identity_changed(self) -> None:
        """The session's role changed: only 编制 registers files, so watching follows the role."""
        if self.writable and self.engine is None:
            self.state_detail = self._off_reason()
            self.start()
        elif not self.writable and self.engine is not None:
            def stopped(_: Any) -> None:
                self.state, self.state_detail = "off", "reviewer"
                self.state_changed.emit(self.state, self.state_detail)

            self._on_writer("停止登记", self.stop, stopped)

    def restart(self) -> None:
        """The watched folder changed: stop the watcher and the engine, then start them on the new folder."""
        if not self.writable:
            return
        self._on_writer("更换监控文件夹", self.stop, lambda _: self.start())

    def close(self) -> None:
        """Take no more actions and deliver nothing more (the first step of the session's shutdown)."""
        self.closed = True
        self._throttle.close()

    def stop(self) -> None:
        """Stop the watcher and the engine's threads (the task in hand finishes; hints not yet saved are
        written, so: on the writer lane)."""
        watcher, engine = self.watcher, self.engine
        self.watcher = self.engine = None
        if watcher is not None:
            watcher.stop()
        elif engine is not None:
            engine.stop()

    # -- actions (GUI thread; their writes run on the writer lane) --------------------------------

    def _on_writer(self, name: str, fn: Callable[[], Any], done: Callable[[Any], None] | None = None, *,
                   drain: bool = False) -> None:
        """``fn`` on the writer lane; ``drain``: an inline engine then runs what it was given."""
        def work():
            if self.closed:
                return None
            return fn()

        def finished(value) -> None:
            if self.inline and drain:
                self._drain()
            if done is not None:
                done(value)

        self.session.write(name, work, finished)

    def _drain(self) -> None:
        if self.engine is not None:
            self.engine.drain()
        self._throttle.flush()
        self.session.flush_changes()

    def add_paths(self, paths: Iterable[str | os.PathLike[str]], done: Callable[[int], None] | None = None) -> None:
        """Register dropped / chosen files and folders (in the background); ``done(how many)``."""
        paths = list(paths)

        def work() -> int:
            if self.engine is None:
                self._start_engine()
            return self.engine.submit_paths(paths, origin="user") if self.engine is not None else 0

        self._on_writer("登记佐证", work, done, drain=True)

    def retry(self, task_ids: Iterable[int] = (), evidence_ids: Iterable[int] = ()) -> None:
        task_ids, evidence_ids = list(task_ids), list(evidence_ids)

        def work() -> None:
            if self.engine is not None:
                self.engine.retry(task_ids, evidence_ids)
                with self._lock:
                    self._problems = True
                self._throttle.poke()

        self._on_writer("重试", work, drain=True)

    def dismiss(self, task_ids: Iterable[int]) -> None:
        task_ids = list(task_ids)

        def work() -> None:
            if self.engine is not None:
                self.engine.queue.dismiss(task_ids)

        self._on_writer("不再显示", work, lambda _: self.problems_changed.emit())

    def bump(self, evidence_ids: Iterable[int]) -> None:
        """Text and thumbnails of these files first (they are on screen)."""
        ids = list(evidence_ids)
        if self.engine is not None:
            self._on_writer("优先处理", lambda: self.engine.bump(ids) if self.engine is not None else None)

    def scan_now(self) -> None:
        def work() -> None:
            if self.watcher is not None:
                self.watcher.scan_now()
            elif self.engine is not None and self.ws.watch_dir is not None:
                self.engine.scan(str(self.ws.watch_dir))

        self._on_writer("扫描文件夹", work, drain=True)

    def set_mode(self, mode: str) -> None:
        """Switch how the folder is watched (saved as the workspace setting, audited)."""
        def work() -> None:
            set_setting(self.ws.db, key=MODE_SETTING, value=mode)
            if self.watcher is not None:
                self.watcher.set_mode(mode)

        self._on_writer("监控方式", work)

    def set_ignore_patterns(self, patterns: list[str]) -> None:
        """The temp and lock files never registered (a workspace setting, audited)."""
        from desktop.evidence import ignore

        def work() -> None:
            ignore.set_patterns(self.ws.db, patterns=patterns)
            if self.engine is not None:
                self.engine.reload_settings()

        self._on_writer("忽略规则", work)

    @property
    def mode(self) -> str:
        return self.watcher.mode_setting if self.watcher else (self.ws.db.get_setting(MODE_SETTING) or "auto")

    def problems(self) -> list[dict[str, Any]]:
        """Files that could not be registered (GUI thread read)."""
        rows = (self.engine.queue if self.engine is not None else IngestQueue(self.ws.db)).problems()
        with self._lock:
            self._problem_paths = {r["path"] for r in rows}
        return rows

    # -- worker threads → GUI thread -------------------------------------------------------------

    def _on_event(self, e: IngestEvent) -> None:
        """Called on worker threads: remember, and wake the GUI thread once."""
        with self._lock:
            if e.kind == "thumb" and e.data.get("status") == "made":
                self._thumbs.update(e.evidence_ids)
            if e.kind in ("failed", "retrying") or (e.kind in ("registered", "absent")
                                                       and e.path in self._problem_paths):
                self._problems = True  # a failure appeared, or a failed file has just gone through
            if e.kind == "progress":
                self._progress = e.data
            if e.kind == "idle":
                self._idle = True
            if e.kind == "halted":  # a full disk stopped the engine: said once, in words
                self._halted = e.detail or ""
            self._busy_events += 1
        self._throttle.poke()

    def _on_state(self, state: str, detail: str) -> None:
        with self._lock:
            self._new_state = (state, detail)
        self._throttle.poke()

    def _interval(self) -> float:
        with self._lock:
            quiet = self._busy_events <= 4
        return TRICKLE_INTERVAL if quiet else DELIVERY_INTERVAL

    def _deliver(self) -> None:
        if self.closed:
            return
        with self._lock:
            thumbs, self._thumbs = self._thumbs, set()
            problems, self._problems = self._problems, False
            progress, self._progress = self._progress, None
            state, self._new_state = self._new_state, None
            idle, self._idle = self._idle, False
            halted, self._halted = self._halted, None
            self._busy_events = 0
        self.events_delivered += 1
        if halted is not None:
            from desktop.errors import DiskFull

            self.session.show_error(DiskFull(detail=halted, path=str(self.ws.root)))
        if state is not None:
            self.state, self.state_detail = state
            self.state_changed.emit(*state)
        if problems:
            self.problems_changed.emit()
        if thumbs:
            self.thumbnails_ready.emit(sorted(thumbs))
        if progress is not None:
            phase, done, total = str(progress.get("phase")), int(progress.get("done", 0)), int(progress.get("total", 0))
            busy = phase != "idle" and total > 0
            self.progress_changed.emit(phase, done, total)
            if busy != self.busy:
                self.busy = busy
                self.busy_changed.emit(busy)
        if idle:
            self.idle.emit()
