"""Rows moving between a received ``package.db`` and a workspace: the columns both know, upserts by id,
and the shapes the audit payloads carry (the whole row; report text by its hash)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any, Iterable

# What travels, in the order it is written (a row's references come before it).
TABLES = ("reports", "claims", "evidence", "evidence_paths", "links")
# report columns the payloads leave out (the text is in package.db and in the report itself; its hash stays)
BULKY = {"reports": ("text", "locations")}


def columns(conn: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def common_columns(src: sqlite3.Connection, dst: sqlite3.Connection, table: str) -> list[str]:
    """Columns ``table`` has on both sides (an older or newer sender has fewer or more)."""
    theirs = set(columns(src, table))
    return [c for c in columns(dst, table) if c in theirs]


def has_table(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')",
                        (table,)).fetchone() is not None


def fetch(src: sqlite3.Connection, table: str, cols: list[str], where: str = "", params: Iterable[Any] = ()
          ) -> list[dict[str, Any]]:
    sql = f"SELECT {', '.join(_q(c) for c in cols)} FROM {table}"
    if where:
        sql += f" WHERE {where}"
    return [dict(zip(cols, r)) for r in src.execute(sql, tuple(params))]


def _q(col: str) -> str:
    return f'"{col}"'


def upsert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]], key: str = "id") -> tuple[int, int]:
    """Insert rows whose ``key`` is new, update the others; (inserted, updated)."""
    inserted = updated = 0
    for row in rows:
        cols = list(row)
        exists = conn.execute(f"SELECT 1 FROM {table} WHERE {key} = ?", (row[key],)).fetchone()
        if exists:
            sets = ", ".join(f"{_q(c)} = :{c}" for c in cols if c != key)
            if sets:
                conn.execute(f"UPDATE {table} SET {sets} WHERE {key} = :{key}", row)
            updated += 1
        else:
            conn.execute(f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES "
                         f"({', '.join(':' + c for c in cols)})", row)
            inserted += 1
    return inserted, updated


def insert_many(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    conn.executemany(f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES "
                     f"({', '.join('?' * len(cols))})", [tuple(r[c] for c in cols) for r in rows])


def for_payload(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row as an audit payload carries it: whole, but a report's text and locations by their hash."""
    out = dict(row)
    for col in BULKY.get(table, ()):
        if col in out:
            value = out.pop(col)
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            out[f"{col}_sha256"] = hashlib.sha256((text or "").encode("utf-8")).hexdigest()
    return out
