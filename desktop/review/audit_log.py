"""Reading the audit trail: filters, newest-first sequence numbers, rows by page, the names events point at.

The audit log window (``desktop.ui.panels.audit_log``) and ``evidence-desk log`` read through these functions. A
filtered list of sequence numbers is cheap even for 100,000 events (the filters use the indexes on
``events``); rows are then fetched a page at a time by sequence number.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator

from db.database import Database

COLUMNS = "seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload, prev_hash, hash"


@dataclass(frozen=True)
class EventFilter:
    """Which events to show. ``action`` ending in ``.`` matches a family (``"link."``); times are ISO UTC,
    ``since`` inclusive, ``until`` exclusive."""

    claim_id: int | None = None
    evidence_id: int | None = None
    actor: str | None = None
    action: str | None = None
    since: str | None = None
    until: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        if self.claim_id is not None:
            parts.append("claim_id = ?")
            params.append(self.claim_id)
        if self.evidence_id is not None:
            parts.append("evidence_id = ?")
            params.append(self.evidence_id)
        if self.actor:
            parts.append("actor = ?")
            params.append(self.actor)
        if self.action:
            if self.action.endswith("."):
                # A range, not LIKE: the index on action serves it whatever case_sensitive_like says.
                parts.append("action >= ? AND action < ?")
                params += [self.action, self.action[:-1] + "/"]
            else:
                parts.append("action = ?")
                params.append(self.action)
        if self.since:
            parts.append("ts >= ?")
            params.append(self.since)
        if self.until:
            parts.append("ts < ?")
            params.append(self.until)
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    def with_(self, **changes: Any) -> "EventFilter":
        return replace(self, **changes)

    @property
    def empty(self) -> bool:
        return self == EventFilter()


def event_seqs(db: Database, flt: EventFilter = EventFilter(), *, newest_first: bool = True) -> array | range:
    """Sequence numbers of the matching events, in display order (a compact ``array('q')``).

    Unfiltered, an untouched trail is the unbroken run 1…n: then a ``range`` stands for it and nothing is
    read. (A trail with gaps — events deleted — is read like any filtered list.)
    """
    where, params = flt.where()
    order = "DESC" if newest_first else "ASC"
    if not where:
        n, lo, hi = db.conn.execute("SELECT count(*), min(seq), max(seq) FROM events").fetchone()
        if n == 0:
            return range(0)
        if hi - lo + 1 == n:
            return range(hi, lo - 1, -1) if newest_first else range(lo, hi + 1)
    cur = db.conn.execute(f"SELECT seq FROM events{where} ORDER BY seq {order}", params)
    out = array("q")
    while True:
        rows = cur.fetchmany(20000)
        if not rows:
            return out
        out.extend(r[0] for r in rows)


def events_by_seq(db: Database, seqs: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Rows for these sequence numbers (payload decoded), keyed by seq."""
    seqs = list(seqs)
    out: dict[int, dict[str, Any]] = {}
    if not seqs:
        return out
    lo, hi = min(seqs), max(seqs)
    if hi - lo + 1 == len(seqs):  # a contiguous window: a range scan on the primary key
        rows = db.query(f"SELECT {COLUMNS} FROM events WHERE seq BETWEEN ? AND ?", (lo, hi))
    else:
        rows = []
        for i in range(0, len(seqs), 900):
            chunk = seqs[i : i + 900]
            rows += db.query(f"SELECT {COLUMNS} FROM events WHERE seq IN ({','.join('?' * len(chunk))})", chunk)
    for r in rows:
        out[r["seq"]] = decode(r)
    return out


def decode(row: Any) -> dict[str, Any]:
    e = dict(row)
    try:
        e["payload"] = json.loads(e["payload"])
    except (TypeError, ValueError):
        e["payload"] = {"_raw": e["payload"]}
    return e


def iter_events(
    db: Database, flt: EventFilter = EventFilter(), *, newest_first: bool = True, batch: int = 2000
) -> Iterator[dict[str, Any]]:
    where, params = flt.where()
    order = "DESC" if newest_first else "ASC"
    cur = db.conn.execute(f"SELECT {COLUMNS} FROM events{where} ORDER BY seq {order}", params)
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        for r in rows:
            yield decode(r)


def count_events(db: Database, flt: EventFilter = EventFilter()) -> int:
    where, params = flt.where()
    return int(db.scalar(f"SELECT count(*) FROM events{where}", params) or 0)


def actors(db: Database) -> list[str]:
    return [r[0] for r in db.query("SELECT DISTINCT actor FROM events ORDER BY actor")]


def actions(db: Database) -> list[str]:
    return [r[0] for r in db.query("SELECT DISTINCT action FROM events ORDER BY action")]


def target_names(
    db: Database, claim_ids: Iterable[int | None], evidence_ids: Iterable[int | None]
) -> tuple[dict[int, dict[str, Any]], dict[int, str]]:
    """Short descriptions of the claims and files that events point at (for the "对象" column)."""
    cids = sorted({c for c in claim_ids if c is not None})
    eids = sorted({e for e in evidence_ids if e is not None})
    claims: dict[int, dict[str, Any]] = {}
    evidence: dict[int, str] = {}
    for i in range(0, len(cids), 900):
        chunk = cids[i : i + 900]
        for r in db.query(
            f"SELECT id, subject, quote, value_raw, value, unit FROM claims WHERE id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            claims[r["id"]] = dict(r)
    for i in range(0, len(eids), 900):
        chunk = eids[i : i + 900]
        for r in db.query(f"SELECT id, name FROM evidence WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            evidence[r["id"]] = r["name"]
    return claims, evidence


def local_day_start(day: str) -> str:
    """``2025-03-01`` (a day in this computer's time zone) → its first instant as ISO UTC, as ``ts`` is stored.

    A full ISO timestamp is passed through (normalised to UTC). Raises ``ValueError`` for anything else.
    """
    import datetime as _dt

    text = day.strip()
    if len(text) == 10:
        start = _dt.datetime.combine(_dt.date.fromisoformat(text), _dt.time()).astimezone()
    else:
        start = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if start.tzinfo is None:
            start = start.astimezone()
    return start.astimezone(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def local_day_end(day: str) -> str:
    """The first instant *after* ``day`` (local), as ISO UTC: the exclusive upper bound for ``until``."""
    import datetime as _dt

    text = day.strip()
    if len(text) == 10:
        nxt = _dt.date.fromisoformat(text) + _dt.timedelta(days=1)
        return local_day_start(nxt.isoformat())
    return local_day_start(text)
