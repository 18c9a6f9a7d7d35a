"""Named reads of reports and claims that the window and the command line need (Qt-free, any thread).

Claim rows with their flags (what the claims list shows) come from :func:`desktop.review.status.claim_rows`;
these are the reports themselves and what a view needs around one claim.
"""

from __future__ import annotations

import json
from typing import Any

from db.database import Database


def active_reports(db: Database) -> list[dict[str, Any]]:
    """The reports in use (a revised report replaces its earlier version), oldest first."""
    return [dict(r) for r in db.query(
        "SELECT id, name, imported_at FROM reports WHERE state = 'active' ORDER BY id")]


def report_names(db: Database) -> dict[int, str]:
    return {r["id"]: r["name"] for r in active_reports(db)}


def report_text(db: Database, report_id: int) -> str | None:
    return db.scalar("SELECT text FROM reports WHERE id = ?", (report_id,))


def report_claims(db: Database, report_id: int) -> list[dict[str, Any]]:
    """Every claim of a report (all states), in text order, with its linked evidence ids."""
    rows = db.query(
        """SELECT c.*, (SELECT group_concat(evidence_id) FROM links l WHERE l.claim_id = c.id) AS evidence
           FROM claims c WHERE c.report_id = ? ORDER BY c.start IS NULL, c.start, c.id""", (report_id,))
    out = []
    for r in rows:
        c = dict(r)
        c["flags"] = json.loads(c["flags"] or "[]")
        c["evidence_ids"] = [int(x) for x in (c.pop("evidence") or "").split(",") if x]
        out.append(c)
    return out


def claim_exists(db: Database, claim_id: int) -> bool:
    return db.query_one("SELECT 1 FROM claims WHERE id = ?", (claim_id,)) is not None


def claim_report_id(db: Database, claim_id: int) -> int | None:
    return db.scalar("SELECT report_id FROM claims WHERE id = ?", (claim_id,))


def claim_context(db: Database, claim_id: int) -> tuple[str, str]:
    """The report text just before and just after the claim's quote ("" where there is none)."""
    row = db.query_one("SELECT context_before, context_after FROM claims WHERE id = ?", (claim_id,))
    if row is None:
        return "", ""
    return row["context_before"] or "", row["context_after"] or ""
