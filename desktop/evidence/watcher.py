"""The watched 佐证材料 folder: watchdog events as hints, a reconciliation scan as the guarantee. Qt-free.

Driving it (the GUI bridge, the headless ``watch`` command and tests all use this API)::

    from desktop.evidence.watcher import EvidenceWatcher

    with EvidenceWatcher(ws) as w:                 # the workspace's watched folder, mode from its settings
        ...                                        # files land in the folder
        assert w.wait_idle(timeout=10)             # scan the folder, then wait until every file found is
                                                   #   registered, indexed and thumbnailed
        w.wait_for(lambda: <condition>, timeout=10)  # or wait for anything (re-checked as work finishes)

    EvidenceWatcher(ws, folder=tmp, mode="polling", poll_interval=0.2)   # any folder, forced polling
    EvidenceWatcher(ws, listener=fn, state_listener=on_state)            # fn(IngestEvent), on_state(state,
                                                                         #   detail): called on worker threads
    w.engine            # the IngestEngine (submit_paths, retry, queue, progress…)
    w.state             # "watching" (inotify & co) / "polling" / "stopped" / "unavailable" / "restarting"
    w.scan_now()        # reconcile now (also done at start, after an event overflow, and every scan_interval)

``start()`` returns once the OS watch is in place (files written after it are seen); the start-up scan
runs in the background. ``wait_idle(scan=False)`` skips the scan: use it to wait for work the events
alone brought in (the latency tests do).

How it decides a file is complete: closed after writing (inotify ``IN_CLOSE_WRITE``), or moved in, or —
in polling mode or when no close event comes — looked at again ``settle`` seconds after it was noticed,
once its mtime says it has not been written to for ``settle`` seconds (a file a scan finds mid-write
must also show the same size and mtime at that second look). ``settle`` is half a poll interval when
polling (2.5 s by default), 2 s otherwise. A file written to again later becomes a new version once it
has been left alone ``ingest.quiet_seconds`` (2 s by default): a log or a sheet re-opened and appended to
every second is one new version when the appending stops, not one per close (``IngestTasks._quiet``).
Deletions and moves-away are checked after a short delay, so an atomic save (rename the old file away,
rename the new one in) reads as one new version, not a removal and an addition.

Modes (setting ``ingest.watch_mode``: ``auto`` / ``events`` / ``polling``): ``auto`` polls when the folder
is on a network file system (``/proc/mounts`` type nfs, cifs/smb, sshfs and other FUSE mounts, 9p,
virtual-machine shared folders; on Windows a remote drive or UNC path) — those send no change events —
and uses native events otherwise. ``ingest.poll_interval`` (seconds, default 5) and
``ingest.scan_interval`` (seconds, default 600) tune the rest.

Supervision: a thread checks every half second that the observer and its emitters are alive and the
folder exists; a dead observer is restarted (with back-off), a vanished folder (unplugged drive) shows
``unavailable`` and nothing is marked absent until it returns; every (re)start is followed by a scan,
because events may have been missed. An inotify queue overflow (watchdog logs it) or a burst of events
also triggers a scan once things calm down: the scan is what guarantees that every file is registered
exactly once.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import weakref
from typing import Any, Callable

from desktop.evidence.pipeline import IngestEngine, IngestEvent, lower_thread_priority
from desktop.evidence.queue import REGISTER, SCAN, Hint

log = logging.getLogger("evidence_desk.watcher")

MODE_SETTING = "ingest.watch_mode"
POLL_SETTING = "ingest.poll_interval"
SCAN_SETTING = "ingest.scan_interval"
MODES = ("auto", "events", "polling")

VANISH_DELAY = 1.0  # a deleted / moved-away file is checked after this long (atomic saves)
EVENTS_SETTLE = 2.0  # created but never closed (hard links, odd writers): stable after this long
BURST_EVENTS = 2000  # this many events within a second → scan once the burst is over

STATE_WATCHING, STATE_POLLING = "watching", "polling"
STATE_STOPPED, STATE_UNAVAILABLE, STATE_RESTARTING = "stopped", "unavailable", "restarting"

NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p", "davfs", "coda",
    "glusterfs", "ceph", "lustre", "gpfs", "beegfs", "vboxsf", "vmhgfs", "prl_fs", "virtiofs", "sshfs",
}
LOCAL_FUSE = {"fuseblk", "fuse.portal", "fuse.lxcfs", "fusectl", "fuse.gvfsd-fuse-local"}


# --- file systems --------------------------------------------------------------------------------


def _unescape_mount(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes
    out, i = [], 0
    while i < len(field):
        code = field[i + 1 : i + 4]
        if field[i] == "\\" and len(code) == 3 and code.isdigit():
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def filesystem_type(path: str | os.PathLike[str], mounts_file: str = "/proc/mounts") -> str | None:
    """The file system type of the mount holding ``path`` (Linux; None elsewhere or when unknown)."""
    try:
        with open(mounts_file, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    real = os.path.realpath(os.fspath(path))
    best, best_type = "", None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount, fstype = _unescape_mount(parts[1]), parts[2]
        prefix = mount.rstrip("/") + "/"
        if (real == mount or real.startswith(prefix) or mount == "/") and len(mount) >= len(best):
            best, best_type = mount, fstype
    return best_type


def is_network_fstype(fstype: str | None) -> bool:
    if not fstype:
        return False
    fstype = fstype.lower()
    if fstype in NETWORK_FS:
        return True
    if fstype in LOCAL_FUSE:
        return False
    return fstype == "fuse" or fstype.startswith("fuse.")


def is_network_path(path: str | os.PathLike[str], mounts_file: str = "/proc/mounts") -> bool:
    """True when ``path`` is on a network (or host-shared) file system that sends no change events."""
    path = os.fspath(path)
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        if path.startswith("\\\\"):
            return True
        try:
            import ctypes

            drive = os.path.splitdrive(os.path.abspath(path))[0] + "\\"
            return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
        except Exception:
            return False
    return is_network_fstype(filesystem_type(path, mounts_file))


# --- overflow detection --------------------------------------------------------------------------

_watchers: "weakref.WeakSet[EvidenceWatcher]" = weakref.WeakSet()


class _OverflowLogHandler(logging.Handler):
    """watchdog reports an inotify queue overflow only in its log: listen there."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if "overflow" in record.getMessage().lower():
                for w in list(_watchers):
                    w._on_overflow()
        except Exception:  # a log handler must never raise
            pass


_overflow_handler: _OverflowLogHandler | None = None


def _install_overflow_handler() -> None:
    global _overflow_handler
    if _overflow_handler is not None:
        return
    _overflow_handler = _OverflowLogHandler(logging.WARNING)
    for name in ("watchdog.observers.inotify_c", "watchdog.observers.inotify"):
        lg = logging.getLogger(name)
        lg.addHandler(_overflow_handler)
        if lg.getEffectiveLevel() > logging.WARNING:
            lg.setLevel(logging.WARNING)


# --- the watcher ---------------------------------------------------------------------------------


def _setting_float(db, key: str, default: float) -> float:
    from desktop.workspace import setting_number

    return setting_number(db, key, default)


def _given(key: str, value: float | None) -> float | None:
    """An interval given by the caller, checked against the setting's range (a negative or nan poll
    interval would spin a core): :class:`DeskError` ``setting.out_of_range`` otherwise."""
    if value is None:
        return None
    from desktop.workspace import check_setting

    check_setting(key, str(value))
    return float(value)


class EvidenceWatcher:
    def __init__(
        self,
        ws,
        *,
        folder: str | os.PathLike[str] | None = None,
        mode: str | None = None,
        poll_interval: float | None = None,
        scan_interval: float | None = None,
        engine: IngestEngine | None = None,
        listener: Callable[[IngestEvent], None] | None = None,
        state_listener: Callable[[str, str], None] | None = None,
        **engine_options: Any,
    ):
        self.ws = ws
        folder = folder if folder is not None else ws.watch_dir
        if folder is None:
            raise ValueError("the workspace has no watched folder")
        self.folder = os.path.abspath(os.fspath(folder))
        db = ws.db
        self.mode_setting = mode or db.get_setting(MODE_SETTING) or "auto"
        if self.mode_setting not in MODES:
            self.mode_setting = "auto"
        self.poll_interval = _given(POLL_SETTING, poll_interval) or _setting_float(db, POLL_SETTING, 5.0)
        self.scan_interval = _given(SCAN_SETTING, scan_interval) or _setting_float(db, SCAN_SETTING, 600.0)
        self.network = is_network_path(self.folder) if os.path.isdir(self.folder) else False
        self.mode = self._effective_mode()
        self._own_engine = engine is None
        if engine is None:
            engine_options.setdefault("settle", self._settle())
            engine = IngestEngine(ws, watch_root=self.folder, **engine_options)
        else:
            engine.watch_root = self.folder
        self.engine = engine
        if listener:
            engine.add_listener(listener)
        self._state_listeners = [state_listener] if state_listener else []
        self.state = STATE_STOPPED
        self.state_detail = ""
        self.observer = None
        self.restarts = 0
        self.overflows = 0
        self.events_seen = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._supervisor: threading.Thread | None = None
        self._scan_due = False
        self._last_scan = 0.0
        self._window_start = 0.0
        self._window_events = 0
        self._burst = False
        self._last_event = 0.0
        self._next_restart = 0.0
        self._backoff = 0.5
        self._switching = False

    # -- public ----------------------------------------------------------------------------------

    def start(self) -> "EvidenceWatcher":
        if self._supervisor is not None:
            return self
        _install_overflow_handler()
        _watchers.add(self)
        if self._own_engine:
            self.engine.start()
        self._stop.clear()
        self._start_observer()
        self._supervisor = threading.Thread(target=self._supervise, name="evidence-watcher", daemon=False)
        self._supervisor.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._supervisor is not None:
            self._supervisor.join(30)
            self._supervisor = None
        self._stop_observer()
        _watchers.discard(self)
        if self._own_engine:
            self.engine.stop()
        self._set_state(STATE_STOPPED, "")

    def __enter__(self) -> "EvidenceWatcher":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def add_state_listener(self, fn: Callable[[str, str], None]) -> None:
        self._state_listeners.append(fn)

    def scan_now(self) -> None:
        self._last_scan = time.monotonic()
        self._scan_due = False
        if os.path.isdir(self.folder):
            self.engine.scan(self.folder)

    def wait_idle(self, timeout: float = 30.0, *, scan: bool = True, derived: bool = True) -> bool:
        """Scan (unless ``scan=False``), then wait until the queue has nothing left to run."""
        if scan:
            self.scan_now()
        return self.engine.wait_idle(timeout, derived=derived)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        return self.engine.wait_for(predicate, timeout)

    def set_mode(self, mode: str) -> None:
        """Switch between ``auto`` / ``events`` / ``polling`` now (the caller saves the setting)."""
        if mode not in MODES:
            raise ValueError(mode)
        self._switching = True  # the supervisor leaves the observer alone meanwhile
        try:
            self.mode_setting = mode
            self.mode = self._effective_mode()
            self.engine.settle = self._settle()
            self._stop_observer()
            self._next_restart = 0.0
            if self._supervisor is not None:
                self._start_observer()
        finally:
            self._switching = False

    # -- observer --------------------------------------------------------------------------------

    def _settle(self) -> float:
        """How long a file that was not seen closed must stay unchanged before it is copied.

        Polling: half an interval. A poll sees a new file up to one interval after it was written (plus
        the time the poll takes to list the folder), and its second look comes ``settle`` later, so a file
        is registered within 1.5 intervals plus the listing and the copy, inside the two-interval promise;
        a full interval would reach exactly two before the copy began. The cost: a writer that pauses for
        half an interval (2.5 s by default) has its file registered early, and again as a new version.
        """
        return self.poll_interval / 2 if self.mode == "polling" else EVENTS_SETTLE

    def _effective_mode(self) -> str:
        if self.mode_setting == "polling" or (self.mode_setting == "auto" and self.network):
            return "polling"
        return "events"

    def _start_observer(self) -> bool:
        from watchdog.events import (
            DirCreatedEvent,
            DirDeletedEvent,
            DirMovedEvent,
            FileClosedEvent,
            FileCreatedEvent,
            FileDeletedEvent,
            FileModifiedEvent,
            FileMovedEvent,
        )

        if not os.path.isdir(self.folder):
            self._set_state(STATE_UNAVAILABLE, "folder_missing")
            return False
        wanted = [FileCreatedEvent, FileClosedEvent, FileMovedEvent, FileDeletedEvent, DirCreatedEvent,
                  DirMovedEvent, DirDeletedEvent]
        try:
            if self.mode == "polling":
                from watchdog.observers.polling import PollingObserver

                observer = PollingObserver(timeout=self.poll_interval)
                wanted.append(FileModifiedEvent)  # no close events when polling: growth is the sign
            else:
                from watchdog.observers import Observer

                observer = Observer()
            observer.schedule(_Handler(self), self.folder, recursive=True, event_filter=wanted)
            observer.start()
            for thread in (observer, *observer.emitters):  # background work: let the GUI thread go first
                lower_thread_priority(thread.native_id)
        except OSError as exc:
            if self.mode != "polling":
                # e.g. the inotify watch limit: fall back to polling rather than not watching at all
                log.warning("native watching failed (%s); polling instead", exc)
                self.mode = "polling"
                self.engine.settle = self._settle()
                return self._start_observer()
            self._set_state(STATE_RESTARTING, f"{exc.strerror or exc}")
            return False
        with self._lock:
            self.observer = observer
        self._backoff = 0.5
        self._set_state(STATE_POLLING if self.mode == "polling" else STATE_WATCHING, "")
        self.scan_now()  # whatever happened while nobody was watching
        return True

    def _stop_observer(self) -> None:
        with self._lock:
            observer, self.observer = self.observer, None
        if observer is not None:
            try:
                observer.stop()
                observer.join(10)
            except Exception:
                log.exception("stopping the observer")

    def _observer_alive(self) -> bool:
        obs = self.observer
        if obs is None or not obs.is_alive():
            return False
        return all(e.is_alive() for e in list(obs.emitters))

    def _supervise(self) -> None:
        lower_thread_priority()
        try:
            while not self._stop.wait(0.5):
                try:
                    self._check()
                except Exception:
                    log.exception("watcher supervision")
        finally:
            self.ws.db.close_thread_connection()

    def _check(self) -> None:
        if self._switching:
            return
        now = time.monotonic()
        if not os.path.isdir(self.folder):
            if self.observer is not None:
                self._stop_observer()
            self._set_state(STATE_UNAVAILABLE, "folder_missing")
            return
        if not self._observer_alive():
            if now < self._next_restart:
                return
            if self.observer is not None:
                self._stop_observer()
            self.restarts += 1
            self._set_state(STATE_RESTARTING, "observer_died")
            if not self._start_observer():
                self._next_restart = now + self._backoff
                self._backoff = min(self._backoff * 2, 30.0)
            return
        if self._burst and now - self._last_event > 0.5:
            self._burst = False
            self._scan_due = True
        if self._scan_due or now - self._last_scan >= self.scan_interval:
            self.scan_now()

    # -- events ----------------------------------------------------------------------------------

    def _on_overflow(self) -> None:
        self.overflows += 1
        self._scan_due = True

    def _on_event(self, event) -> None:
        now = time.monotonic()
        self.events_seen += 1
        self._last_event = now
        if now - self._window_start > 1.0:
            self._window_start, self._window_events = now, 0
        self._window_events += 1
        if self._window_events > BURST_EVENTS:
            self._burst = True
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if getattr(event, "dest_path", "") else ""
        kind = event.event_type
        settle = self.engine.settle
        if event.is_directory:
            if kind == "created":
                self.engine.hint(Hint(src, SCAN, ready=True, delay=settle))
            elif kind == "moved":
                if dest:
                    self.engine.hint(Hint(dest, SCAN, ready=True))
                self._scan_due = True  # the old location's files: the scan marks them absent
            elif kind == "deleted" and src != self.folder:
                self._scan_due = True
            return
        if kind == "closed":
            self.engine.hint(Hint(src, REGISTER, ready=True))
        elif kind in ("created", "modified"):
            self.engine.hint(Hint(src, REGISTER, delay=settle))
        elif kind == "moved":
            hints = [Hint(src, REGISTER, ready=True, delay=VANISH_DELAY)]
            if dest:
                hints.append(Hint(dest, REGISTER, ready=True))
            self.engine.hint(hints)
        elif kind == "deleted":
            self.engine.hint(Hint(src, REGISTER, ready=True, delay=VANISH_DELAY))

    def _set_state(self, state: str, detail: str) -> None:
        if (state, detail) == (self.state, self.state_detail):
            return
        self.state, self.state_detail = state, detail
        for fn in list(self._state_listeners):
            try:
                fn(state, detail)
            except Exception:
                log.exception("state listener failed")


def _handler_base():
    from watchdog.events import FileSystemEventHandler

    return FileSystemEventHandler


class _Handler(_handler_base()):  # type: ignore[misc]
    def __init__(self, watcher: EvidenceWatcher):
        super().__init__()
        self._watcher = weakref.ref(watcher)

    def dispatch(self, event) -> None:  # every event, whatever its type
        w = self._watcher()
        if w is None:
            return
        try:
            w._on_event(event)
        except Exception:
            log.exception("watcher event")


__all__ = ["EvidenceWatcher", "is_network_path", "filesystem_type"]
