"""Registering evidence files: copy into the store, then one transaction of rows + one audit event."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from desktop.evidence.store import StoredObject
from desktop.workspace import Workspace, require_role

EDITOR = ("editor",)


@dataclass
class Registered:
    evidence_id: int
    sha256: str
    path: str
    outcome: str  # added / duplicate / new_path / new_version / unchanged
    duplicate_of: int | None = None
    supersedes: int | None = None


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


def register_file(ws: Workspace, path: str | Path) -> Registered:
    """Copy ``path`` into the store and record it (or record a new path / version of known bytes)."""
    require_role(ws.db, "evidence.register", *EDITOR)
    path = Path(path).absolute()
    st = os.stat(path)
    obj = ws.store.add_file(path)
    return record_object(ws, path=path, obj=obj, mtime_ns=st.st_mtime_ns)


def record_object(ws: Workspace, *, path: Path, obj: StoredObject, mtime_ns: int | None) -> Registered:
    require_role(ws.db, "evidence.register", *EDITOR)
    db = ws.db
    spath = str(path)
    with db.write() as tx:
        now = tx.now
        existing = tx.execute("SELECT id FROM evidence WHERE sha256 = ?", (obj.sha256,)).fetchone()
        current = tx.execute(
            "SELECT evidence_id FROM evidence_paths WHERE path = ? AND present = 1 ORDER BY id DESC LIMIT 1",
            (spath,),
        ).fetchone()
        previous_id = current["evidence_id"] if current else None
        if existing:
            evidence_id = existing["id"]
            row = tx.execute(
                "SELECT id, present FROM evidence_paths WHERE path = ? AND evidence_id = ?", (spath, evidence_id)
            ).fetchone()
            if row and row["present"] and previous_id == evidence_id:
                tx.execute(
                    "UPDATE evidence_paths SET last_seen = ?, size = ?, mtime_ns = ? WHERE id = ?",
                    (now, obj.size, mtime_ns, row["id"]),
                )
                outcome = "unchanged"
            else:
                outcome = "duplicate" if previous_id is None else "new_version"
                _mark_path(tx, spath, evidence_id, obj.size, mtime_ns, now, row)
            supersedes = previous_id if previous_id not in (None, evidence_id) else None
            if previous_id not in (None, evidence_id):
                tx.execute(
                    "UPDATE evidence_paths SET present = 0 WHERE path = ? AND evidence_id = ?", (spath, previous_id)
                )
            tx.event(
                f"evidence.{outcome}" if outcome != "duplicate" else "evidence.path_added",
                {"path": spath, "sha256": obj.sha256, "supersedes": supersedes},
                evidence_id=evidence_id,
            )
            return Registered(evidence_id, obj.sha256, spath, outcome, duplicate_of=evidence_id,
                              supersedes=supersedes)
        mime = mimetypes.guess_type(path.name)[0]
        evidence_id = tx.insert(
            "evidence",
            {
                "sha256": obj.sha256,
                "size": obj.size,
                "name": path.name,
                "ext": path.suffix.lower().lstrip("."),
                "mime": mime,
                "status": "pending",
                "text_status": "pending",
                "supersedes": previous_id,
                "added_at": now,
            },
        )
        if previous_id is not None:
            tx.execute("UPDATE evidence_paths SET present = 0 WHERE path = ? AND evidence_id = ?",
                       (spath, previous_id))
        _mark_path(tx, spath, evidence_id, obj.size, mtime_ns, now, None)
        tx.event(
            "evidence.new_version" if previous_id is not None else "evidence.added",
            {"path": spath, "name": path.name, "sha256": obj.sha256, "size": obj.size,
             "supersedes": previous_id},
            evidence_id=evidence_id,
        )
    return Registered(evidence_id, obj.sha256, spath, "new_version" if previous_id else "added",
                      supersedes=previous_id)


def _mark_path(tx, spath, evidence_id, size, mtime_ns, now, row) -> None:
    if row:
        tx.execute(
            "UPDATE evidence_paths SET present = 1, last_seen = ?, size = ?, mtime_ns = ? WHERE id = ?",
            (now, size, mtime_ns, row["id"]),
        )
    else:
        tx.insert(
            "evidence_paths",
            {"evidence_id": evidence_id, "path": spath, "size": size, "mtime_ns": mtime_ns, "present": 1,
             "first_seen": now, "last_seen": now},
        )
