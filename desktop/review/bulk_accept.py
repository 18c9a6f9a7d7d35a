"""Accepting the strong suggestion of many claims at once: first the plan, then the links.

A bulk accept must not link ten files unseen. :func:`plan_bulk_accept` says what it would do — each
selected claim with its best suggestion when that one is strong, the file's name, where the value is,
and why — for a confirmation list in which the user unticks what to skip; :func:`accept_planned`
then links exactly the pairs kept, each as an ordinary accepted suggestion (one audit event each).
Claims marked 无需佐证 are left out of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from db.database import Database
from desktop.errors import DeskError
from desktop.review.links import LinkChange, link_suggestion
from desktop.review.suggest import STRONG, SuggestionEngine


@dataclass
class PlannedLink:
    claim_id: int
    evidence_id: int
    evidence_name: str | None
    locator: str | None
    score: float
    reasons: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "evidence_id": self.evidence_id, "evidence_name": self.evidence_name,
                "locator": self.locator, "score": round(self.score, 3), "reasons": self.reasons}


@dataclass
class BulkAcceptPlan:
    links: list[PlannedLink]  # in the order of the claims asked for
    without_strong: list[int]  # claims asked for that have no strong suggestion (or need no evidence)


def _not_required(db: Database, claim_ids: list[int]) -> set[int]:
    if not claim_ids:
        return set()
    marks = ",".join("?" * len(claim_ids))
    return {r[0] for r in db.query(f"SELECT id FROM claims WHERE needs_evidence = 0 AND id IN ({marks})", claim_ids)}


def plan_bulk_accept(engine: SuggestionEngine, claim_ids: Iterable[int]) -> BulkAcceptPlan:
    """What accepting the strong suggestion of each of ``claim_ids`` would link (nothing is written)."""
    ids = list(dict.fromkeys(claim_ids))
    skip = _not_required(engine.db, ids)
    found = engine.for_claims([c for c in ids if c not in skip], limit=1)
    links, without = [], []
    for cid in ids:
        best = (found.get(cid) or [None])[0]
        if best is None or best.strength != STRONG:
            without.append(cid)
            continue
        links.append(PlannedLink(cid, best.evidence_id, engine.evidence_name(best.evidence_id), best.locator,
                                 best.score, best.reasons))
    return BulkAcceptPlan(links, without)


@dataclass
class BulkAcceptResult:
    linked: list[LinkChange]
    failed: list[tuple[int, int, str]]  # (claim, evidence, error code): the pair changed since the plan


def accept_planned(db: Database, pairs: Iterable[tuple[int, int]]) -> BulkAcceptResult:
    """Link each kept ``(claim_id, evidence_id)`` of a plan as an accepted suggestion.

    A pair that can no longer be accepted (linked or rejected meanwhile, the file superseded) is
    reported in ``failed`` with its error code; the others are linked.
    """
    linked, failed = [], []
    for claim_id, evidence_id in pairs:
        try:
            linked.append(link_suggestion(db, claim_id=claim_id, evidence_id=evidence_id))
        except DeskError as exc:
            if exc.code in ("claim.not_found", "evidence.not_found") or exc.code.startswith(("link.", "suggestion.")):
                failed.append((claim_id, evidence_id, exc.code))
            else:
                raise
    return BulkAcceptResult(linked, failed)


__all__ = ["PlannedLink", "BulkAcceptPlan", "BulkAcceptResult", "plan_bulk_accept", "accept_planned"]
