"""A report imported before score tables were stored (migration 0009) still has its tables checked: the
stored text is read again and the rows' claims matched to the stored claims."""

from __future__ import annotations

import shutil
from pathlib import Path

from db import schema
from db.connection import connect
from db.database import Database
from desktop.checks.queries import _score_tables, workspace_findings

DATA = Path(__file__).resolve().parent.parent / "data"
TABLE = Path(__file__).resolve().parent / "score_tables" / "yongde_mingliang.txt"


def test_tables_of_a_report_imported_before_they_were_stored(tmp_path, ws):
    from desktop.claims.service import import_report

    import_report(ws.db, path=TABLE)
    stored, index_ids = _score_tables(ws.db, 1)
    assert stored and index_ids == {} and stored[0].indicators[0].claim_id is not None
    # the same workspace as if the report had come in before 0009: tables gone, import older than 0009
    ws.db.conn.execute("DELETE FROM score_row_claims")
    ws.db.conn.execute("DELETE FROM score_cells")
    ws.db.conn.execute("DELETE FROM score_rows")
    ws.db.conn.execute("DELETE FROM score_tables")
    ws.db.conn.execute("UPDATE reports SET imported_at = '2000-01-01T00:00:00.000Z'")
    ws.db.conn.commit()
    tables, index_ids = _score_tables(ws.db, 1)
    assert tables and index_ids and set(index_ids.values()) <= {r[0] for r in ws.db.query("SELECT id FROM claims")}
    assert {f.rule for f in workspace_findings(ws.db)} >= {"table_met_marked_down", "table_missed_no_deviation"}


def test_old_databases_check_after_upgrade(tmp_path):
    for old in sorted(DATA.glob("workspace-*.db")):
        path = tmp_path / old.name
        shutil.copy(old, path)
        conn = connect(path)
        schema.apply(conn)
        conn.close()
        db = Database(path)
        try:
            found = workspace_findings(db)
            assert any(f.rule == "breakdown_sum" for f in found), old.name  # the sample is in every one
        finally:
            db.close()
