"""A workspace's findings: what ``check W``, ``status``, the 一致性检查 panel and the package's 完整性报告 read.

Findings are computed from the active reports every time (like flags, never stored); a dismissal is
stored (``finding_dismissals``) under the finding's key, which names its rule and the claims (or
score-table cells) it is about — claim ids survive the re-import of a revised report where the claims
re-anchor, so the dismissal does too. A dismissed finding whose figures have changed since is shown
again, with the old dismissal attached (``dismissal["stale"]``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from db.database import Database
from desktop.checks.engine import run_checks
from desktop.checks.model import SEVERITIES, ClaimRef, EvidenceDates, Finding, ReportInput
from desktop.checks.profiles import Profile, load_profile

PROFILE_SETTING = "checks.profile"


def workspace_profile(db: Database) -> Profile:
    """The scoring profile chosen for this workspace (setting ``checks.profile``), or the default."""
    return load_profile(db.get_setting(PROFILE_SETTING))


def _claim_refs(db: Database, report_id: int) -> list[ClaimRef]:
    rows = db.query(
        """SELECT id, value, value_raw, unit, scale, kind, subject, start, "end", quote, part, section, page,
                  flags, origin, approx
           FROM claims WHERE report_id = ? AND state = 'active' AND confidence = 'high' AND value IS NOT NULL
           ORDER BY start, id""", (report_id,))
    out = []
    for r in rows:
        try:
            value = Decimal(r["value"])
            scale = int(Decimal(r["scale"] or "1"))
        except (InvalidOperation, ValueError):
            continue
        out.append(ClaimRef(
            id=r["id"], value=value, raw=r["value_raw"] or r["value"], unit=r["unit"] or "", scale=scale,
            kind=r["kind"] or "", subject=r["subject"] or "", start=r["start"], end=r["end"], quote=r["quote"] or "",
            part=r["part"], section=r["section"], page=r["page"], flags=tuple(json.loads(r["flags"] or "[]")),
            origin=r["origin"] or "extracted", approx=r["approx"],
        ))
    return out


def _score_tables(db: Database, report_id: int) -> tuple[list[Any], dict[int, int] | None]:
    """The report's score tables as the workspace stores them (rows carry their claims' ids), or — for a
    report imported before the tables were stored — read again from the stored text, the rows' claim
    indexes matched to the stored claims by offsets."""
    from desktop.claims.queries import load_score_tables

    try:
        stored = load_score_tables(db, report_id)
    except sqlite3.OperationalError as exc:  # a database from before the score tables (opened read-only)
        if "no such table" not in str(exc):
            raise
        stored = []
    if stored or not _imported_before_tables_were_stored(db, report_id):
        return stored, {}
    return _reread_tables(db, report_id)


def _imported_before_tables_were_stored(db: Database, report_id: int) -> bool:
    """Was the report imported before the workspace stored score tables (migration 0009)? Only then can
    it have tables that were not stored."""
    import datetime as _dt

    try:
        applied = db.scalar("SELECT applied_at FROM _sqlite_migrations WHERE name = '0009_score_tables'")
    except sqlite3.OperationalError:
        return True
    imported = db.scalar("SELECT imported_at FROM reports WHERE id = ?", (report_id,))
    if not applied or not imported:
        return True

    def when(s: str) -> _dt.datetime:
        return _dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T", 1))

    try:
        return when(imported) < when(applied)
    except ValueError:
        return True


#: reports read again for their tables in this process, by content (the GUI asks often)
_REREAD: dict[tuple[str, int], tuple[list[Any], list[Any]]] = {}
_TABLE_HINT = re.compile(r"三级指标|指标值|实际完成值|全年实际值|完成值|执行数")


def _reread_tables(db: Database, report_id: int) -> tuple[list[Any], dict[int, int]]:
    """Tables of a report imported before they were stored: its stored text read again by the readers."""
    from desktop.claims.document import Document, Span
    from desktop.claims.extractor import extract_with_tables

    row = db.query_one("SELECT name, format, sha256, text, locations FROM reports WHERE id = ?", (report_id,))
    if row is None or not _TABLE_HINT.search(row["text"] or ""):
        return [], {}
    cache_key = (row["sha256"], len(row["text"]))
    cached = _REREAD.get(cache_key)
    if cached is None:
        locations = json.loads(row["locations"] or "{}")
        spans = [Span(s, e, p, k or "paragraph", r) for s, e, p, k, r in locations.get("spans", [])]
        cached = extract_with_tables(Document(row["name"], row["format"], row["text"], spans))
        _REREAD[cache_key] = cached
        while len(_REREAD) > 8:
            _REREAD.pop(next(iter(_REREAD)))
    claims, tables = cached
    if not tables:
        return [], {}
    by_offset = {(r["start"], r["end"]): r["id"] for r in db.query(
        'SELECT id, start, "end" FROM claims WHERE report_id = ? AND start IS NOT NULL', (report_id,))}
    ids = {i: by_offset[(c.start, c.end)] for i, c in enumerate(claims) if (c.start, c.end) in by_offset}
    return list(tables), ids


def report_inputs(db: Database, report_ids: Iterable[int] | None = None) -> list[ReportInput]:
    """Every active report (or those in ``report_ids``) as the rules read it."""
    rows = db.query("SELECT id, name, text FROM reports WHERE state = 'active' ORDER BY id")
    wanted = set(report_ids) if report_ids is not None else None
    out = []
    for r in rows:
        if wanted is not None and r["id"] not in wanted:
            continue
        tables, index_ids = _score_tables(db, r["id"])
        out.append(ReportInput(r["id"], r["name"], r["text"], _claim_refs(db, r["id"]), tables, index_ids))
    return out


def evidence_dates(db: Database, report_ids: Iterable[int]) -> dict[int | None, list[EvidenceDates]]:
    """Per report, the dates written in each evidence file linked to its active claims."""
    from desktop.checks.dates import text_dates

    ids = list(report_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    links = db.query(
        f"""SELECT c.report_id, l.claim_id, l.evidence_id, e.name
            FROM links l JOIN claims c ON c.id = l.claim_id JOIN evidence e ON e.id = l.evidence_id
            WHERE c.state = 'active' AND c.report_id IN ({marks}) ORDER BY l.evidence_id, l.claim_id""", ids)
    by_ev: dict[tuple[int, int], dict[str, Any]] = {}
    for link in links:
        k = (link["report_id"], link["evidence_id"])
        by_ev.setdefault(k, {"name": link["name"], "claims": []})["claims"].append(link["claim_id"])
    texts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ev_ids = sorted({e for _, e in by_ev})
    for i in range(0, len(ev_ids), 500):
        chunk = ev_ids[i:i + 500]
        for t in db.query(f"SELECT evidence_id, locator, text FROM evidence_text WHERE evidence_id IN "
                          f"({','.join('?' * len(chunk))})", chunk):
            texts[int(t["evidence_id"])].append((t["locator"] or "", t["text"] or ""))
    dated: dict[int, tuple[list[tuple[str, str]], list[int]]] = {}
    for ev in ev_ids:
        dates: list[tuple[str, str]] = []
        years: set[int] = set()
        for locator, text in texts.get(ev, []):
            ds, ys = text_dates(text)
            dates.extend((d.isoformat(), locator) for d in ds)
            years.update(ys)
        dated[ev] = (dates, sorted(years))
    out: dict[int | None, list[EvidenceDates]] = defaultdict(list)
    for (rid, ev), info in by_ev.items():
        dates, years = dated[ev]
        if not dates and not years:
            continue
        out[rid].append(EvidenceDates(ev, info["name"], info["claims"], rid, dates, years))
    return dict(out)


def dismissals(db: Database) -> dict[str, dict[str, Any]]:
    """Every stored dismissal by finding key."""
    try:
        rows = db.query("SELECT * FROM finding_dismissals ORDER BY id")
    except sqlite3.OperationalError as exc:  # a database from before the dismissals table (opened read-only)
        if "no such table" in str(exc):
            return {}
        raise
    out = {}
    for r in rows:
        d = dict(r)
        for k in ("claim_ids", "cells", "figures"):
            d[k] = json.loads(d[k] or "[]")
        out[d["finding_key"]] = d
    return out


def workspace_findings(db: Database, *, profile: Profile | None = None, report_ids: Iterable[int] | None = None,
                       rules: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the workspace's active reports, most severe first, each marked dismissed or not."""
    with db.snapshot():
        reports = report_inputs(db, report_ids)
        evidence = evidence_dates(db, [r.report_id for r in reports if r.report_id is not None])
        stored = dismissals(db)
    found = run_checks(reports, profile=profile or workspace_profile(db), evidence=evidence, rules=rules)
    for f in found:
        d = stored.get(f.key)
        if d is None:
            continue
        stale = list(d["figures"]) != list(f.values)
        f.dismissed = not stale
        f.dismissal = {"id": d["id"], "reason": d["reason"], "actor": d["actor"], "at": d["created_at"],
                       "message": d["message"], "figures": d["figures"], "stale": stale}
    return found


def findings_summary(findings: list[Finding]) -> dict[str, int]:
    """Counts for ``status --json``, the dashboard and the status bar: open findings by severity."""
    out = {s: 0 for s in SEVERITIES}
    dismissed = 0
    for f in findings:
        if f.dismissed:
            dismissed += 1
        else:
            out[f.severity] += 1
    return {"total": sum(out.values()), **out, "dismissed": dismissed}


def findings_for_report(db: Database, report_id: int) -> list[dict[str, Any]]:
    """The findings of one report as plain dicts (message worded), for the 完整性报告 section."""
    from desktop.checks.files import finding_json

    return [finding_json(f) for f in workspace_findings(db, report_ids=[report_id])]


def findings_json(db: Database, *, profile: Profile | None = None) -> list[dict[str, Any]]:
    """Every finding of the workspace as ``check W --json`` prints it (also what 完整性报告 lists)."""
    from desktop.checks.files import finding_json

    return [finding_json(f) for f in workspace_findings(db, profile=profile)]


__all__ = ["PROFILE_SETTING", "workspace_profile", "report_inputs", "evidence_dates", "dismissals",
           "workspace_findings", "findings_summary", "findings_for_report", "findings_json"]
