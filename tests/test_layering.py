"""The shape of the code, checked: who may import what.

* Only ``desktop/ui`` imports PySide6, and everything else imports without Qt installed.
* No SQL under ``desktop/ui`` or ``desktop/cli``: reads are named queries (``desktop/<area>/queries.py``).
* The import graph of ``desktop`` and ``db`` (every import, also those inside functions; imports under
  ``if TYPE_CHECKING:`` are not run and do not count) has no circles, and no import runs from a lower
  layer to a higher one (:data:`LAYERS`); inside the UI, panels do not import each other.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: lowest first; a module may import its own layer's modules and lower layers' only. Modules in one entry
#: of a layer marked independent may not import another entry's.
LAYERS: list[tuple[str, ...]] = [
    ("db",),
    ("desktop.errors", "desktop.config", "desktop.resources", "desktop.lock", "desktop.store", "desktop.text",
     "desktop.paths", "desktop.version", "desktop.logs", "desktop.parsing", "desktop.confine"),
    ("desktop.workspace",),
    ("desktop.claims", "desktop.evidence"),
    ("desktop.review", "desktop.checks"),
    ("desktop.integrity", "desktop.demo"),
    ("desktop.exchange",),
    ("desktop.ui",),
    ("desktop.cli",),
    ("desktop.__main__",),
]
INDEPENDENT = {("desktop.claims", "desktop.evidence")}

#: inside desktop.ui, lowest first
UI_LAYERS: list[tuple[str, ...]] = [
    ("desktop.ui.refcount_guard", "desktop.ui.gui_gc", "desktop.ui.common", "desktop.ui.table_model",
     "desktop.ui.dispatcher", "desktop.ui.claim_filter", "desktop.ui.geometry"),
    ("desktop.ui.session", "desktop.ui.ingest_lane"),
    ("desktop.ui.panels", "desktop.ui.dialogs", "desktop.ui.link_actions", "desktop.ui.exchange_actions",
     "desktop.ui.first_steps"),
    ("desktop.ui.main_window",),
    ("desktop.ui.app", "desktop.ui"),
]

SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(TEMP\s+)?(TABLE|INDEX|VIEW|TRIGGER|VIRTUAL)|PRAGMA\s+\w+)\b", re.S)
DB_CALLS = {"query", "query_one", "scalar", "execute", "executemany", "executescript"}


def _python_files(*folders: str):
    for folder in folders:
        yield from sorted((REPO / folder).rglob("*.py"))


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    return ".".join(p for p in rel.parts if p != "__init__")


def _runtime_nodes(tree: ast.AST):
    """Every node, except those under ``if TYPE_CHECKING:`` (not run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _imported_names(path: Path) -> set[str]:
    """Full dotted names imported (``from a.b import c`` gives ``a.b`` and ``a.b.c``)."""
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _top_packages(path: Path) -> set[str]:
    return {n.split(".")[0] for n in _imported_names(path)}


def _graph() -> dict[str, set[str]]:
    """module → the project modules it imports (a name that is not a module counts as its package)."""
    files = {_module_name(p): p for p in _python_files("desktop", "db")}

    def resolve(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    assert not (REPO / "desktop" / "__init__.py").read_text(encoding="utf-8").strip()  # a bare namespace
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        if mod == "desktop":
            continue
        deps = {resolve(n) for n in _imported_names(path)} - {None, mod, "desktop"}
        graph[mod] = {d for d in deps if not mod.startswith(d + ".")}  # a package's own __init__ is not a cycle
    return graph


def _layer_of(module: str, layers) -> int | None:
    best, where = -1, None
    for i, entries in enumerate(layers):
        for prefix in entries:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, where = len(prefix), i
    return where


def _entry_of(module: str, entries: tuple[str, ...]) -> str | None:
    return next((e for e in entries if module == e or module.startswith(e + ".")), None)


# --- Qt ------------------------------------------------------------------------------------------------


def test_only_ui_imports_qt():
    offenders = []
    for path in _python_files("desktop", "db"):
        rel = path.relative_to(REPO)
        if rel.parts[:2] == ("desktop", "ui"):
            continue
        if {"PySide6", "shiboken6"} & _top_packages(path):
            offenders.append(str(rel))
    assert offenders == []


def test_core_imports_without_qt():
    """Import every non-UI module in a fresh interpreter where PySide6 cannot be imported."""
    modules = [_module_name(p) for p in _python_files("desktop", "db")
               if p.relative_to(REPO).parts[:2] != ("desktop", "ui") and p.stem != "__main__"]
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
    assert not ({"PySide6", "shiboken6"} & _top_packages(REPO / "desktop" / "ui" / "__init__.py"))


def test_the_shared_test_setup_does_not_import_the_ui():
    """``tests/conftest.py`` runs for every test, also where PySide6 is unimportable (``./dev.sh test-core``)."""
    assert not any(n == "desktop.ui" or n.startswith("desktop.ui.") or n.split(".")[0] in ("PySide6", "pytestqt")
                   for n in _imported_names(REPO / "tests" / "conftest.py"))


# --- SQL -----------------------------------------------------------------------------------------------


def test_no_sql_in_the_ui_or_the_command_line():
    offenders = []
    for path in _python_files("desktop/ui", "desktop/cli"):
        rel = path.relative_to(REPO)
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\.(query|execute)\(", text):
            offenders.append(f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}")
        for node in ast.walk(ast.parse(text)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in DB_CALLS):
                offenders.append(f"{rel}:{node.lineno}: .{node.func.attr}(…)")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(f"{rel}:{node.lineno}: SQL text {node.value[:40]!r}")
    assert offenders == []


def test_the_sql_check_would_see_sql():
    """The check above is not vacuous: it finds the SQL of a module that has some."""
    text = (REPO / "desktop" / "evidence" / "queries.py").read_text(encoding="utf-8")
    assert re.search(r"\.(query|execute)\(", text)
    assert any(isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL.search(n.value)
               for n in ast.walk(ast.parse(text)))


# --- the import graph ----------------------------------------------------------------------------------


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_has_no_circles():
    assert _cycles(_graph()) == []


def test_the_circle_check_would_see_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _upward(graph, layers, independent=frozenset(), within: str | None = None) -> list[str]:
    bad = []
    for mod, deps in graph.items():
        if within and not mod.startswith(within + "."):
            continue
        here = _layer_of(mod, layers)
        assert here is not None, f"{mod} is in no layer: add it to the layers of tests/test_layering.py"
        for dep in deps:
            if within and not (dep == within or dep.startswith(within + ".")):
                continue
            there = _layer_of(dep, layers)
            assert there is not None, f"{dep} is in no layer"
            if there > here:
                bad.append(f"{mod} → {dep}")
            elif there == here:
                for group in independent:
                    a, b = _entry_of(mod, group), _entry_of(dep, group)
                    if a and b and a != b:
                        bad.append(f"{mod} → {dep} (independent)")
    return sorted(bad)


def test_no_import_runs_from_a_lower_layer_to_a_higher_one():
    assert _upward(_graph(), LAYERS, INDEPENDENT) == []


def test_inside_the_ui_infrastructure_does_not_import_panels_and_panels_not_each_other():
    graph = _graph()
    assert _upward(graph, UI_LAYERS, within="desktop.ui") == []
    panels = sorted({m.split(".")[3] for m in graph if m.startswith("desktop.ui.panels.")})
    assert {"claims", "dashboard", "evidence_library", "report_view", "review_mode", "suggestions",
            "audit_log"} <= set(panels)
    crossing = [f"{m} → {d}" for m, deps in graph.items() if m.startswith("desktop.ui.panels.")
                for d in deps if d.startswith("desktop.ui.panels.") and d.split(".")[3] != m.split(".")[3]]
    assert crossing == []


def test_the_layer_check_would_see_an_upward_import():
    layers = [("low",), ("high",)]
    assert _upward({"low.a": {"high.b"}, "high.b": set()}, layers) == ["low.a → high.b"]
    assert _upward({"x.a": {"y.b"}, "y.b": set()}, [("x", "y")], {("x", "y")}) == ["x.a → y.b (independent)"]
