"""The audit chain: an append-only, hash-linked ``events`` table plus a head file outside the database.

Each event's ``hash`` is ``sha256(prev_hash + canonical JSON of the row)``. Changing a byte of any event,
deleting one, or swapping two breaks the chain at that event; cutting events off the end is caught by
the head file (``audit-head.json``), which holds the sequence number and hash of the last event and is
rewritten after every commit.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

GENESIS = "0" * 64
HEAD_FILE = "audit-head.json"
EVENT_COLUMNS = (
    "seq",
    "ts",
    "actor",
    "role",
    "action",
    "report_id",
    "claim_id",
    "evidence_id",
    "payload",
)


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_encode_str = json.encoder.encode_basestring  # what _CANONICAL uses for a string (ensure_ascii=False)


def canonical_json(value: Any) -> str:
    # one encoder, not json.dumps: with options, dumps builds a new encoder per call (twice per event)
    return _CANONICAL.encode(value)


def _fast_values(t: tuple) -> str | None:
    """The canonical JSON of an event row (a tuple in ``EVENT_COLUMNS`` order) built directly: what
    :func:`canonical_json` gives for the usual types (text, integers, NULL ids), byte for byte; None for
    anything else, which takes the general path. (About twice as fast: verify hashes every event.)"""
    s, ts, ac, ro, a, r, c, e, p = t[:9]
    if not (type(a) is str and type(ac) is str and type(p) is str and type(ro) is str and type(ts) is str
            and type(s) is int and (c is None or type(c) is int) and (e is None or type(e) is int)
            and (r is None or type(r) is int)):
        return None
    enc = _encode_str
    return (f'{{"action":{enc(a)},"actor":{enc(ac)},"claim_id":{"null" if c is None else int.__repr__(c)},'
            f'"evidence_id":{"null" if e is None else int.__repr__(e)},"payload":{enc(p)},'
            f'"report_id":{"null" if r is None else int.__repr__(r)},"role":{enc(ro)},"seq":{int.__repr__(s)},'
            f'"ts":{enc(ts)}}}')


def event_hash(prev_hash: str, row: Any) -> str:
    body = _fast_values(tuple(row[k] for k in EVENT_COLUMNS))
    if body is None:
        body = canonical_json({k: row[k] for k in EVENT_COLUMNS})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append_event(
    conn: sqlite3.Connection,
    *,
    ts: str,
    actor: str,
    role: str,
    action: str,
    payload: dict[str, Any],
    report_id: int | None = None,
    claim_id: int | None = None,
    evidence_id: int | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Append one event inside the caller's open transaction and return the full row.

    ``after``: the event this transaction appended last, when it has appended one (saves reading it back).
    """
    last = after or conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = last["hash"] if last else GENESIS
    seq = (last["seq"] + 1) if last else 1
    row: dict[str, Any] = {
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "role": role,
        "action": action,
        "report_id": report_id,
        "claim_id": claim_id,
        "evidence_id": evidence_id,
        "payload": canonical_json(payload),
    }
    row["prev_hash"] = prev_hash
    row["hash"] = event_hash(prev_hash, row)
    conn.execute(
        "INSERT INTO events (seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload,"
        " prev_hash, hash) VALUES (:seq, :ts, :actor, :role, :action, :report_id, :claim_id,"
        " :evidence_id, :payload, :prev_hash, :hash)",
        row,
    )
    return row


# --- head file -------------------------------------------------------------------------------


def read_head(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"seq": None, "hash": None, "corrupt": True}
    if not isinstance(data, dict):
        return {"seq": None, "hash": None, "corrupt": True}
    return data


#: beside the head file: a little space kept in reserve for it. A full disk (SQLite's last commit took the
#: last free block) must not leave a committed event that the head file cannot name: the reserve is given
#: up for the head file's write, and made again once there is room.
RESERVE_SUFFIX = ".reserve"
RESERVE_BYTES = 64 * 1024


def write_head(path: Path, seq: int, hash_: str) -> None:
    """Atomically replace the head file (temp file, fsync, rename, fsync of the folder so the rename
    itself survives a power cut). On a full disk the reserve beside it is freed for this write."""
    path = Path(path)
    reserve = path.with_name(path.name + RESERVE_SUFFIX)
    try:
        _write_head(path, seq, hash_)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) or not reserve.exists():
            raise
        reserve.unlink()
        _write_head(path, seq, hash_)
        return
    if not reserve.exists():
        _make_reserve(reserve)


def _write_head(path: Path, seq: int, hash_: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    data = canonical_json({"seq": seq, "hash": hash_}).encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        n = os.write(fd, data)
        if n != len(data):
            raise OSError(errno.ENOSPC, "short write of the head file", str(tmp))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _sync_folder(path.parent)


def _make_reserve(reserve: Path) -> None:
    """Best effort (no room, a read-only share: then there is none until the next write)."""
    try:
        fd = os.open(reserve, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError:
        return
    try:
        try:
            os.write(fd, b"\0" * RESERVE_BYTES)  # real blocks (a sparse file would free nothing)
            os.fsync(fd)
        except OSError:
            os.close(fd)
            fd = -1
            try:
                reserve.unlink()
            except OSError:
                pass
    finally:
        if fd >= 0:
            os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows cannot open a folder this way; its rename is durable with the file
        return
    try:
        os.fsync(fd)
    except OSError:  # some network file systems refuse fsync on a folder: the file itself is synced
        pass
    finally:
        os.close(fd)


def chain_head(conn: sqlite3.Connection) -> tuple[int, str]:
    last = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return (last["seq"], last["hash"]) if last else (0, GENESIS)


def reconcile_head(conn: sqlite3.Connection, path: Path) -> bool:
    """After a crash between a commit and the head-file write, move the head file forward.

    Only a head file that names an event still present, unchanged, in the chain is moved: a head file
    pointing past the end (events cut off) or at a different hash is left alone for ``verify``.
    Returns True when the file was rewritten.
    """
    seq, hash_ = chain_head(conn)
    head = read_head(path)
    if head is None:
        if seq == 0:
            write_head(path, 0, GENESIS)
            return True
        return False
    if head.get("seq") == seq and head.get("hash") == hash_:
        return False
    hseq = head.get("seq")
    if not isinstance(hseq, int) or hseq > seq:
        return False
    if hseq == 0:
        ok = head.get("hash") == GENESIS
    else:
        row = conn.execute("SELECT hash FROM events WHERE seq = ?", (hseq,)).fetchone()
        ok = row is not None and row["hash"] == head.get("hash")
    if ok:
        write_head(path, seq, hash_)
    return ok


def head_problem(conn: sqlite3.Connection, path: Path) -> str | None:
    """Why the head file and the chain disagree in a way a crash cannot explain (None: they agree).

    A head file that lags behind the chain but names one of its events unchanged is what a crash
    between a commit and the head-file write leaves, and :func:`reconcile_head` repairs it; anything
    else (the file missing or unreadable while events exist, pointing past the end, naming an event
    with another hash) means events were removed or rewritten, and writing on would bury the evidence.
    """
    seq, hash_ = chain_head(conn)
    head = read_head(path)
    if head is None:
        return None if seq == 0 else "head_missing"
    hseq, hhash = head.get("seq"), head.get("hash")
    if head.get("corrupt") or not isinstance(hseq, int) or not isinstance(hhash, str):
        return "head_corrupt"
    if hseq > seq:
        return "events_truncated"
    if hseq == seq:
        return None if hhash == hash_ else "head_mismatch"
    if hseq == 0:
        return None if hhash == GENESIS else "head_mismatch"
    row = conn.execute("SELECT hash FROM events WHERE seq = ?", (hseq,)).fetchone()
    return None if row is not None and row["hash"] == hhash else "head_mismatch"


# --- verification ----------------------------------------------------------------------------


@dataclass
class ChainProblem:
    """One thing wrong with the chain. ``code`` is stable; the UI turns it into words."""

    code: str
    seq: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "seq": self.seq, **self.detail}


def iter_events(conn: sqlite3.Connection, batch: int = 5000) -> Iterator[sqlite3.Row]:
    cur = conn.execute(
        "SELECT seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload, prev_hash,"
        " hash FROM events ORDER BY seq"
    )
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        yield from rows


_READ = object()


def verify_chain(
    conn: sqlite3.Connection,
    head_path: Path | None,
    progress: Callable[[int, int], None] | None = None,
    *,
    head: Any = _READ,
    writer_active: bool = False,
    visit: Callable[[tuple], None] | None = None,
) -> list[ChainProblem]:
    """Recompute the whole chain; return the problems found, first broken event first.

    Codes: ``event_altered`` (the row no longer hashes to its stored hash), ``event_missing`` (a gap
    in the sequence: events deleted), ``event_chain_broken`` (prev_hash does not match the event
    before: events deleted, inserted or reordered), ``head_missing``, ``head_corrupt``,
    ``events_truncated`` (the head file names a later event than the database holds),
    ``head_mismatch`` (the event the head file names has a different hash), ``head_behind`` (events
    after the one the head file names: only reported when no writer holds the workspace).

    The head file is read **before** the events (pass ``head`` to read it yourself, earlier still), and
    the caller should hold one read transaction around the call: then a writer committing meanwhile
    can only add events after the head, never make the head point past what was read.
    """
    if head is _READ:
        head = read_head(head_path) if head_path is not None else None
    problems: list[ChainProblem] = []
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    prev_hash = GENESIS
    expected_seq = 1
    last_seq = 0
    hashes: dict[int, str] = {}
    done = 0
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples, in EVENT_COLUMNS order then prev_hash, hash (fast: no Row objects)
    cur.execute("SELECT seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload, prev_hash,"
                " hash FROM events ORDER BY seq")
    hseq = head.get("seq") if isinstance(head, dict) else None
    while True:
        batch = cur.fetchmany(5000)
        if not batch:
            break
        for row in batch:
            seq = row[0]
            if seq != expected_seq:
                problems.append(
                    ChainProblem("event_missing", expected_seq, {"missing_to": seq - 1, "ts_after": row[1]})
                )
            elif row[9] != prev_hash:
                problems.append(ChainProblem("event_chain_broken", seq, {"ts": row[1]}))
            body = _fast_values(row)
            if body is None:
                body = canonical_json(dict(zip(EVENT_COLUMNS, row)))
            if hashlib.sha256((row[9] + body).encode("utf-8")).hexdigest() != row[10]:
                problems.append(ChainProblem("event_altered", seq, {"ts": row[1], "action": row[4]}))
            if visit is not None:  # another check reading the same rows in the same pass (verify's replay)
                visit(row)
            prev_hash = row[10]
            expected_seq = seq + 1
            last_seq = seq
            if seq == hseq:
                hashes[seq] = row[10]
            done += 1
            if progress and done % 2000 == 0:
                progress(done, total)
    if progress:
        progress(done, total)
    if head_path is not None:
        if head is None:
            problems.append(ChainProblem("head_missing", None, {"last_seq": last_seq}))
        elif head.get("corrupt"):
            problems.append(ChainProblem("head_corrupt", None, {}))
        else:
            hseq, hhash = head.get("seq"), head.get("hash")
            if not isinstance(hseq, int):
                problems.append(ChainProblem("head_corrupt", None, {}))
            elif hseq > last_seq:
                problems.append(
                    ChainProblem("events_truncated", last_seq + 1, {"missing_to": hseq, "last_seq": last_seq})
                )
            elif hseq == 0:
                if hhash != GENESIS:
                    problems.append(ChainProblem("head_mismatch", 0, {}))
            elif hashes.get(hseq) != hhash:
                problems.append(ChainProblem("head_mismatch", hseq, {}))
            elif hseq < last_seq and not writer_active:
                # Events after the head: left by a crash between commit and head write, which opening
                # the workspace read-write repairs; seen here, they were never anchored.
                problems.append(
                    ChainProblem("head_behind", hseq + 1, {"head_seq": hseq, "last_seq": last_seq})
                )
    problems.sort(key=lambda p: (p.seq is None, p.seq if p.seq is not None else 0))
    return problems
