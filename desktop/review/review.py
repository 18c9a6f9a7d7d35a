"""Review states per claim, and a sign-off bound to exactly the evidence it was given on.

States: ``pending`` 待审核 / ``verified`` 已核实 / ``questioned`` 存疑 / ``needs_more`` 需补充 /
``not_required`` 无需佐证. Every review is a new row in ``reviews`` (the full history per claim stays) plus
one audit event; only the reviewer role (审核) may set one.

The inspector's 无需佐证 is a review state. It is separate from the evaluation group's own "this claim needs
no evidence" (``claims.needs_evidence = 0`` with ``no_evidence_reason``, set by the linking service): an
editor may *say* a claim needs no evidence, only an inspector can *accept* that.

Each review records its **basis**: the claim's value as written and, for every linked file, its SHA-256,
its locator and the newer versions of that file known at the time. ``fingerprint`` is the SHA-256 of the
canonical JSON of the value plus the sorted (sha256, locator) pairs. A 已核实 review is **stale**
(已变更，需复核) when, now,

* the fingerprint differs: a link was added or removed, a locator changed, the value was edited; or
* a linked file has a newer version it did not have at sign-off (an evidence row whose ``supersedes`` is
  the linked file, registered when the same path received new bytes — by hand or by the watcher).

Staleness is computed on every read, never stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from db.audit import canonical_json
from db.changes import NO_CHANGES, Changes
from db.database import Database
from desktop.errors import DeskError
from desktop.workspace import require_role

STATES = ("pending", "verified", "questioned", "needs_more", "not_required")
REVIEWER = ("reviewer",)
STALE = "stale"  # display state of a verified claim whose basis changed; never stored
MAX_COMMENT = 4000
VALUE_FIELDS = ("value_raw", "value", "value_high", "unit", "scale")
ACTIVE = "c.state = 'active' AND r.state = 'active'"


@dataclass
class ReviewInfo:
    """The latest review of one claim, with its staleness worked out now."""

    claim_id: int
    review_id: int
    state: str
    comment: str | None
    reviewer: str
    created_at: str
    fingerprint: str | None
    stale: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def display_state(self) -> str:
        return STALE if self.stale else self.state


@dataclass
class ReviewChange:
    claim_id: int
    review_id: int
    state: str
    before: str  # the state before (pending when never reviewed)
    before_stale: bool
    comment: str | None
    fingerprint: str
    seq: int  # the audit event
    request_ids: list[int] = field(default_factory=list)  # 补充材料 requests raised with this review
    changes: Changes = NO_CHANGES


# --- basis and fingerprint ---------------------------------------------------------------------


def fingerprint(basis: dict[str, Any]) -> str:
    """SHA-256 of the claim's value plus the sorted (sha256, locator) pairs of its linked files."""
    body = {
        "value": basis["value"],
        "evidence": sorted([e["sha256"], e.get("locator") or ""] for e in basis["evidence"]),
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _newer_versions(conn: sqlite3.Connection) -> dict[int, list[int]]:
    """evidence id → ids of its newest versions (leaves of the supersedes chain), for superseded files."""
    children: dict[int, list[int]] = defaultdict(list)
    for r in conn.execute("SELECT id, supersedes FROM evidence WHERE supersedes IS NOT NULL"):
        children[r[1]].append(r[0])
    out: dict[int, list[int]] = {}
    for root in children:
        leaves, seen, stack = set(), {root}, list(children[root])
        while stack:
            eid = stack.pop()
            if eid in seen:
                continue
            seen.add(eid)
            if children.get(eid):
                stack.extend(children[eid])
            else:
                leaves.add(eid)
        out[root] = sorted(leaves)
    return out


def _bases(conn: sqlite3.Connection, claim_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The current basis of each claim in ``claim_ids`` (claims that do not exist are left out)."""
    out: dict[int, dict[str, Any]] = {}
    if not claim_ids:
        return out
    newer = _newer_versions(conn)
    for chunk in _chunks(sorted(set(claim_ids))):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            f"SELECT id, {', '.join(VALUE_FIELDS)} FROM claims WHERE id IN ({marks})", chunk
        ):
            out[r["id"]] = {"value": {k: r[k] for k in VALUE_FIELDS}, "evidence": []}
        for r in conn.execute(
            f"""SELECT l.claim_id, l.evidence_id, l.locator, e.sha256, e.name
                FROM links l JOIN evidence e ON e.id = l.evidence_id
                WHERE l.claim_id IN ({marks})""",
            chunk,
        ):
            if r["claim_id"] in out:
                out[r["claim_id"]]["evidence"].append(
                    {
                        "evidence_id": r["evidence_id"],
                        "sha256": r["sha256"],
                        "locator": r["locator"],
                        "name": r["name"],
                        "newer": newer.get(r["evidence_id"], []),
                    }
                )
    for b in out.values():
        b["evidence"].sort(key=lambda e: (e["sha256"], e["locator"] or ""))
    return out


def current_basis(db: Database, claim_id: int) -> dict[str, Any]:
    basis = _bases(db.conn, [claim_id]).get(claim_id)
    if basis is None:
        raise DeskError("claim.not_found", claim_id=claim_id)
    return basis


def _value_text(v: dict[str, Any]) -> str:
    return f"{v.get('value_raw') or v.get('value') or ''}{v.get('unit') or ''}"


def stale_reasons(then: dict[str, Any] | None, now: dict[str, Any], then_fp: str | None) -> list[dict[str, Any]]:
    """What changed between the basis a sign-off was given on and the claim as it is now.

    Codes: ``value_changed``, ``link_added``, ``link_removed``, ``locator_changed``, ``file_superseded``,
    and ``evidence_changed`` for an old review that kept only a fingerprint.
    """
    if then is None:
        if then_fp is not None and then_fp != fingerprint(now):
            return [{"code": "evidence_changed"}]
        return []
    reasons: list[dict[str, Any]] = []
    if then["value"] != now["value"]:
        reasons.append({"code": "value_changed", "before": _value_text(then["value"]),
                        "after": _value_text(now["value"])})
    old = {e["sha256"]: e for e in then["evidence"]}
    new = {e["sha256"]: e for e in now["evidence"]}
    for sha in sorted(set(new) - set(old), key=lambda s: new[s]["evidence_id"]):
        e = new[sha]
        reasons.append({"code": "link_added", "evidence_id": e["evidence_id"], "name": e["name"]})
    for sha in sorted(set(old) - set(new), key=lambda s: old[s]["evidence_id"]):
        e = old[sha]
        reasons.append({"code": "link_removed", "evidence_id": e["evidence_id"], "name": e["name"]})
    for sha in sorted(set(old) & set(new), key=lambda s: new[s]["evidence_id"]):
        a, b = old[sha], new[sha]
        if (a.get("locator") or "") != (b.get("locator") or ""):
            reasons.append({"code": "locator_changed", "evidence_id": b["evidence_id"], "name": b["name"],
                            "before": a.get("locator") or "", "after": b.get("locator") or ""})
        if set(b.get("newer") or []) - set(a.get("newer") or []):
            reasons.append({"code": "file_superseded", "evidence_id": b["evidence_id"], "name": b["name"],
                            "newer": sorted(set(b["newer"]) - set(a.get("newer") or []))})
    return reasons


# --- reads -------------------------------------------------------------------------------------


def _has_basis(conn: sqlite3.Connection) -> bool:
    # A workspace opened read-only before migration 0005 ran has no ``basis`` column yet.
    return any(r[1] == "basis" for r in conn.execute("PRAGMA table_info(reviews)"))


def _latest_rows(conn: sqlite3.Connection, claim_ids: list[int] | None) -> list[sqlite3.Row]:
    basis = "basis" if _has_basis(conn) else "NULL AS basis"
    cols = f"id, claim_id, state, comment, reviewer, fingerprint, {basis}, created_at"
    if claim_ids is None:
        return conn.execute(
            f"SELECT {cols} FROM reviews WHERE id IN (SELECT max(id) FROM reviews GROUP BY claim_id)"
        ).fetchall()
    rows: list[sqlite3.Row] = []
    for chunk in _chunks(sorted(set(claim_ids))):
        marks = ",".join("?" * len(chunk))
        rows.extend(
            conn.execute(
                f"SELECT {cols} FROM reviews WHERE id IN"
                f" (SELECT max(id) FROM reviews WHERE claim_id IN ({marks}) GROUP BY claim_id)",
                chunk,
            )
        )
    return rows


def _overview(conn: sqlite3.Connection, claim_ids: list[int] | None) -> dict[int, ReviewInfo]:
    rows = _latest_rows(conn, claim_ids)
    verified = [r["claim_id"] for r in rows if r["state"] == "verified"]
    bases = _bases(conn, verified)
    out: dict[int, ReviewInfo] = {}
    for r in rows:
        info = ReviewInfo(r["claim_id"], r["id"], r["state"], r["comment"], r["reviewer"], r["created_at"],
                          r["fingerprint"])
        if r["state"] == "verified" and r["claim_id"] in bases:
            then = json.loads(r["basis"]) if r["basis"] else None
            info.reasons = stale_reasons(then, bases[r["claim_id"]], r["fingerprint"])
            info.stale = bool(info.reasons)
        out[r["claim_id"]] = info
    return out


def review_overview(db: Database, claim_ids: Iterable[int] | None = None) -> dict[int, ReviewInfo]:
    """Latest review of each claim that has one (all claims, or those in ``claim_ids``), staleness included."""
    return _overview(db.conn, None if claim_ids is None else list(claim_ids))


def review_info(db: Database, claim_id: int) -> ReviewInfo | None:
    return review_overview(db, [claim_id]).get(claim_id)


def review_history(db: Database, claim_id: int) -> list[dict[str, Any]]:
    """Every review of the claim, newest first."""
    rows = db.query(
        "SELECT id, claim_id, state, comment, reviewer, fingerprint, created_at FROM reviews"
        " WHERE claim_id = ? ORDER BY id DESC",
        (claim_id,),
    )
    return [dict(r) for r in rows]


def review_progress(db: Database) -> dict[str, int]:
    """Counts of active claims per display state (``stale`` apart from ``verified``) and the total."""
    with db.snapshot() as conn:
        ids = [r[0] for r in conn.execute(
            f"SELECT c.id FROM claims c JOIN reports r ON r.id = c.report_id WHERE {ACTIVE}")]
        overview = _overview(conn, None)
    counts = {s: 0 for s in (*STATES, STALE)}
    for cid in ids:
        info = overview.get(cid)
        counts[info.display_state if info else "pending"] += 1
    counts["total"] = len(ids)
    counts["reviewed"] = len(ids) - counts["pending"]
    return counts


# --- the mutation ------------------------------------------------------------------------------


def review_claim(db: Database, *, claim_id: int, state: str, comment: str | None = None,
                 requests: Iterable[str] | None = None, due: str | None = None) -> ReviewChange:
    """Record a review of one claim (reviewer role only), bound to the claim's evidence as it is now.

    A 需补充 review may carry 补充材料 ``requests`` (what is missing, one text each) with an optional ``due``
    date (``YYYY-MM-DD``): the review and each request are one mutation each, committed together.
    """
    from desktop.review import requests as req

    require_role(db, "review.set", *REVIEWER)
    if state not in STATES:
        raise DeskError("review.bad_state", state=state)
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise DeskError("review.comment_too_long", max=MAX_COMMENT)
    texts = req.check_texts(requests)
    if texts and state != "needs_more":
        raise DeskError("request.needs_more_only", state=state)
    due = req.parse_due(due)
    if due is not None and not texts:
        raise DeskError("request.due_without_request")
    with db.write(mutations=1 + len(texts)) as tx:
        claim = tx.execute(
            f"SELECT c.id, ({ACTIVE}) AS active FROM claims c JOIN reports r ON r.id = c.report_id"
            " WHERE c.id = ?",
            (claim_id,),
        ).fetchone()
        if claim is None:
            raise DeskError("claim.not_found", claim_id=claim_id)
        if not claim["active"]:
            raise DeskError("review.claim_inactive", claim_id=claim_id)
        before = _overview(tx.conn, [claim_id]).get(claim_id)
        basis = _bases(tx.conn, [claim_id])[claim_id]
        fp = fingerprint(basis)
        review_id = tx.insert(
            "reviews",
            {
                "claim_id": claim_id,
                "state": state,
                "comment": comment,
                "reviewer": tx.actor,
                "fingerprint": fp,
                "basis": canonical_json(basis),
                "created_at": tx.now,
            },
        )
        before_state = before.state if before else "pending"
        before_stale = bool(before and before.stale)
        ev = tx.event(
            "review.set",
            {
                "review_id": review_id,
                "state": state,
                "before": before_state,
                "before_stale": before_stale,
                "comment": comment,
                "fingerprint": fp,
                "basis": basis,
            },
            claim_id=claim_id,
        )
        created = [req.create_in(tx, claim_id=claim_id, review_id=review_id, text=t, due=due) for t in texts]
    return ReviewChange(claim_id, review_id, state, before_state, before_stale, comment, fp, ev["seq"],
                        [r["id"] for r in created], tx.changes)


def review_claims(
    db: Database, *, claim_ids: Iterable[int], state: str, comment: str | None = None
) -> list[ReviewChange]:
    """The same review for several claims (one event each: each claim has its own basis)."""
    require_role(db, "review.set", *REVIEWER)
    return [review_claim(db, claim_id=cid, state=state, comment=comment) for cid in claim_ids]


def record_review_in(tx, *, claim_id: int, state: str, comment: str | None, reviewer: str, fingerprint: str,
                     basis: dict[str, Any] | None, origin: str, detail: dict[str, Any]) -> dict[str, Any] | None:
    """Record, inside ``tx``, a review made elsewhere (an inspector's, arriving in a return): the row with
    the basis it was given on over there (so it turns 已变更，需复核 here if the claim or its evidence has
    changed since) and a ``review.set`` event attributed to that reviewer. None when the claim is gone."""
    if state not in STATES:
        raise DeskError("review.bad_state", state=state)
    claim = tx.execute(
        f"SELECT c.id, ({ACTIVE}) AS active FROM claims c JOIN reports r ON r.id = c.report_id WHERE c.id = ?",
        (claim_id,),
    ).fetchone()
    if claim is None:
        return None
    before = _overview(tx.conn, [claim_id]).get(claim_id)
    review_id = tx.insert("reviews", {
        "claim_id": claim_id, "state": state, "comment": comment, "reviewer": reviewer, "fingerprint": fingerprint,
        "basis": canonical_json(basis) if basis is not None else None, "created_at": tx.now, "origin": origin,
    })
    payload = {"review_id": review_id, "state": state, "before": before.state if before else "pending",
               "before_stale": bool(before and before.stale), "comment": comment, "fingerprint": fingerprint,
               "basis": basis, "origin": origin, **detail}
    ev = tx.event("review.set", payload, claim_id=claim_id, actor=reviewer, role="reviewer")
    return {"review_id": review_id, "claim_id": claim_id, "state": state, "seq": ev["seq"]}
