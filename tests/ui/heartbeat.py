"""How long the GUI thread was blocked: a timer that should fire every ``interval`` ms records how late
each tick is. The worst lateness is the longest stall the user could have felt."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer


class Heartbeat(QObject):
    def __init__(self, interval_ms: int = 10, parent: QObject | None = None):
        super().__init__(parent)
        self.interval = interval_ms / 1000
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.lateness: list[float] = []
        self.at: list[float] = []  # perf_counter() of each tick, to split a run into phases
        self._last = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, now - self._last - self.interval))
        self.at.append(now)
        self._last = now

    @property
    def max_ms(self) -> float:
        return 1000 * max(self.lateness, default=0.0)

    def max_ms_between(self, start: float, end: float) -> float:
        """The longest stall that ended between ``start`` and ``end`` (perf_counter times)."""
        return 1000 * max((late for t, late in zip(self.at, self.lateness) if start <= t <= end), default=0.0)

    def percentile_ms(self, q: float) -> float:
        if not self.lateness:
            return 0.0
        s = sorted(self.lateness)
        return 1000 * s[min(len(s) - 1, int(q * len(s)))]
