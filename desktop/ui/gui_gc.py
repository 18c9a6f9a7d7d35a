"""Cyclic garbage is collected on the GUI thread only.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is crossed. In
this app that is often a worker (the suggestion engine, the ingest threads). If the garbage it finds holds
a Qt object — a closed dialog, a model caught in a reference cycle with its slots — the object is
destroyed on that worker thread, and Qt widgets and timers destroyed off their own thread crash the
process (seen here: a segmentation fault "Garbage-collecting" in the suggestion thread).

So the automatic collector is switched off once a QApplication exists, and a timer on the GUI thread
runs the same generational collection the interpreter would have run, at most every half second.
Reference counting, which frees nearly everything, is unaffected. (pyqtgraph ships the same remedy.)
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


def collect_due() -> int:
    """One generational step, as the interpreter's own thresholds would have taken it."""
    t0, t1, t2 = gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    if c0 <= t0:
        return 0
    if c1 > t1:
        return gc.collect(2 if c2 > t2 else 1)
    return gc.collect(0)


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(collect_due)
        self.timer.start(INTERVAL_MS)


def install(app: QObject) -> GuiThreadCollector:
    """Once per application (idempotent)."""
    existing = app.findChild(GuiThreadCollector)
    return existing if existing is not None else GuiThreadCollector(app)
