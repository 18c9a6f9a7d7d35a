"""A supplement: ``export WS SUPPLEMENT.zip --since PACKAGE_OR_RETURN`` — only what is new or changed since.

``--since`` names the point the inspector stands at: a package (or supplement) this workspace exported,
or a return from the inspector (whose manifest lists every package and supplement they have received).
Its audit head ``S`` is the base: everything the audit trail shows changed after ``S`` travels.

The file is a package (same format, docs/formats.md) of kind ``supplement`` with ``since``: the package it
follows, the exchange it continues and ``S``. Its ``package.db`` holds

* the claims changed after ``S`` (edited, linked, unlinked, marked 无需佐证…), each with its whole set of links
  (so a removal travels too), every claim of a report imported or revised after ``S``, and the claims of
  the requests and reviews it carries;
* the reports those claims belong to and the reports imported or revised after ``S``;
* the evidence rows those links name (and their version chains); the **bytes** only of files linked after
  ``S`` (what the inspector does not have yet), with their extracted text and numbers;
* the reviews recorded here after ``S`` that did not come from a return (the inspector has those);
* every request changed after ``S`` — the group's answers;
* the whole audit chain up to now, so the receiver can check that it continues the one it has.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
import zipfile
from pathlib import Path
from typing import Any

from db.database import Database, utc_now
from desktop.errors import DeskError
from desktop.exchange import packagedb
from desktop.exchange.export import (CATALOG, COMPLETENESS, FORMAT_VERSION, MANIFEST, PACKAGE_DB, manifest_base,
                                     ExportResult, _check_target, _fsync, _fsync_dir, _local, _os_error,
                                     _ZipWriter, app_version, sha256_file)
from desktop.exchange.plan import Plan, build_plan

# events after S that change what the inspector must see of a claim
CLAIM_ACTIONS = ("claim.", "link.")
REPORT_ACTIONS = ("report.",)


@dataclasses.dataclass
class Base:
    """Where the inspector stands: the package the round trip began with, the exchange it continues
    (a package or supplement of this workspace) and that exchange's audit head."""

    package_id: str
    after: str
    audit_seq: int
    audit_head: str


def resolve_since(ws, since: str | Path) -> Base:
    """Read ``--since``: a package/supplement exported here, or a return answering one."""
    from desktop.exchange.archive import MANIFEST as M, open_package, open_return
    from desktop.exchange.reply import FORMAT as RETURN_FORMAT, FORMAT_VERSION as RETURN_VERSION

    path = Path(since).expanduser().absolute()
    try:
        with zipfile.ZipFile(path) as zf, zf.open(M) as f:
            fmt = json.loads(f.read(1 << 20).decode("utf-8")).get("format")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, UnicodeDecodeError, AttributeError):
        raise DeskError("since.bad_file", path=str(path)) from None
    exported = {r["package_id"]: dict(r) for r in ws.db.query(
        "SELECT package_id, kind, since_package_id, manifest_sha256, audit_seq, audit_head FROM exports"
        " WHERE kind IN ('package', 'supplement')")}
    if fmt == RETURN_FORMAT:
        archive = open_return(path, fmt=RETURN_FORMAT, version=RETURN_VERSION, required=())
        have = [r for r in archive.manifest.get("received") or [] if isinstance(r, dict)
                and r.get("exchange_id") in exported
                and exported[r["exchange_id"]]["manifest_sha256"] == r.get("manifest_sha256")]
        if not have:
            raise DeskError("since.unknown", path=str(path))
        latest = exported[max(have, key=lambda r: exported[r["exchange_id"]]["audit_seq"])["exchange_id"]]
    else:
        archive = open_package(path)
        pid = archive.manifest.get("package_id")
        latest = exported.get(pid)
        if latest is None or latest["manifest_sha256"] != archive.manifest_sha256:
            raise DeskError("since.unknown", path=str(path))
    root = latest["package_id"] if latest["kind"] == "package" else latest["since_package_id"]
    return Base(root, latest["package_id"], latest["audit_seq"], latest["audit_head"])


@dataclasses.dataclass
class Delta:
    claims: set[int]
    reports: set[int]
    files: set[int]  # evidence whose bytes travel
    requests: set[int]
    reviews: set[int]
    new_evidence: set[int]


def delta_since(db: Database, seq: int) -> Delta:
    """What changed after audit event ``seq``, from the audit trail."""
    claims: set[int] = set()
    reports: set[int] = set()
    files: set[int] = set()
    requests: set[int] = set()
    new_evidence: set[int] = set()
    for ev in db.query("SELECT action, report_id, claim_id, evidence_id, payload FROM events WHERE seq > ?"
                       " ORDER BY seq", (seq,)):
        a = ev["action"]
        if a.startswith(CLAIM_ACTIONS) and ev["claim_id"] is not None:
            claims.add(ev["claim_id"])
            if a == "link.added" and ev["evidence_id"] is not None:
                files.add(ev["evidence_id"])
        if a.startswith(REPORT_ACTIONS) and ev["report_id"] is not None:
            reports.add(ev["report_id"])
        if a in ("evidence.added", "evidence.new_version") and ev["evidence_id"] is not None:
            new_evidence.add(ev["evidence_id"])
        if a.startswith("request."):
            p = json.loads(ev["payload"])
            # changes made here (the group's answers), not those that arrived with a return
            if isinstance(p.get("request_id"), int) and not p.get("source"):
                requests.add(p["request_id"])
    since_ts = db.scalar("SELECT ts FROM events WHERE seq = ?", (seq,)) or ""
    reviews = {r[0] for r in db.query("SELECT id FROM reviews WHERE origin IS NULL AND created_at > ?", (since_ts,))}
    return Delta(claims, reports, files, requests, reviews, new_evidence)


def export_supplement(ws, out: str | Path, *, since: str | Path, progress=None, record: bool = True
                      ) -> ExportResult:
    """Write the supplement of ``ws`` since ``since`` to ``out`` (.zip)."""
    out = _check_target(Path(out), ".zip")
    problem = ws.db.head_problem()
    if problem is not None:
        raise DeskError("export.workspace_tampered", problem=problem)
    base = resolve_since(ws, since)
    work = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.export-tmp"
    try:
        try:
            work.mkdir()
            result = _write(ws, out, work, base, progress or (lambda *a: None))
        except OSError as exc:
            raise _os_error(exc, out) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if record:
        if ws.readonly:
            result.not_recorded_reason = ws.info.reason or "readonly"
        else:
            from desktop.exchange.service import record_export

            row = record_export(ws.db, result=result, kind="supplement", since_package_id=base.package_id)
            result.recorded, result.export_id, result.seq = True, row["id"], row["seq"]
    return result


def _write(ws, out: Path, work: Path, base: Base, tick) -> ExportResult:
    tick("snapshot", 0, 1)
    db_copy = work / PACKAGE_DB
    packagedb.snapshot(ws.db, db_copy)
    snap = Database(db_copy, readonly=True)
    try:
        plan = build_plan(snap, ws.root)
        delta = delta_since(snap, base.audit_seq)
        keep = _keep(snap, plan, delta)
    finally:
        snap.close()
    tick("snapshot", 1, 1)
    created_at = utc_now()
    exchange_id = uuid.uuid4().hex
    sub = _sub_plan(plan, keep)
    zip_tmp = work / "supplement.zip"
    writer = _ZipWriter(zip_tmp, _dt.datetime.now(_dt.timezone.utc).astimezone(), None)
    try:
        from desktop.exchange.catalog import write_catalog
        from desktop.exchange.completeness_pdf import write_completeness

        tick("catalog", 0, 1)
        write_catalog(sub, work / CATALOG)
        writer.add_file(CATALOG, work / CATALOG)
        write_completeness(plan, work / COMPLETENESS, created_at=_local(created_at))
        writer.add_file(COMPLETENESS, work / COMPLETENESS)
        tick("catalog", 1, 1)
        report_rows = []
        for r in plan.reports:
            if r.report_id not in keep["new_reports"]:
                continue
            if r.source is not None:
                m = writer.add_file(r.path, r.source)
            else:
                m = writer.add_bytes(r.path, r.text.encode("utf-8"), compress=zipfile.ZIP_STORED)
            report_rows.append({"report_id": r.report_id, "path": r.path, "sha256": m["sha256"],
                                "size": m["size"], "original": r.original and m["sha256"] == r.sha256})
        shipped = {eid: f for eid, f in sub.files.items() if f.path}
        total = sum(f.size for f in shipped.values())
        done = 0
        tick("files", 0, total)
        for f in shipped.values():
            src = ws.store.object_path(f.sha256)
            if not src.is_file():
                raise DeskError("export.object_missing", evidence_id=f.evidence_id, name=f.name)
            m = writer.add_file(f.path, src)
            if m["sha256"] != f.sha256 or m["size"] != f.size:
                raise DeskError("export.object_altered", evidence_id=f.evidence_id, name=f.name)
            done += f.size
            tick("files", done, total)
        tick("database", 0, 1)
        since = {"package_id": base.package_id, "after": base.after, "audit_seq": base.audit_seq,
                 "audit_head": base.audit_head}
        meta = {"format_version": FORMAT_VERSION, "package_id": exchange_id, "kind": "supplement",
                "workspace_id": plan.workspace_id, "workspace_name": plan.workspace_name, "unit": plan.unit,
                "year": plan.year, "created_at": created_at, "created_by": ws.actor, "created_role": ws.role,
                "audit_seq": plan.audit_seq, "audit_head": plan.audit_head, "include_unlinked": False,
                "app_version": app_version(), "since": since}
        _prune(db_copy, sub, keep, shipped, meta, report_rows)
        writer.add_file(PACKAGE_DB, db_copy, compress=zipfile.ZIP_DEFLATED)
        tick("database", 1, 1)
        counts = {"reports": len(report_rows), "claims": len(sub.claims),
                  "links": sum(len(c.evidence) for c in sub.claims), "files": len(shipped), "unlinked_files": 0,
                  "requests": len(keep["requests"]), "reviews": len(keep["reviews"]),
                  "without_evidence": sum(1 for c in sub.claims if "no_evidence" in c.claim["flags"]),
                  "not_required": sum(1 for c in sub.claims if not c.claim["needs_evidence"])}
        manifest = {**manifest_base("supplement", exchange_id, plan, ws, created_at),
                    "since": since, "include_unlinked": False, "counts": counts, "members": list(writer.members)}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        writer.add_bytes(MANIFEST, manifest_bytes)
    finally:
        writer.close()
    _fsync(zip_tmp)
    package_sha = sha256_file(zip_tmp)
    os.replace(zip_tmp, out)
    _fsync_dir(out.parent)
    return ExportResult(out, exchange_id, package_sha, hashlib.sha256(manifest_bytes).hexdigest(), plan.audit_seq,
                        plan.audit_head, counts, manifest["members"], created_at)


def _keep(db: Database, plan: Plan, delta: Delta) -> dict[str, Any]:
    """Which rows the supplement's package.db keeps."""
    requests = {r[0]: r[1] for r in db.query("SELECT id, claim_id FROM requests")} if delta.requests else {}
    req_ids = {i for i in delta.requests if i in requests}
    review_claims = {r[0] for r in db.query(
        f"SELECT claim_id FROM reviews WHERE id IN ({','.join('?' * len(delta.reviews))})", sorted(delta.reviews))
    } if delta.reviews else set()
    # a report imported or revised since: every claim it holds now (a revision moves, changes or drops
    # the old report's claims, re-anchored under the new one)
    report_claims = {r[0] for r in db.query(
        f"SELECT id FROM claims WHERE report_id IN ({','.join('?' * len(delta.reports))})", sorted(delta.reports))
    } if delta.reports else set()
    claims = set(delta.claims) | {requests[i] for i in req_ids} | review_claims | report_claims
    claims &= {r[0] for r in db.query("SELECT id FROM claims")}
    linked = [tuple(r) for r in db.query("SELECT claim_id, evidence_id FROM links")]
    ev_rows = {eid for cid, eid in linked if cid in claims}
    for rid in req_ids:
        ev_rows |= set(json.loads(db.scalar("SELECT answers FROM requests WHERE id = ?", (rid,)) or "[]"))
    files = {eid for eid in ev_rows if eid in plan.files and (eid in delta.files or eid in delta.new_evidence)}
    # a new version of a file the inspector has (its row, so 证据有新版本 shows there too)
    parent = {r[0]: r[1] for r in db.query("SELECT id, supersedes FROM evidence WHERE supersedes IS NOT NULL")}
    ev_rows |= {eid for eid in delta.new_evidence if eid in parent}
    stack = list(ev_rows)
    while stack:  # the versions each kept row supersedes (foreign keys)
        eid = stack.pop()
        p = parent.get(eid)
        if p is not None and p not in ev_rows:
            ev_rows.add(p)
            stack.append(p)
    claim_reports = {r[0] for r in db.query(
        f"SELECT DISTINCT report_id FROM claims WHERE id IN ({','.join('?' * len(claims))})", sorted(claims))
    } if claims else set()
    reports = set(delta.reports) | claim_reports
    rep_parent = {r[0]: r[1] for r in db.query("SELECT id, supersedes FROM reports WHERE supersedes IS NOT NULL")}
    for rid in list(reports):
        while rid in rep_parent and rep_parent[rid] not in reports:
            rid = rep_parent[rid]
            reports.add(rid)
    return {"claims": claims, "evidence": ev_rows, "files": files, "requests": req_ids,
            "reviews": set(delta.reviews), "reports": reports, "new_reports": set(delta.reports)}


def _sub_plan(plan: Plan, keep: dict[str, Any]) -> Plan:
    """The full plan cut to the supplement: its claims (with their 序号), files with a member path only
    when their bytes travel."""
    files = {eid: (f if eid in keep["files"] else dataclasses.replace(f, path="")) for eid, f in plan.files.items()
             if eid in keep["evidence"]}
    claims = [c for c in plan.claims if c.id in keep["claims"]]
    return dataclasses.replace(plan, claims=claims, files=files, other_versions=set())


def _prune(dest: Path, sub: Plan, keep: dict[str, Any], shipped: dict[int, Any], meta: dict[str, Any],
           report_rows: list[dict[str, Any]]) -> None:
    from desktop.exchange.packagedb import LOCAL_SETTINGS, _has_table, write_package_tables

    conn = sqlite3.connect(str(dest), isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        for name, ids in (("k_claims", keep["claims"]), ("k_evidence", keep["evidence"]), ("k_files", shipped),
                          ("k_requests", keep["requests"]), ("k_reviews", keep["reviews"]),
                          ("k_reports", keep["reports"])):
            conn.execute(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY)")
            conn.executemany(f"INSERT INTO {name} VALUES (?)", [(i,) for i in sorted(ids)])
        conn.execute("DELETE FROM links WHERE claim_id NOT IN (SELECT id FROM k_claims)")
        conn.execute("DELETE FROM requests WHERE id NOT IN (SELECT id FROM k_requests)")
        conn.execute("UPDATE requests SET review_id = NULL WHERE review_id NOT IN (SELECT id FROM k_reviews)")
        conn.execute("DELETE FROM reviews WHERE id NOT IN (SELECT id FROM k_reviews)")
        conn.execute("DELETE FROM suggestion_rejections")
        conn.execute("DELETE FROM claims WHERE id NOT IN (SELECT id FROM k_claims)")
        conn.execute("DELETE FROM evidence_numbers WHERE evidence_id NOT IN (SELECT id FROM k_files)")
        conn.execute("DELETE FROM evidence_text WHERE CAST(evidence_id AS INTEGER) NOT IN (SELECT id FROM k_files)")
        conn.execute("DELETE FROM evidence_paths WHERE evidence_id NOT IN (SELECT id FROM k_evidence)")
        conn.execute("DELETE FROM ingest_queue")
        conn.execute("DELETE FROM evidence WHERE id NOT IN (SELECT id FROM k_evidence)")
        if _has_table(conn, "score_tables"):  # a kept report's score tables; links only to claims that travel
            conn.execute("DELETE FROM score_row_claims WHERE claim_id NOT IN (SELECT id FROM k_claims) OR row_id IN "
                         "(SELECT r.id FROM score_rows r JOIN score_tables t ON t.id = r.table_id "
                         "WHERE t.report_id NOT IN (SELECT id FROM k_reports))")
            conn.execute("DELETE FROM score_cells WHERE row_id IN (SELECT r.id FROM score_rows r JOIN score_tables t "
                         "ON t.id = r.table_id WHERE t.report_id NOT IN (SELECT id FROM k_reports))")
            conn.execute("DELETE FROM score_rows WHERE table_id IN "
                         "(SELECT id FROM score_tables WHERE report_id NOT IN (SELECT id FROM k_reports))")
            conn.execute("DELETE FROM score_tables WHERE report_id NOT IN (SELECT id FROM k_reports)")
        if _has_table(conn, "finding_dismissals"):  # all of them travel (the receiver mirrors the set); one
            # about a report that does not travel names it by its finding key only, as the receiver has it
            conn.execute("UPDATE finding_dismissals SET report_id = NULL WHERE report_id NOT IN "
                         "(SELECT id FROM k_reports)")
        conn.execute("UPDATE reports SET supersedes = NULL WHERE supersedes NOT IN (SELECT id FROM k_reports)")
        conn.execute("DELETE FROM reports WHERE id NOT IN (SELECT id FROM k_reports)")
        for table in ("exports", "received", "evidence_remote"):
            if _has_table(conn, table):
                conn.execute(f"DELETE FROM {table}")
        conn.executemany("DELETE FROM settings WHERE key = ?", [(k,) for k in LOCAL_SETTINGS])
        write_package_tables(conn, meta, [(f.evidence_id, f.path, f.sha256, f.size, 1) for f in shipped.values()],
                             report_rows, sub.claims, "the supplement's package.db")
        for name in ("k_claims", "k_evidence", "k_files", "k_requests", "k_reviews", "k_reports"):
            conn.execute(f"DROP TABLE temp.{name}")
        conn.execute("VACUUM")
    finally:
        conn.close()
