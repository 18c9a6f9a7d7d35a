"""The UI spells Qt enum members in full (``Qt.ItemDataRole.DisplayRole``), never as the short forms.

PySide6 6.x still accepts ``Qt.DisplayRole``, but resolves it by searching every enum of the class on each
use: ~4.5 µs against ~0.2 µs (measured). Models answer ``data()`` thousands of times per repaint, on the
GUI thread and holding the interpreter lock: while 2,000 files were registered, the GUI thread used
0.23–0.35 CPU-seconds with the short forms and 0.17–0.21 without (docs/performance.md, stop 11).
"""

from __future__ import annotations

import ast
import enum
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

REPO = Path(__file__).resolve().parent.parent.parent
MODULES = (QtCore, QtGui, QtWidgets)


def _qt_class(name: str):
    for module in MODULES:
        cls = getattr(module, name, None)
        if isinstance(cls, type):
            return cls
    return None


def _defined(cls: type, attr: str) -> bool:
    return any(attr in vars(base) for base in cls.__mro__)


def short_forms(source: str) -> list[str]:
    """``Class.Member`` spellings in ``source`` that PySide6 resolves only through its enum shortcut."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        cls = _qt_class(node.value.id)
        if cls is None or _defined(cls, node.attr):
            continue
        if isinstance(getattr(cls, node.attr, None), enum.Enum):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_check_finds_short_forms():
    source = "role = Qt.DisplayRole\nmode = QAbstractItemView.SelectRows\nok = Qt.ItemDataRole.DisplayRole\n"
    assert short_forms(source) == ["1: Qt.DisplayRole", "2: QAbstractItemView.SelectRows"]


def test_ui_spells_enum_members_in_full():
    offenders = {}
    for path in sorted((REPO / "desktop" / "ui").glob("*.py")):
        found = short_forms(path.read_text(encoding="utf-8"))
        if found:
            offenders[path.name] = found
    assert offenders == {}
