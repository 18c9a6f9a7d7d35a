"""Roles are enforced by the service layer, not only by disabled buttons.

Every public function (or method) under ``desktop/`` outside the UI that opens ``db.write()`` — directly or
through a helper in its own module — is a mutation. The scan below finds them all, today's and tomorrow's,
and each one is called in the reviewer role (审核) with placeholder arguments: it must refuse with
``Forbidden`` before it reads its arguments, and leave every table and the audit trail as they were.
Review mutations are the other way round: only the reviewer role may call them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from desktop.errors import Forbidden

REPO = Path(__file__).resolve().parents[2]

# Mutations only the reviewer role may call (everything else found is editor-only).
REVIEWER_ONLY = {"desktop.review.review.review_claim", "desktop.review.review.review_claims",
                 "desktop.review.requests.accept_request", "desktop.review.requests.reopen_request",
                 "desktop.exchange.receive.receive_supplement", "desktop.exchange.reply.reply"}
# Mutations that are not edits of an existing workspace's claims, evidence or links; each with its reason.
NOT_AN_EDIT = {
    "desktop.workspace.Workspace.create": "creates a new workspace; the creator is its first editor",
    "desktop.evidence.indexing.index_evidence": "derived data (text and numbers of bytes already stored); "
    "changes no claim, link or file, and a reviewer's session may finish indexing the editor started",
    "desktop.exchange.receive.receive": "a new review workspace from a package (or a supplement merged by "
    "receive_supplement, which checks the role itself)",
    "desktop.exchange.receive.receive_package": "creates a new review workspace from a package",
    "desktop.exchange.service.record_export": "records that a package was written (an exports row and its "
    "event); changes no claim, evidence or link, and an inspector may hand a package on too",
}
TABLES = ("reports", "claims", "evidence", "evidence_paths", "links", "reviews", "settings",
          "suggestion_rejections", "ingest_queue", "events", "requests")


# --- the scan --------------------------------------------------------------------------------


def _is_db(node: ast.AST) -> bool:
    """``db``, ``ws.db``, ``self.db``, ``self.ws.db``, ``database`` …: what a mutation writes through."""
    if isinstance(node, ast.Name):
        return node.id in ("db", "database") or node.id.endswith("_db")
    if isinstance(node, ast.Attribute):
        return node.attr in ("db", "database") or node.attr.endswith("_db")
    return False


def _opens_write(fn: ast.AST) -> bool:
    """Any reference to ``<db>.write`` — in a ``with``, assigned to a name, passed along — counts."""
    return any(isinstance(n, ast.Attribute) and n.attr == "write" and _is_db(n.value) for n in ast.walk(fn))


def _called_names(fn: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _called_self_methods(fn: ast.AST) -> set[str]:
    return {
        n.func.attr
        for n in ast.walk(fn)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name) and n.func.value.id == "self"
    }


def scan_module(path: Path, module: str) -> tuple[list[str], list[tuple[str, bool]]]:
    """(public module-level mutation functions, [(public mutation method, calls require_role)])."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    funcs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    writes = {name for name, fn in funcs.items() if _opens_write(fn)}
    changed = True
    while changed:  # a function calling a same-module mutation is a mutation
        changed = False
        for name, fn in funcs.items():
            if name not in writes and _called_names(fn) & writes:
                writes.add(name)
                changed = True
    functions = sorted(f"{module}.{n}" for n in writes if not n.startswith("_"))
    methods = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        members = {m.name: m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
        mutating = {name for name, m in members.items() if _opens_write(m) or _called_names(m) & writes}
        changed = True
        while changed:  # a method calling a mutating method of its own class (self._record()) mutates too
            changed = False
            for name, m in members.items():
                if name not in mutating and _called_self_methods(m) & mutating:
                    mutating.add(name)
                    changed = True
        for name in sorted(mutating):
            if not name.startswith("_"):
                m = members[name]
                methods.append((f"{module}.{cls.name}.{name}", "require_role" in _called_names(m)))
    return functions, methods


def scan(root: Path = REPO) -> tuple[list[str], list[tuple[str, bool]]]:
    functions, methods = [], []
    for path in sorted((root / "desktop").rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        if rel.parts[:2] in (("desktop", "ui"), ("desktop", "cli"), ("desktop", "text")) or rel.name == "__main__":
            continue
        module = ".".join(p for p in rel.parts if p != "__init__")
        f, m = scan_module(path, module)
        functions += f
        methods += m
    return functions, methods


FUNCTIONS, METHODS = scan()


def _resolve(qualname: str):
    module, name = qualname.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _call_with_placeholders(fn, ws):
    """Call ``fn`` with the workspace (or its db) first and ``None`` for every other required argument."""
    args, kwargs = [], {}
    params = list(inspect.signature(fn).parameters.values())
    first = params[0]
    wants_ws = first.name in ("ws", "workspace") or "Workspace" in str(first.annotation)
    args.append(ws if wants_ws else ws.db)
    for p in params[1:]:
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = None
        else:
            args.append(None)
    return fn(*args, **kwargs)


def _counts(ws) -> dict[str, int]:
    return {t: ws.db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}


@pytest.fixture
def full_ws(imported_ws, tmp_path):
    """A workspace with a report, claims, a file, a link and a review: something to edit."""
    from desktop.evidence.service import register_file
    from desktop.review.links import link_evidence
    from desktop.review.review import review_claim

    f = tmp_path / "台账.txt"
    f.write_text("核查疑点数据 21099 条", encoding="utf-8")
    from desktop.review.status import claim_rows

    eid = register_file(imported_ws, f).evidence_id
    imported_ws.c1, imported_ws.c2 = [c["id"] for c in claim_rows(imported_ws.db)][:2]
    link_evidence(imported_ws.db, claim_id=imported_ws.c1, evidence_id=eid, locator="第 1 页")
    imported_ws.set_identity(role="reviewer")
    review_claim(imported_ws.db, claim_id=imported_ws.c1, state="verified")
    return imported_ws


# --- the tests -------------------------------------------------------------------------------


def test_scan_finds_the_known_mutations():
    expected = {
        "desktop.review.links.link_evidence",
        "desktop.review.links.unlink_evidence",
        "desktop.claims.service.import_report",
        "desktop.claims.service.import_document",
        "desktop.evidence.service.register_file",
        "desktop.evidence.service.record_object",
        "desktop.workspace.set_setting",
        "desktop.review.review.review_claim",
        "desktop.review.review.review_claims",
        "desktop.review.requests.answer_request",
        "desktop.review.requests.accept_request",
        "desktop.review.requests.reopen_request",
    }
    assert expected <= set(FUNCTIONS)
    assert "desktop.workspace.Workspace.create" in {m for m, _ in METHODS}


def test_scan_catches_a_mutation_added_later(tmp_path):
    """A new module with an unchecked edit, direct or through a private helper, is found by the scan."""
    pkg = tmp_path / "desktop" / "later"
    pkg.mkdir(parents=True)
    (pkg / "edits.py").write_text(
        "def _write_row(db, value):\n"
        "    with db.write() as tx:\n"
        "        tx.event('claim.edited', {'value': value})\n"
        "def edit_value(db, *, claim_id, value):\n"
        "    _write_row(db, value)\n"
        "def rename_claim(db, *, claim_id, subject):\n"
        "    with db.write() as tx:\n"
        "        tx.event('claim.edited', {})\n"
        "def read_only(db):\n"
        "    return db.query('SELECT 1')\n"
        "def aliased(db):\n"
        "    write = db.write\n"
        "    with write() as tx:\n"
        "        tx.event('x', {})\n"
        "def held(ws):\n"
        "    cm = ws.db.write()\n"
        "    with cm as tx:\n"
        "        tx.event('x', {})\n"
        "def file_io(path):\n"
        "    with open(path, 'w') as f:\n"
        "        f.write('not a mutation of the workspace')\n"
        "class Queue:\n"
        "    def push(self, path):\n"
        "        with self.db.write() as tx:\n"
        "            tx.event('queue.pushed', {})\n"
        "    def _record(self):\n"
        "        with self.ws.db.write() as tx:\n"
        "            tx.event('queue.recorded', {})\n"
        "    def drain(self):\n"
        "        self._record()\n",
        encoding="utf-8",
    )
    functions, methods = scan(tmp_path)
    assert functions == ["desktop.later.edits.aliased", "desktop.later.edits.edit_value",
                         "desktop.later.edits.held", "desktop.later.edits.rename_claim"]
    assert methods == [("desktop.later.edits.Queue.drain", False), ("desktop.later.edits.Queue.push", False)]


@pytest.mark.parametrize("qualname", [f for f in FUNCTIONS if f not in REVIEWER_ONLY and f not in NOT_AN_EDIT])
def test_reviewer_is_refused_by_every_edit_service(full_ws, qualname):
    ws = full_ws
    assert ws.role == "reviewer"
    before = _counts(ws)
    with pytest.raises(Forbidden) as err:
        _call_with_placeholders(_resolve(qualname), ws)
    assert err.value.params["role"] == "reviewer"
    assert _counts(ws) == before


@pytest.mark.parametrize("qualname", sorted(REVIEWER_ONLY))
def test_editor_is_refused_reviews(full_ws, qualname):
    ws = full_ws
    ws.set_identity(role="editor")
    before = _counts(ws)
    with pytest.raises(Forbidden) as err:
        _call_with_placeholders(_resolve(qualname), ws)
    assert err.value.params["role"] == "editor"
    assert _counts(ws) == before


def test_every_mutation_method_checks_the_role():
    unchecked = [name for name, checks in METHODS if not checks and name not in NOT_AN_EDIT]
    assert unchecked == [], "public methods that write must call require_role(...) first"


def test_reviewer_edits_with_real_arguments_are_refused(full_ws, tmp_path):
    """The same refusal with well-formed arguments (not only placeholders), through each service."""
    from desktop.claims.service import import_report
    from desktop.evidence.service import register_file
    from desktop.review.links import link_evidence, unlink_evidence
    from desktop.workspace import set_setting

    ws = full_ws
    f = tmp_path / "新文件.txt"
    f.write_text("新的佐证 3342.64 万元", encoding="utf-8")
    before = _counts(ws)
    objects = len(list(ws.store.iter_objects()))
    attempts = [
        lambda: link_evidence(ws.db, claim_id=ws.c2, evidence_id=1),
        lambda: unlink_evidence(ws.db, claim_id=ws.c1, evidence_id=1),
        lambda: register_file(ws, f),
        lambda: import_report(ws.db, path=REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"),
        lambda: set_setting(ws.db, key="watch_dir", value=str(tmp_path)),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert _counts(ws) == before
    assert len(list(ws.store.iter_objects())) == objects  # refused before the file was even copied


def test_role_is_recorded_on_every_event(full_ws):
    rows = full_ws.db.query("SELECT actor, role, action FROM events ORDER BY seq")
    assert {r["role"] for r in rows} == {"editor", "reviewer"}
    assert [r["role"] for r in rows if r["action"] == "review.set"] == ["reviewer"]
    assert all(r["actor"] == "测试员" for r in rows)
