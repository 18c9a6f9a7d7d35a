"""Named reads of links and their history that the window and the command line need (Qt-free, any thread).

Claim and evidence rows with flags, completeness and review state have their own modules
(:mod:`desktop.review.status`, :mod:`desktop.review.review`, :mod:`desktop.review.audit_log`); these are
the questions about one link, and which claims a set of files can affect.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from db.database import Database

_CHUNK = 500


def link_detail(db: Database, claim_id: int, evidence_id: int) -> dict[str, Any] | None:
    """The link's locator and note (None when the two are not linked)."""
    row = db.query_one("SELECT locator, note FROM links WHERE claim_id = ? AND evidence_id = ?",
                       (claim_id, evidence_id))
    return None if row is None else {"locator": row["locator"], "note": row["note"]}


def linked_evidence(db: Database, claim_id: int) -> list[dict[str, Any]]:
    """The files linked to a claim, in linking order: id, locator, name, ext, sha256, the ingest's verdict
    (``status``, ``error``, ``error_detail``) and whether a newer version of the file has arrived since
    (``superseded``)."""
    rows = db.query(
        "SELECT l.evidence_id, l.locator, e.name, e.ext, e.sha256, e.status, e.error, e.error_detail,"
        " EXISTS (SELECT 1 FROM evidence n WHERE n.supersedes = e.id) AS superseded"
        " FROM links l JOIN evidence e ON e.id = l.evidence_id WHERE l.claim_id = ? ORDER BY l.id",
        (claim_id,))
    return [dict(r) for r in rows]


def claims_linked_to(db: Database, evidence_ids: Iterable[int]) -> list[int]:
    """Claims linked to these files or to the files they supersede: the claims whose flags a change of
    these files can alter (in chunks: a bulk ingest passes thousands of ids, most linked to nothing)."""
    ids = sorted(set(evidence_ids))
    if not ids or db.scalar("SELECT count(*) FROM links") == 0:
        return []
    targets: set[int] = set(ids)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        targets.update(r[0] for r in db.query(
            f"SELECT supersedes FROM evidence WHERE id IN ({','.join('?' * len(chunk))})"
            " AND supersedes IS NOT NULL", chunk))
    out: set[int] = set()
    ordered = sorted(targets)
    for i in range(0, len(ordered), _CHUNK):
        chunk = ordered[i:i + _CHUNK]
        out.update(r[0] for r in db.query(
            f"SELECT DISTINCT claim_id FROM links WHERE evidence_id IN ({','.join('?' * len(chunk))})", chunk))
    return sorted(out)


def accepted_suggestion_reasons(db: Database, claim_id: int, evidence_id: int) -> list[dict[str, Any]]:
    """Why the link of the pair was suggested, as its ``link.added`` event recorded it (the newest such
    event; [] when the link was not made from a suggestion)."""
    row = db.query_one(
        "SELECT payload FROM events WHERE action = 'link.added' AND claim_id = ? AND evidence_id = ?"
        " ORDER BY seq DESC LIMIT 1", (claim_id, evidence_id))
    if row is None:
        return []
    return json.loads(row["payload"]).get("suggestion", {}).get("reasons", [])
