"""撤销 / 重做 say what they would undo or redo, from the audit events of the write."""

from __future__ import annotations

import json

from desktop.evidence.service import register_file
from desktop.review.audit_log import target_names
from desktop.review.links import link_evidence, link_many, mark_not_required
from desktop.text.undo import change_summary, redo_text, undo_text


def _events(ws, since: int) -> list[dict]:
    rows = ws.db.query("SELECT action, claim_id, evidence_id, payload FROM events WHERE seq > ? ORDER BY seq", (since,))
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


def test_one_link_is_named_with_its_claim_and_file(imported_ws, tmp_path):
    ws = imported_ws
    slip = tmp_path / "银行回单.txt"
    slip.write_text("¥6,588,300.00", encoding="utf-8")
    eid = register_file(ws, slip).evidence_id
    claim = ws.db.query_one("SELECT id FROM claims WHERE value = '658.83'")["id"]
    seq = ws.db.scalar("SELECT max(seq) FROM events")
    link_evidence(ws.db, claim_id=claim, evidence_id=eid)
    events = _events(ws, seq)
    claims, evidence = target_names(ws.db, [claim], [eid])
    text = undo_text(events, claims, evidence)
    assert text.startswith("撤销“关联 #") and "追回多发社保待遇" in text and "银行回单" in text and text.endswith("”")
    assert redo_text(events, claims, evidence) == "重做" + text[2:]


def test_many_changes_are_counted_and_nothing_says_the_bare_verb(imported_ws, tmp_path):
    ws = imported_ws
    files = []
    for i in range(2):
        f = tmp_path / f"f{i}.txt"
        f.write_text(f"合计 {i + 1}00 元", encoding="utf-8")
        files.append(register_file(ws, f).evidence_id)
    claims = [r[0] for r in ws.db.query("SELECT id FROM claims ORDER BY id LIMIT 3")]
    seq = ws.db.scalar("SELECT max(seq) FROM events")
    link_many(ws.db, claim_ids=claims[:2], evidence_ids=files[:1])
    assert undo_text(_events(ws, seq)) == "撤销“关联（2 项）”"
    seq2 = ws.db.scalar("SELECT max(seq) FROM events")
    mark_not_required(ws.db, claim_id=claims[2], reason="测试")
    mixed = _events(ws, seq)
    assert change_summary(mixed) == "关联 2 项、标记无需佐证 1 项"
    assert undo_text(_events(ws, seq2)).startswith("撤销“标记无需佐证 #")
    assert undo_text([]) == "撤销" and redo_text([]) == "重做"
