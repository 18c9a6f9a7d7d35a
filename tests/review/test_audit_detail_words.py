"""The audit log's words for a real trail: every action, the change and every recorded field (the detail pane
shows these instead of the raw record) read without internal codes or JSON.

The trail is the demo workspace's (created, report imported, files registered and indexed, links) plus the
edits, reviews and settings a session makes: every one through its real service.
"""

from __future__ import annotations

import re

from desktop.claims.service import edit_claim, ignore_claim, restore_claim
from desktop.demo import build_demo
from desktop.evidence.watch_dir import set_watch_dir
from desktop.review import audit_log
from desktop.review.links import mark_not_required, reject_suggestion, unlink_evidence, update_link
from desktop.review.review import review_claim
from desktop.text.audit import action_name, describe, detail_fields
from desktop.workspace import Workspace, set_setting

# an internal code: evidence.indexed, no_ocr, docx_corrupt; or an English word in lower case (a state, a key)
CODE = re.compile(r"[a-z]+[._][a-z_]+|(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])")
# fields whose values are the user's own data (paths, file names, quotes, notes) or hashes: any letters allowed
FREE = ("路径", "名称", "引文", "内容哈希", "哈希", "备注", "意见", "理由", "监控文件夹", "之前", "之后", "原路径",
        "清单哈希", "材料包哈希", "主体", "章节", "位置")


def _trail(tmp_path):
    root = build_demo(tmp_path / "demo")
    with Workspace.open(root, actor="李会计", role="editor") as ws:
        db = ws.db
        claims = [r["id"] for r in db.query("SELECT id FROM claims WHERE state = 'active' ORDER BY id")]
        linked = [r for r in db.query("SELECT claim_id, evidence_id FROM links ORDER BY id")]
        c0, e0 = linked[0]["claim_id"], linked[0]["evidence_id"]
        update_link(db, claim_id=c0, evidence_id=e0, locator="第 2 页", note="核对过原件")
        unlink_evidence(db, claim_id=c0, evidence_id=e0)
        free = [c for c in claims if c not in {r["claim_id"] for r in linked}]
        edit_claim(db, claim_id=free[0], subject="基金总收入同比增长")
        ignore_claim(db, claim_id=free[1], reason="引用的政策门槛")
        restore_claim(db, claim_id=free[1])
        mark_not_required(db, claim_id=free[2], reason="上级文件规定的数字")
        reject_suggestion(db, claim_id=free[3], evidence_id=e0)
        other = tmp_path / "新材料"
        other.mkdir()
        set_watch_dir(db, folder=other)
        set_setting(db, key="ingest.watch_mode", value="polling")
        ws.set_identity(actor="王审计", role="reviewer")
        review_claim(db, claim_id=linked[1]["claim_id"], state="verified", comment="与原件一致")
        review_claim(db, claim_id=linked[1]["claim_id"], state="questioned", comment="请注明换算")
        events = list(audit_log.iter_events(db))
        names = audit_log.target_names(db, [e["claim_id"] for e in events], [e["evidence_id"] for e in events])
    return events, names


def test_every_event_of_a_real_trail_reads_in_words(tmp_path):
    events, (claims, evidence) = _trail(tmp_path)
    actions = {e["action"] for e in events}
    assert {"workspace.created", "report.imported", "evidence.added", "evidence.indexed", "link.added",
            "link.updated", "link.removed", "claim.edited", "claim.ignored", "claim.restored",
            "claim.marked_not_required", "suggestion.rejected", "settings.changed", "review.set"} <= actions
    for e in events:
        name = action_name(e["action"])
        assert name and not CODE.search(name), (e["action"], name)
        text = describe(e, claims, evidence)
        assert "{" not in text, (e["action"], text)
        fields = detail_fields(e, claims, evidence)
        for label, value in fields:
            assert "{" not in value and not CODE.search(label), (e["action"], label, value)
            if not any(word in label for word in FREE):
                assert not CODE.search(re.sub(r"《[^》]*》|\b[0-9a-f]{16,}\b", "", value)), (e["action"], label, value)  # file names
        if e["action"] in ("evidence.indexed", "settings.changed", "review.set", "link.added"):
            assert fields, e["action"]


def test_codes_in_the_record_are_said_in_words():
    indexed = {"action": "evidence.indexed", "evidence_id": 3,
               "payload": {"text_status": "no_ocr", "numbers": 0, "pages": 2, "error": "docx_corrupt", "ocr_pages": 0}}
    fields = dict(detail_fields(indexed))
    assert fields["文字状态"] == "未安装 OCR"
    assert "Word 文件已损坏" in fields["出错原因"]
    mode = {"action": "settings.changed", "payload": {"key": "ingest.watch_mode", "before": "auto", "after": "polling"}}
    assert dict(detail_fields(mode)) == {"设置项": "监控方式", "之前": "自动", "之后": "轮询"}
    assert describe(mode) == "监控方式：自动 → 轮询"
    review = {"action": "review.set", "claim_id": 7,
              "payload": {"state": "needs_more", "before": "verified", "comment": "请补充", "basis": {"evidence": [3, 4]}}}
    fields = dict(detail_fields(review, {7: {"subject": "追回待遇", "value_raw": "658.83", "unit": "万元"}}, {3: "回单.pdf"}))
    assert fields["状态"] == "需补充" and fields["之前"] == "已核实"
    assert fields["审核依据 · 佐证"] == "E3《回单.pdf》、E4"
    assert action_name("budget.adjusted") == "其他操作"  # an area added later, not named here yet
    assert action_name("claim.split") == "指标：其他操作"
