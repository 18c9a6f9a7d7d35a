"""The pinned Qt binding leaks references to None and True on CPython 3.11; the guard must hold.

Run in a child process: without the guard the interpreter aborts ("Fatal Python error: none_dealloc"),
which would take the test session down with it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHURN = textwrap.dedent(
    """
    import sys
    n = sys.getrefcount(None) + sys.getrefcount(True) + 20_000  # counted before the guard raises them
    import desktop.ui  # arms the guard
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])

    class Pinger(QObject):
        pinged = Signal(int)

    label, pinger = QLabel(), Pinger()
    for i in range(n):  # more calls than None and True have references: fatal without the guard
        label.setText("x")
        pinger.pinged.emit(i)
    print("alive", n)
    """
)


def test_many_void_qt_calls_and_emits_do_not_kill_the_interpreter():
    res = subprocess.run([sys.executable, "-c", CHURN], cwd=REPO, capture_output=True, text=True,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.startswith("alive")


def test_guard_is_armed_in_this_process_where_it_is_needed():
    import desktop.ui.refcount_guard as guard

    if sys.version_info >= (3, 12):
        assert guard.make_singletons_immortal() is False  # immortal already
    else:
        assert guard.applied and sys.getrefcount(None) > (1 << 59)
