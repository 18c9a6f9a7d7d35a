"""One workspace database as the application sees it.

* a connection per thread (the UI thread reads on its own, a worker writes on its own; WAL lets both run);
* one write lock per process and one commit lock across processes (:mod:`db.filelock`), so a commit and the
  head-file update that follows it are never interleaved — not even with another program writing to the
  same workspace (an inspector's reviews while the group's window ingests);
* :meth:`Database.write` — the only way to change anything — opens ``BEGIN IMMEDIATE``, lets the caller
  write its rows, requires **exactly one** audit event, commits, then moves the head file forward.
  ``write(mutations=n)`` commits up to *n* mutations together (bulk ingest: one commit and one head-file
  update for many files), each still with exactly one event of its own: ``tx.event`` ends a mutation;
* what a write changed is read off its events: ``tx.changes`` (a :class:`db.changes.Changes`), complete
  once the ``with`` block has committed; every committed write is also handed to the change listeners
  (:meth:`Database.add_change_listener`, on the writing thread), which is how a window hears of writes made
  by the ingest engine's threads as well as by its own.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from db import audit, replay, schema
from db.changes import Changes
from db.connection import connect
from db.filelock import LOCK_FILE, CommitLock, LockTimeout

#: how long a write waits for another process's write to finish (seconds)
COMMIT_LOCK_TIMEOUT = 30.0

log = logging.getLogger("evidence_desk.db")


class ReadOnlyError(RuntimeError):
    """A write was attempted on a database opened read-only."""


class EventCountError(RuntimeError):
    """A mutation ended with no audit event, or with more than one."""


class ChainMismatch(RuntimeError):
    """The head file outside the database does not match the chain: events were removed or rewritten.

    Writes are refused, so the next commit cannot move the head file over the evidence (``code`` is the
    :func:`db.audit.head_problem` code).
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Tx:
    """An open write transaction. ``execute`` rows, then ``event(...)`` once."""

    def __init__(self, database: "Database", conn: sqlite3.Connection, actor: str, role: str, mutations: int = 1):
        self.database = database
        self.mutations = mutations
        self.conn = conn
        self.actor = actor
        self.role = role
        self.now = utc_now()
        self.events: list[dict[str, Any]] = []
        self._touched: list[dict[str, Any]] = []  # action, ids and payload (a dict) of each event

    @property
    def changes(self) -> Changes:
        """What this transaction changed (read after the ``with`` block: then it is committed)."""
        return Changes.from_events(self._touched)

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, params: Any) -> sqlite3.Cursor:
        return self.conn.executemany(sql, params)

    def insert(self, table: str, row: dict[str, Any]) -> int:
        cols = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        return int(self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", row).lastrowid)

    def event(
        self,
        action: str,
        payload: dict[str, Any] | None = None,
        *,
        report_id: int | None = None,
        claim_id: int | None = None,
        evidence_id: int | None = None,
        actor: str | None = None,
        role: str | None = None,
    ) -> dict[str, Any]:
        """Append this mutation's event. ``actor``/``role`` name someone else than the session (a review
        applied from an inspector's return is recorded as that inspector's)."""
        if len(self.events) >= self.mutations:
            raise EventCountError(f"audit event {action!r} beyond the {self.mutations} mutation(s) of this write")
        # the rows this mutation wrote, as they now are: what verify replays (db/replay.py)
        recorded = dict(payload or {})
        rows = replay.collect(self.conn)
        if rows:
            recorded[replay.PAYLOAD_KEY] = rows
        row = audit.append_event(
            self.conn,
            ts=self.now,
            actor=self.actor if actor is None else actor,
            role=self.role if role is None else role,
            action=action,
            payload=recorded,
            report_id=report_id,
            claim_id=claim_id,
            evidence_id=evidence_id,
            after=self.events[-1] if self.events else None,
        )
        self.events.append(row)
        self._touched.append({"action": action, "report_id": report_id, "claim_id": claim_id,
                              "evidence_id": evidence_id, "payload": payload or {}})
        return row


class Database:
    """The workspace database for this process: per-thread connections, one writer at a time."""

    def __init__(
        self,
        path: str | Path,
        *,
        readonly: bool = False,
        head_path: str | Path | None = None,
        actor: str = "",
        role: str = "editor",
    ):
        self.path = Path(path)
        self.readonly = readonly
        self.head_path = Path(head_path) if head_path else self.path.with_name(audit.HEAD_FILE)
        self.actor = actor
        self.role = role
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self.write_lock = threading.RLock()
        self.commit_lock = CommitLock(self.head_path.with_name(LOCK_FILE), readonly=readonly)
        self._closed = False
        self._change_listeners: list[Callable[[Changes], None]] = []
        self._own_seqs: set[int] = set()  # events this object committed, not yet seen by others_events_after
        self._own_lock = threading.Lock()
        self._tracking_own = False  # set by watch_others(): only then are own events remembered

    # -- connections -----------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        if self._closed:
            raise sqlite3.ProgrammingError("database is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=self.readonly)
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.ProgrammingError:  # closed from its own thread already
                pass
        self._local = threading.local()
        self._closed = True
        # after any write in progress on another thread (it holds the commit lock until its head file is
        # written); a write that does not end within seconds is cut short, as its connection already was
        held = self.write_lock.acquire(timeout=5)
        try:
            self.commit_lock.close()
        finally:
            if held:
                self.write_lock.release()

    @contextmanager
    def committing(self) -> Iterator[bool]:
        """Hold the commit lock (this thread, then across processes). Yields False for a read-only
        database whose lock file cannot be opened (nobody writes it: nothing to wait for)."""
        with self.write_lock:
            held = self.commit_lock.acquire(COMMIT_LOCK_TIMEOUT)
            try:
                yield held
            finally:
                if held:
                    self.commit_lock.release()

    def close_thread_connection(self) -> None:
        """Close the calling thread's connection (worker threads call this when they end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._conns_lock:
                if conn in self._conns:
                    self._conns.remove(conn)
            conn.close()

    # -- schema ----------------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        if self.readonly:
            return []
        with self.committing():  # two programs opening an old workspace at once migrate it once
            return schema.apply(self.conn)

    # -- reads -----------------------------------------------------------------------------------

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def watch_others(self) -> int:
        """Start telling own events from others' (for :meth:`others_events_after`); the last seq now."""
        self._tracking_own = True
        return self.scalar("SELECT COALESCE(MAX(seq), 0) FROM events") or 0

    def others_events_after(self, seq: int) -> tuple[list[dict[str, Any]], int]:
        """The audit events committed after ``seq`` by anyone but this object — another window's or another
        process's writes on the same workspace, which no change listener of this object heard — each as
        :meth:`db.changes.Changes.from_events` reads them; and the last seq now. (An own event committed
        while this runs may be counted as another's once: a refresh too many, never one too few.)"""
        seqs = [r[0] for r in self.query("SELECT seq FROM events WHERE seq > ? ORDER BY seq", (seq,))]
        last = seqs[-1] if seqs else seq
        with self._own_lock:
            own, self._own_seqs = self._own_seqs, {s for s in self._own_seqs if s > last}
        theirs = [s for s in seqs if s not in own]  # payloads are read only for these (own may be thousands)
        rows = []
        for i in range(0, len(theirs), 500):
            chunk = theirs[i:i + 500]
            rows += self.query("SELECT seq, action, report_id, claim_id, evidence_id, payload FROM events"
                               f" WHERE seq IN ({','.join('?' * len(chunk))}) ORDER BY seq", chunk)
        out = []
        for r in rows:
            try:
                payload = json.loads(r["payload"] or "{}")
            except ValueError:
                payload = {}
            out.append({"seq": r["seq"], "action": r["action"], "report_id": r["report_id"],
                        "claim_id": r["claim_id"], "evidence_id": r["evidence_id"], "payload": payload})
        return out, last

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A consistent read across several statements (one read transaction)."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # -- writes ----------------------------------------------------------------------------------

    def add_change_listener(self, fn: Callable[[Changes], None]) -> None:
        """Call ``fn(changes)`` after every committed write, on the thread that wrote (keep it short: the
        writer waits; a listener that raises is logged and ignored — the write is committed anyway)."""
        self._change_listeners.append(fn)

    def remove_change_listener(self, fn: Callable[[Changes], None]) -> None:
        if fn in self._change_listeners:
            self._change_listeners.remove(fn)

    @contextmanager
    def write(self, *, actor: str | None = None, role: str | None = None, mutations: int = 1) -> Iterator[Tx]:
        """One mutation: rows and exactly one audit event, committed together.

        ``mutations=n``: up to *n* mutations in one transaction, each ending with its own event (at least
        one event is still required; the head file then moves to the last one).

        Before the commit the new event must continue the chain the head file names (or a head the
        chain has since passed, after a crash); otherwise the mutation is refused with
        :class:`ChainMismatch`. After the commit the head file moves to the new event; if that write
        fails the change stays committed and ``head_error`` records why (the next write, or opening the
        workspace, moves the head file on).
        """
        if self.readonly:
            raise ReadOnlyError(str(self.path))
        with self.committing():
            conn = self.conn
            if getattr(self._local, "replay_ready", None) is not conn:
                replay.install(conn)  # (outside the transaction: a rollback must not take the triggers away)
                self._local.replay_ready = conn
            conn.execute("BEGIN IMMEDIATE")
            tx = Tx(self, conn, actor if actor is not None else self.actor, role or self.role, mutations)
            try:
                replay.clear(conn)
                yield tx
                if not 1 <= len(tx.events) <= mutations:
                    raise EventCountError(f"a mutation must write exactly one event, wrote {len(tx.events)}")
                if replay.pending(conn):
                    # rows written after the mutation's event: the log does not say what they are
                    log.error("rows written after the audit event %s: verify will name them",
                              tx.events[-1]["action"])
                    if os.environ.get("EVIDENCE_DESK_REPLAY_STRICT"):
                        raise EventCountError(f"rows written after the event {tx.events[-1]['action']!r}")
                self._check_head(conn, tx.events[0])
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # also when COMMIT itself failed (disk full, I/O error)
                    conn.execute("ROLLBACK")
                raise
            ev = tx.events[-1]
            if self._tracking_own:
                with self._own_lock:
                    self._own_seqs.update(e["seq"] for e in tx.events)
            try:
                audit.write_head(self.head_path, ev["seq"], ev["hash"])
                self.head_error = None
            except OSError as exc:
                self.head_error = exc
        if self._change_listeners:
            changes = tx.changes
            for fn in list(self._change_listeners):
                try:
                    fn(changes)
                except Exception:
                    log.exception("a change listener failed")

    head_error: OSError | None = None

    def _check_head(self, conn: sqlite3.Connection, event: dict[str, Any]) -> None:
        """The chain before ``event`` (uncommitted) must agree with the head file."""
        head = audit.read_head(self.head_path)
        prev_seq = event["seq"] - 1
        if head is None:
            if prev_seq == 0:
                return
            raise ChainMismatch("head_missing")
        hseq, hhash = head.get("seq"), head.get("hash")
        if head.get("corrupt") or not isinstance(hseq, int):
            raise ChainMismatch("head_corrupt")
        if hseq == prev_seq and hhash == event["prev_hash"]:
            return
        if hseq > prev_seq:
            raise ChainMismatch("events_truncated")
        if hseq == 0 and hhash == audit.GENESIS:
            return
        if hseq < prev_seq:
            row = conn.execute("SELECT hash FROM events WHERE seq = ?", (hseq,)).fetchone()
            if row is not None and row["hash"] == hhash:
                return  # the head lagged (crash or a failed head write): this commit moves it on
        raise ChainMismatch("head_mismatch")

    def reconcile_head(self) -> bool:
        if self.readonly:
            return False
        with self.committing():
            return audit.reconcile_head(self.conn, self.head_path)

    def head_problem(self) -> str | None:
        # under the commit lock: another program's commit cannot land between reading the chain and the file
        with self.committing():
            return audit.head_problem(self.conn, self.head_path)

    @contextmanager
    def aligned_snapshot(self) -> Iterator[Any]:
        """One read transaction and the head file as it was when it began, with no commit in between
        (taken under the commit lock, released once the snapshot holds). Yields the head as read."""
        conn = self.conn
        if conn.in_transaction:
            raise RuntimeError("aligned_snapshot inside an open transaction")
        with self.committing():
            head = audit.read_head(self.head_path)
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts at a read
        try:
            yield head
        finally:
            conn.execute("COMMIT")

    def verify_chain(self, progress=None, *, head: Any = audit._READ, writer_active: bool = False, visit=None
                     ) -> list[audit.ChainProblem]:
        with self.snapshot():
            return audit.verify_chain(self.conn, self.head_path, progress, head=head, writer_active=writer_active,
                                      visit=visit)

    # -- settings --------------------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else row["value"]
