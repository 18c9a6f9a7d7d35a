"""``package.db``: a pruned snapshot of the workspace database plus the ``package_*`` tables.

Schema and rules: docs/formats.md (section *package.db*). Written and read with plain ``sqlite3``: the
copy is not a workspace (no head file, no lock), and nothing here goes through the audit chain.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from db import audit
from db.database import Database
from desktop.exchange.plan import Plan

PACKAGE_TABLES = [
    "CREATE TABLE package (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE package_files (
        evidence_id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        linked INTEGER NOT NULL
    )""",
    """CREATE TABLE package_reports (
        report_id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        original INTEGER NOT NULL
    )""",
    """CREATE TABLE package_claims (
        claim_id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        folder TEXT
    )""",
]
LOCAL_SETTINGS = ("watch_dir",)


def snapshot(db: Database, dest: Path) -> None:
    """Copy the workspace database to ``dest`` as one consistent snapshot (SQLite's backup API, one
    step), in rollback-journal mode so that no ``-wal`` file belongs to it."""
    out = sqlite3.connect(str(dest), isolation_level=None)
    try:
        db.conn.backup(out)
        out.execute("PRAGMA journal_mode = DELETE")
    finally:
        out.close()


def finish(dest: Path, plan: Plan, meta: dict[str, Any], reports: list[dict[str, Any]]) -> None:
    """Prune ``dest`` to what the package carries, add the ``package_*`` tables, vacuum.

    ``meta``: the ``package`` table's values; ``reports``: rows for ``package_reports``.
    """
    conn = sqlite3.connect(str(dest), isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        keep = sorted(set(plan.files) | plan.other_versions)
        packaged = sorted(plan.files)
        conn.execute("CREATE TEMP TABLE keep_ev (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO keep_ev VALUES (?)", [(i,) for i in keep])
        conn.execute("CREATE TEMP TABLE packaged_ev (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO packaged_ev VALUES (?)", [(i,) for i in packaged])
        conn.execute("DELETE FROM links WHERE evidence_id NOT IN (SELECT id FROM packaged_ev)")
        conn.execute("DELETE FROM evidence_numbers WHERE evidence_id NOT IN (SELECT id FROM packaged_ev)")
        conn.execute("DELETE FROM evidence_text WHERE CAST(evidence_id AS INTEGER) NOT IN"
                     " (SELECT id FROM packaged_ev)")
        conn.execute("DELETE FROM evidence_paths WHERE evidence_id NOT IN (SELECT id FROM keep_ev)")
        conn.execute("DELETE FROM evidence WHERE id NOT IN (SELECT id FROM keep_ev)")
        # a kept version whose own predecessor is not kept: the chain starts here in the package
        conn.execute("UPDATE evidence SET supersedes = NULL WHERE supersedes IS NOT NULL"
                     " AND supersedes NOT IN (SELECT id FROM keep_ev)")
        conn.execute("DELETE FROM ingest_queue")
        conn.execute("DELETE FROM suggestion_rejections")
        if _has_table(conn, "exports"):
            conn.execute("DELETE FROM exports")
        conn.executemany("DELETE FROM settings WHERE key = ?", [(k,) for k in LOCAL_SETTINGS])
        write_package_tables(conn, meta, [(f.evidence_id, f.path, f.sha256, f.size, int(f.linked))
                                          for f in plan.files.values()], reports, plan.claims, "package.db")
        conn.execute("DROP TABLE temp.keep_ev")
        conn.execute("DROP TABLE temp.packaged_ev")
        conn.execute("VACUUM")  # what was deleted must not stay readable in free pages
    finally:
        conn.close()


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


# --- reading (verify, receive) ----------------------------------------------------------------


def open_readonly(path: Path) -> sqlite3.Connection:
    from urllib.parse import quote

    conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1", uri=True,
                           isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def read_package(conn: sqlite3.Connection) -> dict[str, Any]:
    """The ``package`` table, values decoded."""
    out = {}
    for r in conn.execute("SELECT key, value FROM package"):
        try:
            out[r["key"]] = json.loads(r["value"])
        except (TypeError, ValueError):
            out[r["key"]] = r["value"]
    return out


def members(conn: sqlite3.Connection) -> dict[str, tuple[str, int]]:
    """Member path → (sha256, size) for every evidence and report member ``package.db`` names."""
    out = {}
    for table in ("package_files", "package_reports"):
        for r in conn.execute(f"SELECT path, sha256, size FROM {table}"):
            out[r["path"]] = (r["sha256"], r["size"])
    return out


def chain(conn: sqlite3.Connection) -> tuple[list[audit.ChainProblem], int, str]:
    """The ``events`` chain recomputed (no head file: the manifest names the head); its last seq, hash."""
    problems = audit.verify_chain(conn, None)
    seq, head = audit.chain_head(conn)
    return problems, seq, head


def write_package_tables(conn: sqlite3.Connection, meta: dict[str, Any], files: list[tuple], reports: list[dict[str, Any]],
                         claims: list[Any], what: str) -> None:
    """The package's own tables (``package``, ``package_files``, ``package_reports``, ``package_claims``) in the
    open transaction, committed, then the foreign keys checked: a row left pointing at a pruned one is a bug."""
    for sql in PACKAGE_TABLES:
        conn.execute(sql)
    conn.executemany("INSERT INTO package (key, value) VALUES (?, ?)",
                     [(k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items()])
    conn.executemany("INSERT INTO package_files (evidence_id, path, sha256, size, linked) VALUES (?, ?, ?, ?, ?)", files)
    conn.executemany(
        "INSERT INTO package_reports (report_id, path, sha256, size, original) VALUES (?, ?, ?, ?, ?)",
        [(r["report_id"], r["path"], r["sha256"], r["size"], int(r["original"])) for r in reports])
    conn.executemany("INSERT INTO package_claims (claim_id, seq, folder) VALUES (?, ?, ?)",
                     [(c.id, c.seq, c.folder) for c in claims])
    conn.execute("COMMIT")
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"{what} would break its foreign keys: {problems[:5]}")
