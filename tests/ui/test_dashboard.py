"""The completeness dashboard, filters and suggestions panel, driven through the real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review.status import workspace_status
from tests.ui.dnd import drop_on_index


def _claim(window, value, unit, *, uncovered=True):
    for cid in window.claims_model.claim_ids():
        c = window.claims_model.claim(cid)
        if c["value"] == value and c["unit"] == unit and (not uncovered or "no_evidence" in c["flags"]):
            return c
    raise AssertionError(f"no claim {value}{unit}")


def _evidence(window, name_part):
    for row in range(window.evidence_model.rowCount()):
        e = window.evidence_model.evidence(window.evidence_model.evidence_id_at(row))
        if name_part in e["name"]:
            return e
    raise AssertionError(name_part)


def _drag(window, evidence_id, claim_id):
    row = window.evidence_model.row_for(evidence_id)
    mime = window.evidence_model.mimeData([window.evidence_model.index(row, 0)])
    return drop_on_index(window.claims_view, window.claims_model.index_for_claim(claim_id), mime)


def _dashboard_matches_status(window):
    st = workspace_status(window.ws.db)
    chart = [(r.report_id, r.section, r.counts.as_json()) for r in window.dashboard.chart.rows()]
    keys = ("claims", "with_evidence", "without_evidence", "value_not_found", "evidence_superseded", "not_required")
    assert chart == [(s["report_id"], s["section"], {k: s[k] for k in keys}) for s in st["sections"]]
    return st


def _visible(window):
    return window.claims.visible_claim_ids()


def test_drag_then_accept_a_suggestion_and_the_dashboard_follows(window, qtbot):
    dash = window.dashboard
    before = dash.chart.rows()[0].counts.with_evidence
    assert dash.summary.property("covered") == before
    accounts = _evidence(window, "决算报表")

    # 1. drag a file onto a claim
    budget = _claim(window, "34817.01", "万元")
    assert _drag(window, accounts["id"], budget["id"])
    assert dash.chart.rows()[0].counts.with_evidence == before + 1
    assert dash.summary.property("covered") == before + 1
    link = window.ws.db.query_one("SELECT locator, origin FROM links WHERE claim_id = ?", (budget["id"],))
    assert tuple(link) == ("第 1 页", "drag")  # the locator came from where the file states the value

    # 2. select another claim: its suggestions are listed, best first; accept with the key
    target = _claim(window, "34800.93", "万元")
    window.select_claim(target["id"])
    panel = window.suggestions
    top = panel.suggestions()[0]
    assert (top.evidence_id, top.strength) == (accounts["id"], "strong")
    item = panel.list.topLevelItem(0)
    assert "34,800.93" in item.text(2) and item.text(3) == "第 1 页"
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.claims_model.claim(target["id"])["evidence_ids"] == [accounts["id"]]
    assert dash.chart.rows()[0].counts.with_evidence == before + 2
    assert panel.suggestions() == [] or accounts["id"] not in [s.evidence_id for s in panel.suggestions()]
    st = _dashboard_matches_status(window)
    assert st["summary"]["with_evidence"] == before + 2

    # 3. undo takes the accepted link back, and the dashboard with it
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dash.chart.rows()[0].counts.with_evidence == before + 1
    _dashboard_matches_status(window)


def test_a_figure_filters_the_claim_list_and_f3_walks_its_gaps(window, qtbot):
    chart = window.dashboard.chart
    rows = chart.rows()
    i = next(i for i, r in enumerate(rows) if r.section and r.counts.without_evidence >= 2)
    section = rows[i]
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.figure_rect(i, "without").center())
    expected = [cid for cid in section.claim_ids if "no_evidence" in window.claims_model.claim(cid)["flags"]]
    assert _visible(window) == expected
    assert window.dashboard.filter_label.isVisible()
    qtbot.keyClick(window.claims_view, Qt.Key.Key_F3)
    first = window.selected_claim_ids()
    qtbot.keyClick(window.claims_view, Qt.Key.Key_F3)
    second = window.selected_claim_ids()
    assert first != second and set(first + second) <= set(expected)
    # the whole-report figure: every claim of the report
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.figure_rect(0, "all").center())
    assert _visible(window) == rows[0].claim_ids
    window.dashboard.buttons[None].click()
    assert len(_visible(window)) == len(window.claims_model.claim_ids())


def test_value_not_found_filter_and_its_count(window, qtbot):
    dash = window.dashboard
    minutes = _evidence(window, "党委会")
    coverage = _claim(window, "89", "%")
    assert _drag(window, minutes["id"], coverage["id"])  # the minutes do not say 89 %
    assert window.claims_model.claim(coverage["id"])["flags"] == ["value_not_found"]
    status_cell = window.claims_model.index_for_claim(coverage["id"], 3)
    assert status_cell.data() == "▲ 数值未找到"
    assert status_cell.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b26a00"
    assert dash.buttons["value_not_found"].text() == "数值未找到 1"
    dash.buttons["value_not_found"].click()
    assert _visible(window) == [coverage["id"]]
    qtbot.keyClick(window.claims_view, Qt.Key.Key_F3)
    assert window.selected_claim_ids() == [coverage["id"]]
    _dashboard_matches_status(window)


def test_unlinked_evidence_filter_hides_linked_files(window):
    window.dashboard.buttons["unlinked"].click()
    shown = [window.evidence_model.evidence_id_at(r) for r in range(window.evidence_model.rowCount())
             if not window.evidence_view.isRowHidden(r)]
    st = workspace_status(window.ws.db)
    assert shown == [e["id"] for e in st["evidence"] if "unlinked" in e["flags"]] and shown
    assert len(_visible(window)) == len(window.claims_model.claim_ids())  # the claim list is not filtered
    window.dashboard.buttons[None].click()
    assert not any(window.evidence_view.isRowHidden(r) for r in range(window.evidence_model.rowCount()))


def test_a_new_file_and_a_new_version_update_the_window_without_a_restart(window, qtbot, tmp_path):
    dash = window.dashboard
    # a new file stating a claim's value: its suggestion appears, the status bar says so
    slip = tmp_path / "稳岗返还_银行回单.txt"
    slip.write_text("收款：失业保险稳岗返还资金 ¥33,426,400.00", encoding="utf-8")
    grant = _claim(window, "3342.64", "万元", uncovered=False)
    # written outside the window (as the ingest engine's threads do): the window hears of it by itself
    r = register_file(window.ws, slip)
    index_evidence(window.ws, r.evidence_id)
    qtbot.waitUntil(lambda: f"#{grant['id']}" in window.statusBar().currentMessage(), timeout=5000)
    assert window.evidence_model.row_for(r.evidence_id) is not None
    window.select_claim(grant["id"])
    assert r.evidence_id in [s.evidence_id for s in window.suggestions.suggestions()]

    # a new version of a linked file: the claim is flagged, the filter finds it
    linked = window.ws.db.query_one("SELECT claim_id FROM links WHERE evidence_id = ?", (r.evidence_id,))
    assert linked is None
    window.suggestions.accept(grant["id"], r.evidence_id)
    slip.write_text("收款：失业保险稳岗返还资金 ¥33,426,400.00（补打）", encoding="utf-8")
    with qtbot.waitSignal(window.dashboard.refreshed, timeout=5000):
        r2 = register_file(window.ws, slip)
    index_evidence(window.ws, r2.evidence_id)
    assert "evidence_superseded" in window.claims_model.claim(grant["id"])["flags"]
    assert dash.buttons["evidence_superseded"].text() == "证据有新版本 1"
    dash.buttons["evidence_superseded"].click()
    assert _visible(window) == [grant["id"]]
    _dashboard_matches_status(window)


def test_reject_with_delete_and_undo(window, qtbot):
    target = _claim(window, "34800.93", "万元")
    window.select_claim(target["id"])
    panel = window.suggestions
    rejected = panel.current_evidence_id()
    assert rejected is not None
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert rejected not in [s.evidence_id for s in panel.suggestions()]
    assert window.ws.db.scalar("SELECT count(*) FROM suggestion_rejections") == 1
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rejected in [s.evidence_id for s in panel.suggestions()]


def test_not_required_and_link_edit_with_undo(window, qtbot):
    dash = window.dashboard
    threshold = _claim(window, "99", "分")  # the self-assessed score: the score table is its evidence
    before = dash.summary.property("covered")
    window.claims.mark_not_required([threshold["id"]], "自评得分见评分表，不另附佐证")
    assert dash.summary.property("covered") == before  # a 无需佐证 claim is counted apart, never as covered
    assert dash.chart.rows()[0].counts.not_required == 1
    assert "无需佐证" in window.claims_model.index_for_claim(threshold["id"], 3).data()
    _dashboard_matches_status(window)
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dash.summary.property("covered") == before

    claim_id, evidence_id = window.ws.db.query_one("SELECT claim_id, evidence_id FROM links ORDER BY id")
    window.links.edit_link(claim_id, evidence_id, "第 1 页第 8 行", "原件在财务科")
    assert tuple(window.ws.db.query_one("SELECT locator, note FROM links WHERE claim_id = ? AND evidence_id = ?",
                                        (claim_id, evidence_id))) == ("第 1 页第 8 行", "原件在财务科")


def test_reviewer_sees_suggestions_but_cannot_accept(qtbot, demo_ws):
    from desktop.ui.main_window import MainWindow

    demo_ws.set_identity(role="reviewer")
    w = MainWindow(demo_ws, inline_tasks=True)
    qtbot.addWidget(w)
    w.show()
    target = _claim(w, "34800.93", "万元")
    w.select_claim(target["id"])
    assert w.suggestions.suggestions()
    assert not w.suggestions.act_accept.isEnabled() and not w.suggestions.accept_button.isEnabled()
    w.suggestions.accept_current()  # the action is disabled; called anyway, the service refuses
    assert w.claims_model.claim(target["id"])["evidence_ids"] == []
    w.close()


def test_accept_the_strong_suggestions_of_many_selected_claims(window, qtbot):
    from PySide6.QtCore import QItemSelectionModel

    section = next(r for r in window.dashboard.chart.rows() if r.section and "收入情况" in r.section)
    before = window.dashboard.summary.property("covered")
    sm = window.claims_view.selectionModel()
    sm.clearSelection()
    for cid in section.claim_ids:
        sm.select(window.claims_model.index_for_claim(cid),
                  QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    expected = {cid for cid, ss in window.session.suggestion_engine.for_claims(section.claim_ids, limit=1).items()
                if ss and ss[0].strength == "strong"}
    assert len(expected) >= 2
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.suggestions.bulk_dialog is not None, timeout=5000)
    assert window.dashboard.summary.property("covered") == before  # a confirmation list first
    window.suggestions.bulk_dialog.ok_button.click()  # every row ticked
    assert window.dashboard.summary.property("covered") == before + len(expected)
    origins = {r[0] for r in window.ws.db.query("SELECT origin FROM links WHERE claim_id IN (%s)"
                                                % ",".join(map(str, expected)))}
    assert origins == {"suggestion"}
    qtbot.keyClick(window.claims_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.dashboard.summary.property("covered") == before
