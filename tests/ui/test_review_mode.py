"""审核模式 driven with the keyboard on the demo workspace, as an inspector would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from desktop.evidence.service import register_file
from desktop.review.review import review_history, review_info
from desktop.review.status import claim_rows


@pytest.fixture
def reviewer_window(qtbot, demo_ws):
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow

    make_app()
    demo_ws.set_identity(actor="王审计", role="reviewer")
    w = MainWindow(demo_ws, inline_tasks=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def type_chinese(widget, text: str) -> None:
    """Chinese arrives from the input method as a committed string, not as key presses."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _latest(ws, claim_id):
    info = review_info(ws.db, claim_id)
    return (info.state, info.comment, info.reviewer) if info else None


def test_walk_three_claims_with_the_keyboard(reviewer_window, qtbot):
    w = reviewer_window
    qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # 审核模式
    page = w.review_mode
    assert w.central_stack.currentWidget() is page and page.can_review
    all_ids = [c["id"] for c in claim_rows(w.ws.db)]
    first, second, third, fourth = all_ids[:4]
    assert page.current_claim_id() == first  # nothing reviewed yet: starts at the first claim

    qtbot.keyClick(page, Qt.Key.Key_1)  # 已核实, moves on by itself
    assert page.current_claim_id() == second

    qtbot.keyClick(page, Qt.Key.Key_C)  # into the comment box; digits typed there are text, not states
    assert page.comment.hasFocus()
    qtbot.keyClicks(page.comment, "p2 ")
    type_chinese(page.comment, "缺盖章")
    qtbot.keyClick(page.comment, Qt.Key.Key_Escape)
    assert not page.comment.hasFocus()
    assert _latest(w.ws, second) is None  # the "2" typed in the comment recorded nothing
    qtbot.keyClick(page, Qt.Key.Key_2)  # 存疑, with the comment
    assert page.current_claim_id() == third

    qtbot.keyClick(page, Qt.Key.Key_N)  # skip the third
    qtbot.keyClick(page, Qt.Key.Key_P)  # and come back to it
    assert page.current_claim_id() == third
    qtbot.keyClick(page, Qt.Key.Key_C)
    type_chinese(page.comment, "请补充原件")
    # 需补充 straight from the comment box
    qtbot.keyClick(page.comment, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)

    assert _latest(w.ws, first) == ("verified", None, "王审计")
    assert _latest(w.ws, second) == ("questioned", "p2 缺盖章", "王审计")
    assert _latest(w.ws, third) == ("needs_more", "请补充原件", "王审计")
    assert _latest(w.ws, fourth) is None
    assert page.current_claim_id() == fourth and page.comment.toPlainText() == ""
    assert page.progress["verified"] == 1 and page.progress["questioned"] == 1 and page.progress["needs_more"] == 1
    assert page.progress_bar.value() == 3
    events = w.ws.db.query("SELECT actor, role, claim_id FROM events WHERE action = 'review.set' ORDER BY seq")
    assert [(e["actor"], e["role"], e["claim_id"]) for e in events] == [
        ("王审计", "reviewer", first), ("王审计", "reviewer", second), ("王审计", "reviewer", third)]

    # back to the claims list, which shows the states
    qtbot.keyClick(page, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert w.central_stack.currentIndex() == 0
    assert w.claims_model.index_for_claim(second, 4).data() == "存疑"


def test_editor_sees_the_page_read_only(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    page = window.review_mode
    assert not page.can_review and page.role_banner.isVisible()
    assert not page.state_buttons["verified"].isEnabled() and page.comment.isReadOnly()
    cid = page.current_claim_id()
    qtbot.keyClick(page, Qt.Key.Key_1)
    assert review_history(window.ws.db, cid) == []
    assert window.ws.db.scalar("SELECT count(*) FROM reviews") == 0


def test_preview_opens_each_file_at_its_locator(reviewer_window):
    w = reviewer_window
    w.open_review_mode()
    page = w.review_mode
    seen = {}
    for c in claim_rows(w.ws.db):
        if c["evidence_ids"]:
            assert page.go_to(c["id"])
            seen[page.preview.kind] = (page.preview, c)
            if page.preview.kind == "sheet" and page.preview.sheet_title == "台账":
                assert page.preview.target_cell == (12, 4)  # 台账!D12
                assert page.preview.table.currentItem().text() == c["value_raw"]
            if page.preview.kind == "text":
                assert page.preview.found_text == "合计：14 次"
                assert "合计：14 次" in page.preview.text.textCursor().block().text()
    assert {"pdf", "sheet", "text"} <= set(seen)
    pdf_preview, _ = seen["pdf"]
    assert pdf_preview.pdf_doc.pageCount() >= 1 and pdf_preview.pdf_view.pageNavigator().currentPage() == 0


def test_changed_file_shows_as_needing_another_look(reviewer_window, tmp_path):
    w = reviewer_window
    ws = w.ws
    c = next(c for c in claim_rows(ws.db) if c["evidence_ids"])
    w.open_review_mode(c["id"])
    page = w.review_mode
    qtbot_click = page.state_buttons["verified"]
    qtbot_click.click()
    assert _latest(ws, c["id"])[0] == "verified"

    path = ws.db.scalar("SELECT path FROM evidence_paths WHERE evidence_id = ? AND present = 1", (c["evidence_ids"][0],))
    with open(path, "ab") as f:
        f.write(b"\n% appended after the sign-off\n")
    ws.set_identity(role="editor")
    assert register_file(ws, path).outcome == "new_version"
    ws.set_identity(role="reviewer")

    page.reload()
    assert page.go_to(c["id"])
    assert "已变更，需复核" in page.state_label.text() and "有了新版本" in page.state_label.text()
    assert "有新版本" in page.evidence_list.item(0).text()
    assert page.progress["stale"] == 1
    page.walk.setCurrentIndex(page.walk.findData("stale"))
    assert [x["id"] for x in page.claims] == [c["id"]]
    w.close_review_mode()
    w.claims_model.reload()
    assert w.claims_model.index_for_claim(c["id"], 4).data() == "已变更，需复核"


def test_history_key_opens_the_audit_trail_for_the_claim(reviewer_window, qtbot):
    w = reviewer_window
    w.open_review_mode()
    page = w.review_mode
    cid = page.current_claim_id()
    qtbot.keyClick(page, Qt.Key.Key_1)
    page.go_to(cid)
    qtbot.keyClick(page, Qt.Key.Key_H)
    view = w.audit_window
    assert view is not None and view.isVisible()
    assert view.model.filter.claim_id == cid
    assert view.model.rowCount() >= 1
    assert all(view.model.row(r)["event"]["claim_id"] == cid for r in range(view.model.rowCount()))
    assert view.model.row(0)["event"]["action"] == "review.set"


def test_role_switch_disables_editing_in_the_window(window):
    assert window.act_import.isEnabled() and window.claims_view.acceptDrops()
    window.set_identity("王审计", "reviewer")
    assert not window.act_import.isEnabled() and not window.act_add.isEnabled()
    assert not window.links.act_link.isEnabled() and not window.claims_view.acceptDrops()
    assert "王审计 · 审核" in window.identity_label.text()


def test_a_bomb_linked_as_evidence_shows_why_in_the_preview(reviewer_window, tmp_path):
    """A zip bomb linked to a claim: the preview says it was not opened and why (the parsing ceilings), the
    window goes on, and the next file previews as usual."""
    import time

    from desktop.review.links import link_evidence
    from tests import hostile_files as H

    w = reviewer_window
    ws = w.ws
    c = next(c for c in claim_rows(ws.db) if c["evidence_ids"])
    ws.set_identity(role="editor")
    bomb = H.docx_bomb(tmp_path / "情况说明.docx")
    eid = register_file(ws, bomb).evidence_id
    link_evidence(ws.db, claim_id=c["id"], evidence_id=eid)
    ws.set_identity(role="reviewer")
    w.open_review_mode(c["id"])
    page = w.review_mode
    page.reload()
    assert page.go_to(c["id"])
    row = next(i for i, e in enumerate(page._evidence) if e["evidence_id"] == eid)
    t = time.monotonic()
    page.evidence_list.setCurrentRow(row)
    assert time.monotonic() - t < 2.0
    assert page.preview.kind == "error"
    text = page.preview.message.text()
    assert text.startswith("无法预览这份文件：疑似压缩炸弹") and "（设置 parse.zip_" in text, text
    page.evidence_list.setCurrentRow(0 if row else 1)
    assert page.preview.kind in ("pdf", "sheet", "text", "image")


def test_a_slow_preview_is_read_off_the_gui_thread_and_a_newer_file_cancels_it(qtbot, tmp_path):
    """On the reader lane (not inline): the pane says it is reading, the GUI thread is free, and choosing
    another file kills the slow read instead of waiting for it."""
    import time

    import docx

    from desktop.parsing.limits import Limits
    from desktop.review.preview import PreviewReader
    from desktop.ui.dispatcher import Dispatcher
    from desktop.ui.panels.review_mode.locator_preview import LocatorPreview
    from tests import hostile_files as H

    d = Dispatcher()
    preview = LocatorPreview(submit=lambda fn, done: d.reader.submit("read", fn, lambda r: done(r.value)))
    qtbot.addWidget(preview)
    preview.reader.close()
    preview.reader = PreviewReader(Limits(xlsx_cells=100_000_000))  # lets the slow sheet past the checks
    slow = H.xlsx_cells(tmp_path / "slow", rows=1000, cols=1000)
    quick = tmp_path / "quick"
    doc = docx.Document()
    doc.add_paragraph("合计：14 次")
    doc.save(quick)
    try:
        t = time.monotonic()
        preview.show_file(slow, "xlsx", None, "no such number anywhere")
        assert time.monotonic() - t < 0.5 and preview.kind == "loading"
        qtbot.wait(300)  # the slow read is under way in its child (uncancelled it takes ~8 s)
        t = time.monotonic()
        preview.show_file(quick, "docx", "合计")
        qtbot.waitUntil(lambda: preview.kind == "text", timeout=10_000)
        assert time.monotonic() - t < 4  # killed, not waited for: a fresh child reads the .docx
        assert preview.found_text == "合计"
        qtbot.wait(200)
        assert preview.kind == "text"  # the slow sheet never lands over it
    finally:
        d.shutdown()
        preview.reader.close()


def test_a_pdf_whose_parse_crashed_in_the_ingest_is_not_opened_in_the_window(reviewer_window):
    """pdfium runs in the app for the preview: a PDF that crashed the ingest's parsing child is not loaded."""
    w = reviewer_window
    ws = w.ws
    c = next(c for c in claim_rows(ws.db) if c["evidence_ids"]
             and ws.db.scalar(f"SELECT count(*) FROM evidence WHERE ext = 'pdf' AND id IN "
                              f"({','.join(map(str, c['evidence_ids']))})"))
    pdf_id = ws.db.scalar(f"SELECT id FROM evidence WHERE ext = 'pdf' AND id IN ({','.join(map(str, c['evidence_ids']))})")
    ws.db.conn.execute("UPDATE evidence SET status = 'error', error = 'extract_crashed', "
                  "error_detail = 'the parsing process died' WHERE id = ?", (pdf_id,))
    w.open_review_mode(c["id"])
    page = w.review_mode
    page.reload()
    assert page.go_to(c["id"])
    row = next(i for i, e in enumerate(page._evidence) if e["evidence_id"] == pdf_id)
    page.evidence_list.setCurrentRow(row)
    page._on_evidence_row(row)
    assert page.preview.kind == "error"
    assert "解析程序意外退出" in page.preview.message.text()


def test_closing_the_window_does_not_wait_for_a_slow_preview(qtbot, tmp_path):
    """The session's shutdown waits for the reader lane: the preview's child is ended first, so a read in
    progress returns at once."""
    import time

    from desktop.parsing.limits import Limits
    from desktop.review.preview import PreviewReader
    from desktop.ui.dispatcher import Dispatcher
    from desktop.ui.panels.review_mode.locator_preview import LocatorPreview
    from tests import hostile_files as H

    d = Dispatcher()
    preview = LocatorPreview(submit=lambda fn, done: d.reader.submit("read", fn, lambda r: done(r.value)))
    qtbot.addWidget(preview)
    preview.reader.close()
    preview.reader = PreviewReader(Limits(xlsx_cells=100_000_000))
    preview.show_file(H.xlsx_cells(tmp_path / "slow", rows=1000, cols=1000), "xlsx", None, "no such number")
    qtbot.wait(800)  # the read is under way (~8 s uncancelled)
    t = time.monotonic()
    preview.shutdown()
    d.shutdown()
    assert time.monotonic() - t < 3


def test_the_main_window_ends_the_review_previews_child_before_the_session(reviewer_window, monkeypatch):
    w = reviewer_window
    w.open_review_mode()
    order = []
    monkeypatch.setattr(w.review_mode.preview, "shutdown", lambda: order.append("preview"))
    real = w.session.shutdown
    monkeypatch.setattr(w.session, "shutdown", lambda: order.append("session") or real())
    w.shutdown()
    assert order == ["preview", "session"]
