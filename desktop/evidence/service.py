"""Registering evidence files: copy into the store, then one transaction of rows + one audit event.

Evidence is identified by content. What a registration means depends on what the database already
knows about the bytes and about the path (``Registered.outcome``):

=============  ==========================================================================================
``added``       new bytes at a path with no history                         → ``evidence.added``
``new_version`` different bytes at a path that held evidence E (present, or
                absent with no other copy left): the new row's ``supersedes``
                is E, E's path row is marked absent                          → ``evidence.new_version``
``duplicate``   known bytes at a new path while their other paths still exist
                ("same as E12")                                              → ``evidence.path_added``
``renamed``     known bytes at a new path while their old paths are gone (or
                were already marked absent): old rows marked absent, the
                evidence takes the new name                                  → ``evidence.renamed``
``restored``    known bytes back at the same path after every copy had gone  → ``evidence.restored``
``unchanged``   the same bytes at the same path (only size/mtime refreshed,
                and only written when they changed)                          → ``evidence.unchanged``
=============  ==========================================================================================

When a path's content changes to bytes that are already registered as evidence B (a file reverted to an
earlier version, or another file copied over it), B becomes the current version: ``B.supersedes`` is set
to the path's previous evidence A when B supersedes nothing yet, and a link that would make a cycle
(A superseding B, from before the revert) is cleared. The audit event keeps every step. A file is
*superseded* when another evidence row has ``supersedes = its id``.

:func:`mark_path_absent` records that a file left the folder: its path row is marked absent and the
evidence stays. Paths are stored with :mod:`desktop.evidence.fspath` (undecodable names round-trip).
"""

from __future__ import annotations

import functools
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from db.changes import NO_CHANGES, Changes
from desktop.evidence import fspath
from desktop.store import StoredObject
from desktop.workspace import Workspace, require_role

EDITOR = ("editor",)

InTx = Callable[[Any, "Registered"], None]


@dataclass
class Registered:
    evidence_id: int
    sha256: str
    path: str  # as stored (fspath.to_db text form)
    outcome: str  # added / new_version / duplicate / renamed / restored / unchanged
    duplicate_of: int | None = None
    supersedes: int | None = None
    moved_from: list[str] = field(default_factory=list)
    new: bool = False  # a new evidence row was created (it needs text, numbers and a thumbnail)
    changes: Changes = NO_CHANGES  # of the transaction that recorded it (a batch's: every file of it)


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files under ``paths`` (folders walked recursively, symlinks to folders not followed)."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames.sort()
                for name in sorted(filenames):
                    yield Path(dirpath) / name
        else:
            yield p


def register_file(
    ws: Workspace,
    path: str | Path,
    *,
    on_chunk: Callable[[int], None] | None = None,
    in_tx: InTx | None = None,
) -> Registered:
    """Copy ``path`` into the store and record it (or record a new path / version of known bytes)."""
    require_role(ws.db, "evidence.register", *EDITOR)
    ws.require_writer_lock()  # only the writer-lock holder copies files in (see Workspace.open)
    path = os.path.abspath(os.fspath(path))
    obj = ws.store.add_file(path, on_chunk=on_chunk)
    return record_object(ws, path=path, obj=obj, mtime_ns=obj.mtime_ns, in_tx=in_tx)


def _present_row(conn, text: str, raw: bytes | None):
    return conn.execute(
        "SELECT p.id, p.evidence_id, p.size, p.mtime_ns, e.sha256 FROM evidence_paths p"
        " JOIN evidence e ON e.id = p.evidence_id"
        " WHERE p.path = ? AND p.raw_path IS ? AND p.present = 1 ORDER BY p.id DESC LIMIT 1",
        (text, raw),
    ).fetchone()


def record_object(
    ws: Workspace,
    *,
    path: str | Path,
    obj: StoredObject,
    mtime_ns: int | None,
    in_tx: InTx | None = None,
) -> Registered:
    """Record stored bytes ``obj`` as seen at ``path`` (see the module docstring for the outcomes).

    ``in_tx(tx, registered)`` runs inside the transaction before it commits (the ingest queue uses it to
    finish its task and schedule text extraction atomically with the registration); it is not called
    when nothing had to be written.
    """
    return record_objects(ws, [(path, obj, mtime_ns, in_tx)])[0]


def record_objects(
    ws: Workspace,
    items: list[tuple[str | Path, StoredObject, int | None, InTx | None]],
    batch_tx: Callable[[Any, list[tuple[int, Registered]]], None] | None = None,
) -> list[Registered]:
    """Record several stored files in one transaction — one mutation and one audit event per file.

    Bulk ingest commits (and moves the audit head file) once per batch instead of once per file. Files
    already registered exactly as they are (same bytes, size and mtime at that path) write nothing.
    ``batch_tx(tx, [(index in items, registered), ...])`` runs once inside the transaction, after every
    item that was written (the ingest queue finishes a whole batch of tasks in one statement).
    """
    require_role(ws.db, "evidence.register", *EDITOR)
    ws.require_writer_lock()
    db = ws.db
    results: list[Registered | None] = []
    todo = []
    # The write lock from the first read on: what was read stays true until the commit (this process holds
    # the workspace's writer lock, so it is the only one writing evidence rows; others only review, link
    # and comment), so the rows read here in one query per batch are not read again per
    # file inside the transaction. What an earlier item of the batch changes is read again (_UNREAD).
    with db.write_lock:
        keyed = []
        for path, obj, mtime_ns, in_tx in items:
            spath = os.path.abspath(os.fspath(path))
            keyed.append((spath, *fspath.to_db(spath), obj, mtime_ns, in_tx))
        paths = path_rows(db.conn, {(text, raw) for _, text, raw, *_ in keyed})
        seen: set[tuple[str, bytes | None]] = set()
        for spath, text, raw, obj, mtime_ns, in_tx in keyed:
            if (text, raw) in seen:  # the same path twice: the earlier item changes what this one finds
                results.append(None)
                todo.append((len(results) - 1, spath, text, raw, obj, mtime_ns, in_tx, _UNREAD, _UNREAD))
                continue
            seen.add((text, raw))
            pre, any_absent = paths.get((text, raw), (None, False))
            if pre is not None and pre["sha256"] == obj.sha256 and pre["size"] == obj.size \
                    and pre["mtime_ns"] == mtime_ns:
                results.append(Registered(pre["evidence_id"], obj.sha256, text, "unchanged",
                                          duplicate_of=pre["evidence_id"]))
                continue
            results.append(None)
            # a path never seen before has no predecessor to look up
            previous = pre["evidence_id"] if pre is not None else (_UNREAD if any_absent else None)
            todo.append((len(results) - 1, spath, text, raw, obj, mtime_ns, in_tx, pre, previous))
        if todo:
            with db.write(mutations=len(todo)) as tx:
                known = _evidence_by_sha(tx.conn, {item[4].sha256 for item in todo})
                touched: set[str] = set()
                read_ahead = True
                for slot, spath, text, raw, obj, mtime_ns, in_tx, pre, previous in todo:
                    if read_ahead and obj.sha256 not in touched:
                        existing = known.get(obj.sha256)
                    else:  # what was read ahead may have changed: read it all here
                        pre = previous = existing = _UNREAD
                    touched.add(obj.sha256)
                    reg = _record_one(tx, ws, spath, text, raw, obj, mtime_ns, in_tx, pre, previous, existing)
                    results[slot] = reg
                    # New bytes at a new path change only their own rows; anything else (a new version,
                    # a rename, a revert) may change rows later items read ahead.
                    read_ahead = read_ahead and reg.outcome == "added"
                if batch_tx is not None:
                    batch_tx(tx, [(slot, results[slot]) for slot, *_ in todo])
            changes = tx.changes
            for slot, *_ in todo:
                results[slot].changes = changes
    return [r for r in results if r is not None]


_UNREAD = object()  # not read ahead: read inside the transaction


def path_rows(conn, keys: set[tuple[str, bytes | None]]) -> dict[tuple[str, bytes | None], tuple[Any, bool]]:
    """For each ``(path text, raw)``: its present row (as :func:`_present_row` finds it) and whether any
    row at that path is absent. Paths with no row at all are left out."""
    out: dict[tuple[str, bytes | None], tuple[Any, bool]] = {}
    texts = sorted({text for text, _ in keys})
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        for r in conn.execute(
            "SELECT p.id, p.path, p.raw_path, p.evidence_id, p.size, p.mtime_ns, p.present, e.sha256"
            " FROM evidence_paths p JOIN evidence e ON e.id = p.evidence_id"
            f" WHERE p.path IN ({','.join('?' * len(chunk))}) ORDER BY p.id",
            chunk,
        ):
            key = (r["path"], r["raw_path"])
            if key not in keys:
                continue
            present, absent = out.get(key, (None, False))
            out[key] = (r, absent) if r["present"] else (present, True)  # the newest present row wins
    return out


def _evidence_by_sha(conn, shas: set[str]) -> dict[str, Any]:
    out = {}
    ordered = sorted(shas)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        for r in conn.execute(
            f"SELECT id, supersedes, sha256 FROM evidence WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk
        ):
            out[r["sha256"]] = r
    return out


def _record_one(tx, ws, spath, text, raw, obj, mtime_ns, in_tx, current, previous_id, existing) -> Registered:
    """``current``, ``previous_id``, ``existing``: the path's present row (:func:`_present_row`), the
    evidence the path last held (its predecessor) and the evidence with these bytes, or :data:`_UNREAD`."""
    now = tx.now
    if current is _UNREAD:
        current = _present_row(tx.conn, text, raw)
    if existing is _UNREAD:
        existing = tx.execute("SELECT id, supersedes FROM evidence WHERE sha256 = ?", (obj.sha256,)).fetchone()
    if previous_id is _UNREAD:
        previous_id = current["evidence_id"] if current else _absent_predecessor(tx, text, raw)
    if existing:
        reg = _record_known(tx, ws, existing, current, previous_id, text, raw, obj, mtime_ns, now)
    else:
        reg = _record_new(tx, spath, current, previous_id, text, raw, obj, mtime_ns, now)
    if in_tx is not None:
        in_tx(tx, reg)
    payload = {"path": text, "sha256": obj.sha256, "supersedes": reg.supersedes}
    if reg.outcome in ("added", "new_version"):
        payload.update(name=fspath.display_name(fspath.basename(spath)), size=obj.size)
    if reg.moved_from:
        payload["moved_from"] = reg.moved_from
        payload["name"] = fspath.display_name(fspath.basename(spath))
    action = {"duplicate": "evidence.path_added"}.get(reg.outcome, f"evidence.{reg.outcome}")
    tx.event(action, payload, evidence_id=reg.evidence_id)
    return reg


def _absent_predecessor(tx, text: str, raw: bytes | None) -> int | None:
    """The evidence last seen at this path when it is gone everywhere (so new bytes here replace it)."""
    row = tx.execute(
        "SELECT p.evidence_id FROM evidence_paths p WHERE p.path = ? AND p.raw_path IS ? AND p.present = 0"
        " AND NOT EXISTS (SELECT 1 FROM evidence_paths q WHERE q.evidence_id = p.evidence_id AND q.present = 1)"
        " ORDER BY p.last_seen DESC, p.id DESC LIMIT 1",
        (text, raw),
    ).fetchone()
    return row["evidence_id"] if row else None


def _suffixes(name: str) -> str:
    """The end of ``name`` that ``mimetypes`` looks at: its last two suffixes ("x.tar.gz" → ".tar.gz";
    leading dots are part of the stem, as in ``splitext``)."""
    lead = len(name) - len(name.lstrip("."))
    last = name.rfind(".", lead)
    if last < 0:
        return ""
    before = name.rfind(".", lead, last)
    return name[before if before >= 0 else last:]


@functools.lru_cache(maxsize=512)
def _mime(suffixes: str) -> str | None:
    return mimetypes.guess_type("x" + suffixes)[0] if suffixes else None


def _record_new(tx, spath, current, previous_id, text, raw, obj, mtime_ns, now) -> Registered:
    name = fspath.display_name(fspath.basename(spath))
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    evidence_id = tx.insert(
        "evidence",
        {
            "sha256": obj.sha256,
            "size": obj.size,
            "name": name,
            "ext": ext,
            "mime": mimetypes.guess_type(name)[0] if ":" in name else _mime(_suffixes(name)),
            "status": "pending",
            "text_status": "pending",
            "supersedes": previous_id,
            "added_at": now,
        },
    )
    if current is not None:
        tx.execute("UPDATE evidence_paths SET present = 0 WHERE id = ?", (current["id"],))
    _mark_path(tx, text, raw, evidence_id, obj.size, mtime_ns, now, new_evidence=True)
    outcome = "new_version" if previous_id is not None else "added"
    return Registered(evidence_id, obj.sha256, text, outcome, supersedes=previous_id, new=True)


def _record_known(tx, ws, existing, current, previous_id, text, raw, obj, mtime_ns, now) -> Registered:
    evidence_id = existing["id"]
    if current is not None and current["evidence_id"] == evidence_id:
        tx.execute(
            "UPDATE evidence_paths SET last_seen = ?, size = ?, mtime_ns = ? WHERE id = ?",
            (now, obj.size, mtime_ns, current["id"]),
        )
        return Registered(evidence_id, obj.sha256, text, "unchanged", duplicate_of=evidence_id)
    moved_from: list[str] = []
    supersedes = None
    if previous_id is not None and previous_id != evidence_id:
        # This path held other bytes: these (already known) bytes are now its current version.
        outcome = "new_version"
        supersedes = previous_id
        if current is not None:
            tx.execute("UPDATE evidence_paths SET present = 0 WHERE id = ?", (current["id"],))
        _set_version(tx, evidence_id, existing["supersedes"], previous_id)
    else:
        others = tx.execute(
            "SELECT id, path, raw_path FROM evidence_paths WHERE evidence_id = ? AND present = 1"
            " AND NOT (path = ? AND raw_path IS ?)",
            (evidence_id, text, raw),
        ).fetchall()
        gone = [o for o in others if not os.path.lexists(fspath.from_db(o["path"], o["raw_path"]))]
        for o in gone:
            tx.execute("UPDATE evidence_paths SET present = 0 WHERE id = ?", (o["id"],))
            moved_from.append(o["path"])
        if gone:
            outcome = "renamed"
        elif others:
            outcome = "duplicate"
        else:
            # Every earlier copy had already been marked absent: back at the same path, or moved here.
            last = tx.execute(
                "SELECT path, raw_path FROM evidence_paths WHERE evidence_id = ? AND present = 0"
                " ORDER BY last_seen DESC, id DESC LIMIT 1",
                (evidence_id,),
            ).fetchone()
            if last is None or (last["path"] == text and last["raw_path"] == raw):
                outcome = "restored"
            else:
                outcome = "renamed"
                moved_from.append(last["path"])
    if outcome == "renamed":  # the file is known by its new name now
        name = fspath.display_name(fspath.basename(fspath.from_db(text, raw)))
        tx.execute("UPDATE evidence SET name = ? WHERE id = ?", (name, evidence_id))
    _mark_path(tx, text, raw, evidence_id, obj.size, mtime_ns, now)
    return Registered(evidence_id, obj.sha256, text, outcome, duplicate_of=evidence_id, supersedes=supersedes,
                      moved_from=moved_from)


def _set_version(tx, newer: int, newer_supersedes: int | None, older: int) -> None:
    """Make ``newer`` (already registered) the version after ``older``, without making a cycle."""
    if newer_supersedes is not None:
        return  # it already continues another chain; the event records this step
    seen = set()
    node: int | None = older
    while node is not None and node not in seen:  # walk back from ``older``; a link to ``newer`` is a revert
        seen.add(node)
        row = tx.execute("SELECT supersedes FROM evidence WHERE id = ?", (node,)).fetchone()
        parent = row["supersedes"] if row else None
        if parent == newer:
            tx.execute("UPDATE evidence SET supersedes = NULL WHERE id = ?", (node,))
            break
        node = parent
    tx.execute("UPDATE evidence SET supersedes = ? WHERE id = ?", (older, newer))


def _mark_path(tx, text, raw, evidence_id, size, mtime_ns, now, new_evidence: bool = False) -> None:
    row = None if new_evidence else tx.execute(  # a row just inserted has no paths yet
        "SELECT id FROM evidence_paths WHERE path = ? AND raw_path IS ? AND evidence_id = ?", (text, raw, evidence_id)
    ).fetchone()
    if row:
        tx.execute(
            "UPDATE evidence_paths SET present = 1, last_seen = ?, size = ?, mtime_ns = ? WHERE id = ?",
            (now, size, mtime_ns, row["id"]),
        )
    else:
        tx.insert(
            "evidence_paths",
            {"evidence_id": evidence_id, "path": text, "raw_path": raw, "size": size, "mtime_ns": mtime_ns,
             "present": 1, "first_seen": now, "last_seen": now},
        )


def mark_path_absent(ws: Workspace, path: str | Path, *, in_tx: Callable[[Any], None] | None = None) -> list[int]:
    """Record that the file at ``path`` is no longer there; return the evidence ids it held.

    The evidence stays (its bytes are in the store). Nothing is written when no present row names the path.
    """
    require_role(ws.db, "evidence.register", *EDITOR)
    text, raw = fspath.to_db(os.path.abspath(os.fspath(path)))
    rows = ws.db.query(
        "SELECT id, evidence_id FROM evidence_paths WHERE path = ? AND raw_path IS ? AND present = 1", (text, raw)
    )
    if not rows:
        return []
    with ws.db.write() as tx:
        rows = tx.execute(
            "SELECT id, evidence_id FROM evidence_paths WHERE path = ? AND raw_path IS ? AND present = 1",
            (text, raw),
        ).fetchall()
        for r in rows:
            tx.execute("UPDATE evidence_paths SET present = 0, last_seen = ? WHERE id = ?", (tx.now, r["id"]))
        ids = sorted({r["evidence_id"] for r in rows})
        if in_tx is not None:
            in_tx(tx)
        tx.event("evidence.path_absent", {"path": text, "evidence_ids": ids},
                 evidence_id=ids[0] if len(ids) == 1 else None)
    return ids


def mark_index_failed(ws: Workspace, evidence_id: int, *, code: str, detail: str | None = None) -> Changes:
    """Record that text extraction of an evidence file failed outside the extractor's own checks."""
    require_role(ws.db, "evidence.register", *EDITOR)
    with ws.db.write() as tx:
        tx.execute(
            "UPDATE evidence SET status = 'error', text_status = 'error', error = ?, error_detail = ? WHERE id = ?",
            (code, (detail or "")[:2000], evidence_id),
        )
        tx.event("evidence.index_failed", {"error": code, "detail": (detail or "")[:500]}, evidence_id=evidence_id)
    return tx.changes


def evidence_path(ws: Workspace, evidence_id: int) -> str | None:
    """A present path of the evidence on disk (the OS form), or None when every copy has gone."""
    for row in ws.db.query(
        "SELECT path, raw_path FROM evidence_paths WHERE evidence_id = ? AND present = 1 ORDER BY id DESC",
        (evidence_id,),
    ):
        return fspath.from_db(row["path"], row["raw_path"])
    return None
