"""Work-arounds for bugs in the Qt binding, applied once on import by every module that uses Qt.

PySide6 6.12.0 on CPython 3.11 hands out ``None``, ``True`` and ``False`` without taking a reference, as
if they were immortal — which they are only from CPython 3.12 on. Every ``signal.emit()`` loses a
reference to ``True``; every ``QModelIndex.data()`` that finds ``None``, every Python slot a C++ signal
calls (a ``QTimer``), every ``beginInsertRows``/``endInsertRows`` loses one to ``None``. After a few hundred
of them the interpreter aborts: "Fatal Python error: bool_dealloc" / "none_dealloc" (reproduced in
``tests/ui/test_qt_fixes.py``). Any real session gets there: 120 files ingested were enough.

The fix does what 3.12 does: when a probe shows that ``emit`` leaks on this interpreter, the objects
3.12 made immortal (``None``, ``True``, ``False``, ``Ellipsis``, ``NotImplemented``, the empty tuple,
string and bytes, the small integers) get 2**40 extra references — a trillion calls' worth — so they can
never be freed. Nothing about Qt's behaviour changes (wrapping ``emit`` would break
``signal.connect(other.emit)``), and an interpreter or binding without the bug is left alone.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

APPLIED = False
RESERVE = 1 << 40
IMMORTAL_IN_312 = (None, True, False, Ellipsis, NotImplemented, (), "", b"", *range(-5, 257))


class _Probe(QObject):
    fired = Signal()


def emit_leaks_true() -> bool:
    """Whether ``emit()`` takes a reference from ``True`` here (the probe's own loss is given back)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(4):
        probe.fired.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:
        incref = ctypes.pythonapi.Py_IncRef
        incref.argtypes = [ctypes.py_object]
        incref.restype = None
        for _ in range(lost):
            incref(True)
    return lost > 0


def apply() -> bool:
    """Make 3.12's immortal objects effectively immortal here too, if this binding needs it."""
    global APPLIED
    if APPLIED:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal already, or a debug build whose object layout differs
    if not emit_leaks_true():
        return False
    for obj in IMMORTAL_IN_312:
        ctypes.c_ssize_t.from_address(id(obj)).value += RESERVE  # ob_refcnt is a PyObject's first field
    APPLIED = True
    return True


apply()
