"""Links between claims and evidence: each change is rows + one audit event."""

from __future__ import annotations

from dataclasses import dataclass

from db.database import Database
from desktop.errors import DeskError
from desktop.workspace import require_role

EDITOR = ("editor",)


@dataclass
class LinkChange:
    claim_id: int
    evidence_id: int
    action: str  # linked / unlinked
    link_id: int | None
    locator: str | None = None


def _check(db: Database, claim_id: int, evidence_id: int) -> None:
    if db.query_one("SELECT 1 FROM claims WHERE id = ?", (claim_id,)) is None:
        raise DeskError("claim.not_found", claim_id=claim_id)
    if db.query_one("SELECT 1 FROM evidence WHERE id = ?", (evidence_id,)) is None:
        raise DeskError("evidence.not_found", evidence_id=evidence_id)


def link_evidence(
    db: Database,
    *,
    claim_id: int,
    evidence_id: int,
    locator: str | None = None,
    note: str | None = None,
    origin: str = "manual",
) -> LinkChange:
    require_role(db, "link.add", *EDITOR)
    _check(db, claim_id, evidence_id)
    with db.write() as tx:
        if tx.execute(
            "SELECT 1 FROM links WHERE claim_id = ? AND evidence_id = ?", (claim_id, evidence_id)
        ).fetchone():
            raise DeskError("link.exists", claim_id=claim_id, evidence_id=evidence_id)
        link_id = tx.insert(
            "links",
            {
                "claim_id": claim_id,
                "evidence_id": evidence_id,
                "locator": locator,
                "note": note,
                "origin": origin,
                "actor": tx.actor,
                "created_at": tx.now,
            },
        )
        tx.event(
            "link.added",
            {"locator": locator, "note": note, "origin": origin},
            claim_id=claim_id,
            evidence_id=evidence_id,
        )
    return LinkChange(claim_id, evidence_id, "linked", link_id, locator)


def unlink_evidence(db: Database, *, claim_id: int, evidence_id: int) -> LinkChange:
    require_role(db, "link.remove", *EDITOR)
    with db.write() as tx:
        row = tx.execute(
            "SELECT id, locator, note, origin FROM links WHERE claim_id = ? AND evidence_id = ?",
            (claim_id, evidence_id),
        ).fetchone()
        if row is None:
            raise DeskError("link.not_found", claim_id=claim_id, evidence_id=evidence_id)
        tx.execute("DELETE FROM links WHERE id = ?", (row["id"],))
        tx.event(
            "link.removed",
            {"locator": row["locator"], "note": row["note"], "origin": row["origin"]},
            claim_id=claim_id,
            evidence_id=evidence_id,
        )
    return LinkChange(claim_id, evidence_id, "unlinked", row["id"], row["locator"])
