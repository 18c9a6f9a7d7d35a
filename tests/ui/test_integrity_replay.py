"""The integrity dialog on the replay: a link deleted behind the app's back is named in the dialog, the
state stage is marked, and the audit anchor is shown (to compare with what was handed in)."""

from __future__ import annotations

import sqlite3


def test_integrity_dialog_shows_the_anchor(window, qtbot):
    window.act_verify.trigger()
    dlg = window.integrity_dialog
    assert dlg.report is not None and dlg.report.ok
    text = dlg.result.toPlainText()
    head = window.ws.db.query_one("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
    assert "审计锚点" in text and f"#{head['seq']}" in text and head["hash"] in text
    assert "行数据与审计记录逐行一致" in text
    dlg.close()


def test_integrity_dialog_names_a_link_deleted_behind_its_back(window, qtbot):
    ws = window.ws
    link = ws.db.query_one("SELECT id, claim_id, evidence_id FROM links ORDER BY id LIMIT 1")
    conn = sqlite3.connect(ws.db.path)
    conn.execute("DELETE FROM links WHERE id = ?", (link["id"],))
    conn.commit()
    conn.close()
    window.act_verify.trigger()
    dlg = window.integrity_dialog
    assert dlg.report is not None and not dlg.report.ok
    text = dlg.result.toPlainText()
    assert f"关联 #{link['claim_id']}–E{link['evidence_id']}" in text and "删除" in text
    assert "✗" in dlg.stage_marks["state"].text()
    dlg.close()
