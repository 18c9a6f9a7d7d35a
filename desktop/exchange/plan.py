"""What goes into a package, read from one consistent snapshot of the workspace database.

The export first copies the database (:func:`desktop.exchange.packagedb.snapshot`), then reads the
plan from that copy, so ``package.db``, ``目录.xlsx``, ``完整性报告.pdf``, the binder and the manifest all
describe the same moment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.database import Database
from desktop.claims.service import REPORT_COPIES
from desktop.exchange import names as N
from desktop.review.review import review_overview
from desktop.review.status import Completeness, SectionCompleteness, claim_rows, completeness_by_section

UNLINKED_FOLDER = "佐证材料/未关联"
EVIDENCE_ROOT = "佐证材料"
REPORTS_ROOT = "报告"


@dataclass
class FileEntry:
    evidence_id: int
    sha256: str
    size: int
    name: str
    ext: str | None
    mime: str | None
    status: str
    error: str | None
    linked: bool
    path: str = ""  # member path in the zip

    @property
    def number(self) -> str:
        return f"E{self.evidence_id}"


@dataclass
class ClaimEntry:
    claim: dict[str, Any]
    seq: int
    folder: str | None  # member folder of the files first stored under this claim
    evidence: list[tuple[int, str | None]]  # (evidence id, locator), in link order
    review: str  # pending … not_required, or "stale"
    comment: str | None
    text: str = ""  # the quote within its clause (:func:`claim_text`)

    @property
    def id(self) -> int:
        return self.claim["id"]


@dataclass
class ReportEntry:
    report_id: int
    name: str
    sha256: str
    path: str
    source: Path | None  # the original bytes, when the workspace still has them
    text: str  # the text as imported (written instead when the original is gone)
    original: bool


@dataclass
class Plan:
    workspace_id: str
    workspace_name: str
    unit: str | None
    year: str | None
    audit_seq: int
    audit_head: str
    include_unlinked: bool
    reports: list[ReportEntry]
    claims: list[ClaimEntry]
    files: dict[int, FileEntry]  # every packaged file, in zip order (linked first, then unlinked)
    sections: list[SectionCompleteness]
    totals: Completeness
    other_versions: set[int] = field(default_factory=set)  # evidence rows kept without bytes
    #: the 一致性检查's findings over the packaged reports (``check --json``'s dicts, dismissed ones too)
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def linked_files(self) -> list[FileEntry]:
        return [f for f in self.files.values() if f.linked]

    @property
    def unlinked_files(self) -> list[FileEntry]:
        return [f for f in self.files.values() if not f.linked]

    def counts(self) -> dict[str, int]:
        return {
            "reports": len(self.reports),
            "claims": len(self.claims),
            "links": sum(len(c.evidence) for c in self.claims),
            "files": len(self.linked_files),
            "unlinked_files": len(self.unlinked_files),
            "without_evidence": self.totals.without_evidence,
            "not_required": self.totals.not_required,
        }


_CLAUSE_END = re.compile(r"[，,。；;：:！!？?、\n]")


def claim_text(claim: dict[str, Any]) -> str:
    """The claim as a reader knows it: its quote inside the clause around it (``全年共召开 14 次党委会``)."""
    before = _CLAUSE_END.split(claim.get("context_before") or "")[-1]
    after = _CLAUSE_END.split(claim.get("context_after") or "")[0]
    text = f"{before}{claim['quote']}{after}".strip()
    return re.sub(r"[ \t　]+", " ", text) or claim["quote"]


def workspace_id(db: Database) -> str:
    """The hash of the workspace's first audit event (``workspace.created``): it never changes."""
    return db.scalar("SELECT hash FROM events WHERE seq = 1") or ""


_UNIT_RE = re.compile(r"(?:评价|填报|编制|预算)单位[^：:\n]{0,8}[：:][ \t　]*([^\s，。；;]{2,40})")
_YEAR_RE = re.compile(r"评价年度[：:][ \t　]*((?:19|20)[0-9]{2})")
_TITLE_YEAR_RE = re.compile(r"((?:19|20)[0-9]{2})[ \t　]*年度")


def unit_and_year(db: Database, report_texts: list[str]) -> tuple[str | None, str | None]:
    """The settings ``unit`` / ``year`` where set, else what the first report says (评价单位, 评价年度)."""
    unit, year = db.get_setting("unit"), db.get_setting("year")
    for text in report_texts:
        head = text[:4000]
        if not unit:
            m = _UNIT_RE.search(head)
            unit = m.group(1) if m else None
        if not year:
            m = _YEAR_RE.search(head) or _TITLE_YEAR_RE.search(head)
            year = m.group(1) if m else None
    return unit or None, year or None


def _report_source(root: Path, row: dict[str, Any]) -> Path | None:
    """Where the report's original bytes still are: the workspace's own copy, else the imported path if
    its content is unchanged."""
    ext = Path(row["name"]).suffix.lower()
    for candidate in (root / REPORT_COPIES / f"{row['sha256']}{ext}", root / REPORT_COPIES / row["sha256"]):
        if candidate.is_file():
            return candidate
    src = row.get("source_path")
    if src:
        p = Path(src)
        try:
            if p.is_file() and _sha256_file(p) == row["sha256"]:
                return p
        except OSError:
            return None
    return None


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def build_plan(db: Database, root: Path, *, include_unlinked: bool = False) -> Plan:
    """Read everything the package needs from ``db`` (a snapshot copy); ``root`` is the workspace folder
    (for the reports' original bytes)."""
    with db.snapshot():
        seq, head = (lambda r: (r["seq"], r["hash"]) if r else (0, "0" * 64))(
            db.query_one("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"))
        claims = claim_rows(db)
        reviews = review_overview(db)
        sections = completeness_by_section(db, claims)
        report_rows = [dict(r) for r in db.query(
            "SELECT id, name, source_path, sha256, text FROM reports WHERE state = 'active' ORDER BY id")]
        contexts = {r["id"]: dict(r) for r in db.query("SELECT id, context_before, context_after FROM claims")}
        evidence = {r["id"]: dict(r) for r in db.query(
            "SELECT id, sha256, size, name, ext, mime, status, error, supersedes FROM evidence ORDER BY id")}
        name = db.get_setting("name") or root.name
        unit, year = unit_and_year(db, [r["text"] for r in report_rows])
        wid = workspace_id(db)

    reports: list[ReportEntry] = []
    taken = N.UniqueNames()
    for r in report_rows:
        src = _report_source(root, r)
        if src is not None:
            path = taken.take(N.fit_file(REPORTS_ROOT, r["name"]))
        else:
            path = taken.take(N.fit_file(REPORTS_ROOT, Path(r["name"]).stem + ".txt"))
        reports.append(ReportEntry(r["id"], r["name"], r["sha256"], path, src, r["text"], src is not None))

    width = max(3, len(str(len(claims))))
    entries: list[ClaimEntry] = []
    files: dict[int, FileEntry] = {}
    for i, c in enumerate(claims, 1):
        info = reviews.get(c["id"])
        review = "stale" if c["review_stale"] else c["review"]
        links = [(eid, c["locators"].get(eid)) for eid in c["evidence_ids"]]
        folder = None
        for eid, _loc in links:
            if eid in files:
                continue
            if folder is None:
                folder = f"{EVIDENCE_ROOT}/{i:0{width}d}_{N.subject_name(c['subject'] or c['quote'])}"
            e = evidence[eid]
            files[eid] = FileEntry(eid, e["sha256"], e["size"], e["name"], e["ext"], e["mime"], e["status"],
                                   e["error"], True, N.fit_file(folder, f"E{eid}_{e['name']}"))
        entries.append(ClaimEntry(c, i, folder, links, review, info.comment if info else None,
                                  claim_text({**contexts.get(c["id"], {}), **c})))
    if include_unlinked:
        for eid, e in evidence.items():
            if eid not in files:
                files[eid] = FileEntry(eid, e["sha256"], e["size"], e["name"], e["ext"], e["mime"], e["status"],
                                       e["error"], False, N.fit_file(UNLINKED_FOLDER, f"E{eid}_{e['name']}"))
    other = _other_versions(evidence, set(files))
    return Plan(wid, name, unit, year, seq, head, include_unlinked, reports, entries, files, sections,
                Completeness.of(claims), other, _findings(db))


def _findings(db: Database) -> list[dict[str, Any]]:
    """The findings of the snapshot's active reports, as the 一致性检查 panel and ``check --json`` have them."""
    from desktop.checks.queries import findings_json

    return findings_json(db)


def _other_versions(evidence: dict[int, dict[str, Any]], packaged: set[int]) -> set[int]:
    """Evidence rows in the version chains of packaged files that are not packaged themselves."""
    parent = {eid: e["supersedes"] for eid, e in evidence.items() if e["supersedes"]}
    children: dict[int, list[int]] = {}
    for child, par in parent.items():
        children.setdefault(par, []).append(child)
    seen: set[int] = set()
    stack = list(packaged)
    while stack:
        eid = stack.pop()
        if eid in seen or eid not in evidence:
            continue
        seen.add(eid)
        if eid in parent:
            stack.append(parent[eid])
        stack.extend(children.get(eid, []))
    return seen - packaged
