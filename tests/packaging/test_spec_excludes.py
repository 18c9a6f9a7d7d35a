"""The modules the spec leaves out of the bundle are modules the app never imports — not at start-up, and
not deep inside an export with a binder, where fpdf2, fontTools, openpyxl and pikepdf load what they need
(fpdf2 imports ``unittest.mock`` as it loads: a bundle without unittest could not export). Checked in a
fresh interpreter without building the bundle; ``packaging/smoke.sh`` runs the same export on a real one."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

from tests.conftest import REPO

SPEC = REPO / "packaging" / "evidence-desk.spec"

PROBE = r"""
import json, pkgutil, importlib, sys, tempfile
from pathlib import Path
import desktop, db
for pkg in (desktop, db):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if m.name.startswith("desktop.ui"):
            continue  # Qt: the bundle keeps what it imports (bundle_rules); test-core has no Qt
        importlib.import_module(m.name)
from desktop.demo import build_demo
from desktop.exchange.export import export_package
from desktop.exchange.verify import verify_package
from desktop.workspace import Workspace
tmp = Path(tempfile.mkdtemp())
ws_path = build_demo(tmp / "W")
with Workspace.open(ws_path, actor="probe") as ws:
    export_package(ws, tmp / "p.zip", binder=tmp / "b.pdf")
assert verify_package(tmp / "p.zip").ok
print(json.dumps(sorted(sys.modules)))
"""


def spec_excludes() -> list[str]:
    """The literal module names of the spec's ``EXCLUDES`` (the Qt ones are computed: another test)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXCLUDES" for t in node.targets):
            lists = [n for n in ast.walk(node.value) if isinstance(n, ast.List)]
            return [ast.literal_eval(e) for lst in lists for e in lst.elts]
    raise AssertionError("no EXCLUDES in the spec")


def test_nothing_the_spec_leaves_out_is_imported_by_an_export(tmp_path):
    excludes = spec_excludes()
    assert "tkinter" in excludes and "pytest" in excludes and "unittest" not in excludes
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)  # test-core: Qt blocked
    env = dict(os.environ, EVIDENCE_DESK_HOME=str(tmp_path / "home"), PYTHONPATH=path)
    res = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    loaded = set(json.loads(res.stdout.strip().splitlines()[-1]))
    assert {"fpdf", "pikepdf", "openpyxl", "fontTools.subset"} <= loaded  # the probe reached the export's parts
    used = sorted(name for name in excludes if name in loaded or any(m.startswith(name + ".") for m in loaded))
    assert used == [], f"the bundle leaves out modules an export imports: {used}"


def test_fpdf2_is_collected_as_source():
    """LGPL-3.0: fpdf2's .py files ship beside the program, replaceable (packaging/README.md, Licences)."""
    text = SPEC.read_text(encoding="utf-8")
    tree = ast.parse(text)
    modes = [ast.literal_eval(n.value) for n in ast.walk(tree)
             if isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "LGPL_AS_SOURCE" for t in n.targets)]
    assert modes == [{"fpdf": "py"}]
    assert "module_collection_mode=LGPL_AS_SOURCE" in text
