"""Links between claims and evidence, and the other choices an editor makes about a claim's evidence.

Every change is rows + one audit event in one transaction, refused to the reviewer role:
link / unlink (one pair, or many), edit a link's locator and note, accept a suggestion as a link, reject
a suggestion (it stays rejected) or take the rejection back, mark a claim 无需佐证 with a reason or take
that back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from db.changes import NO_CHANGES, Changes
from db.database import Database
from desktop.errors import DeskError
from desktop.workspace import require_role

EDITOR = ("editor",)
ORIGINS = ("manual", "drag", "suggestion", "demo", "import", "undo", "version")


class _Unset:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "UNSET"


UNSET: Any = _Unset()


@dataclass
class LinkChange:
    claim_id: int
    evidence_id: int
    action: str  # linked / unlinked / updated
    link_id: int | None
    locator: str | None = None
    note: str | None = None
    origin: str | None = None
    changes: Changes = NO_CHANGES


@dataclass
class NeedChange:
    """Whether a claim needs evidence (无需佐证 marked or taken back)."""

    claim_id: int
    action: str  # marked_not_required / unmarked_not_required
    needs_evidence: bool
    reason: str | None
    previous_reason: str | None = None
    changes: Changes = NO_CHANGES


@dataclass
class RejectionChange:
    claim_id: int
    evidence_id: int
    action: str  # rejected / unrejected
    changes: Changes = NO_CHANGES


def _check(db: Database, claim_id: int, evidence_id: int | None = None) -> None:
    if db.query_one("SELECT 1 FROM claims WHERE id = ?", (claim_id,)) is None:
        raise DeskError("claim.not_found", claim_id=claim_id)
    if evidence_id is not None and db.query_one("SELECT 1 FROM evidence WHERE id = ?", (evidence_id,)) is None:
        raise DeskError("evidence.not_found", evidence_id=evidence_id)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def link_evidence(
    db: Database,
    *,
    claim_id: int,
    evidence_id: int,
    locator: str | None = None,
    note: str | None = None,
    origin: str = "manual",
    auto_locator: bool = True,
    detail: dict[str, Any] | None = None,
) -> LinkChange:
    """Link a claim to an evidence file. Without a locator, the place the file states the value is used."""
    require_role(db, "link.add", *EDITOR)
    _check(db, claim_id, evidence_id)
    locator, note = _clean(locator), _clean(note)
    auto = False
    if locator is None and auto_locator:
        from desktop.review.suggest import locate

        hit = locate(db, claim_id, evidence_id)
        if hit is not None and hit["locator"]:
            locator, auto = hit["locator"], True
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
        payload: dict[str, Any] = {"locator": locator, "note": note, "origin": origin}
        if auto:
            payload["locator_auto"] = True
        if detail:
            payload.update(detail)
        tx.event("link.added", payload, claim_id=claim_id, evidence_id=evidence_id)
    return LinkChange(claim_id, evidence_id, "linked", link_id, locator, note, origin, tx.changes)


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
    return LinkChange(claim_id, evidence_id, "unlinked", row["id"], row["locator"], row["note"], row["origin"],
                      tx.changes)


def link_many(
    db: Database, *, claim_ids: Iterable[int], evidence_ids: Iterable[int], origin: str = "manual"
) -> list[LinkChange]:
    """Link every selected claim to every selected file (pairs already linked are skipped).

    Each link is its own change with its own audit event, so a claim's history shows every link it got.
    """
    require_role(db, "link.add", *EDITOR)
    evidence_ids = list(evidence_ids)
    existing = {(r[0], r[1]) for r in db.query("SELECT claim_id, evidence_id FROM links")}
    changes = []
    for c in claim_ids:
        for e in evidence_ids:
            if (c, e) in existing:
                continue
            changes.append(link_evidence(db, claim_id=c, evidence_id=e, origin=origin))
            existing.add((c, e))
    return changes


def update_link(
    db: Database, *, claim_id: int, evidence_id: int, locator: Any = UNSET, note: Any = UNSET
) -> LinkChange:
    """Change a link's locator and/or note (``None`` or blank clears it)."""
    require_role(db, "link.edit", *EDITOR)
    with db.write() as tx:
        row = tx.execute(
            "SELECT id, locator, note, origin FROM links WHERE claim_id = ? AND evidence_id = ?",
            (claim_id, evidence_id),
        ).fetchone()
        if row is None:
            raise DeskError("link.not_found", claim_id=claim_id, evidence_id=evidence_id)
        new_locator = row["locator"] if locator is UNSET else _clean(locator)
        new_note = row["note"] if note is UNSET else _clean(note)
        if (new_locator, new_note) == (row["locator"], row["note"]):
            raise DeskError("link.nothing_to_change", claim_id=claim_id, evidence_id=evidence_id)
        tx.execute("UPDATE links SET locator = ?, note = ? WHERE id = ?", (new_locator, new_note, row["id"]))
        tx.event(
            "link.updated",
            {"before": {"locator": row["locator"], "note": row["note"]},
             "after": {"locator": new_locator, "note": new_note}},
            claim_id=claim_id,
            evidence_id=evidence_id,
        )
    return LinkChange(claim_id, evidence_id, "updated", row["id"], new_locator, new_note, row["origin"],
                      tx.changes)


# -- suggestions ------------------------------------------------------------------------------


def link_suggestion(db: Database, *, claim_id: int, evidence_id: int | None = None) -> LinkChange:
    """Accept a suggestion (the best one for the claim, or the one for ``evidence_id``) as a link.

    The link takes the suggestion's locator; the audit event records its score, strength and reasons.
    """
    from desktop.review.suggest import SuggestionEngine

    require_role(db, "link.add", *EDITOR)
    _check(db, claim_id, evidence_id)
    if evidence_id is not None and db.query_one(
        "SELECT 1 FROM suggestion_rejections WHERE claim_id = ? AND evidence_id = ?", (claim_id, evidence_id)
    ):
        raise DeskError("suggestion.rejected", claim_id=claim_id, evidence_id=evidence_id)
    found = SuggestionEngine(db).for_claims([claim_id], limit=None).get(claim_id, [])
    pick = found[0] if found and evidence_id is None else next(
        (s for s in found if s.evidence_id == evidence_id), None)
    if pick is None:
        if evidence_id is not None and db.query_one(
            "SELECT 1 FROM links WHERE claim_id = ? AND evidence_id = ?", (claim_id, evidence_id)
        ):
            raise DeskError("link.exists", claim_id=claim_id, evidence_id=evidence_id)
        if evidence_id is not None:
            raise DeskError("suggestion.not_suggested", claim_id=claim_id, evidence_id=evidence_id)
        raise DeskError("suggestion.not_found", claim_id=claim_id)
    return link_evidence(
        db,
        claim_id=claim_id,
        evidence_id=pick.evidence_id,
        locator=pick.locator,
        origin="suggestion",
        auto_locator=False,
        detail={"suggestion": {"score": round(pick.score, 3), "strength": pick.strength,
                               "reasons": pick.reasons}},
    )


def reject_suggestion(db: Database, *, claim_id: int, evidence_id: int) -> RejectionChange:
    """This file does not back this claim: never suggest the pair again."""
    require_role(db, "suggestion.reject", *EDITOR)
    _check(db, claim_id, evidence_id)
    with db.write() as tx:
        if tx.execute(
            "SELECT 1 FROM suggestion_rejections WHERE claim_id = ? AND evidence_id = ?", (claim_id, evidence_id)
        ).fetchone():
            raise DeskError("suggestion.already_rejected", claim_id=claim_id, evidence_id=evidence_id)
        tx.insert("suggestion_rejections", {"claim_id": claim_id, "evidence_id": evidence_id, "actor": tx.actor,
                                            "created_at": tx.now})
        tx.event("suggestion.rejected", {}, claim_id=claim_id, evidence_id=evidence_id)
    return RejectionChange(claim_id, evidence_id, "rejected", tx.changes)


def unreject_suggestion(db: Database, *, claim_id: int, evidence_id: int) -> RejectionChange:
    """Take a rejection back (undo): the pair may be suggested again."""
    require_role(db, "suggestion.reject", *EDITOR)
    with db.write() as tx:
        cur = tx.execute(
            "DELETE FROM suggestion_rejections WHERE claim_id = ? AND evidence_id = ?", (claim_id, evidence_id)
        )
        if cur.rowcount == 0:
            raise DeskError("suggestion.not_rejected", claim_id=claim_id, evidence_id=evidence_id)
        tx.event("suggestion.unrejected", {}, claim_id=claim_id, evidence_id=evidence_id)
    return RejectionChange(claim_id, evidence_id, "unrejected", tx.changes)


# -- 无需佐证 ---------------------------------------------------------------------------------------


def mark_not_required(db: Database, *, claim_id: int, reason: str) -> NeedChange:
    """Mark a claim as needing no evidence (无需佐证), with the reason why."""
    require_role(db, "claim.not_required", *EDITOR)
    reason = _clean(reason)  # type: ignore[assignment]
    if not reason:
        raise DeskError("claim.reason_required", claim_id=claim_id)
    with db.write() as tx:
        row = tx.execute("SELECT needs_evidence, no_evidence_reason FROM claims WHERE id = ?", (claim_id,)).fetchone()
        if row is None:
            raise DeskError("claim.not_found", claim_id=claim_id)
        if not row["needs_evidence"]:
            raise DeskError("claim.already_not_required", claim_id=claim_id)
        tx.execute("UPDATE claims SET needs_evidence = 0, no_evidence_reason = ?, updated_at = ? WHERE id = ?",
                   (reason, tx.now, claim_id))
        tx.event("claim.marked_not_required", {"reason": reason}, claim_id=claim_id)
    return NeedChange(claim_id, "marked_not_required", False, reason, row["no_evidence_reason"], tx.changes)


def unmark_not_required(db: Database, *, claim_id: int) -> NeedChange:
    """The claim needs evidence again (undo of :func:`mark_not_required`)."""
    require_role(db, "claim.not_required", *EDITOR)
    with db.write() as tx:
        row = tx.execute("SELECT needs_evidence, no_evidence_reason FROM claims WHERE id = ?", (claim_id,)).fetchone()
        if row is None:
            raise DeskError("claim.not_found", claim_id=claim_id)
        if row["needs_evidence"]:
            raise DeskError("claim.not_marked", claim_id=claim_id)
        tx.execute("UPDATE claims SET needs_evidence = 1, no_evidence_reason = NULL, updated_at = ? WHERE id = ?",
                   (tx.now, claim_id))
        tx.event("claim.unmarked_not_required", {"reason": row["no_evidence_reason"]}, claim_id=claim_id)
    return NeedChange(claim_id, "unmarked_not_required", True, None, row["no_evidence_reason"], tx.changes)
