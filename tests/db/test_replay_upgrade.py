"""An old workspace (made before replay existed) gets a baseline event when it is opened read-write, and
from then on verify rebuilds its state from the log: untouched it verifies, edited it names the row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from db import audit
from desktop.integrity import check_schema, check_state, IntegrityReport
from desktop.text.integrity import problem_text
from desktop.workspace import Workspace

DATA = Path(__file__).resolve().parent.parent / "data"
OLD = sorted(p for p in DATA.glob("workspace-*.db") if int(p.stem.split("-")[1]) < 12)


def _old_workspace(tmp_path, old: Path) -> Path:
    root = tmp_path / "W"
    (root / "store").mkdir(parents=True)
    shutil.copy(old, root / "workspace.db")
    conn = sqlite3.connect(root / "workspace.db")
    seq, hash_ = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    conn.close()
    audit.write_head(root / audit.HEAD_FILE, seq, hash_)  # as the old version left it
    return root


@pytest.mark.parametrize("old", OLD, ids=[p.name for p in OLD])
def test_old_workspace_replays_after_upgrade(tmp_path, old):
    root = _old_workspace(tmp_path, old)
    with Workspace.open(root, readonly=True) as ws:  # not upgraded yet: replay cannot vouch, says so
        report = IntegrityReport()
        assert check_state(ws.db.conn, report) == [] and [n["code"] for n in report.notes] == ["replay_unavailable"]
    with Workspace.open(root, actor="测试员") as ws:  # read-write: migrated, the baseline recorded
        assert ws.db.scalar("SELECT action FROM events ORDER BY seq DESC LIMIT 1") == "audit.baseline"
        assert ws.db.head_problem() is None
        report = IntegrityReport()
        assert check_state(ws.db.conn, report) == [] and report.notes == [] and report.rows > 0
        assert check_schema(ws.db.conn) == []
        assert [p.code for p in ws.db.verify_chain()] == []
        link = ws.db.query_one("SELECT id, claim_id, evidence_id FROM links ORDER BY id LIMIT 1")
    conn = sqlite3.connect(root / "workspace.db")
    conn.execute("DELETE FROM links WHERE id = ?", (link["id"],))
    conn.commit()
    conn.close()
    with Workspace.open(root, readonly=True) as ws:
        problems = check_state(ws.db.conn)
    assert [(p["code"], p["table"], p["key"]) for p in problems] == [("state_missing", "links", [link["id"]])]
    assert f"关联 #{link['claim_id']}–E{link['evidence_id']}" in problem_text(problems[0])


def test_the_committed_0012_database_replays_after_every_later_migration(tmp_path):
    """workspace-0012.db: workspace-0010.db upgraded (its baseline) and a link's note edited since (an event
    with row images). Whatever migrations come later, its state still replays."""
    root = _old_workspace(tmp_path, DATA / "workspace-0012.db")
    with Workspace.open(root, actor="测试员") as ws:
        assert ws.db.scalar("SELECT count(*) FROM events WHERE action = 'audit.baseline'") == 1
        report = IntegrityReport()
        assert check_state(ws.db.conn, report) == [] and report.rows > 0 and report.notes == []
        assert check_schema(ws.db.conn) == []
        note = ws.db.scalar("SELECT note FROM links WHERE note = '0012：修改备注'")
    assert note is not None
    conn = sqlite3.connect(root / "workspace.db")
    conn.execute("UPDATE links SET note = '改过' WHERE note = '0012：修改备注'")
    conn.commit()
    conn.close()
    with Workspace.open(root, readonly=True) as ws:
        problems = check_state(ws.db.conn)
    assert [(p["code"], p["columns"]) for p in problems] == [("state_changed", {"note": ["改过", "0012：修改备注"]})]


def test_a_migration_that_rewrites_rows_records_them(tmp_path):
    """A backfill made by a migration (no service, no event of its own) is taken as recorded once the
    migration ends with replay.record_tables; without it, verify names every row it changed."""
    from db import replay
    from desktop.claims.service import import_report

    sample = Path(__file__).resolve().parents[2] / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"
    with Workspace.create(tmp_path / "W", actor="测试员") as ws:
        import_report(ws.db, path=sample)
        conn = ws.db.conn
        with ws.db.committing():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE claims SET subject = trim(subject) || '' , updated_at = 'backfilled'")
            n = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
            conn.execute("COMMIT")
        assert len(check_state(conn)) == n  # every row the backfill touched is named
        with ws.db.committing():
            conn.execute("BEGIN IMMEDIATE")
            replay.record_tables(conn, ["claims"], action="schema.migrated", reason="a test backfill")
            conn.execute("COMMIT")
        assert check_state(conn) == []
        ws.db.reconcile_head()
        assert [p.code for p in ws.db.verify_chain()] == []
