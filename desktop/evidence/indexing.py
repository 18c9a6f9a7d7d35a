"""Indexing a registered evidence file: its text (FTS5, per page or sheet) and every number in it.

Derived data, but written like every other change: rows plus one audit event, in one transaction, so
the trail says when a file became searchable and what was found (or why it could not be read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from db.changes import NO_CHANGES, Changes
from desktop.errors import DeskError
from desktop.evidence import text as textmod
from desktop.workspace import Workspace, require_writable


@dataclass
class IndexResult:
    evidence_id: int
    status: str  # ready / error
    text_status: str  # done / needs_ocr / no_ocr / none / error
    numbers: int
    pages: int | None
    error: str | None = None
    changes: Changes = NO_CHANGES
    detail: str | None = None  # the error's detail (a limit's name and setting, say)


def index_evidence(ws: Workspace, evidence_id: int, *, in_tx: Callable[[Any], None] | None = None,
                   extract: Callable[..., textmod.Extraction] | None = None) -> IndexResult:
    """Extract text and numbers of one evidence file and store them (replacing any earlier index).

    ``in_tx(tx)`` runs inside the transaction before it commits (the ingest queue completes its task there).
    ``extract`` replaces in-process extraction (the ingest engine passes an
    :class:`~desktop.evidence.isolation.IsolatedExtractor`).
    """
    db = ws.db
    require_writable(db)
    row = db.query_one("SELECT id, sha256, ext FROM evidence WHERE id = ?", (evidence_id,))
    if row is None:
        raise DeskError("evidence.not_found", evidence_id=evidence_id)
    ex = (extract or textmod.extract)(ws.store.object_path(row["sha256"]), row["ext"] or "")
    status = "error" if ex.status == "error" else "ready"
    with db.write() as tx:
        tx.execute("DELETE FROM evidence_text WHERE evidence_id = ?", (evidence_id,))
        tx.execute("DELETE FROM evidence_numbers WHERE evidence_id = ?", (evidence_id,))
        tx.executemany(
            "INSERT INTO evidence_text (text, evidence_id, locator, page) VALUES (?, ?, ?, ?)",
            [(u.text, evidence_id, u.locator, u.page) for u in ex.units],
        )
        tx.executemany(
            "INSERT INTO evidence_numbers (evidence_id, value, raw, unit, locator, page, context, is_percent)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (evidence_id, str(n.value), n.raw, n.unit, n.locator, n.page, n.context, int(n.is_percent))
                for n in ex.numbers
            ],
        )
        tx.execute(
            "UPDATE evidence SET status = ?, text_status = ?, pages = ?, error = ?, error_detail = ? WHERE id = ?",
            (status, ex.status, ex.pages, ex.error, ex.detail, evidence_id),
        )
        if in_tx is not None:
            in_tx(tx)
        tx.event(
            "evidence.indexed",
            {"text_status": ex.status, "numbers": len(ex.numbers), "pages": ex.pages, "error": ex.error,
             "ocr_pages": ex.ocr_pages},
            evidence_id=evidence_id,
        )
    return IndexResult(evidence_id, status, ex.status, len(ex.numbers), ex.pages, ex.error, tx.changes, ex.detail)
