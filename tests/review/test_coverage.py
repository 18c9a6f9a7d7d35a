"""已有佐证 x/y: a claim marked 无需佐证 is neither covered nor missing; it is counted apart."""

from __future__ import annotations

from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence, mark_not_required
from desktop.review.status import Completeness, completeness, completeness_by_section, workspace_status
from desktop.text.status import coverage_text, status_line


def _claim(ws, value, unit):
    return ws.db.query_one("SELECT id FROM claims WHERE value = ? AND unit = ? ORDER BY id", (value, unit))["id"]


def test_a_claim_needing_no_evidence_leaves_the_fraction(imported_ws, tmp_path):
    ws = imported_ws
    slip = tmp_path / "回单.txt"
    slip.write_text("金额 ¥6,588,300.00 追回多发社保待遇", encoding="utf-8")
    eid = register_file(ws, slip).evidence_id
    index_evidence(ws, eid)
    before = completeness(ws.db)
    assert (before.with_evidence, before.needing, before.not_required) == (0, before.claims, 0)

    score = _claim(ws, "99", "分")
    mark_not_required(ws.db, claim_id=score, reason="自评得分见评分表")
    c = completeness(ws.db)
    assert (c.claims, c.needing, c.with_evidence, c.not_required) == (before.claims, before.claims - 1, 0, 1)
    assert c.without_evidence == before.without_evidence - 1
    assert coverage_text(c) == f"已有佐证 0/{before.claims - 1}（另有 1 个无需佐证）"

    # a link to a 无需佐证 claim does not make it count as covered; a link to a claim that needs evidence does
    link_evidence(ws.db, claim_id=score, evidence_id=eid)
    link_evidence(ws.db, claim_id=_claim(ws, "658.83", "万元"), evidence_id=eid)
    c = completeness(ws.db)
    assert (c.with_evidence, c.not_required, c.needing) == (1, 1, before.claims - 1)
    assert c.with_evidence + c.without_evidence + c.not_required == c.claims

    st = workspace_status(ws.db)["summary"]
    assert (st["with_evidence"], st["needing_evidence"], st["not_required"]) == (1, before.claims - 1, 1)
    assert status_line({**st}).startswith(f"指标 {c.claims} 个：已有佐证 1/{before.claims - 1}（另有 1 个无需佐证）")
    rows = completeness_by_section(ws.db)
    report = next(r for r in rows if r.section is None)
    assert report.counts.as_json() == c.as_json()
    assert sum(r.counts.not_required for r in rows if r.section) == 1


def test_coverage_without_any_claim_marked_says_nothing_of_it():
    c = Completeness(claims=10, with_evidence=4)
    assert coverage_text(c) == "已有佐证 4/10" and c.without_evidence == 6
