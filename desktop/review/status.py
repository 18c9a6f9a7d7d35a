"""Where a workspace stands: flags (computed, never stored), completeness, the ``status --json`` shape.

The GUI models and the CLI read through the same two functions, :func:`claim_rows` and
:func:`evidence_rows`, so the window and ``status --json`` can never disagree.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from db.database import Database
from desktop.review.review import review_overview

CLAIM_FLAGS = ("no_evidence", "review_stale")
EVIDENCE_FLAGS = ("unlinked", "ingest_error")

ACTIVE_CLAIMS = "c.state = 'active' AND r.state = 'active'"


@dataclass
class Completeness:
    claims: int
    with_evidence: int

    @property
    def without_evidence(self) -> int:
        return self.claims - self.with_evidence


def _in(ids: Iterable[int] | None, column: str) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    ids = list(ids)
    if not ids:
        return " AND 0", []
    return f" AND {column} IN ({','.join('?' * len(ids))})", ids


def latest_reviews(db: Database, claim_ids: Iterable[int] | None = None) -> dict[int, str]:
    where, params = _in(claim_ids, "claim_id")
    rows = db.query(
        "SELECT claim_id, state FROM reviews WHERE id IN"
        f" (SELECT max(id) FROM reviews WHERE 1{where} GROUP BY claim_id)",
        params,
    )
    return {r["claim_id"]: r["state"] for r in rows}


def claim_flags(claim: dict[str, Any], evidence_ids: list[int]) -> list[str]:
    flags = []
    if claim["needs_evidence"] and not evidence_ids:
        flags.append("no_evidence")
    return flags


def claim_rows(db: Database, claim_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Active claims (all, or those in ``claim_ids``) with their evidence ids, flags and review."""
    where, params = _in(claim_ids, "c.id")
    with db.snapshot():
        rows = db.query(
            f"""SELECT c.id, c.report_id, c.quote, c.value, c.value_raw, c.unit, c.scale, c.subject,
                       c.section, c.part, c.page, c.start, c."end", c.kind, c.flags AS extract_flags,
                       c.needs_evidence, c.no_evidence_reason, c.origin, c.confidence
                FROM claims c JOIN reports r ON r.id = c.report_id
                WHERE {ACTIVE_CLAIMS}{where}
                ORDER BY c.report_id, c.start, c.id""",
            params,
        )
        lwhere, lparams = _in(claim_ids, "claim_id")
        by_claim: dict[int, list[int]] = defaultdict(list)
        for link in db.query(
            f"SELECT claim_id, evidence_id FROM links WHERE 1{lwhere} ORDER BY claim_id, evidence_id", lparams
        ):
            by_claim[link["claim_id"]].append(link["evidence_id"])
        reviews = review_overview(db, None if claim_ids is None else [r["id"] for r in rows])
    out = []
    for r in rows:
        c = dict(r)
        c["extract_flags"] = json.loads(c["extract_flags"] or "[]")
        c["evidence_ids"] = by_claim.get(c["id"], [])
        c["flags"] = claim_flags(c, c["evidence_ids"])
        info = reviews.get(c["id"])
        c["review"] = info.state if info else "pending"
        c["review_stale"] = bool(info and info.stale)  # a 已核实 whose evidence or value changed since
        if c["review_stale"]:
            c["flags"].append("review_stale")
        out.append(c)
    return out


def evidence_rows(db: Database, evidence_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Evidence (all, or those in ``evidence_ids``) with present paths, linked active claims, flags."""
    where, params = _in(evidence_ids, "e.id")
    with db.snapshot():
        rows = db.query(f"SELECT e.* FROM evidence e WHERE 1{where} ORDER BY e.id", params)
        pwhere, pparams = _in(evidence_ids, "evidence_id")
        paths: dict[int, list[str]] = defaultdict(list)
        for p in db.query(
            f"SELECT evidence_id, path FROM evidence_paths WHERE present = 1{pwhere} ORDER BY id", pparams
        ):
            paths[p["evidence_id"]].append(p["path"])
        lwhere, lparams = _in(evidence_ids, "l.evidence_id")
        linked: dict[int, list[int]] = defaultdict(list)
        any_link: set[int] = set()
        for link in db.query(
            f"""SELECT l.evidence_id, l.claim_id, ({ACTIVE_CLAIMS}) AS active
                FROM links l JOIN claims c ON c.id = l.claim_id JOIN reports r ON r.id = c.report_id
                WHERE 1{lwhere} ORDER BY l.evidence_id, l.claim_id""",
            lparams,
        ):
            any_link.add(link["evidence_id"])
            if link["active"]:
                linked[link["evidence_id"]].append(link["claim_id"])
    out = []
    for r in rows:
        e = dict(r)
        e["paths"] = paths.get(e["id"], [])
        e["claim_ids"] = linked.get(e["id"], [])
        flags = []
        if e["id"] not in any_link:
            flags.append("unlinked")
        if e["status"] == "error":
            flags.append("ingest_error")
        e["flags"] = flags
        out.append(e)
    return out


def completeness(db: Database) -> Completeness:
    claims = claim_rows(db)
    return Completeness(len(claims), sum(1 for c in claims if "no_evidence" not in c["flags"]))


def workspace_status(db: Database) -> dict[str, Any]:
    with db.snapshot():
        claims = claim_rows(db)
        evidence = evidence_rows(db)
    claims_out = [
        {
            "id": c["id"],
            "report_id": c["report_id"],
            "quote": c["quote"],
            "value": c["value"],
            "unit": c["unit"],
            "subject": c["subject"],
            "section": c["section"],
            "part": c["part"],
            "page": c["page"],
            "evidence_ids": c["evidence_ids"],
            "flags": c["flags"],
            "review": c["review"],
            "review_stale": c["review_stale"],
        }
        for c in claims
    ]
    evidence_out = [
        {
            "id": e["id"],
            "sha256": e["sha256"],
            "name": e["name"],
            "paths": e["paths"],
            "status": e["status"],
            "error": e["error"],
            "claim_ids": e["claim_ids"],
            "flags": e["flags"],
        }
        for e in evidence
    ]
    with_evidence = sum(1 for c in claims_out if "no_evidence" not in c["flags"])
    summary = {
        "claims": len(claims_out),
        "with_evidence": with_evidence,
        "without_evidence": len(claims_out) - with_evidence,
        "evidence": len(evidence_out),
        "unlinked_evidence": sum(1 for e in evidence_out if "unlinked" in e["flags"]),
    }
    review = {s: 0 for s in ("pending", "verified", "questioned", "needs_more", "not_required", "stale")}
    for c in claims_out:
        review["stale" if c["review_stale"] else c["review"]] += 1
    return {"summary": summary, "review": review, "claims": claims_out, "evidence": evidence_out}
