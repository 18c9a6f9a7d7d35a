"""Where a workspace stands: flags (computed, never stored), completeness, the ``status --json`` shape.

The GUI models and the CLI read through the same two functions, :func:`claim_rows` and
:func:`evidence_rows`, so the window and ``status --json`` can never disagree.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from db.database import Database
from desktop.evidence.risky import is_executable
from desktop.review.review import review_overview
from desktop.review.suggest import claims_with_value

# no_evidence: needs evidence, has none. value_not_found: of its linked files that have text, none states
# the value at any scale. evidence_superseded: a linked file has a newer version. review_stale: a 已核实
# whose evidence or value changed since the sign-off.
CLAIM_FLAGS = ("no_evidence", "value_not_found", "evidence_superseded", "review_stale")
# superseded: this file has a newer version (another evidence row supersedes it). executable: a program or
# script (setup.exe, run.bat): registered, never opened by the app (desktop.evidence.risky).
# failed_verification / not_shipped: in a review workspace, a file known by its row only (``evidence_remote``).
EVIDENCE_FLAGS = ("unlinked", "ingest_error", "superseded", "executable", "failed_verification", "not_shipped")

ACTIVE_CLAIMS = "c.state = 'active' AND r.state = 'active'"


@dataclass
class Completeness:
    """How many claims have evidence. A claim marked 无需佐证 is counted apart, never as having evidence:
    the status bar says 已有佐证 ``with_evidence``/``needing`` and 无需佐证 ``not_required`` beside it."""

    claims: int  # every active claim
    with_evidence: int  # claims that need evidence and are linked to some
    value_not_found: int = 0
    evidence_superseded: int = 0
    not_required: int = 0  # marked 无需佐证 (linked or not): outside the 已有佐证 x/y

    @property
    def needing(self) -> int:
        """Claims that need evidence: the y of 已有佐证 x/y."""
        return self.claims - self.not_required

    @property
    def without_evidence(self) -> int:
        return self.needing - self.with_evidence

    @property
    def linked(self) -> int:
        return self.with_evidence

    @classmethod
    def of(cls, claims: Iterable[dict[str, Any]]) -> "Completeness":
        c = cls(0, 0)
        for row in claims:
            c.claims += 1
            flags = row["flags"]
            if not row["needs_evidence"]:
                c.not_required += 1
            elif "no_evidence" not in flags:
                c.with_evidence += 1
            c.value_not_found += "value_not_found" in flags
            c.evidence_superseded += "evidence_superseded" in flags
        return c

    def as_json(self) -> dict[str, int]:
        return {"claims": self.claims, "with_evidence": self.with_evidence,
                "without_evidence": self.without_evidence, "value_not_found": self.value_not_found,
                "evidence_superseded": self.evidence_superseded, "not_required": self.not_required}


def section_title(claim: dict[str, Any]) -> str:
    """The section a claim is listed under (the claims tree and the dashboard group by it)."""
    part = claim.get("part") or ""
    sec = claim.get("section") or "（无标题）"
    return f"{part} · {sec}" if part and part not in sec else sec


def _in(ids: Iterable[int] | None, column: str) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    ids = list(ids)
    if not ids:
        return " AND 0", []
    return f" AND {column} IN ({','.join('?' * len(ids))})", ids


def latest_reviews(db: Database, claim_ids: Iterable[int] | None = None) -> dict[int, str]:
    where, params = _in(claim_ids, "claim_id")
    rows = db.query(
        "SELECT claim_id, state FROM reviews WHERE id IN"
        f" (SELECT max(id) FROM reviews WHERE 1{where} GROUP BY claim_id)",
        params,
    )
    return {r["claim_id"]: r["state"] for r in rows}


def claim_flags(
    claim: dict[str, Any], evidence_ids: list[int], *, value_found: bool = True, superseded: bool = False
) -> list[str]:
    flags = []
    if claim["needs_evidence"] and not evidence_ids:
        flags.append("no_evidence")
    if claim["needs_evidence"] and evidence_ids and not value_found:
        flags.append("value_not_found")
    if superseded:
        flags.append("evidence_superseded")
    return flags


def _superseded_ids(db: Database) -> set[int]:
    """Evidence that has a newer version."""
    return {r[0] for r in db.query("SELECT DISTINCT supersedes FROM evidence WHERE supersedes IS NOT NULL")}


def _value_checks(db: Database, claims: list[dict[str, Any]]) -> set[int]:
    """Claims whose value is checked and not found: linked files with text exist, none states it."""
    linked = {e for c in claims for e in c["evidence_ids"]}
    if not linked:
        return set()
    ids = sorted(linked)
    with_text = {
        r[0] for r in db.query(
            f"SELECT id FROM evidence WHERE text_status = 'done' AND id IN ({','.join('?' * len(ids))})", ids
        )
    }
    to_check = {
        c["id"]: [e for e in c["evidence_ids"] if e in with_text]
        for c in claims
        if c["needs_evidence"] and c["value"] is not None and any(e in with_text for e in c["evidence_ids"])
    }
    found = claims_with_value(db, to_check)
    return set(to_check) - found


def claim_rows(db: Database, claim_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Active claims (all, or those in ``claim_ids``) with their evidence ids, flags and review."""
    where, params = _in(claim_ids, "c.id")
    with db.snapshot():
        rows = db.query(
            f"""SELECT c.id, c.report_id, c.quote, c.value, c.value_raw, c.unit, c.scale, c.subject,
                       c.section, c.part, c.page, c.start, c."end", c.kind, c.flags AS extract_flags,
                       c.needs_evidence, c.no_evidence_reason, c.origin, c.confidence
                FROM claims c JOIN reports r ON r.id = c.report_id
                WHERE {ACTIVE_CLAIMS}{where}
                ORDER BY c.report_id, c.start, c.id""",
            params,
        )
        lwhere, lparams = _in(claim_ids, "claim_id")
        by_claim: dict[int, list[int]] = defaultdict(list)
        locators: dict[int, dict[int, str | None]] = defaultdict(dict)
        for link in db.query(
            f"SELECT claim_id, evidence_id, locator FROM links WHERE 1{lwhere} ORDER BY claim_id, evidence_id",
            lparams,
        ):
            by_claim[link["claim_id"]].append(link["evidence_id"])
            locators[link["claim_id"]][link["evidence_id"]] = link["locator"]
        reviews = review_overview(db, None if claim_ids is None else [r["id"] for r in rows])
        out = []
        for r in rows:
            c = dict(r)
            c["extract_flags"] = json.loads(c["extract_flags"] or "[]")
            c["evidence_ids"] = by_claim.get(c["id"], [])
            c["locators"] = locators.get(c["id"], {})  # evidence id -> where in it the claim is shown
            out.append(c)
        superseded = _superseded_ids(db)
        not_found = _value_checks(db, out)
    for c in out:
        c["flags"] = claim_flags(
            c,
            c["evidence_ids"],
            value_found=c["id"] not in not_found,
            superseded=any(e in superseded for e in c["evidence_ids"]),
        )
        info = reviews.get(c["id"])
        c["review"] = info.state if info else "pending"
        c["review_stale"] = bool(info and info.stale)  # a 已核实 whose evidence or value changed since
        if c["review_stale"]:
            c["flags"].append("review_stale")
    return out


def evidence_rows(db: Database, evidence_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Evidence (all, or those in ``evidence_ids``) with present paths, linked active claims, flags."""
    where, params = _in(evidence_ids, "e.id")
    with db.snapshot():
        rows = db.query(f"SELECT e.* FROM evidence e WHERE 1{where} ORDER BY e.id", params)
        pwhere, pparams = _in(evidence_ids, "evidence_id")
        paths: dict[int, list[str]] = defaultdict(list)
        for p in db.query(
            f"SELECT evidence_id, path FROM evidence_paths WHERE present = 1{pwhere} ORDER BY id", pparams
        ):
            paths[p["evidence_id"]].append(p["path"])
        lwhere, lparams = _in(evidence_ids, "l.evidence_id")
        linked: dict[int, list[int]] = defaultdict(list)
        any_link: set[int] = set()
        for link in db.query(
            f"""SELECT l.evidence_id, l.claim_id, ({ACTIVE_CLAIMS}) AS active
                FROM links l JOIN claims c ON c.id = l.claim_id JOIN reports r ON r.id = c.report_id
                WHERE 1{lwhere} ORDER BY l.evidence_id, l.claim_id""",
            lparams,
        ):
            any_link.add(link["evidence_id"])
            if link["active"]:
                linked[link["evidence_id"]].append(link["claim_id"])
        chains = version_chains(db)
        remote = {r[0]: r[1] for r in db.query("SELECT evidence_id, reason FROM evidence_remote")} if db.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'evidence_remote'") else {}
    out = []
    for r in rows:
        e = dict(r)
        e["paths"] = paths.get(e["id"], [])
        e["claim_ids"] = linked.get(e["id"], [])
        flags = []
        if e["id"] not in any_link:
            flags.append("unlinked")
        if e["status"] == "error":
            flags.append("ingest_error")
        e["superseded_by"] = chains.newer.get(e["id"], [])
        e["versions"] = chains.versions.get(e["id"], [e["id"]])
        if e["superseded_by"]:
            flags.append("superseded")
        if is_executable(e["ext"] or e["name"]):
            flags.append("executable")
        if e["id"] in remote:
            flags.append(remote[e["id"]])
        e["flags"] = flags
        out.append(e)
    return out


@dataclass
class VersionChains:
    newer: dict[int, list[int]]  # evidence id → ids of the rows that supersede it
    versions: dict[int, list[int]]  # evidence id → every id of its version chain, oldest first


def version_chains(db: Database) -> VersionChains:
    """Versions of the same file, from ``evidence.supersedes`` (a file is superseded when another row
    has ``supersedes = its id``)."""
    edges = db.query("SELECT id, supersedes FROM evidence WHERE supersedes IS NOT NULL")
    newer: dict[int, list[int]] = defaultdict(list)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for r in edges:
        newer[r["supersedes"]].append(r["id"])
        a, b = find(r["id"]), find(r["supersedes"])
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for node in {n for r in edges for n in (r["id"], r["supersedes"])}:
        groups[find(node)].append(node)
    versions = {n: sorted(g) for g in groups.values() for n in g}
    return VersionChains(dict(newer), versions)


def completeness(db: Database) -> Completeness:
    return Completeness.of(claim_rows(db))


@dataclass
class SectionCompleteness:
    report_id: int
    report: str
    section: str | None  # None: the report as a whole
    counts: Completeness
    claim_ids: list[int]


def completeness_by_section(db: Database, claims: list[dict[str, Any]] | None = None) -> list[SectionCompleteness]:
    """Per report (section None), then each of its sections in report order: the dashboard's rows."""
    claims = claim_rows(db) if claims is None else claims
    names = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM reports")}
    by_report: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in claims:
        by_report[c["report_id"]].append(c)
    out = []
    for rid, rows in by_report.items():
        out.append(SectionCompleteness(rid, names.get(rid, f"报告 {rid}"), None, Completeness.of(rows),
                                       [c["id"] for c in rows]))
        sections: dict[str, list[dict[str, Any]]] = {}
        for c in rows:
            sections.setdefault(section_title(c), []).append(c)
        for title, srows in sections.items():
            out.append(SectionCompleteness(rid, names.get(rid, f"报告 {rid}"), title, Completeness.of(srows),
                                           [c["id"] for c in srows]))
    return out


def workspace_status(db: Database) -> dict[str, Any]:
    from desktop.review.requests import OPEN_STATES as OPEN
    from desktop.review.requests import list_requests, request_counts

    with db.snapshot():
        claims = claim_rows(db)
        evidence = evidence_rows(db)
        sections = completeness_by_section(db, claims)
        requests = list_requests(db)
        req_counts = request_counts(db)
    claims_out = [
        {
            "id": c["id"],
            "report_id": c["report_id"],
            "quote": c["quote"],
            "value": c["value"],
            "unit": c["unit"],
            "subject": c["subject"],
            "section": c["section"],
            "part": c["part"],
            "page": c["page"],
            "evidence_ids": c["evidence_ids"],
            "needs_evidence": bool(c["needs_evidence"]),
            "no_evidence_reason": c["no_evidence_reason"],
            "flags": c["flags"],
            "review": c["review"],
            "review_stale": c["review_stale"],
            "request_ids": [r["id"] for r in requests if r["claim_id"] == c["id"]],
            "open_requests": sum(1 for r in requests if r["claim_id"] == c["id"] and r["state"] in OPEN),
        }
        for c in claims
    ]
    evidence_out = [
        {
            "id": e["id"],
            "sha256": e["sha256"],
            "name": e["name"],
            "paths": e["paths"],
            "status": e["status"],
            "error": e["error"],
            "text_status": e["text_status"],
            "versions": e["versions"],
            "superseded_by": e["superseded_by"],
            "claim_ids": e["claim_ids"],
            "flags": e["flags"],
        }
        for e in evidence
    ]
    counts = Completeness.of(claims)
    summary = {
        **counts.as_json(),
        "needing_evidence": counts.needing,
        "evidence": len(evidence_out),
        "unlinked_evidence": sum(1 for e in evidence_out if "unlinked" in e["flags"]),
        "superseded_evidence": sum(1 for e in evidence_out if "superseded" in e["flags"]),
        "ingest_errors": sum(1 for e in evidence_out if "ingest_error" in e["flags"]),
        "executable_evidence": sum(1 for e in evidence_out if "executable" in e["flags"]),
    }
    review = {s: 0 for s in ("pending", "verified", "questioned", "needs_more", "not_required", "stale")}
    for c in claims_out:
        review["stale" if c["review_stale"] else c["review"]] += 1
    sections_out = [
        {"report_id": s.report_id, "report": s.report, "section": s.section, **s.counts.as_json(),
         "needing_evidence": s.counts.needing}
        for s in sections
    ]
    from desktop.checks.queries import findings_summary, workspace_findings

    findings = findings_summary(workspace_findings(db))
    summary["findings"] = findings["total"]  # open 一致性检查 findings (dismissed ones not counted)
    requests_out = [
        {"id": r["id"], "uid": r["uid"], "claim_id": r["claim_id"], "text": r["text"], "due": r["due"],
         "state": r["state"], "answers": r["answers"], "comment": r["comment"], "created_by": r["created_by"],
         "created_at": r["created_at"], "history": r["history"]}
        for r in requests
    ]
    return {"summary": summary, "review": review, "sections": sections_out, "claims": claims_out,
            "evidence": evidence_out, "findings": findings, "requests": requests_out, "request_counts": req_counts}
