"""关联建议 as issue 18 asks: every place per file (exact above rounded), a confirmation list before a bulk
accept and one undo for it, buttons that name the keys that work, 撤销 / 重做 that say what they do, and
Ctrl+Shift+E that says why it cannot edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.conftest import REPO


def _claim(window, subject: str, value: str) -> int:
    return next(c["id"] for c in window.claims_model.rows() if c["subject"] == subject and c["value"] == value)


def _links(window) -> set[tuple[int, int]]:
    return {(r[0], r[1]) for r in window.ws.db.query("SELECT claim_id, evidence_id FROM links")}


def test_the_exact_cell_is_the_first_suggestion_with_the_rounded_one_below_it(window, qtbot):
    cid = _claim(window, "支付基金", "314")  # 支付基金 314 亿元: B3 = 3,140,000 万元 exactly, B2 = 3,135,300 rounds
    window.select_claim(cid)
    panel = window.suggestions
    qtbot.waitUntil(lambda: panel.claim_id == cid and panel.list.topLevelItemCount() > 0, timeout=5000)
    shown = panel.shown_locators()
    assert shown[0][0] == "基金收支!B3"
    assert shown[0][1][:2] == ["基金收支!B3", "基金收支!B2"]  # every place, exact first
    first = panel.list.topLevelItem(0)
    assert first.isExpanded() and "精确" in first.child(0).text(2) and "约数" in first.child(1).text(2)
    # accepting a place chosen under the suggestion links the file at that place
    panel.list.setCurrentItem(first.child(1))
    panel.accept_current()
    row = window.ws.db.query_one("SELECT locator FROM links WHERE claim_id = ?", (cid,))
    assert row["locator"] == "基金收支!B2"


def test_the_buttons_name_the_keys_that_work_as_the_guide_does(window):
    panel = window.suggestions
    assert "Ctrl+Enter" in panel.accept_button.text()
    assert QKeySequence("Ctrl+Return") in panel.act_accept.shortcuts()
    assert "Ctrl+Shift+Enter" in panel.accept_all_button.text()
    assert QKeySequence("Ctrl+Shift+Return") in panel.act_accept_strong.shortcuts()
    guide = (REPO / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert "Ctrl+Enter" in guide and "接受 (Enter)" not in guide


def test_bulk_accept_confirms_first_then_links_what_was_kept_in_one_undo(window, qtbot):
    gaps = [c["id"] for c in window.claims_model.rows() if "no_evidence" in c["flags"]]
    for i, cid in enumerate(gaps):
        window.claims.select_claim(cid, add=i > 0)
    before = _links(window)
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.suggestions
    qtbot.waitUntil(lambda: panel.bulk_dialog is not None, timeout=5000)
    dialog = panel.bulk_dialog
    assert _links(window) == before  # nothing written before the confirmation
    planned = [tuple(p) for p in (item.data(0, Qt.ItemDataRole.UserRole + 30) for item in dialog.items())]
    assert len(planned) >= 2, planned
    skipped = planned[0]
    dialog.set_checked(skipped[0], False)
    assert dialog.kept_pairs() == planned[1:]
    assert dialog.ok_button.text() == f"关联勾选的 {len(planned) - 1} 项"
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: _links(window) - before == set(planned[1:]), timeout=5000)
    assert skipped not in _links(window)
    assert window.act_undo.text().startswith("撤销“关联")
    window.act_undo.trigger()  # one undo takes the whole bulk accept back
    assert _links(window) == before
    assert window.act_redo.isEnabled() and window.act_redo.text().startswith("重做“关联")
    window.act_redo.trigger()
    assert _links(window) - before == set(planned[1:])


def test_undo_and_redo_say_what_they_do(window, qtbot):
    cid = next(c["id"] for c in window.claims_model.rows() if "no_evidence" in c["flags"])
    eid = window.evidence_model.evidence_id_at(0)
    assert window.act_undo.text() == "撤销" and not window.act_redo.isEnabled()
    window.links.link([cid], [eid])
    text = window.act_undo.text()
    assert text.startswith(f"撤销“关联 #{cid} ") and f"E{eid}《" in text, text
    window.act_undo.trigger()
    assert (cid, eid) not in _links(window)
    assert window.act_redo.text() == text.replace("撤销", "重做", 1) and window.act_redo.isEnabled()
    assert QKeySequence("Ctrl+Y") in window.act_redo.shortcuts()
    assert QKeySequence("Ctrl+Shift+Z") in window.act_redo.shortcuts()
    window.act_redo.trigger()
    assert (cid, eid) in _links(window)
    assert window.act_undo.text() == text and not window.act_redo.isEnabled()


def test_edit_link_without_a_file_selected_says_why(window, qtbot):
    linked = next(c for c in window.claims_model.rows() if c["evidence_ids"])
    window.select_claim(linked["id"])
    window.library.list_view.clearSelection()
    assert window.links.act_edit_link.isEnabled()
    window.statusBar().clearMessage()
    qtbot.keyClick(window.claims_view, Qt.Key.Key_E,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    message = window.statusBar().currentMessage()
    assert message.startswith("修改关联：请在右侧选中与指标") and f"E{linked['evidence_ids'][0]}" in message
