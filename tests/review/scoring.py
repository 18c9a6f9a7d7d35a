"""Scoring suggestions against an evidence set's gold answer (used by the tests and by hand)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from desktop.claims.service import import_report
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import iter_files, register_file
from desktop.review.suggest import STRONG, SuggestionEngine
from desktop.workspace import Workspace
from tests.review.evidence_sets import EvidenceSet


def ingest_set(root: Path, es: EvidenceSet) -> Workspace:
    ws = Workspace.create(root, watch_dir=es.folder, actor="评分")
    import_report(ws.db, path=es.report)
    for path in iter_files([es.folder]):
        r = register_file(ws, path)
        if r.outcome in ("added", "new_version"):
            index_evidence(ws, r.evidence_id)
    return ws


@dataclass
class ClaimResult:
    claim_id: int
    text: str
    gold: set[int]
    gold_images_only: bool
    top: int | None
    top_strength: str | None
    strong_wrong: list[int] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.top is not None and self.top in self.gold


@dataclass
class Score:
    results: list[ClaimResult]

    @property
    def with_gold(self) -> list[ClaimResult]:
        return [r for r in self.results if r.gold]

    @property
    def top1(self) -> float:
        rs = self.with_gold
        return sum(r.correct for r in rs) / len(rs) if rs else 0.0

    @property
    def top1_without_image_only(self) -> float:
        rs = [r for r in self.with_gold if not r.gold_images_only]
        return sum(r.correct for r in rs) / len(rs) if rs else 0.0

    @property
    def strong_without_gold(self) -> list[ClaimResult]:
        return [r for r in self.results if not r.gold and r.top_strength == STRONG]

    def summary(self) -> str:
        rs = self.with_gold
        return (f"claims {len(self.results)}, with a matching file {len(rs)}, top-1 correct "
                f"{sum(r.correct for r in rs)} ({self.top1:.1%}; without image-only claims "
                f"{self.top1_without_image_only:.1%}); claims without a matching file "
                f"{len(self.results) - len(rs)}, of them with a strong suggestion {len(self.strong_without_gold)}")


def score(ws: Workspace, es: EvidenceSet) -> Score:
    db = ws.db
    report_text = {r["id"]: r["text"] for r in db.query("SELECT id, text FROM reports")}
    path_to_id = {Path(r["path"]): r["evidence_id"] for r in db.query("SELECT path, evidence_id FROM evidence_paths")}
    claims = db.query(
        "SELECT id, report_id, value, unit, start, \"end\", quote FROM claims WHERE state = 'active' ORDER BY id"
    )
    engine = SuggestionEngine(db)
    sugg = engine.for_claims(limit=5)
    results = []
    for c in claims:
        text = report_text[c["report_id"]]
        around = text[max(0, c["start"] - 40) : c["end"] + 12]
        gold: set[int] = set()
        image_only = True
        for f in es.files:
            for b in f.backs:
                if (c["value"] is not None and Decimal(b.value) == Decimal(c["value"])
                        and c["unit"] and b.unit.startswith(c["unit"])
                        and b.near in around):
                    eid = path_to_id.get(f.path.absolute())
                    if eid is not None:
                        gold.add(eid)
                        image_only = image_only and f.is_image
        ss = sugg.get(c["id"], [])
        top = ss[0] if ss else None
        results.append(ClaimResult(
            c["id"], f"{c['value']}{c['unit']} {around.strip()[:50]!r}", gold, bool(gold) and image_only,
            top.evidence_id if top else None, top.strength if top else None,
            [s.evidence_id for s in ss if s.strength == STRONG and s.evidence_id not in gold],
        ))
    return Score(results)
