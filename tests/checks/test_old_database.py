"""A dismissal stored at migration 0011 is read back, and still applies, after every later migration."""

from __future__ import annotations

import shutil
from pathlib import Path

from db import schema
from db.connection import connect
from db.database import Database
from desktop.checks.queries import workspace_findings

OLD = Path(__file__).resolve().parent.parent / "data" / "workspace-0011.db"


def test_dismissal_in_the_committed_0011_database(tmp_path):
    path = tmp_path / OLD.name
    shutil.copy(OLD, path)
    conn = connect(path)
    schema.apply(conn)
    conn.close()
    db = Database(path)
    try:
        drift = [f for f in workspace_findings(db) if f.rule == "name_drift"]
        assert len(drift) == 1 and drift[0].dismissed
        assert drift[0].dismissal["reason"] == "计财科为财务统计科旧称" and drift[0].dismissal["actor"] == "测试员"
        assert sum(1 for f in workspace_findings(db) if f.dismissed) == 1
    finally:
        db.close()
