"""补充材料 requests: what an inspector asks the evaluation group to add, for which claim, by when.

A request is raised with a 需补充 review (``review_claim(..., requests=[...])``) and then moves

    open 待补充 → answered 已答复 → accepted 已接受
                               ↘ reopened 已退回 → answered 已答复 → …

The evaluation group (编制) answers — the files it linked to the claim since the request are its answer,
or the evidence ids it names — and the inspector (审核) accepts or reopens the answer. Each change is one
row update plus one audit event (``request.created`` / ``request.answered`` / ``request.accepted`` /
``request.reopened``) whose payload carries the whole row as it is after the change (``request``) and the
state before (``before``).

``uid`` names a request wherever it travels (the inspector's review workspace, the group's workspace);
``version`` counts its changes, so a copy from the other side is taken only when it is newer
(:func:`merge_request`, used by the exchange code).
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from db.database import Database, Tx
from desktop.errors import DeskError
from desktop.workspace import require_role

STATES = ("open", "answered", "accepted", "reopened")
OPEN_STATES = ("open", "reopened")  # waiting for the group
MAX_TEXT = 2000
MAX_REQUESTS = 20
# state → the states it may move to, and who moves it
MOVES = {"answered": (("open", "reopened"), "editor"),
         "accepted": (("answered",), "reviewer"),
         "reopened": (("answered",), "reviewer")}
COLUMNS = ("id", "uid", "claim_id", "review_id", "text", "due", "state", "version", "answers", "basis",
           "comment", "created_by", "created_at", "updated_by", "updated_at")


@dataclass
class RequestChange:
    request_id: int
    uid: str
    claim_id: int
    state: str
    before: str | None  # None: created
    seq: int


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def parse_due(due: str | None) -> str | None:
    """``2025-05-31`` (a calendar date) or nothing."""
    due = _clean(due)
    if due is None:
        return None
    try:
        return _dt.date.fromisoformat(due).isoformat()
    except ValueError:
        raise DeskError("request.bad_due", due=due) from None


def row_dict(row: Any) -> dict[str, Any]:
    """A ``requests`` row as the payloads and the status JSON carry it (lists decoded)."""
    d = {k: row[k] for k in COLUMNS}
    d["answers"] = json.loads(d["answers"] or "[]")
    d["basis"] = json.loads(d["basis"] or "[]")
    return d


def _read(conn, request_id: int) -> dict[str, Any]:
    row = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM requests WHERE id = ?", (request_id,)).fetchone()
    if row is None:
        raise DeskError("request.not_found", request_id=request_id)
    return row_dict(row)


def _linked(conn, claim_id: int) -> list[int]:
    return [r[0] for r in conn.execute("SELECT evidence_id FROM links WHERE claim_id = ? ORDER BY evidence_id",
                                       (claim_id,))]


def check_texts(texts: Iterable[str] | None) -> list[str]:
    out = [t for t in (_clean(t) for t in (texts or [])) if t]
    if len(out) > MAX_REQUESTS:
        raise DeskError("request.too_many", max=MAX_REQUESTS)
    for t in out:
        if len(t) > MAX_TEXT:
            raise DeskError("request.text_too_long", max=MAX_TEXT)
    return out


def create_in(tx: Tx, *, claim_id: int, review_id: int | None, text: str, due: str | None) -> dict[str, Any]:
    """Insert one open request inside ``tx`` and write its ``request.created`` event (the caller's
    transaction is a multi-mutation write: the review and each of its requests)."""
    row = {
        "uid": uuid.uuid4().hex,
        "claim_id": claim_id,
        "review_id": review_id,
        "text": text,
        "due": due,
        "state": "open",
        "version": 1,
        "answers": "[]",
        "basis": json.dumps(_linked(tx.conn, claim_id)),
        "comment": None,
        "created_by": tx.actor,
        "created_at": tx.now,
        "updated_by": tx.actor,
        "updated_at": tx.now,
    }
    rid = tx.insert("requests", row)
    after = _read(tx.conn, rid)
    tx.event("request.created", {"request_id": rid, "before": None, "request": after}, claim_id=claim_id)
    return after


def _move(db: Database, request_id: int, state: str, *, comment: str | None,
          evidence_ids: list[int] | None = None) -> RequestChange:
    comment = _clean(comment)
    if comment is not None and len(comment) > MAX_TEXT:
        raise DeskError("request.text_too_long", max=MAX_TEXT)
    allowed, _role = MOVES[state]
    with db.write() as tx:
        before = _read(tx.conn, request_id)
        if before["state"] not in allowed:
            raise DeskError("request.bad_move", request_id=request_id, state=before["state"], to=state)
        answers = before["answers"]
        if state == "answered":
            if evidence_ids is None:  # what has been linked to the claim since the request was made
                answers = [e for e in _linked(tx.conn, before["claim_id"]) if e not in before["basis"]]
            else:
                for eid in evidence_ids:
                    if tx.execute("SELECT 1 FROM evidence WHERE id = ?", (eid,)).fetchone() is None:
                        raise DeskError("evidence.not_found", evidence_id=eid)
                answers = sorted(set(evidence_ids))
            if not answers and comment is None:
                raise DeskError("request.no_answer", request_id=request_id, claim_id=before["claim_id"])
        tx.execute(
            "UPDATE requests SET state = ?, version = version + 1, answers = ?, comment = ?, updated_by = ?,"
            " updated_at = ? WHERE id = ?",
            (state, json.dumps(answers), comment, tx.actor, tx.now, request_id),
        )
        after = _read(tx.conn, request_id)
        ev = tx.event(f"request.{state}", {"request_id": request_id, "before": before["state"], "request": after},
                      claim_id=after["claim_id"])
    return RequestChange(request_id, after["uid"], after["claim_id"], state, before["state"], ev["seq"])


def answer_request(db: Database, *, request_id: int, evidence_ids: Iterable[int] | None = None,
                   comment: str | None = None) -> RequestChange:
    """The group answers a 待补充 (or 已退回) request: with the files linked to the claim since the request
    (or the ``evidence_ids`` given), and/or a comment. 编制 only."""
    require_role(db, "request.answer", "editor")
    return _move(db, request_id, "answered", comment=comment,
                 evidence_ids=None if evidence_ids is None else list(evidence_ids))


def accept_request(db: Database, *, request_id: int, comment: str | None = None) -> RequestChange:
    """The inspector accepts an answer (已接受). 审核 only."""
    require_role(db, "request.accept", "reviewer")
    return _move(db, request_id, "accepted", comment=comment)


def reopen_request(db: Database, *, request_id: int, comment: str | None = None) -> RequestChange:
    """The inspector sends an answer back (已退回): the group must answer again. 审核 only."""
    require_role(db, "request.reopen", "reviewer")
    return _move(db, request_id, "reopened", comment=comment)


def merge_in(tx: Tx, incoming: dict[str, Any], *, actor: str, role: str, review_id: int | None = None,
             source: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Take a request as another workspace has it (exchange code), inside ``tx``: insert it when unknown,
    update it when ``incoming`` is newer (a higher ``version``). Writes one event attributed to ``actor``
    (who made the change over there), its payload naming the file it came with (``source``), and returns
    the row after, or None when nothing was newer."""
    cur = tx.execute(f"SELECT {', '.join(COLUMNS)} FROM requests WHERE uid = ?", (incoming["uid"],)).fetchone()
    fields = {k: incoming.get(k) for k in ("text", "due", "state", "version", "comment", "created_by",
                                           "created_at", "updated_by", "updated_at")}
    if fields["state"] not in STATES or not isinstance(fields["version"], int):
        raise DeskError("request.bad_incoming", uid=incoming["uid"])
    fields["answers"] = json.dumps(sorted(int(e) for e in _ids(incoming.get("answers"))))
    fields["basis"] = json.dumps(sorted(int(e) for e in _ids(incoming.get("basis"))))
    if cur is None:
        if tx.execute("SELECT 1 FROM claims WHERE id = ?", (incoming.get("claim_id"),)).fetchone() is None:
            raise DeskError("claim.not_found", claim_id=incoming.get("claim_id"))
        row = {"uid": incoming["uid"], "claim_id": incoming["claim_id"], "review_id": review_id, **fields}
        # keep the number the other side shows (it is on the notice the group reads) where it is free
        if incoming.get("id") and tx.execute("SELECT 1 FROM requests WHERE id = ?", (incoming["id"],)
                                             ).fetchone() is None:
            row["id"] = incoming["id"]
        rid = tx.insert("requests", row)
        before_state = None
    else:
        before = row_dict(cur)
        if before["version"] >= fields["version"]:
            return None
        rid = before["id"]
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        tx.execute(f"UPDATE requests SET {sets} WHERE id = :id", {**fields, "id": rid})
        before_state = before["state"]
    after = _read(tx.conn, rid)
    # first seen here (even if already answered over there): created; else the state it moved to
    action = "request.created" if before_state is None else f"request.{after['state']}"
    payload = {"request_id": rid, "before": before_state, "request": after}
    if source:
        payload["source"] = source
    tx.event(action, payload, claim_id=after["claim_id"], actor=actor, role=role)
    return after


def _ids(value: Any) -> list[int]:
    """A list of ids as a row stores it (JSON text) or a payload carries it (a list)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise DeskError("request.bad_incoming", uid=str(value)[:40])
    return value


# --- reads -------------------------------------------------------------------------------------


def request_history(db: Database, request_ids: Iterable[int] | None = None) -> dict[int, list[dict[str, Any]]]:
    """request id → its changes, oldest first (from the audit trail): seq, ts, actor, role, state, comment."""
    out: dict[int, list[dict[str, Any]]] = {}
    wanted = None if request_ids is None else set(request_ids)
    for ev in db.query("SELECT seq, ts, actor, role, action, payload FROM events"
                       " WHERE action >= 'request.' AND action < 'request/' ORDER BY seq"):
        try:
            p = json.loads(ev["payload"])
        except ValueError:
            continue
        rid = p.get("request_id") if isinstance(p, dict) else None
        if not isinstance(rid, int) or (wanted is not None and rid not in wanted):
            continue
        req = p.get("request") or {}
        out.setdefault(rid, []).append({"seq": ev["seq"], "ts": ev["ts"], "actor": ev["actor"], "role": ev["role"],
                                        "action": ev["action"], "state": req.get("state"),
                                        "before": p.get("before"), "comment": req.get("comment"),
                                        "answers": req.get("answers", [])})
    return out


def list_requests(db: Database, *, claim_id: int | None = None, states: Iterable[str] | None = None,
                  history: bool = True) -> list[dict[str, Any]]:
    """Requests (all, one claim's, or in ``states``), oldest first, each with its ``history``."""
    where, params = [], []
    if claim_id is not None:
        where.append("claim_id = ?")
        params.append(claim_id)
    if states is not None:
        states = list(states)
        where.append(f"state IN ({','.join('?' * len(states))})")
        params += states
    sql = f"SELECT {', '.join(COLUMNS)} FROM requests"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if not _has_requests(db):
        return []
    rows = [row_dict(r) for r in db.query(sql + " ORDER BY id", params)]
    if history:
        hist = request_history(db, [r["id"] for r in rows])
        for r in rows:
            r["history"] = hist.get(r["id"], [])
    return rows


def _has_requests(db: Database) -> bool:
    # a workspace opened read-only before migration 0010 ran has no requests table yet
    return db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'requests'") == 1


def request_counts(db: Database) -> dict[str, int]:
    counts = {s: 0 for s in STATES}
    if _has_requests(db):
        for r in db.query("SELECT state, count(*) AS n FROM requests GROUP BY state"):
            counts[r["state"]] = r["n"]
    counts["total"] = sum(counts[s] for s in STATES)
    return counts
