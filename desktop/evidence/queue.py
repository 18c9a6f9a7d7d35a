"""The persisted ingest queue (table ``ingest_queue``): what is left to do survives a crash.

Tasks, in the order they run (``priority``, then arrival):

* ``scan`` (0) — walk a folder; enqueue ``register`` for every file not registered as it is now, and
  (for the watched folder) ``register`` for every recorded path that is no longer there;
* ``register`` (0) — bring one path in line with the database: copy + hash + record it, or mark it
  absent when the file has gone (see :mod:`desktop.evidence.service`);
* ``index`` (10) — text and numbers of a new evidence file; ``thumb`` (20) — its thumbnail.
  The GUI lowers the priority of what is on screen (:meth:`IngestQueue.bump`).

States: ``pending`` → ``in_progress`` → ``done`` (purged when the queue falls idle) or back to ``pending``
with ``next_try_at`` after a transient error (back-off), or ``failed`` with the error and the number of
``attempts``. At most one *pending* row exists per (task, path, evidence): repeated watcher hints collapse
into it (the earliest ``next_try_at`` and the best priority win). A row left ``in_progress`` by a crash
becomes ``pending`` again at the next start, unless it is text or a thumbnail (work that reads what is in
the file) already tried ``POISON_ATTEMPTS`` times — then the file is assumed to crash the process and is
failed with ``crashed``. Registrations always resume: copying does not read what is in a file, and they
are claimed in batches, so a crash says nothing about any one file of the batch.

Queue rows are scheduling state, not facts about evidence: they are written under the database's write
lock without an audit event. What a task *does* to evidence goes through the audited service functions,
and a registration completes its task inside the same transaction.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from desktop.evidence import fspath

SCAN, REGISTER, INDEX, THUMB = "scan", "register", "index", "thumb"
PATH_TASKS = (SCAN, REGISTER)
DERIVED_TASKS = (INDEX, THUMB)
PRIORITY = {SCAN: 0, REGISTER: 0, INDEX: 10, THUMB: 20}
POISON_ATTEMPTS = 3
MIN_SHARE = 16  # a claim's share of the last files is never smaller: a claim costs more than copying a few


def ts(t: float | None = None) -> str:
    """A timestamp in the database's format (UTC, milliseconds): text order is time order."""
    d = _dt.datetime.fromtimestamp(time.time() if t is None else t, _dt.timezone.utc)
    return d.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Hint:
    """Something to look at: a path (register / scan) or an evidence file (index / thumb)."""

    path: str = ""
    task: str = REGISTER
    ready: bool = False  # known complete (closed after writing, moved in, dropped by the user)
    delay: float = 0.0  # seconds before it may run
    seen_size: int | None = None
    seen_mtime_ns: int | None = None
    priority: int | None = None
    origin: str = "watcher"
    evidence_id: int | None = None


@dataclass
class Task:
    id: int
    task: str
    path: str  # the OS form ('' for index / thumb)
    path_text: str
    raw_path: bytes | None
    evidence_id: int | None
    attempts: int
    ready: bool
    seen_size: int | None
    seen_mtime_ns: int | None
    origin: str | None
    error: str | None
    priority: int

    @classmethod
    def from_row(cls, r) -> "Task":
        return cls(
            r["id"], r["task"], fspath.from_db(r["path"], r["raw_path"]), r["path"], r["raw_path"],
            r["evidence_id"], r["attempts"], bool(r["ready"]), r["seen_size"], r["seen_mtime_ns"], r["origin"],
            r["error"], r["priority"],
        )

    @property
    def key(self) -> tuple[str, Any]:
        return ("e", self.evidence_id) if self.task in DERIVED_TASKS else ("p", self.path_text)


_UPSERT = (
    "INSERT INTO ingest_queue (path, raw_path, task, evidence_id, state, priority, ready, seen_size,"
    " seen_mtime_ns, origin, next_try_at, enqueued_at, updated_at)"
    " VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (task, path, coalesce(evidence_id, 0)) WHERE state = 'pending' DO UPDATE SET"
    " priority = min(priority, excluded.priority),"
    " ready = max(ready, excluded.ready),"
    " seen_size = CASE WHEN excluded.ready THEN seen_size ELSE coalesce(excluded.seen_size, seen_size) END,"
    " seen_mtime_ns = CASE WHEN excluded.ready THEN seen_mtime_ns"
    "   ELSE coalesce(excluded.seen_mtime_ns, seen_mtime_ns) END,"
    " next_try_at = min(coalesce(next_try_at, excluded.next_try_at), excluded.next_try_at),"
    " updated_at = excluded.updated_at"
)


class IngestQueue:
    def __init__(self, db):
        self.db = db

    # -- bookkeeping transactions ------------------------------------------------------------------

    @contextmanager
    def book(self) -> Iterator[Any]:
        """A write transaction for queue rows only (no audit event: see the module docstring).

        Committed without waiting for the disk (``synchronous = NORMAL``; the database stays consistent in
        WAL mode, and the next audited commit's flush carries these rows too): a power cut may undo the
        last few, which costs nothing but time — an interrupted task runs again, and the start-up scan finds
        any file whose hint was lost. A crash of the process loses nothing.
        """
        db = self.db
        with db.write_lock:
            conn = db.conn
            conn.execute("PRAGMA synchronous = NORMAL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:  # also when COMMIT itself failed
                        conn.execute("ROLLBACK")
                    raise
            finally:
                if not conn.in_transaction:  # (a failed ROLLBACK leaves one open: it cannot be changed
                    conn.execute("PRAGMA synchronous = FULL")  # then, and the original error matters more)

    # -- adding ----------------------------------------------------------------------------------

    def add(self, hints: Sequence[Hint], conn=None) -> int:
        """Enqueue ``hints`` in one transaction (or inside ``conn``'s open one); return how many."""
        if not hints:
            return 0
        now = time.time()
        stamp = ts(now)
        rows = []
        for h in hints:
            if h.task in DERIVED_TASKS:
                text, raw = "", None
            else:
                text, raw = fspath.to_db(os.path.abspath(h.path))
            prio = PRIORITY[h.task] if h.priority is None else h.priority
            rows.append((text, raw, h.task, h.evidence_id, prio, int(h.ready), h.seen_size, h.seen_mtime_ns,
                         h.origin, ts(now + h.delay) if h.delay > 0 else stamp, stamp, stamp))
        if conn is not None:
            conn.executemany(_UPSERT, rows)
        else:
            with self.book() as c:
                c.executemany(_UPSERT, rows)
        return len(rows)

    def add_derived(self, conn, wanted: Iterable[tuple[int, Iterable[str]]], origin: str = "ingest"):
        """Schedule text and thumbnails: ``wanted`` is ``(evidence id, tasks)`` pairs."""
        self.add([Hint(task=t, evidence_id=e, ready=True, origin=origin) for e, tasks in wanted for t in tasks],
                 conn=conn)

    def bump(self, evidence_ids: Iterable[int], priority: int = 5) -> None:
        """Do these evidence files' text and thumbnails sooner (they are on screen)."""
        ids = list(evidence_ids)
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        with self.book() as c:
            c.execute(
                f"UPDATE ingest_queue SET priority = min(priority, ?) WHERE state = 'pending'"
                f" AND task IN ('index', 'thumb') AND evidence_id IN ({marks})",
                [priority, *ids],
            )

    # -- taking ----------------------------------------------------------------------------------

    def claim(
        self, kinds: Sequence[str], limit: int, busy: set | frozenset = frozenset(), share: int = 1
    ) -> list[Task]:
        """Take up to ``limit`` runnable tasks of ``kinds`` (best priority first), skipping busy keys.

        ``share``: how many workers take from the queue. When fewer than ``limit`` tasks are left for each,
        this one takes its share of what is left, so the workers finish together instead of one copying a
        last full batch while the others wait. Candidates are read first, outside any transaction, so an
        empty queue costs no write lock.
        """
        now = ts()
        marks = ",".join("?" * len(kinds))
        rows = self.db.query(
            f"SELECT * FROM ingest_queue WHERE state = 'pending' AND task IN ({marks})"
            " AND (next_try_at IS NULL OR next_try_at <= ?) ORDER BY priority, id LIMIT ?",
            [*kinds, now, limit * share + len(busy)],
        )
        candidates: list[Task] = []
        keys = set(busy)
        for r in rows:
            t = Task.from_row(r)
            if t.key in keys:
                continue
            keys.add(t.key)
            candidates.append(t)
            if len(candidates) >= limit * share:
                break
        if not candidates:
            return []
        candidates = candidates[:min(limit, max(-(-len(candidates) // share), MIN_SHARE))]
        with self.book() as c:
            taken = {r[0] for r in c.execute(
                "UPDATE ingest_queue SET state = 'in_progress', attempts = attempts + 1, updated_at = ?"
                f" WHERE id IN ({','.join('?' * len(candidates))}) AND state = 'pending' RETURNING id",
                [now, *(t.id for t in candidates)],
            ).fetchall()}
        tasks = [t for t in candidates if t.id in taken]
        for t in tasks:
            t.attempts += 1
        return tasks

    # -- finishing -------------------------------------------------------------------------------

    def done(self, task_ids: Iterable[int], conn=None) -> None:
        ids = [(ts(), i) for i in task_ids]
        sql = "UPDATE ingest_queue SET state = 'done', error = NULL, error_detail = NULL, updated_at = ? WHERE id = ?"
        if conn is not None:
            conn.executemany(sql, ids)
        elif ids:
            with self.book() as c:
                c.executemany(sql, ids)

    def clear_failures(self, conn, paths: Iterable[tuple[str, bytes | None]]) -> None:
        """Forget earlier failures of these ``(path text, raw path)`` (they have just been registered)."""
        conn.executemany(
            "DELETE FROM ingest_queue WHERE state = 'failed' AND task = 'register' AND path = ? AND raw_path IS ?",
            paths,
        )

    def retry_later(
        self,
        task: Task,
        *,
        delay: float,
        error: str | None = None,
        detail: str | None = None,
        seen: tuple[int, int] | None = None,
        ready: bool | None = None,
        count_attempt: bool = True,
    ) -> None:
        """Put ``task`` back for later (transient error, or a file not yet stable)."""
        when = ts(time.time() + delay)
        with self.book() as c:
            cur = c.execute(
                "UPDATE OR IGNORE ingest_queue SET state = 'pending', next_try_at = ?, error = ?, error_detail = ?,"
                " seen_size = coalesce(?, seen_size), seen_mtime_ns = coalesce(?, seen_mtime_ns),"
                " ready = coalesce(?, ready), attempts = attempts - ?, updated_at = ? WHERE id = ?",
                (when, error, (detail or None) and detail[:2000], seen[0] if seen else None,
                 seen[1] if seen else None, None if ready is None else int(ready), 0 if count_attempt else 1,
                 ts(), task.id),
            )
            if cur.rowcount == 0:  # a newer hint for the same file is already pending: it takes over
                c.execute("DELETE FROM ingest_queue WHERE id = ?", (task.id,))

    def fail(self, task: Task, *, error: str, detail: str | None = None, seen: tuple[int, int] | None = None,
             conn=None) -> None:
        """Give up on ``task`` (a permanent error, or too many attempts): it stays visible as failed."""
        def run(c):
            if task.task in PATH_TASKS:
                c.execute(
                    "DELETE FROM ingest_queue WHERE state = 'failed' AND task = ? AND path = ? AND raw_path IS ?"
                    " AND id != ?",
                    (task.task, task.path_text, task.raw_path, task.id),
                )
            c.execute(
                "UPDATE ingest_queue SET state = 'failed', error = ?, error_detail = ?,"
                " seen_size = coalesce(?, seen_size), seen_mtime_ns = coalesce(?, seen_mtime_ns), updated_at = ?"
                " WHERE id = ?",
                (error, (detail or None) and detail[:2000], seen[0] if seen else None, seen[1] if seen else None,
                 ts(), task.id),
            )

        if conn is not None:
            run(conn)
        else:
            with self.book() as c:
                run(c)

    def fail_paths(self, items: Iterable[tuple[str, str, str]], origin: str = "scan") -> int:
        """Record ``(path, task, error)`` as failed without running anything (a scan's refusals: a link
        leading outside the folder, another workspace): listed with the other problems, each path once."""
        stamp = ts()
        rows = []
        for path, task, error in items:
            text, raw = fspath.to_db(os.path.abspath(path))
            rows.append((text, raw, task, error, origin))
        if not rows:
            return 0
        with self.book() as c:
            c.executemany("DELETE FROM ingest_queue WHERE state = 'failed' AND task = ? AND path = ? AND raw_path IS ?",
                          [(task, text, raw) for text, raw, task, _e, _o in rows])
            c.executemany(
                "INSERT INTO ingest_queue (path, raw_path, task, state, priority, ready, origin, error, attempts,"
                " next_try_at, enqueued_at, updated_at) VALUES (?, ?, ?, 'failed', 0, 1, ?, ?, 1, ?, ?, ?)",
                [(text, raw, task, origin, error, stamp, stamp, stamp) for text, raw, task, error, origin in rows])
        return len(rows)

    def drop(self, task_ids: Iterable[int]) -> None:
        ids = [(i,) for i in task_ids]
        if ids:
            with self.book() as c:
                c.executemany("DELETE FROM ingest_queue WHERE id = ?", ids)

    # -- user actions ----------------------------------------------------------------------------

    def retry(self, task_ids: Iterable[int]) -> int:
        """Try failed (or back-off) tasks again now, with a fresh count of attempts."""
        ids = list(task_ids)
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        with self.book() as c:
            n = c.execute(
                f"UPDATE OR IGNORE ingest_queue SET state = 'pending', attempts = 0, next_try_at = ?, ready = 1,"
                f" updated_at = ? WHERE id IN ({marks}) AND state IN ('failed', 'pending')",
                [ts(), ts(), *ids],
            ).rowcount
            c.execute(f"DELETE FROM ingest_queue WHERE id IN ({marks}) AND state = 'failed'", ids)
        return n

    def dismiss(self, task_ids: Iterable[int]) -> None:
        """Forget failures the user has seen (the files stay out until they change)."""
        ids = list(task_ids)
        if ids:
            marks = ",".join("?" * len(ids))
            with self.book() as c:
                c.execute(f"UPDATE ingest_queue SET state = 'done' WHERE id IN ({marks}) AND state = 'failed'", ids)

    # -- start-up and status ---------------------------------------------------------------------

    def recover(self) -> dict[str, Any]:
        """After a crash or at start: put interrupted tasks back; fail those that crashed us repeatedly."""
        with self.book() as c:
            poison = [Task.from_row(r) for r in c.execute(
                "SELECT * FROM ingest_queue WHERE state = 'in_progress' AND attempts >= ?"
                " AND task IN ('index', 'thumb')", (POISON_ATTEMPTS,)
            )]
            c.executemany(
                "UPDATE ingest_queue SET state = 'failed', error = 'crashed', updated_at = ? WHERE id = ?",
                [(ts(), t.id) for t in poison],
            )
            resumed = c.execute(
                "UPDATE OR IGNORE ingest_queue SET state = 'pending', updated_at = ? WHERE state = 'in_progress'",
                (ts(),),
            ).rowcount
            c.execute("DELETE FROM ingest_queue WHERE state = 'in_progress'")  # a pending twin takes over
            c.execute("DELETE FROM ingest_queue WHERE state = 'done'")
        return {"resumed": resumed, "poison": poison}

    def purge_done(self) -> None:
        with self.book() as c:
            c.execute("DELETE FROM ingest_queue WHERE state = 'done'")

    def next_due(self) -> float | None:
        """Seconds until the next pending task may run (0 when one may run now, None when none waits)."""
        when = self.db.scalar("SELECT min(next_try_at) FROM ingest_queue WHERE state = 'pending'")
        if when is None:
            return None
        due = _dt.datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp()
        return max(0.0, due - time.time())

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for r in self.db.query("SELECT task, state, count(*) AS n FROM ingest_queue GROUP BY task, state"):
            out.setdefault(r["task"], {})[r["state"]] = r["n"]
        return out

    def outstanding(self, kinds: Sequence[str] = (SCAN, REGISTER, INDEX, THUMB)) -> int:
        """Tasks still to run or running, not counting those waiting to retry after an error."""
        marks = ",".join("?" * len(kinds))
        return self.db.scalar(
            f"SELECT count(*) FROM ingest_queue WHERE task IN ({marks}) AND"
            " (state = 'in_progress' OR (state = 'pending' AND error IS NULL))",
            list(kinds),
        ) or 0

    def problems(self) -> list[dict[str, Any]]:
        """Files that could not be registered: failed, or waiting to retry after an error."""
        rows = self.db.query(
            "SELECT * FROM ingest_queue WHERE task IN ('register', 'scan') AND"
            " (state = 'failed' OR (state IN ('pending', 'in_progress') AND error IS NOT NULL)) ORDER BY id"
        )
        out = []
        for r in rows:
            d = dict(r)
            d["os_path"] = fspath.from_db(r["path"], r["raw_path"])
            d["name"] = fspath.display_name(fspath.basename(d["os_path"]))
            out.append(d)
        return out
