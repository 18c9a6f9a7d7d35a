"""Migration 0008 adds the exports table to a committed old database (and nothing else changes)."""

from __future__ import annotations

import shutil
from pathlib import Path

from db import schema
from db.connection import connect

DATA = Path(__file__).resolve().parents[1] / "data"


def test_old_databases_get_an_empty_exports_table(tmp_path):
    checked = 0
    for old in sorted(DATA.glob("workspace-*.db")):
        copy = tmp_path / old.name
        shutil.copy(old, copy)
        conn = connect(copy)
        if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'exports'").fetchone()[0]:
            conn.close()  # made at 0008 or later (workspace-0010.db): it has its exports already
            continue
        checked += 1
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        applied = schema.apply(conn)
        assert "0008_exports" in applied
        cols = [r[1] for r in conn.execute("PRAGMA table_info(exports)")]
        assert {"package_id", "package_sha256", "manifest_sha256", "audit_seq", "audit_head", "counts"} <= set(cols)
        assert conn.execute("SELECT count(*) FROM exports").fetchone()[0] == 0
        # one event more: the baseline of migration 0012 (the state as it was, for verify's replay)
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == events + 1
        conn.close()
    assert checked >= 2
