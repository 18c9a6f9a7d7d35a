"""Integrity check of a whole workspace: SQLite itself, the append-only triggers, the audit chain and its
head file, every object in the store, and the inspectors' reviews against the audit trail.

Each problem is a dict with a stable ``code`` (the UI turns it into words), where it is (``seq``,
``evidence_id``, ``review_id``…) and, where it can be known, since when (``since``: the time of the last
moment the thing was known good, ISO 8601 UTC; ``until``: the first moment it is known bad).
``progress(stage, done, total)`` is called as the check goes; stages run in :data:`STAGES` order.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from db import audit
from desktop.workspace import Workspace

Progress = Callable[[str, int, int], None]
STAGES = ("sqlite", "triggers", "events", "objects", "reviews")

# The two triggers that make ``events`` append-only (migration 0001), and what each must refuse.
APPEND_ONLY_TRIGGERS = {
    "events_append_only_update": "UPDATE",
    "events_append_only_delete": "DELETE",
}


@dataclass
class IntegrityReport:
    problems: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    objects: int = 0
    reviews: int = 0
    checked_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def audit_head(db) -> tuple[int, str]:
    """The audit chain's last event: (seq, hash) — ``(0, GENESIS)`` for an empty chain. Written down
    outside the workspace (帮助 → 关于 copies it), it is an external anchor: a later chain that does not
    contain this hash at this seq was rewritten."""
    return audit.chain_head(db.conn)


def verify_workspace(ws: Workspace, progress: Progress | None = None) -> IntegrityReport:
    report = IntegrityReport(checked_at=_iso(_dt.datetime.now().timestamp()))
    db = ws.db
    started = time.time()

    def tick(stage: str, done: int, total: int) -> None:
        if progress:
            progress(stage, done, total)

    # The head file and one read transaction over everything in the database, taken together under the
    # commit lock: no writer (the GUI's worker, another program on the same workspace) can commit between
    # them, so the head names exactly the snapshot's last event unless something is wrong.
    writer_active = not ws.readonly or ws.info.reason == "locked"
    with db.aligned_snapshot() as head:
        # 1. SQLite's own structure check -------------------------------------------------------
        tick("sqlite", 0, 1)
        try:
            rows = db.query("PRAGMA integrity_check")
            bad = [r[0] for r in rows if r[0] != "ok"]
            if bad:
                report.problems.append({"code": "sqlite_integrity", "seq": None, "detail": bad[:20]})
        except sqlite3.DatabaseError as exc:
            report.problems.append({"code": "sqlite_integrity", "seq": None, "detail": [str(exc)]})
            return report
        tick("sqlite", 1, 1)

        # 2. the append-only triggers (reported after what was changed, which matters more) -------
        trigger_problems = check_triggers(db.conn)
        tick("triggers", 1, 1)

        # 3. the audit chain and the head file outside the database -----------------------------
        report.events = db.scalar("SELECT count(*) FROM events") or 0
        chain = [
            p.as_dict()
            for p in db.verify_chain(lambda d, t: tick("events", d, t), head=head, writer_active=writer_active)
        ]
        report.problems.extend(_with_chain_times(db.conn, chain, db.head_path))

        # 4. every object in the store against its name -----------------------------------------
        report.problems.extend(_check_objects(ws, report, tick, newer_than=started if writer_active else None))

        # 5. the reviews table against the review events ----------------------------------------
        report.problems.extend(_check_reviews(db.conn, report, tick))
    report.problems.extend(trigger_problems)
    return report


def check_triggers(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Both append-only triggers exist and still refuse (BEFORE … RAISE(ABORT), with no WHEN clause)."""
    found = {
        r[0]: r[1]
        for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")
    }
    problems = []
    for name, verb in APPEND_ONLY_TRIGGERS.items():
        sql = found.get(name)
        if sql is None:
            problems.append({"code": "trigger_missing", "seq": None, "trigger": name, "verb": verb})
            continue
        norm = " ".join(sql.upper().split())
        refuses = f"BEFORE {verb} ON EVENTS" in norm and "RAISE(ABORT" in norm.replace(" (", "(")
        if not refuses or " WHEN " in norm:
            problems.append({"code": "trigger_altered", "seq": None, "trigger": name, "verb": verb})
    return problems


def _ts_of(conn: sqlite3.Connection, seq: int | None) -> str | None:
    if seq is None or seq < 1:
        return None
    row = conn.execute("SELECT ts FROM events WHERE seq = ?", (seq,)).fetchone()
    return row[0] if row else None


def _ts_before(conn: sqlite3.Connection, seq: int) -> str | None:
    row = conn.execute("SELECT ts FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1", (seq,)).fetchone()
    return row[0] if row else None


def _with_chain_times(conn: sqlite3.Connection, problems: list[dict[str, Any]], head_path) -> list[dict[str, Any]]:
    """Add ``since``/``until`` to chain problems: the last time known good, the first time known bad."""
    for p in problems:
        code, seq = p["code"], p.get("seq")
        if code == "event_altered":
            # Recorded intact at ``ts``; changed at some time after.
            p["since"] = p.get("ts")
        elif code == "event_chain_broken":
            p["since"] = _ts_before(conn, seq) if seq else None
            p["until"] = p.get("ts")
        elif code == "event_missing":
            p["since"] = _ts_before(conn, seq) if seq else None
            p["until"] = p.get("ts_after")
        elif code in ("events_truncated", "head_behind"):
            p["since"] = _ts_of(conn, p.get("last_seq") if code == "events_truncated" else p.get("head_seq"))
        elif code == "head_mismatch":
            p["since"] = _ts_of(conn, seq)
        if code in ("events_truncated", "head_mismatch", "head_behind", "head_corrupt"):
            try:
                p["head_written"] = _iso(os.stat(head_path).st_mtime)
            except OSError:
                pass
    return problems


def _check_objects(ws: Workspace, report: IntegrityReport, tick, newer_than: float | None = None
                   ) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    # evidence known by its row only (a version the sender of a package did not ship, a file that failed
    # verification and was received anyway): the store has no bytes for it, by design
    remote = "" if not _has_table(ws.db.conn, "evidence_remote") else \
        " WHERE id NOT IN (SELECT evidence_id FROM evidence_remote)"
    rows = ws.db.query(f"SELECT id, sha256, name, size, added_at FROM evidence{remote} ORDER BY id")
    total = len(rows)
    tick("objects", 0, total)
    for i, r in enumerate(rows, 1):
        sha, where = r["sha256"], {"evidence_id": r["id"], "name": r["name"], "sha256": r["sha256"],
                                   "since": r["added_at"]}
        path = ws.store.object_path(sha)
        actual = ws.store.rehash(sha)
        if actual is None:
            problems.append({"code": "object_missing", "seq": None, **where})
        elif actual != sha:
            try:
                st = os.stat(path)
                size, changed = st.st_size, _iso(st.st_mtime)
            except OSError:
                size, changed = None, None
            code = "object_truncated" if size is not None and size < r["size"] else "object_altered"
            problems.append({"code": code, "seq": None, **where, "actual": actual, "expected_size": r["size"],
                             "actual_size": size, "until": changed, "path": str(path)})
        if i % 20 == 0 or i == total:
            tick("objects", i, total)
    report.objects = total
    known = {r["sha256"] for r in rows}
    for sha, path in ws.store.iter_objects():
        if sha not in known:
            try:
                mtime = os.stat(path).st_mtime
                until = _iso(mtime)
            except OSError:
                continue  # gone again: nothing to report
            if newer_than is not None and mtime >= newer_than - 5:
                continue  # copied by a writer that is still running and will record it in a moment
            problems.append({"code": "object_orphan", "seq": None, "sha256": sha, "until": until,
                             "path": str(path)})
    return problems


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() \
        is not None


def _check_reviews(conn: sqlite3.Connection, report: IntegrityReport, tick) -> list[dict[str, Any]]:
    """Every review row matches the ``review.set`` event that recorded it, and no recorded review is gone.

    The chain protects events; this check extends that protection to the inspectors' sign-offs, which
    live in ``reviews`` where an UPDATE would otherwise go unnoticed.
    """
    recorded: dict[int, dict[str, Any]] = {}
    for ev in conn.execute(
        "SELECT seq, ts, actor, claim_id, payload FROM events WHERE action = 'review.set' ORDER BY seq"
    ):
        try:
            payload = json.loads(ev["payload"])
        except ValueError:
            continue  # an altered event; the chain check already names it
        rid = payload.get("review_id") if isinstance(payload, dict) else None
        if isinstance(rid, int):
            recorded[rid] = {"seq": ev["seq"], "ts": ev["ts"], "actor": ev["actor"], "claim_id": ev["claim_id"],
                             "state": payload.get("state"), "comment": payload.get("comment"),
                             "fingerprint": payload.get("fingerprint")}
    # reviews that arrived with a received package or supplement: recorded, row by row, in that event
    for ev in conn.execute(
        "SELECT seq, ts, payload FROM events WHERE action IN ('package.received', 'supplement.received')"
        " ORDER BY seq"
    ):
        try:
            payload = json.loads(ev["payload"])
        except ValueError:
            continue
        for r in ((payload.get("rows") or {}).get("reviews") or []) if isinstance(payload, dict) else []:
            if isinstance(r, dict) and isinstance(r.get("id"), int):
                recorded[r["id"]] = {"seq": ev["seq"], "ts": r.get("created_at"), "actor": r.get("reviewer"),
                                     "claim_id": r.get("claim_id"), "state": r.get("state"),
                                     "comment": r.get("comment"), "fingerprint": r.get("fingerprint")}
    rows = conn.execute(
        "SELECT id, claim_id, state, comment, reviewer, fingerprint, created_at FROM reviews ORDER BY id"
    ).fetchall()
    report.reviews = len(rows)
    problems: list[dict[str, Any]] = []
    for r in rows:
        ev = recorded.pop(r["id"], None)
        if ev is None:
            problems.append({"code": "review_unrecorded", "seq": None, "review_id": r["id"],
                             "claim_id": r["claim_id"], "since": r["created_at"]})
            continue
        fields = [
            name
            for name, a, b in (
                ("state", r["state"], ev["state"]),
                ("comment", r["comment"], ev["comment"]),
                ("reviewer", r["reviewer"], ev["actor"]),
                ("claim_id", r["claim_id"], ev["claim_id"]),
                ("fingerprint", r["fingerprint"], ev["fingerprint"]),
                ("created_at", r["created_at"], ev["ts"]),
            )
            if a != b
        ]
        if fields:
            problems.append({"code": "review_altered", "seq": ev["seq"], "review_id": r["id"],
                             "claim_id": ev["claim_id"], "fields": fields, "since": ev["ts"],
                             "recorded_state": ev["state"], "state": r["state"]})
    for rid, ev in sorted(recorded.items()):
        problems.append({"code": "review_deleted", "seq": ev["seq"], "review_id": rid, "claim_id": ev["claim_id"],
                         "since": ev["ts"], "recorded_state": ev["state"]})
    tick("reviews", 1, 1)
    return problems
