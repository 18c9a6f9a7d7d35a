"""PySide6 6.12.0 on CPython 3.11 frees ``True`` / ``None`` after a few hundred emits; the fix must hold."""

from __future__ import annotations

import subprocess
import sys

from tests.evidence.helpers import REPO

EMIT_MANY = """
import sys
{fix}
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class P(QObject):
    fired = Signal()
p = P()
for _ in range(20000):
    p.fired.emit()
print("survived")
"""


def _run(fix: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", EMIT_MANY.format(fix=fix)], capture_output=True, text=True,
                          cwd=REPO, timeout=60)


def test_many_emits_survive_with_the_fix():
    res = _run("from desktop.ui import qt_fixes")
    assert res.returncode == 0 and "survived" in res.stdout, res.stderr[-500:]


def test_the_fix_is_applied_exactly_when_the_binding_needs_it():
    from desktop.ui import qt_fixes

    bare = _run("")
    if qt_fixes.APPLIED:  # this interpreter and binding leak: without the fix the process dies
        assert bare.returncode != 0 and "dealloc" in bare.stderr
    else:  # a fixed binding, or CPython 3.12+: nothing to do, and nothing done
        assert bare.returncode == 0
