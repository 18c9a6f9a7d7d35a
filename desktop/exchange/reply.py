"""The return: what an inspector sends back from a review workspace (``reply REVIEW_WS OUT.zip``).

A zip (format ``evidence-desk-return``, docs/formats.md) holding ``return.json`` — the reviews recorded in
this review workspace, every 补充材料 request as it stands, and the workspace's whole audit chain (which
starts at the received package) — plus ``审核意见书.xlsx``, ``审核意见书.pdf`` and ``补充材料通知单.pdf``, and
``manifest.json`` naming and hashing every member. Written into a hidden work folder beside the target
and renamed into place when complete, so a failure leaves no half file. Recorded in ``exports`` (kind
``return``) with one ``return.written`` event.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db import audit
from db.database import utc_now
from desktop.errors import DeskError
from desktop.exchange.export import _fsync, _fsync_dir, _os_error, _ZipWriter, app_version, sha256_file
from desktop.workspace import Workspace, require_role

FORMAT = "evidence-desk-return"
FORMAT_VERSION = 1
RETURN_JSON = "return.json"
OPINION_XLSX = "审核意见书.xlsx"
OPINION_PDF = "审核意见书.pdf"
NOTICE_PDF = "补充材料通知单.pdf"
MEMBERS = (RETURN_JSON, OPINION_XLSX, OPINION_PDF, NOTICE_PDF)


@dataclass
class ReplyResult:
    path: Path
    return_id: str
    file_sha256: str
    manifest_sha256: str
    counts: dict[str, int]
    audit_seq: int
    audit_head: str
    seq: int | None = None
    members: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "return_id": self.return_id, "file_sha256": self.file_sha256,
                "manifest_sha256": self.manifest_sha256, "counts": self.counts, "audit_seq": self.audit_seq,
                "audit_head": self.audit_head, "seq": self.seq}


def event_rows(db) -> list[dict[str, Any]]:
    return [dict(r) for r in db.query(
        "SELECT seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload, prev_hash, hash"
        " FROM events ORDER BY seq")]


def local_reviews(db) -> list[dict[str, Any]]:
    """Reviews recorded in this workspace (``review.set`` events here), oldest first, each with the hash
    and seq of its event (its origin wherever it travels)."""
    out = []
    for ev in db.query("SELECT seq, hash, payload FROM events WHERE action = 'review.set' ORDER BY seq"):
        rid = json.loads(ev["payload"]).get("review_id")
        row = db.query_one("SELECT id, claim_id, state, comment, reviewer, fingerprint, basis, created_at"
                           " FROM reviews WHERE id = ?", (rid,))
        if row is None:
            continue
        r = dict(row)
        r["basis"] = json.loads(r["basis"]) if r["basis"] else None
        out.append({**r, "event_seq": ev["seq"], "event_hash": ev["hash"]})
    return out


def reply(ws: Workspace, out: str | Path) -> ReplyResult:
    """Write the return of review workspace ``ws`` to ``out`` (.zip). 审核 only."""
    from desktop.exchange.export import _check_target
    from desktop.review.requests import list_requests

    require_role(ws.db, "reply.write", "reviewer")
    if ws.db.get_setting("kind") != "review":
        raise DeskError("reply.not_review_workspace", path=str(ws.root))
    out = _check_target(Path(out), ".zip")
    problem = ws.db.head_problem()
    if problem is not None:
        raise DeskError("export.workspace_tampered", problem=problem)
    db = ws.db
    created_at = utc_now()
    return_id = uuid.uuid4().hex
    with db.snapshot():
        events = event_rows(db)
        reviews = local_reviews(db)
        requests = list_requests(db, history=False)
        received = [dict(r) for r in db.query(
            "SELECT exchange_id, kind, package_id, manifest_sha256, audit_seq, audit_head, created_at"
            " FROM received WHERE kind IN ('package', 'supplement') ORDER BY id")]
        package = next(r for r in received if r["kind"] == "package")
        sender = json.loads(db.scalar("SELECT sender FROM received WHERE exchange_id = ?",
                                      (package["exchange_id"],)) or "{}")
    seq, head = (events[-1]["seq"], events[-1]["hash"]) if events else (0, audit.GENESIS)
    counts = {"reviews": len(reviews), "requests": len(requests), "events": len(events),
              "open_requests": sum(1 for r in requests if r["state"] in ("open", "reopened"))}
    body = {"format_version": FORMAT_VERSION, "return_id": return_id, "reviews": reviews, "requests": requests,
            "events": events}
    work = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.reply-tmp"
    try:
        try:
            work.mkdir()
            from desktop.exchange.opinion import read_opinion, write_documents, write_xlsx

            op = read_opinion(ws, created_at=created_at)
            write_xlsx(op, work / OPINION_XLSX)
            write_documents(op, work / OPINION_PDF, work / NOTICE_PDF)
            zip_tmp = work / "return.zip"
            writer = _ZipWriter(zip_tmp, _dt.datetime.now(_dt.timezone.utc).astimezone(), None)
            try:
                data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
                writer.add_bytes(RETURN_JSON, data)
                for name in (OPINION_XLSX, OPINION_PDF, NOTICE_PDF):
                    writer.add_file(name, work / name)
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION, "kind": "return", "return_id": return_id,
                    "app": {"name": "EvidenceDesk", "version": app_version()},
                    "package": {"package_id": package["exchange_id"], "manifest_sha256": package["manifest_sha256"],
                                "workspace_id": sender.get("workspace_id"),
                                "workspace_name": sender.get("workspace_name")},
                    "received": received,
                    "review_workspace": {"id": events[0]["hash"] if events else "", "name": ws.name},
                    "created_at": created_at,
                    "created_by": {"name": ws.actor, "role": ws.role},
                    "audit": {"seq": seq, "head": head},
                    "counts": counts,
                    "members": list(writer.members),
                }
                manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                writer.add_bytes("manifest.json", manifest_bytes)
            finally:
                writer.close()
            _fsync(zip_tmp)
            file_sha = sha256_file(zip_tmp)
            os.replace(zip_tmp, out)
            _fsync_dir(out.parent)
        except OSError as exc:
            raise _os_error(exc, out) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = ReplyResult(out, return_id, file_sha, hashlib.sha256(manifest_bytes).hexdigest(), counts, seq, head,
                         members=manifest["members"])
    result.seq = _record(ws, result, package["exchange_id"])
    return result


def _record(ws: Workspace, result: ReplyResult, package_id: str) -> int:
    """The return in ``exports`` (kind ``return``) and its ``return.written`` event (the whole row)."""
    row: dict[str, Any] = {
        "package_id": result.return_id, "kind": "return", "since_package_id": package_id,
        "package_sha256": result.file_sha256, "manifest_sha256": result.manifest_sha256, "binder_sha256": None,
        "audit_seq": result.audit_seq, "audit_head": result.audit_head, "path": str(result.path),
        "binder_path": None, "counts": json.dumps(result.counts, sort_keys=True),
    }
    with ws.db.write() as tx:
        row.update(actor=tx.actor, role=tx.role, created_at=tx.now)
        row["id"] = tx.insert("exports", row)
        ev = tx.event("return.written", {"export": {**row, "counts": result.counts}})
    return ev["seq"]
