"""Only desktop/ui may import PySide6, and everything else must import without Qt installed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _python_files(*folders: str):
    for folder in folders:
        yield from sorted((REPO / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_ui_imports_qt():
    offenders = []
    for path in _python_files("desktop", "db"):
        rel = path.relative_to(REPO)
        if rel.parts[:2] == ("desktop", "ui"):
            continue
        if {"PySide6", "shiboken6"} & _imports(path):
            offenders.append(str(rel))
    assert offenders == []


def test_db_does_not_import_desktop():
    offenders = [str(p.relative_to(REPO)) for p in _python_files("db") if "desktop" in _imports(p)]
    assert offenders == []


def test_core_imports_without_qt():
    """Import every non-UI module in a fresh interpreter where PySide6 cannot be imported."""
    modules = []
    for path in _python_files("desktop", "db"):
        rel = path.relative_to(REPO).with_suffix("")
        if rel.parts[:2] == ("desktop", "ui") or rel.name == "__main__":
            continue
        modules.append(".".join(p for p in rel.parts if p != "__init__"))
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('Qt is blocked in this check: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"import importlib\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
        "print('ok', len(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


def test_ui_package_init_has_no_qt():
    """``desktop/ui/__init__`` stays Qt-free (``desktop.ui`` is imported to find the GUI lazily)."""
    assert not ({"PySide6", "shiboken6"} & _imports(REPO / "desktop" / "ui" / "__init__.py"))
