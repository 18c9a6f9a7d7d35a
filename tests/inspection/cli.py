"""Running ``evidence-desk`` in-process (the real parser, commands, output and exit codes, without paying
for a new interpreter per command), and what a workspace looks like from outside, to tell "nothing
changed"."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

from desktop.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def json(self):
        return json.loads(self.out)


def cli(*args: str, ok: int | None = 0) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
    run = Run(code, out.getvalue(), err.getvalue())
    if ok is not None:
        assert code == ok, f"{args}: exit {code}\n{run.out}\n{run.err}"
    assert "Traceback" not in run.err and "内部错误" not in run.err, run.err
    return run


def verify_ok(ws: Path) -> None:
    res = cli("verify", ws, "--json")
    assert res.json["ok"], res.json["problems"]


def snapshot(ws: Path) -> dict:
    """Everything a change would touch: the audit chain (count and head file), every table's rows, the
    store's objects and the received records."""
    import sqlite3

    conn = sqlite3.connect(f"file:{ws / 'workspace.db'}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                             " AND name NOT LIKE 'evidence_text%' AND name NOT LIKE 'sqlite_%'")]
        digest = {}
        for t in sorted(tables):
            rows = conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            digest[t] = hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        conn.close()
    files = sorted(str(p.relative_to(ws)) for p in ws.rglob("*") if p.is_file() and "-shm" not in p.name
                   and "-wal" not in p.name and p.name != "audit-head.lock")
    return {"tables": digest, "head": (ws / "audit-head.json").read_text(), "files": files}


def make_group(tmp: Path, files: dict[str, str] | None = None) -> tuple[Path, Path, list[int]]:
    """The group's workspace: the sample report, a watched folder with a few files; returns (ws, folder,
    the first claim ids in report order)."""
    ws, folder = tmp / "单位工作区", tmp / "佐证材料"
    folder.mkdir()
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    cli("init", ws, "--watch", folder, "--actor", "李会计")
    cli("import", ws, SAMPLE, "--actor", "李会计")
    if files:
        cli("ingest", ws, "--wait", "--actor", "李会计")
    claims = [c["id"] for c in cli("status", ws, "--json").json["claims"]]
    return ws, folder, claims
