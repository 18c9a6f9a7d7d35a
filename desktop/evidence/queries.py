"""Named reads of the evidence tables that the window and the command line need (Qt-free, any thread).

Rows with flags (what the library lists) come from :func:`desktop.review.status.evidence_rows`; these are
the other questions: which files a filter or a search leaves, how many each filter holds, where a file is
on disk, what text was extracted from it, its name and its ingest state.
"""

from __future__ import annotations

import os
from typing import Any, Iterable

from db.database import Database
from desktop.evidence import fspath

#: the evidence library's filters: 全部 / 未关联 / 出错 / 已有新版本
EVIDENCE_FILTERS = ("all", "unlinked", "error", "superseded")
_FILTER_SQL = {
    "all": "1",
    "unlinked": "NOT EXISTS (SELECT 1 FROM links l WHERE l.evidence_id = e.id)",
    "error": "e.status = 'error'",
    "superseded": "EXISTS (SELECT 1 FROM evidence n WHERE n.supersedes = e.id)",
}
_CHUNK = 500


def evidence_ids(db: Database, filter_name: str = "all", among: Iterable[int] | None = None) -> list[int]:
    """Evidence ids the filter keeps, in id order (``among``: only of these ids)."""
    where = _FILTER_SQL[filter_name]
    if among is None:
        return [r[0] for r in db.query(f"SELECT e.id FROM evidence e WHERE {where} ORDER BY e.id")]
    ids = sorted(set(among))
    out: list[int] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        out += [r[0] for r in db.query(
            f"SELECT e.id FROM evidence e WHERE {where} AND e.id IN ({','.join('?' * len(chunk))}) ORDER BY e.id",
            chunk)]
    return out


def evidence_count(db: Database, filter_name: str) -> int:
    """How many files one filter of :data:`EVIDENCE_FILTERS` holds."""
    return db.scalar(f"SELECT count(*) FROM evidence e WHERE {_FILTER_SQL[filter_name]}") or 0


def evidence_counts(db: Database) -> dict[str, int]:
    """How many files each filter of :data:`EVIDENCE_FILTERS` holds."""
    with db.snapshot():
        return {name: db.scalar(f"SELECT count(*) FROM evidence e WHERE {where}") or 0
                for name, where in _FILTER_SQL.items()}


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_evidence(db: Database, query: str) -> set[int]:
    """Evidence whose name, path or extracted text contains ``query``.

    The text index uses the FTS5 ``trigram`` tokenizer, which can only match three characters or more;
    shorter queries (two Chinese characters are a common search) fall back to ``LIKE``.
    """
    q = query.strip()
    if not q:
        return set()
    like = _like(q)
    ids = {r[0] for r in db.query("SELECT id FROM evidence WHERE name LIKE ? ESCAPE '\\'", (like,))}
    ids |= {r[0] for r in db.query("SELECT DISTINCT evidence_id FROM evidence_paths WHERE path LIKE ? ESCAPE '\\'",
                                   (like,))}
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        rows = db.query("SELECT DISTINCT evidence_id FROM evidence_text WHERE evidence_text MATCH ?", (phrase,))
    else:
        rows = db.query("SELECT DISTINCT evidence_id FROM evidence_text WHERE text LIKE ? ESCAPE '\\'", (like,))
    ids |= {int(r[0]) for r in rows}
    return ids


def present_paths(db: Database, evidence_id: int) -> list[str]:
    """Where the file is in the folder now (OS paths, newest first) that still exist on disk."""
    rows = db.query(
        "SELECT path, raw_path FROM evidence_paths WHERE evidence_id = ? AND present = 1 ORDER BY id DESC",
        (evidence_id,))
    paths = (fspath.from_db(r["path"], r["raw_path"]) for r in rows)
    return [p for p in paths if os.path.isfile(p)]


def text_units(db: Database, evidence_id: int) -> list[tuple[str, str]]:
    """(locator, text) of each page / sheet / body of an evidence file, from the text index."""
    rows = db.query("SELECT locator, text FROM evidence_text WHERE evidence_id = ? ORDER BY rowid", (evidence_id,))
    return [(r["locator"], r["text"]) for r in rows]


def evidence_exists(db: Database, evidence_id: int) -> bool:
    return db.query_one("SELECT 1 FROM evidence WHERE id = ?", (evidence_id,)) is not None


def evidence_name(db: Database, evidence_id: int) -> str | None:
    return db.scalar("SELECT name FROM evidence WHERE id = ?", (evidence_id,))


def evidence_names(db: Database) -> dict[int, str]:
    return {r["id"]: r["name"] for r in db.query("SELECT id, name FROM evidence")}


def ingest_states(db: Database, evidence_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``status``, ``text_status``, ``error``, ``error_detail`` and ``pages`` of these files (what
    ``ingest --wait`` reports)."""
    ids = sorted(set(evidence_ids))
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for r in db.query(f"SELECT id, status, text_status, error, error_detail, pages FROM evidence"
                          f" WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r["id"]] = {k: r[k] for k in ("status", "text_status", "error", "error_detail", "pages")}
    return out
