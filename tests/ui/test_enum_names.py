"""The UI spells Qt enum members in full (``Qt.ItemDataRole.DisplayRole``), never as the short forms.

PySide6 6.x still accepts ``Qt.DisplayRole``, but resolves it by searching every enum of the class on each
use: ~4.5 µs against ~0.2 µs (measured). Models answer ``data()`` thousands of times per repaint, on the
GUI thread and holding the interpreter lock: while 2,000 files were registered, the GUI thread used
0.23–0.35 CPU-seconds with the short forms and 0.17–0.21 without (docs/performance.md, stop 11).

The check follows names imported from PySide6 (aliases included) and module-qualified names
(``QtCore.Qt.DisplayRole``). It does not follow the project's own subclasses or instances
(``self.SingleSelection``).
"""

from __future__ import annotations

import ast
import enum
import importlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
FOLDERS = (REPO / "desktop" / "ui", REPO / "tests" / "ui")


def _pyside_names(tree: ast.Module) -> dict[str, object]:
    """Local name → PySide6 module or class, from the file's ``import``/``from … import`` statements."""
    names: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "PySide6":
            module = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(module, alias.name, None)
                if value is None:  # a submodule: from PySide6 import QtCore
                    value = importlib.import_module(f"{node.module}.{alias.name}")
                names[alias.asname or alias.name] = value
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "PySide6":
                    names[alias.asname or alias.name.split(".")[0]] = importlib.import_module(
                        alias.name if alias.asname else "PySide6")
    return names


def _resolve(node: ast.expr, names: dict[str, object]):
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, names)
        return getattr(owner, node.attr, None) if owner is not None and not isinstance(owner, enum.Enum) else None
    return None


def short_forms(source: str) -> list[str]:
    """``Class.Member`` spellings in ``source`` that PySide6 resolves only through its enum shortcut."""
    tree = ast.parse(source)
    names = _pyside_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        cls = _resolve(node.value, names)
        if not isinstance(cls, type) or issubclass(cls, enum.Enum):
            continue
        if any(node.attr in vars(base) for base in cls.__mro__):
            continue  # defined on the class itself: an enum type, a method, a real attribute
        if isinstance(getattr(cls, node.attr, None), enum.Enum):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_short_forms():
    source = (
        "from PySide6 import QtCore\n"
        "from PySide6.QtCore import Qt, Qt as Q\n"
        "from PySide6.QtPdfWidgets import QPdfView\n"
        "from PySide6.QtWidgets import QAbstractItemView\n"
        "role = Qt.DisplayRole\n"
        "mode = QAbstractItemView.SelectRows\n"
        "ok = Qt.ItemDataRole.DisplayRole\n"
        "aliased = Q.DisplayRole\n"
        "qualified = QtCore.Qt.DisplayRole\n"
        "pdf = QPdfView.MultiPage\n"
        "fine = QPdfView.PageMode.MultiPage\n"
    )
    assert short_forms(source) == ["5: Qt.DisplayRole", "6: QAbstractItemView.SelectRows", "8: Q.DisplayRole",
                                   "9: QtCore.Qt.DisplayRole", "10: QPdfView.MultiPage"]


def test_ui_spells_enum_members_in_full():
    offenders = {}
    for folder in FOLDERS:
        for path in sorted(folder.rglob("*.py")):
            found = short_forms(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path.relative_to(REPO))] = found
    assert offenders == {}
