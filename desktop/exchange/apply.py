"""Applying an inspector's return at the group's (``apply WS RETURN.zip``).

The return is verified first (every member against its manifest; names, links and inflation before
that), then checked for what it says: that it answers a package **this** workspace exported (its id and
manifest hash are in ``exports``), and that ``return.json`` is consistent in itself — its audit chain
recomputes from the start, begins with the ``package.received`` of that package and ends at the
manifest's head, every review is the one its ``review.set`` event recorded, every request is the row its
last ``request.*`` event carried. Anything else is refused, in words, before anything is written.

Then, in one transaction: each review not applied before (``reviews.origin`` = review workspace id / R id)
becomes a review here with a ``review.set`` event attributed to the inspector who made it (its basis is
the one it was given on, so a claim changed here since the package shows 已变更，需复核); each request
newer than the copy here is taken, with its own event attributed to who changed it; then one
``return.applied`` event records the file. The same file a second time changes nothing and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db import audit
from desktop.errors import DeskError
from desktop.exchange.archive import VerificationFailed, VerifiedArchive, copy_into, open_return
from desktop.exchange.reply import FORMAT, FORMAT_VERSION, MEMBERS, RETURN_JSON
from desktop.workspace import Workspace, require_role

RECEIVED_DIR = "received"
KEEP = (RETURN_JSON, "审核意见书.xlsx", "审核意见书.pdf", "补充材料通知单.pdf")
REQUEST_FIELDS = ("uid", "claim_id", "text", "due", "state", "version", "answers", "comment", "created_by",
                  "created_at", "updated_by", "updated_at")


@dataclass
class Applied:
    path: Path
    return_id: str
    package_id: str
    inspector: str
    already: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seq: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "return_id": self.return_id, "package_id": self.package_id,
                "inspector": self.inspector, "already": self.already, "counts": self.counts, "seq": self.seq}


def _inconsistent(archive: VerifiedArchive, detail: str) -> VerificationFailed:
    return VerificationFailed(archive.path, [{"code": "return_inconsistent", "path": RETURN_JSON, "detail": detail}])


def read_body(archive: VerifiedArchive) -> dict[str, Any]:
    try:
        body = json.loads(archive.read(RETURN_JSON).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _inconsistent(archive, f"not JSON: {exc}") from None
    if not isinstance(body, dict) or not all(isinstance(body.get(k), list) for k in ("reviews", "requests", "events")):
        raise _inconsistent(archive, "reviews, requests, events")
    if body.get("return_id") != archive.manifest.get("return_id"):
        raise _inconsistent(archive, "return_id")
    return body


def check_body(archive: VerifiedArchive, body: dict[str, Any]) -> str:
    """The chain recomputes from the start to the manifest's head; reviews and requests are what their
    events recorded. Returns the review workspace's id (the hash of its first event)."""
    m = archive.manifest
    events = body["events"]
    prev, expected = audit.GENESIS, 1
    by_seq: dict[int, dict[str, Any]] = {}
    for ev in events:
        if not isinstance(ev, dict) or ev.get("seq") != expected or ev.get("prev_hash") != prev:
            raise _inconsistent(archive, f"audit chain at event {expected}")
        try:
            if audit.event_hash(prev, ev) != ev.get("hash"):
                raise _inconsistent(archive, f"audit event {expected} altered")
        except KeyError:
            raise _inconsistent(archive, f"audit event {expected} incomplete") from None
        prev, expected = ev["hash"], expected + 1
        by_seq[ev["seq"]] = ev
    head = m.get("audit") or {}
    if not events or head.get("seq") != events[-1]["seq"] or head.get("head") != events[-1]["hash"]:
        raise _inconsistent(archive, "audit head")
    first = events[0]
    try:
        pkg = json.loads(first["payload"]).get("package") or {}
    except (TypeError, ValueError):
        pkg = {}
    want = m.get("package") or {}
    if first["action"] != "package.received" or pkg.get("package_id") != want.get("package_id") \
            or pkg.get("manifest_sha256") != want.get("manifest_sha256"):
        raise _inconsistent(archive, "the review workspace was not made from this package")
    if (m.get("review_workspace") or {}).get("id") != first["hash"]:
        raise _inconsistent(archive, "review workspace id")
    for r in body["reviews"]:
        ev = by_seq.get(r.get("event_seq")) if isinstance(r, dict) else None
        if ev is None or ev["action"] != "review.set" or ev["hash"] != r.get("event_hash"):
            raise _inconsistent(archive, f"review {r.get('id') if isinstance(r, dict) else r}")
        p = json.loads(ev["payload"])
        same = (p.get("review_id") == r.get("id") and p.get("state") == r.get("state")
                and p.get("comment") == r.get("comment") and p.get("fingerprint") == r.get("fingerprint")
                and ev["claim_id"] == r.get("claim_id") and ev["actor"] == r.get("reviewer")
                and ev["ts"] == r.get("created_at"))
        if not same:
            raise _inconsistent(archive, f"review {r.get('id')}")
    last: dict[int, dict[str, Any]] = {}
    for ev in events:
        if ev["action"].startswith("request."):
            p = json.loads(ev["payload"])
            if isinstance(p.get("request_id"), int):
                last[p["request_id"]] = p.get("request") or {}
    for r in body["requests"]:
        rec = last.get(r.get("id")) if isinstance(r, dict) else None
        if rec is None or any(rec.get(k) != r.get(k) for k in REQUEST_FIELDS):
            raise _inconsistent(archive, f"request {r.get('id') if isinstance(r, dict) else r}")
    return first["hash"]


def _check_answers_us(ws: Workspace, archive: VerifiedArchive) -> dict[str, Any]:
    from desktop.exchange.plan import workspace_id

    want = archive.manifest.get("package") or {}
    row = ws.db.query_one("SELECT * FROM exports WHERE package_id = ? AND kind IN ('package', 'supplement')",
                          (want.get("package_id"),))
    if row is None or row["manifest_sha256"] != want.get("manifest_sha256"):
        if want.get("workspace_id") and want.get("workspace_id") != workspace_id(ws.db):
            raise DeskError("apply.other_workspace", path=str(archive.path),
                            workspace_name=want.get("workspace_name") or "?")
        raise DeskError("apply.not_exported_here", path=str(archive.path), package_id=want.get("package_id"))
    return dict(row)


def _open_checked(ws: Workspace, path: str | Path) -> tuple[VerifiedArchive, dict[str, Any], str]:
    """The return verified, checked to answer a package of this workspace, and consistent in itself:
    (archive, return.json, the review workspace's id). Raises before anything is written."""
    archive = open_return(path, fmt=FORMAT, version=FORMAT_VERSION, required=MEMBERS)
    m = archive.manifest
    if m.get("kind") != "return" or not isinstance(m.get("return_id"), str):
        raise DeskError("exchange.wrong_kind", path=str(archive.path), kind=str(m.get("kind")))
    _check_answers_us(ws, archive)
    body = read_body(archive)
    try:
        review_ws = check_body(archive, body)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a field missing or of the wrong kind
        raise _inconsistent(archive, f"{type(exc).__name__}: {exc}") from None
    return archive, body, review_ws


def preview_return(ws: Workspace, path: str | Path) -> dict[str, Any]:
    """What applying the return would do, without writing: verified and checked as :func:`apply_return`
    does (it raises the same refusals), then counted — reviews not applied yet, requests newer than the
    copy here, how many of the return's requests wait for the group — and whether it was applied before."""
    archive, body, review_ws = _open_checked(ws, path)
    m = archive.manifest
    already = ws.db.query_one("SELECT 1 FROM received WHERE exchange_id = ?", (m["return_id"],)) is not None
    new_reviews = sum(1 for r in body["reviews"] if ws.db.query_one(
        "SELECT 1 FROM reviews WHERE origin = ?", (f"{review_ws}/R{r['id']}",)) is None)
    newer = 0
    for r in body["requests"]:
        row = ws.db.query_one("SELECT version FROM requests WHERE uid = ?", (r.get("uid"),))
        if row is None or row["version"] < r.get("version", 0):
            newer += 1
    states: dict[str, int] = {}
    for r in body["requests"]:
        states[r.get("state")] = states.get(r.get("state"), 0) + 1
    return {"path": str(archive.path), "return_id": m["return_id"], "package_id": m["package"]["package_id"],
            "inspector": (m.get("created_by") or {}).get("name") or "", "created_at": m.get("created_at"),
            "already": already, "reviews": len(body["reviews"]), "new_reviews": 0 if already else new_reviews,
            "requests": len(body["requests"]), "newer_requests": 0 if already else newer,
            "request_states": states}


def apply_return(ws: Workspace, path: str | Path) -> Applied:
    """Apply an inspector's return to this workspace. 编制 only (the group applies what it was sent)."""
    require_role(ws.db, "return.apply", "editor")
    archive, body, review_ws = _open_checked(ws, path)
    m = archive.manifest
    return_id = m["return_id"]
    package_id = m["package"]["package_id"]
    inspector = (m.get("created_by") or {}).get("name") or ""
    if ws.db.query_one("SELECT 1 FROM received WHERE exchange_id = ?", (return_id,)):
        return Applied(archive.path, return_id, package_id, inspector, already=True)
    reviews = sorted(body["reviews"], key=lambda r: r["event_seq"])
    requests = sorted(body["requests"], key=lambda r: r["id"])
    from desktop.review.requests import merge_in
    from desktop.review.review import record_review_in

    with ws.db.write(mutations=len(reviews) + len(requests) + 1) as tx:
        applied, skipped, taken = [], [], []
        local_of: dict[int, int] = {}
        for r in reviews:
            origin = f"{review_ws}/R{r['id']}"
            known = tx.execute("SELECT id FROM reviews WHERE origin = ?", (origin,)).fetchone()
            if known:
                local_of[r["id"]] = known[0]
                continue
            done = record_review_in(tx, claim_id=r["claim_id"], state=r["state"], comment=r.get("comment"),
                                    reviewer=r["reviewer"], fingerprint=r["fingerprint"], basis=r.get("basis"),
                                    origin=origin,
                                    detail={"return_id": return_id, "reviewed_at": r["created_at"],
                                            "origin_event": {"seq": r["event_seq"], "hash": r["event_hash"]}})
            if done is None:
                skipped.append(r["claim_id"])
                continue
            local_of[r["id"]] = done["review_id"]
            applied.append(done)
        for r in requests:
            if tx.execute("SELECT 1 FROM claims WHERE id = ?", (r["claim_id"],)).fetchone() is None:
                skipped.append(r["claim_id"])
                continue
            rid = r.get("review_id")
            local = local_of.get(rid) if rid is not None else None
            if local is None and rid is not None:
                row = tx.execute("SELECT id FROM reviews WHERE origin = ?", (f"{review_ws}/R{rid}",)).fetchone()
                local = row[0] if row else None
            who = r.get("updated_by") or inspector
            after = merge_in(tx, r, actor=who, role="editor" if r["state"] == "answered" else "reviewer",
                             review_id=local, source={"return_id": return_id})
            if after is not None:
                taken.append(after)
        open_now = tx.execute("SELECT count(*) FROM requests WHERE state IN ('open', 'reopened')").fetchone()[0]
        counts = {"reviews": len(applied), "requests": len(taken), "skipped_claims": len(set(skipped)),
                  "open_requests": open_now}
        row = {"exchange_id": return_id, "kind": "return", "package_id": package_id,
               "manifest_sha256": archive.manifest_sha256, "file_sha256": archive.file_sha256,
               "sender": json.dumps({"name": inspector, "review_workspace": m.get("review_workspace")},
                                    ensure_ascii=False, sort_keys=True),
               "audit_seq": m["audit"]["seq"], "audit_head": m["audit"]["head"],
               "counts": json.dumps(counts, sort_keys=True), "actor": tx.actor, "created_at": tx.now}
        row["id"] = tx.insert("received", row)
        ev = tx.event("return.applied", {"received": {**row, "sender": json.loads(row["sender"]), "counts": counts},
                                         "reviews": applied, "requests": [t["id"] for t in taken],
                                         "skipped_claims": sorted(set(skipped))})
    try:  # copies for the record; the received row and the event hold the hashes
        copy_into(ws.root / RECEIVED_DIR / return_id, archive, list(KEEP))
    except (OSError, DeskError):
        pass
    return Applied(archive.path, return_id, package_id, inspector, counts=counts, seq=ev["seq"])
