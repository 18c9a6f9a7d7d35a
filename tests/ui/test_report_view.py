"""The report view in the main window: highlights by evidence status, click ↔ tree selection, a manual
claim from a text selection, one-key confirm / dismiss of unclassified numbers, ignore / restore, edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from desktop.review.status import claim_rows


def _select_text(view, text: str, occurrence: int = 0) -> tuple[int, int]:
    plain = view.text.toPlainText()
    start = -1
    for _ in range(occurrence + 1):
        start = plain.index(text, start + 1)
    cur = view.text.textCursor()
    cur.setPosition(start)
    cur.setPosition(start + len(text), QTextCursor.MoveMode.KeepAnchor)
    view.text.setTextCursor(cur)
    return start, start + len(text)


def _show_sample(window) -> int:
    """Choose the sample report in the view's report list (the demo also holds its 绩效自评表, imported
    after it, which the view shows first); its id."""
    view = window.report_view
    rid = window.ws.db.scalar("SELECT id FROM reports WHERE state = 'active' AND name LIKE 'zhanjiang%'")
    view.report_combo.setCurrentIndex(view.report_combo.findData(rid))
    assert view.report_id == rid
    return rid


def _click_at(view, offset: int) -> None:
    cur = view.text.textCursor()
    cur.setPosition(offset)
    view.text.setTextCursor(cur)


def test_report_text_is_highlighted_by_evidence_status(window):
    view = window.report_view
    ws = window.ws
    rid = _show_sample(window)
    assert view.text.toPlainText() == ws.db.scalar("SELECT text FROM reports WHERE id = ?", (rid,))
    colours = {cid: colour for cid, _, _, colour in view.highlights()}
    rows = {c["id"]: c for c in claim_rows(ws.db) if c["report_id"] == rid}
    assert set(rows) <= set(colours)
    for cid, c in rows.items():
        assert colours[cid] == ("#ffcdd2" if "no_evidence" in c["flags"] else "#c8e6c9")
    candidates = [r["id"] for r in ws.db.query("SELECT id FROM claims WHERE state = 'candidate' AND report_id = ?",
                                               (rid,))]
    assert candidates and all(colours[c] == "#ffe0b2" for c in candidates)
    for cid, s, e, _ in view.highlights():
        assert view.text.toPlainText()[s:e] == ws.db.scalar("SELECT quote FROM claims WHERE id = ?", (cid,))


def test_click_in_text_selects_the_claim_in_the_tree_and_back(window):
    view = window.report_view
    _show_sample(window)
    cid = window.ws.db.scalar("SELECT id FROM claims WHERE value = '21099'")
    start = window.ws.db.scalar("SELECT start FROM claims WHERE id = ?", (cid,))
    _click_at(view, start + 2)
    assert window.selected_claim_ids() == [cid]
    assert "21099" in view.detail.text()
    other = window.ws.db.scalar("SELECT id FROM claims WHERE value = '658.83'")
    window.select_claim(other)
    assert view.current_claim_id == other
    other_start = window.ws.db.scalar("SELECT start FROM claims WHERE id = ?", (other,))
    assert view.text.textCursor().position() == other_start


def test_mark_selection_as_claim_and_confirm_a_candidate(window, qtbot):
    view = window.report_view
    db = window.ws.db
    rid = _show_sample(window)
    n_tree = len(window.claims_model.claim_ids())
    # 标记为指标: "5 年行动" is masked as a programme name; the user marks it on purpose
    start, end = _select_text(view, "扩面提质 5 年行动")
    assert view.act_mark.isEnabled()
    qtbot.keyClick(view.text, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    row = db.query_one("SELECT * FROM claims WHERE origin = 'manual'")
    assert row is not None and (row["start"], row["end"]) == (start, end)
    assert (row["value"], row["state"]) == ("5", "active")
    assert len(window.claims_model.claim_ids()) == n_tree + 1
    assert window.selected_claim_ids() == [row["id"]]
    assert any(cid == row["id"] and colour == "#ffcdd2" for cid, _, _, colour in view.highlights())

    # 待确认: one key confirms the current unclassified number, another dismisses the next one
    cands = [r["id"] for r in db.query("SELECT id FROM claims WHERE state = 'candidate' AND report_id = ? ORDER BY start",
                                       (rid,))]
    assert view.candidates.count() == len(cands)
    view.candidates.setFocus()
    view.candidates.setCurrentRow(0)
    first = view.current_candidate_id()
    qtbot.keyClick(view.candidates, Qt.Key.Key_Y)
    assert db.scalar("SELECT state FROM claims WHERE id = ?", (first,)) == "active"
    assert first in window.claims_model.claim_ids()
    assert view.candidates.count() == len(cands) - 1
    if view.candidates.count():
        second = view.current_candidate_id()
        qtbot.keyClick(view.candidates, Qt.Key.Key_N)
        assert db.scalar("SELECT state FROM claims WHERE id = ?", (second,)) == "dismissed"
    actions = [r["action"] for r in db.query("SELECT action FROM events ORDER BY seq DESC LIMIT 3")]
    assert "claim.confirmed" in actions and "claim.added" in actions


def test_ignore_restore_and_edit_from_the_view(window, qtbot):
    view = window.report_view
    db = window.ws.db
    cid = db.scalar("SELECT id FROM claims WHERE value = '18061'")
    window.select_claim(cid)
    assert view.current_claim_id == cid and view.act_ignore.isEnabled()
    view.act_ignore.trigger()
    assert db.scalar("SELECT state FROM claims WHERE id = ?", (cid,)) == "ignored"
    assert cid not in window.claims_model.claim_ids()
    assert view.act_restore.isEnabled()
    assert dict((c, col) for c, _, _, col in view.highlights())[cid] == "#f5f5f5"
    view.act_restore.trigger()
    assert db.scalar("SELECT state FROM claims WHERE id = ?", (cid,)) == "active"
    view.edit_current({"subject": "稳岗返还审核企业数", "value": "18061", "unit": "家"})
    assert db.query_one("SELECT unit, subject FROM claims WHERE id = ?", (cid,))["unit"] == "家"
    assert window.claims_model.claim(cid)["unit"] == "家"


def test_reviewer_cannot_mark_or_confirm(tmp_path, qtbot):
    from desktop.demo import build_demo
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow
    from desktop.workspace import Workspace

    root = build_demo(tmp_path / "demo")
    make_app()
    with Workspace.open(root, actor="审核员", role="reviewer") as ws:
        w = MainWindow(ws, inline_tasks=True)
        qtbot.addWidget(w)
        view = w.report_view
        _show_sample(w)
        _select_text(view, "扩面提质 5 年行动")
        assert not view.act_mark.isEnabled() and not view.btn_confirm.isEnabled()
        n = ws.db.scalar("SELECT count(*) FROM events")
        view.mark_selection()
        view.candidates.setCurrentRow(0)
        view.confirm_current_candidate()
        assert ws.db.scalar("SELECT count(*) FROM events") == n
        w.close()


def test_import_a_revised_version_from_the_view(window, tmp_path):
    view = window.report_view
    db = window.ws.db
    old = _show_sample(window)
    reports = view.report_combo.count()
    text = db.scalar("SELECT text FROM reports WHERE id = ?", (old,))
    linked = db.scalar("SELECT claim_id FROM links ORDER BY claim_id LIMIT 1")
    f = tmp_path / "修订稿.txt"
    f.write_text(text.replace("21099 条", "21199 条"), encoding="utf-8")
    view.import_revision(f)
    assert view.report_id != old and view.report_combo.count() == reports
    assert "数值变化 1 个" in view.revision_summary and "21099条 → 21199条" in view.revision_summary
    assert db.scalar("SELECT report_id FROM claims WHERE id = ?", (linked,)) == view.report_id
    assert linked in window.claims_model.claim_ids()
    assert view.text.toPlainText().count("21199 条") == 1


def test_switching_to_the_report_tab_shows_the_selected_claim(window, qtbot):
    view = window.left_tabs.widget(1)
    target = window.claims_model.rows()[-1]  # near the end of the report: far from the top
    window.select_claim(target["id"])
    view.text.verticalScrollBar().setValue(0)  # as a hidden view leaves it: it could not scroll
    qtbot.keyClick(window.claims_view, Qt.Key.Key_F6)
    assert window.left_tabs.currentWidget() is view
    assert view.current_claim_id == target["id"]
    cursor = view.text.cursorForPosition(view.text.viewport().rect().center())
    shown = view.text.document().findBlock(cursor.position()).blockNumber()
    at = view.text.document().findBlock(view.text.textCursor().position()).blockNumber()
    assert view.text.verticalScrollBar().value() > 0
    assert abs(shown - at) < 40  # the claim's paragraph is on screen, not the top of the report
