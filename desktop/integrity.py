"""Integrity check of a whole workspace: SQLite itself, the append-only triggers, the audit chain and its
head file, every object in the store, and the inspectors' reviews against the audit trail.

Each problem is a dict with a stable ``code`` (the UI turns it into words), where it is (``seq``,
``evidence_id``, ``review_id``…) and, where it can be known, since when (``since``: the time of the last
moment the thing was known good, ISO 8601 UTC; ``until``: the first moment it is known bad).
``progress(stage, done, total)`` is called as the check goes; stages run in :data:`STAGES` order.
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable

from db import audit, replay, schema
from desktop.lock import WorkspaceLock
from desktop.workspace import LOCK_NAME, Workspace

Progress = Callable[[str, int, int], None]
STAGES = ("sqlite", "triggers", "events", "state", "objects", "reviews")

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
    rows: int = 0  # tracked rows compared with the state the audit events describe
    checked_at: str = ""
    anchor: dict[str, Any] = field(default_factory=dict)  # audit_anchor() of the snapshot checked
    notes: list[dict[str, Any]] = field(default_factory=list)  # not problems: leftovers of an interrupted run

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


def verify_workspace(ws: Workspace, progress: Progress | None = None, *, state: bool = True,
                     anchor: tuple[int, str] | None = None) -> IntegrityReport:
    """Check everything; ``state=False`` leaves out the replay (the benchmark's chain-only baseline).

    ``anchor``: an audit head written down elsewhere (``(seq, hash or its first 16+ hex digits)``, from a
    package manifest, the binder's 承诺书, an earlier ``verify``): event ``seq`` must still have that hash."""
    report = IntegrityReport(checked_at=_iso(_dt.datetime.now().timestamp()))
    db = ws.db

    def tick(stage: str, done: int, total: int) -> None:
        if progress:
            progress(stage, done, total)

    # The head file and one read transaction over everything in the database, taken together under the
    # commit lock: no writer (the GUI's worker, another program on the same workspace) can commit between
    # them, so the head names exactly the snapshot's last event unless something is wrong. The store is
    # looked at relative to that snapshot (see _check_objects).
    writer_active = not ws.readonly or ws.info.reason == "locked" or _ingest_running(ws)
    # the check holds every row image of the log at once: the cyclic collector would walk them all again
    # and again while they are built (a third of the time at 100,000 events); nothing here makes cycles
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _verify(ws, db, report, writer_active=writer_active, tick=tick, state=state, anchor=anchor)
    finally:
        if collecting:
            gc.enable()


def _verify(ws: Workspace, db, report: IntegrityReport, *, writer_active: bool, tick, state: bool,
            anchor: tuple[int, str] | None = None) -> IntegrityReport:
    with db.aligned_snapshot() as head:
        # 1. SQLite's own structure check -------------------------------------------------------
        tick("sqlite", 0, 1)
        try:
            # quick_check: every page, record and constraint, not whether each index matches its table (that
            # O(N log N) part would double the time of the whole check; what the rows say is replayed below)
            rows = db.query("PRAGMA quick_check")
            bad = [r[0] for r in rows if r[0] != "ok"]
            if bad:
                report.problems.append({"code": "sqlite_integrity", "seq": None, "detail": bad[:20]})
        except sqlite3.DatabaseError as exc:
            report.problems.append({"code": "sqlite_integrity", "seq": None, "detail": [str(exc)]})
            return report
        tick("sqlite", 1, 1)

        # 2. the schema against what the migrations create (reported after what was changed) ------
        trigger_problems = check_schema(db.conn)
        tick("triggers", 1, 1)

        # 3. the audit chain and the head file outside the database -----------------------------
        report.events = db.scalar("SELECT count(*) FROM events") or 0
        report.anchor = audit_anchor(db.conn)
        if anchor is not None:
            report.problems.extend(check_anchor(db.conn, *anchor))
        events = _EventReader(state)
        chain = [
            p.as_dict()
            for p in db.verify_chain(lambda d, t: tick("events", d, t), head=head, writer_active=writer_active,
                                     visit=events)
        ]
        report.problems.extend(_with_chain_times(db.conn, chain, db.head_path))

        # 4. the tables against the state the events describe -----------------------------------
        tick("state", 0, 1)
        state_problems = check_state(db.conn, report, events.replayer.state) if state else []
        tick("state", 1, 1)

        # 5. every object in the store against its name -----------------------------------------
        known = _check_objects(ws, report, tick)

        # 6. the reviews table against the review events ----------------------------------------
        review_problems = _check_reviews(db.conn, report, tick, events)
    # objects in the store that the snapshot does not name: a writer's work in progress, or what an
    # interrupted run left (never tampering: nothing refers to them)
    report.notes.extend(_unreferenced(ws, known, writer_active))
    reported = {p["review_id"] for p in review_problems}
    report.problems.extend(review_problems)
    report.problems.extend(p for p in state_problems
                           if not (p["table"] == "reviews" and p["key"] and p["key"][0] in reported))
    report.problems.extend(trigger_problems)
    return report


def audit_anchor(db_or_conn) -> dict[str, Any]:
    """The audit head: the last event's number and hash (``{"seq": 0, "hash": "000…"}`` with no events).

    Written down outside the machine (the package manifest, the binder's 承诺书, a note of the user's), it
    catches what verify alone cannot: the whole log rewritten consistently, head file included."""
    conn = db_or_conn.conn if hasattr(db_or_conn, "conn") else db_or_conn
    seq, hash_ = audit.chain_head(conn)
    return {"seq": seq, "hash": hash_}


def check_anchor(conn: sqlite3.Connection, seq: int, hash_: str) -> list[dict[str, Any]]:
    """Event ``seq`` still has the hash written down outside the machine (a prefix of 16+ hex digits will
    do). If not, the log was rewritten since — even when it is consistent in itself."""
    row = conn.execute("SELECT hash, ts FROM events WHERE seq = ?", (seq,)).fetchone()
    given = hash_.strip().lower()
    if row is None:
        return [{"code": "anchor_missing", "seq": seq, "anchor": given}]
    if not row[0].startswith(given):
        return [{"code": "anchor_mismatch", "seq": seq, "anchor": given, "actual": row[0], "since": row[1]}]
    return []


def parse_anchor(text: str) -> tuple[int, str] | None:
    """``"1234:9f2c…"`` / ``"#1234 9f2c…"`` → ``(1234, "9f2c…")``; None when it is not an anchor."""
    import re

    m = re.fullmatch(r"\s*#?(\d{1,12})\s*[:：\s]\s*([0-9a-fA-F]{16,64})\s*", text or "")
    return (int(m.group(1)), m.group(2).lower()) if m else None


def _ingest_running(ws: Workspace) -> bool:
    """Another process holds the workspace lock (it watches and ingests): its store copies and commits
    are work in progress, not leftovers. (A probe only: the lock file is not written.)"""
    if ws.info.reason == "locked":
        return True
    from desktop.lock import _try_lock, _unlock

    try:
        fd = os.open(ws.root / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return False
    try:
        if _try_lock(fd):
            _unlock(fd)
            return False
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def check_schema(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every table, index, view and trigger against what the workspace's migrations create, compared as
    token streams (whitespace, comments and the case of keywords do not matter; a changed body, a WHEN
    clause, RAISE(IGNORE) for RAISE(ABORT) do). The append-only triggers keep their own codes."""
    names = tuple(schema.applied(conn))
    expected = schema.expected_objects(names)
    actual = schema.schema_objects(conn)
    problems: list[dict[str, Any]] = []
    for (kind, name), (tbl, tokens) in sorted(expected.items()):
        if (kind, name) in actual and actual[(kind, name)][1] == tokens:
            continue
        code = "missing" if (kind, name) not in actual else "altered"
        if kind == "trigger" and name in APPEND_ONLY_TRIGGERS:
            problems.append({"code": f"trigger_{code}", "seq": None, "trigger": name,
                             "verb": APPEND_ONLY_TRIGGERS[name]})
        else:
            problems.append({"code": f"schema_{code}", "seq": None, "type": kind, "name": name, "table": tbl})
    for (kind, name), (tbl, _tokens) in sorted(actual.items()):
        if (kind, name) not in expected:
            problems.append({"code": "schema_extra", "seq": None, "type": kind, "name": name, "table": tbl})
    return problems


def _plain(v: Any) -> Any:
    """A value as JSON can carry it (a BLOB put where the schema expects text is shown as hex)."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "blob:" + bytes(v).hex()
    if isinstance(v, float) and v != v:
        return "NaN"
    return v


_IDENT = ("claim_id", "evidence_id", "report_id", "name", "key", "path", "state", "row_id", "table_id",
          "package_id", "finding_key", "uid")


_REVIEW_ACTIONS = ("review.set", "package.received", "supplement.received")


class _EventReader:
    """Reads each event once, in the chain's pass: feeds the replay and keeps what the reviews check needs
    (each payload is parsed at most once)."""

    def __init__(self, state: bool = True):
        self.replayer = replay.Replayer()
        self.state = state
        self.reviews: list[tuple[sqlite3.Row, Any]] = []

    def __call__(self, row: tuple) -> None:
        """``row``: seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload (by index)."""
        text, action = row[8], row[4]
        wanted = self.state and self.replayer.wants(text)
        payload = None
        if action in _REVIEW_ACTIONS:
            try:
                payload = json.loads(text)
            except ValueError:
                payload = None  # an altered event: the chain check names it
            self.reviews.append((row, payload))
        elif wanted:
            payload = replay.parse_rows(text)
        if self.state:
            self.replayer.feed(row[0], action, payload if wanted else None)


def check_state(conn: sqlite3.Connection, report: IntegrityReport | None = None,
                replayed: replay.Replayed | None = None) -> list[dict[str, Any]]:
    """Replay the audit events into the rows they describe (db/replay.py) and compare with the tables."""
    if replayed is None:
        replayed = replay.replay_events(conn.execute("SELECT seq, action, payload FROM events ORDER BY seq"))
    if not replayed.covered:
        if report is not None:
            report.notes.append({"code": "replay_unavailable"})
        return []
    diffs, count = replay.compare_live(replayed, conn)
    if report is not None:
        report.rows = count
    problems = []
    for d in diffs:
        row = d.row or {}
        ident = _IDENT + (("value", "unit") if d.table == "claims" else ())
        p: dict[str, Any] = {"code": f"state_{d.kind}", "seq": d.seq, "table": d.table, "key": list(d.key),
                             "row": {k: _plain(row[k]) for k in ident if k in row}}
        if d.recorded is not None:
            p["recorded"] = {k: _plain(d.recorded[k]) for k in ident if k in d.recorded}
        if d.fields:
            p["columns"] = {c: [_plain(a), _plain(b)] for c, (a, b) in sorted(d.fields.items())}
        if d.seq is not None:
            p["since"] = _ts_of(conn, d.seq)
        problems.append(p)
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


def _check_objects(ws: Workspace, report: IntegrityReport, tick) -> set[str]:
    """Every evidence row's object (in the snapshot) against its name; returns the hashes the rows name."""
    problems = report.problems
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
    known = {r["sha256"] for r in ws.db.query("SELECT sha256 FROM evidence")}
    return known


def _unreferenced(ws: Workspace, known: set[str], writer_active: bool) -> list[dict[str, Any]]:
    """Store objects no evidence row names, and temp files: after the snapshot, so an object a writer
    committed meanwhile is looked up again. With a writer at work they are its work in progress (nothing
    is said); otherwise what an interrupted run left, which the next read-write open moves aside."""
    candidates = [(sha, path) for sha, path in ws.store.iter_objects() if sha not in known]
    temps = []
    if ws.store.tmp.is_dir():
        temps = [p for p in ws.store.tmp.iterdir()]
    if writer_active or not (candidates or temps):
        return []
    still = []
    for sha, path in candidates:
        if ws.db.query_one("SELECT 1 FROM evidence WHERE sha256 = ?", (sha,)) is None:
            still.append((sha, path))
    notes = []
    for sha, path in still:
        try:
            until = _iso(os.stat(path).st_mtime)
        except OSError:
            continue  # gone again: nothing to say
        notes.append({"code": "object_leftover", "sha256": sha, "until": until, "path": str(path)})
    for p in temps:
        try:
            until = _iso(os.stat(p).st_mtime)
        except OSError:
            continue
        notes.append({"code": "temp_leftover", "until": until, "path": str(p)})
    return notes


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() \
        is not None


def _check_reviews(conn: sqlite3.Connection, report: IntegrityReport, tick, events: "_EventReader | None" = None
                   ) -> list[dict[str, Any]]:
    """Every review row matches the ``review.set`` event that recorded it, and no recorded review is gone.

    The chain protects events; this check extends that protection to the inspectors' sign-offs, which
    live in ``reviews`` where an UPDATE would otherwise go unnoticed.
    """
    if events is None:
        events = _EventReader(state=False)
        for row in conn.execute("SELECT seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload"
                                " FROM events WHERE action IN"
                                " ('review.set', 'package.received', 'supplement.received') ORDER BY seq"):
            events(row)
    recorded: dict[int, dict[str, Any]] = {}
    for ev, payload in events.reviews:
        if not isinstance(payload, dict):
            continue  # an altered event; the chain check already names it
        if ev[4] == "review.set":
            rid = payload.get("review_id")
            if isinstance(rid, int):
                recorded[rid] = {"seq": ev[0], "ts": ev[1], "actor": ev[2], "claim_id": ev[6],
                                 "state": payload.get("state"), "comment": payload.get("comment"),
                                 "fingerprint": payload.get("fingerprint")}
            continue
        # reviews that arrived with a received package or supplement: recorded, row by row, in that event
        for r in ((payload.get("rows") or {}).get("reviews") or []):
            if isinstance(r, dict) and isinstance(r.get("id"), int):
                recorded[r["id"]] = {"seq": ev[0], "ts": r.get("created_at"), "actor": r.get("reviewer"),
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
