"""Every service's result carries the ``Changes`` of its own write (read off its audit event)."""

from __future__ import annotations

from desktop.claims import service as claims
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review import links
from desktop.review.review import review_claim
from desktop.review.status import claim_rows
from desktop.workspace import set_setting


def test_each_service_result_says_what_it_changed(ws, sample_report, tmp_path):
    imported = claims.import_report(ws.db, path=sample_report)
    assert imported.changes.actions == {"report.imported"}
    assert imported.changes.report_ids == {imported.report_id}

    claim_id = claim_rows(ws.db)[0]["id"]
    edited = claims.edit_claim(ws.db, claim_id=claim_id, subject="追回多发待遇")
    assert edited.changes.actions == {"claim.edited"} and edited.changes.claim_ids == {claim_id}

    slip = tmp_path / "回单.txt"
    slip.write_text("追回 6,588,300.00 元", encoding="utf-8")
    reg = register_file(ws, slip)
    assert reg.changes.actions == {"evidence.added"} and reg.changes.evidence_ids == {reg.evidence_id}
    indexed = index_evidence(ws, reg.evidence_id)
    assert indexed.changes.actions == {"evidence.indexed"}

    linked = links.link_evidence(ws.db, claim_id=claim_id, evidence_id=reg.evidence_id)
    assert linked.changes.actions == {"link.added"}
    assert (linked.changes.claim_ids, linked.changes.evidence_ids) == ({claim_id}, {reg.evidence_id})
    marked = links.mark_not_required(ws.db, claim_id=claim_id, reason="见评分表")
    assert marked.changes.actions == {"claim.marked_not_required"}
    rejected = links.reject_suggestion(ws.db, claim_id=claim_id, evidence_id=reg.evidence_id)
    assert rejected.changes.areas == {"suggestion"}

    setting = set_setting(ws.db, key="watch_dir", value=str(tmp_path))
    assert setting.changes.actions == {"settings.changed"} and setting.after == str(tmp_path)

    ws.set_identity(actor="王审计", role="reviewer")
    reviewed = review_claim(ws.db, claim_id=claim_id, state="verified")
    assert reviewed.changes.actions == {"review.set"}
    assert reviewed.changes.ids("review") == {reviewed.review_id} and reviewed.changes.claim_ids == {claim_id}
