"""A sign-off lapses when a changed file lands in the watched folder — through the real watcher and ingest.

The evidence area's ``EvidenceWatcher`` (watchdog on a real temp folder, the persisted queue, registration
by content) does the work; nothing here registers the file by hand.
"""

from __future__ import annotations

from pathlib import Path

from desktop.claims.service import import_report
from desktop.evidence import watcher
from desktop.review.links import link_evidence
from desktop.review.review import review_claim, review_info
from desktop.review.status import claim_rows, workspace_status
from desktop.workspace import Workspace

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"


def _claim(ws, claim_id):
    return next(c for c in workspace_status(ws.db)["claims"] if c["id"] == claim_id)


def test_sign_off_lapses_when_a_new_version_lands_in_the_watched_folder(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    slip = folder / "银行回单.txt"
    slip.write_text("追回多发社保待遇 金额 6,588,300.00 元", encoding="utf-8")
    ws = Workspace.create(tmp_path / "W", watch_dir=folder, actor="李会计")
    try:
        import_report(ws.db, path=SAMPLE)
        claim_id = claim_rows(ws.db)[0]["id"]
        with watcher.EvidenceWatcher(ws) as w:
            assert w.wait_idle(timeout=30)
            eid = ws.db.scalar("SELECT evidence_id FROM evidence_paths WHERE path = ? AND present = 1", (str(slip),))
            assert eid is not None
            link_evidence(ws.db, claim_id=claim_id, evidence_id=eid, locator="第 1 页")
            ws.set_identity(actor="王审计", role="reviewer")
            review_claim(ws.db, claim_id=claim_id, state="verified", comment="与回单一致")
            ws.set_identity(actor="李会计", role="editor")
            assert _claim(ws, claim_id)["review_stale"] is False

            # the department sends a corrected slip: written over the old file, in place
            slip.write_text("追回多发社保待遇 金额 6,588,300.00 元（加盖公章）", encoding="utf-8")
            assert w.wait_for(lambda: _claim(ws, claim_id)["review_stale"], timeout=30)
            assert w.wait_idle(timeout=30)

        c = _claim(ws, claim_id)
        assert c["review"] == "verified" and c["review_stale"] is True and "review_stale" in c["flags"]
        assert c["evidence_ids"] == [eid]  # what was signed off stays linked
        newer = ws.db.scalar("SELECT id FROM evidence WHERE supersedes = ?", (eid,))
        assert newer is not None
        assert review_info(ws.db, claim_id).reasons == [
            {"code": "file_superseded", "evidence_id": eid, "name": slip.name, "newer": [newer]}]
        actions = [r["action"] for r in ws.db.query("SELECT action FROM events WHERE evidence_id = ?", (newer,))]
        assert "evidence.new_version" in actions
    finally:
        ws.close()
