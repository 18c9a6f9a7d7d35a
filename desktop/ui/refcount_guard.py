"""Keep CPython's singletons alive under PySide6 6.12.0 on Python 3.11 (Qt-free; applied on import).

With the pinned binding (shiboken6 6.12.0, an abi3 wheel) on CPython 3.11, every call of a Qt method
that returns nothing gives up one reference to ``None`` that it never took (``QLabel.setText``,
``setRowHidden``, ``QModelIndex.data`` of an empty role …), and every ``Signal.emit`` gives up one
reference to ``True``. After a few thousand such calls the count reaches zero and the interpreter aborts
with "Fatal Python error: none_dealloc" — minutes into normal use, or at once when a filter touches
10,000 rows. CPython 3.12 made these objects immortal, which is why the bug does not show there.

We do what 3.12 does: give ``None``, ``True``, ``False``, ``Ellipsis`` and ``NotImplemented`` a reference
count so large that no leak can spend it (2**60; at a billion leaked references a second that lasts
36 years, and the count cannot overflow). The objects are never freed anyway — they live as long as
the interpreter — so nothing else changes. The layout check refuses to touch an interpreter whose
object header is not the plain ``ob_refcnt``-first one (debug builds), and 3.12+ is left alone.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 60
_SINGLETONS = (None, True, False, Ellipsis, NotImplemented)

applied = False


def make_singletons_immortal() -> bool:
    """True when the guard is in place (now or before); False where it is not needed or not safe."""
    global applied
    if applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False
    cells = []
    for obj in _SINGLETONS:
        cell = ctypes.c_ssize_t.from_address(id(obj))
        if cell.value != sys.getrefcount(obj) - 1:  # not the layout we expect: leave it alone
            return False
        cells.append(cell)
    for cell in cells:
        if cell.value < _HEADROOM:
            cell.value += _HEADROOM
    applied = True
    return True
