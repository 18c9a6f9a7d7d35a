"""Integrity check of a whole workspace: audit chain, head file, store objects, SQLite itself."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable

from desktop.workspace import Workspace

Progress = Callable[[str, int, int], None]


@dataclass
class IntegrityReport:
    problems: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    objects: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_workspace(ws: Workspace, progress: Progress | None = None) -> IntegrityReport:
    report = IntegrityReport()
    db = ws.db
    try:
        rows = db.query("PRAGMA integrity_check")
        bad = [r[0] for r in rows if r[0] != "ok"]
        if bad:
            report.problems.append({"code": "sqlite_integrity", "seq": None, "detail": bad[:20]})
    except sqlite3.DatabaseError as exc:
        report.problems.append({"code": "sqlite_integrity", "seq": None, "detail": [str(exc)]})
        return report

    def chain_progress(done: int, total: int) -> None:
        if progress:
            progress("events", done, total)

    report.events = db.scalar("SELECT count(*) FROM events") or 0
    report.problems.extend(p.as_dict() for p in db.verify_chain(chain_progress))

    known = {r["sha256"]: r["id"] for r in db.query("SELECT id, sha256 FROM evidence")}
    on_disk = dict(ws.store.iter_objects())
    total = len(known)
    for i, (sha, evidence_id) in enumerate(sorted(known.items(), key=lambda kv: kv[1]), 1):
        actual = ws.store.rehash(sha)
        if actual is None:
            report.problems.append({"code": "object_missing", "seq": None, "evidence_id": evidence_id,
                                    "sha256": sha})
        elif actual != sha:
            report.problems.append({"code": "object_altered", "seq": None, "evidence_id": evidence_id,
                                    "sha256": sha, "actual": actual})
        if progress and (i % 50 == 0 or i == total):
            progress("objects", i, total)
    report.objects = total
    for sha in sorted(set(on_disk) - set(known)):
        report.problems.append({"code": "object_orphan", "seq": None, "sha256": sha})
    return report
