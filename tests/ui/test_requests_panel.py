"""补充材料清单: requests raised in 审核模式 with a 需补充 review, and moved by role — the group answers (after
linking files), the inspector accepts or sends back — each move an audit event, the panel following."""

from __future__ import annotations

from desktop.evidence.queries import evidence_ids
from desktop.review.links import link_evidence
from desktop.review.requests import list_requests


def _as(window, actor, role):
    window.set_identity(actor, role)


def test_requests_by_role(window, qtbot):
    panel = window.requests
    assert panel.rows == [] and "没有补充材料请求" in panel.detail.toPlainText()
    db = window.ws.db

    # the inspector: 审核模式, 需补充 with two requests and a due date
    _as(window, "王审计", "reviewer")
    window.open_review_mode()
    page = window.review_mode
    assert page.requests_row.isVisible()
    cid = page.current_claim_id()
    page.requests_edit.setPlainText("请补充 2024 年 12 月的银行回单\n\n请补充发放明细表")
    page.due_check.setChecked(True)
    page.due_edit.setDate(page.due_edit.date().fromString("2025-05-31", "yyyy-MM-dd"))
    page.record("needs_more")
    qtbot.waitUntil(lambda: len(panel.rows) == 2)
    assert [(r["claim_id"], r["text"], r["due"], r["state"]) for r in panel.rows] == [
        (cid, "请补充 2024 年 12 月的银行回单", "2025-05-31", "open"), (cid, "请补充发放明细表", "2025-05-31", "open")]
    assert panel.tree.topLevelItem(0).text(4) == "待补充"
    assert "待补充 2" in panel.counts_label.text()
    assert "提出补充材料请求 2 项" in page.last_message
    # the inspector cannot answer; accepting needs an answer first
    assert not panel.answer_button.isVisible() and panel.accept_button.isVisible()
    assert not panel.accept_button.isEnabled() and not panel.reopen_button.isEnabled()
    window.close_review_mode()

    # the group: link a file to the claim, then mark the first request 已答复
    _as(window, "李会计", "editor")
    first, second = panel.rows[0]["id"], panel.rows[1]["id"]
    panel.select_request(first)
    assert panel.answer_button.isVisible() and panel.answer_button.isEnabled()
    assert not panel.accept_button.isVisible()
    linked = {e for r in list_requests(db) for e in r["basis"]}
    eid = next(e for e in evidence_ids(db) if e not in linked)
    link_evidence(db, claim_id=cid, evidence_id=eid)
    panel.ask_comment = lambda state, r: "已补充 12 月回单"
    panel.answer_button.click()
    qtbot.waitUntil(lambda: panel.state_of(first) == "answered")
    r = panel.request(first)
    assert r["answers"] == [eid] and r["comment"] == "已补充 12 月回单"
    assert panel.tree.topLevelItem(0).text(5) == f"E{eid}"

    # the inspector: send it back with a comment, the group answers again, the inspector accepts
    _as(window, "王审计", "reviewer")
    panel.select_request(first)
    assert panel.accept_button.isEnabled() and panel.reopen_button.isEnabled()
    panel.ask_comment = lambda state, r: "回单缺盖章"
    panel.reopen_button.click()
    qtbot.waitUntil(lambda: panel.state_of(first) == "reopened")
    assert panel.tree.topLevelItem(0).text(4) == "已退回"
    _as(window, "李会计", "editor")
    panel.ask_comment = lambda state, r: "已换盖章件"
    panel.select_request(first)
    panel.answer_button.click()
    qtbot.waitUntil(lambda: panel.state_of(first) == "answered")
    _as(window, "王审计", "reviewer")
    panel.select_request(first)
    panel.ask_comment = lambda state, r: ""
    panel.accept_button.click()
    qtbot.waitUntil(lambda: panel.state_of(first) == "accepted")

    # history in the detail pane, each move with who made it and in which role
    panel.select_request(first)
    detail = panel.detail.toPlainText().replace("\u3000", " ")
    assert "王审计（审核） 提出请求" in detail
    assert "李会计（编制） 待补充 → 已答复；答复 E" in detail
    assert "王审计（审核） 已答复 → 已退回；意见：回单缺盖章" in detail
    assert "已答复 → 已接受" in detail
    # every move an audit event
    actions = [e["action"] for e in db.query("SELECT action FROM events WHERE action LIKE 'request.%' ORDER BY seq")]
    assert actions == ["request.created", "request.created", "request.answered", "request.reopened",
                       "request.answered", "request.accepted"]
    # the filter: only the ones waiting for the group
    panel.filter.setCurrentIndex([panel.filter.itemData(i) for i in range(panel.filter.count())].index("waiting"))
    assert [r["id"] for r in panel.rows] == [second]
    # a wrong move is refused in words (the second request has no answer to accept yet)
    panel.move(second, "accepted")
    qtbot.waitUntil(lambda: bool(panel.last_error))
    assert "当前为“待补充”，不能接受" in panel.last_error
    assert panel.state_of(second) == "open"


def test_requests_panel_is_a_dock_and_goes_to_the_claim(window, qtbot):
    assert window.requests_dock.windowTitle() == "补充材料清单"
    view_menu = [a.text() for m in window.menuBar().actions() if m.text().startswith("查看")
                 for a in m.menu().actions()]
    assert "补充材料清单" in view_menu
    _as(window, "王审计", "reviewer")
    window.open_review_mode()
    cid = window.review_mode.current_claim_id()
    window.review_mode.requests_edit.setPlainText("请补充合同")
    window.review_mode.record("needs_more")
    window.close_review_mode()
    qtbot.waitUntil(lambda: len(window.requests.rows) == 1)
    other = next(c["id"] for c in window.claims.rows() if c["id"] != cid)
    window.select_claim(other)
    window.requests.select_request(window.requests.rows[0]["id"])
    window.requests.goto_button.click()
    assert window.selected_claim_ids() == [cid]
