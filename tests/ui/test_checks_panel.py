"""The 一致性检查 panel on real workspaces: the sample report's findings under the right severities, a click
going to the finding's claim or score-table row, 忽略 / 恢复 through the panel (an audit event each) lasting
through a refresh, the status-bar figure, and Ctrl+Shift+K."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from desktop.checks.queries import findings_summary, workspace_findings
from desktop.text.checks import PANEL_SEVERITIES, summary_text
from desktop.ui.panels.checks import ChecksPanel
from desktop.ui.session import Session


def _groups(panel: ChecksPanel) -> dict[str, list[str]]:
    """Severity group title → the keys listed under it."""
    out = {}
    for i in range(panel.tree.topLevelItemCount()):
        top = panel.tree.topLevelItem(i)
        out[top.text(0)] = [top.child(j).data(0, Qt.ItemDataRole.UserRole + 40) for j in range(top.childCount())]
    return out


def _item(panel: ChecksPanel, key: str):
    for i in range(panel.tree.topLevelItemCount()):
        top = panel.tree.topLevelItem(i)
        for j in range(top.childCount()):
            if top.child(j).data(0, Qt.ItemDataRole.UserRole + 40) == key:
                return top.child(j)
    return None


def _last_event(ws) -> dict:
    row = ws.db.query_one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")
    return dict(row) | {"payload": json.loads(row["payload"])}


@pytest.fixture
def panel(qtbot, imported_ws):
    session = Session(imported_ws, inline=True, watch=False)
    p = ChecksPanel(session)
    qtbot.addWidget(p)
    yield p
    session.shutdown()


def test_panel_lists_the_sample_findings_under_their_severities(panel, imported_ws):
    core = workspace_findings(imported_ws.db)
    assert core and panel.runs == 1
    groups = _groups(panel)
    names = dict(PANEL_SEVERITIES)
    for sev in ("error", "warning", "rounding"):
        keys = [f.key for f in core if f.severity == sev]
        title = next((t for t in groups if t.startswith(names[sev])), None)
        if keys:
            assert title == f"{names[sev]}（{len(keys)}）" and groups[title] == keys
        else:
            assert title is None
    by_key = {f["key"]: f for f in panel.findings}
    severity_of = {k: sev for sev, name in PANEL_SEVERITIES for t, ks in groups.items() if t.startswith(name)
                   for k in ks}
    # the problems the issue lists for the sample, judged by what they are, not by a stored answer
    rounding = [by_key[k] for k, s in severity_of.items() if s == "rounding"]
    assert {v for f in rounding for v in f["values"]} >= {"34817.01", "9137.21"}
    assert all(f["rule"] == "breakdown_sum" and "（舍入）" in f["message"] for f in rounding)
    rules = {by_key[k]["rule"]: s for k, s in severity_of.items()}
    assert rules["unit_pair"] == "warning" and rules["name_drift"] == "warning"
    assert rules["magnitude"] == "error" and rules["income_spending"] in ("error", "warning")
    assert rules["score_vs_execution"] in ("error", "warning")
    unit_pair = next(f for f in panel.findings if f["rule"] == "unit_pair")
    item = _item(panel, unit_pair["key"])
    assert item.text(0) == unit_pair["message"] and "11435" in item.text(0)
    assert "zhanjiang" in item.text(2) and item.text(1) == unit_pair["rule_name"]
    assert panel.summary_label.text().count(summary_text(findings_summary(core))) == 1


def test_dismiss_and_restore_through_the_panel(panel, imported_ws, qtbot, monkeypatch):
    ws = imported_ws
    target = next(f for f in panel.findings if f["rule"] == "unit_pair")
    assert panel.select_finding(target["key"])
    assert panel.btn_dismiss.isEnabled() and not panel.btn_restore.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("人数为在册，人次为全年发放", True)))
    qtbot.mouseClick(panel.btn_dismiss, Qt.MouseButton.LeftButton)

    ev = _last_event(ws)
    assert ev["action"] == "finding.dismissed" and ev["actor"] == "测试员"
    assert ev["payload"]["after"]["finding_key"] == target["key"]
    assert ev["payload"]["after"]["reason"] == "人数为在册，人次为全年发放"
    assert target["key"] not in panel.shown_keys()  # hidden …
    assert panel.summary["dismissed"] == 1
    panel.show_dismissed.setChecked(True)  # … or shown struck through
    item = _item(panel, target["key"])
    assert item is not None and item.font(0).strikeOut()
    assert "人数为在册" in item.toolTip(0)

    # a refresh (another write, then a run of its own) keeps it dismissed
    events = ws.db.scalar("SELECT count(*) FROM events")
    runs = panel.runs
    panel.run()
    assert panel.runs == runs + 1 and ws.db.scalar("SELECT count(*) FROM events") == events
    assert next(f for f in panel.findings if f["key"] == target["key"])["dismissed"]
    assert _item(panel, target["key"]).font(0).strikeOut()

    assert panel.select_finding(target["key"])
    assert panel.btn_restore.isEnabled() and not panel.btn_dismiss.isEnabled()
    qtbot.mouseClick(panel.btn_restore, Qt.MouseButton.LeftButton)
    ev = _last_event(ws)
    assert ev["action"] == "finding.restored" and ev["payload"]["before"]["finding_key"] == target["key"]
    assert not _item(panel, target["key"]).font(0).strikeOut()
    assert panel.summary["dismissed"] == 0
    assert ws.db.verify_chain() == []


def test_reviewer_cannot_dismiss(qtbot, imported_ws):
    imported_ws.set_identity(actor="审核员", role="reviewer")
    session = Session(imported_ws, inline=True, watch=False)
    try:
        p = ChecksPanel(session)
        qtbot.addWidget(p)
        assert p.select_finding(p.findings[0]["key"])
        assert not p.btn_dismiss.isEnabled() and not p.btn_restore.isEnabled()
    finally:
        session.shutdown()


def test_in_the_window_a_click_goes_to_the_row_or_the_claim(window, qtbot):
    checks = window.checks
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.checks_dock.isVisible() and checks.isVisible()
    assert window.act_checks.shortcut().toString() == "Ctrl+Shift+K"

    table = next(f for f in checks.findings if f["rule"] == "table_score_over_weight")
    item = _item(checks, table["key"])
    checks.tree.scrollToItem(item)
    qtbot.mouseClick(checks.tree.viewport(), Qt.MouseButton.LeftButton, pos=checks.tree.visualItemRect(item).center())
    assert window.left_tabs.currentWidget() is window.score_table
    row_id = window.score_table.selected_row_id()
    row = next(r for r in window.score_table.rows() if r["id"] == row_id)
    assert row["name"] == table["cells"][0]["row"]
    actual = next(c["claim_id"] for c in row["claims"] if c["role"] == "actual")
    assert window.selected_claim_ids() == [actual]  # the row's claim, as a row selected by hand

    prose = next(f for f in checks.findings if f["rule"] == "unit_pair")
    item = _item(checks, prose["key"])
    checks.tree.scrollToItem(item)
    qtbot.mouseClick(checks.tree.viewport(), Qt.MouseButton.LeftButton, pos=checks.tree.visualItemRect(item).center())
    assert window.left_tabs.currentWidget() is window.claims
    assert window.selected_claim_ids() == [prose["claim_ids"][0]]

    # a finding about names only (no claim, no cell) opens its report's text
    drift = next(f for f in checks.findings if f["rule"] == "name_drift")
    assert not drift["claim_ids"] and not drift["cells"]
    checks.go_to(drift)
    view = window.report_view
    assert window.left_tabs.currentWidget() is view
    assert view.report_id == drift["where"]["report_id"] == view.report_combo.currentData()

    # the status bar's figure is the panel's summary, and follows a dismissal
    before = dict(checks.summary)
    assert summary_text(before) in window.checks.summary_label.text()
    checks.dismiss(prose["key"], "口径不同")
    assert checks.summary["dismissed"] == before["dismissed"] + 1
    assert checks.summary["warning"] == before["warning"] - 1
    assert summary_text(checks.summary) in window.checks.summary_label.text()
    window.act_undo.trigger()  # Ctrl+Z restores it
    assert checks.summary == before


def _demo_table_module():
    import importlib.util

    from tests.conftest import SAMPLES

    spec = importlib.util.spec_from_file_location("make_demo_score_table", SAMPLES / "make_demo_score_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dismissals_survive_a_revised_score_table_imported_in_the_window(window, tmp_path, monkeypatch):
    """Done-when of issue 17, through the window: findings about 自评表 cells dismissed in the panel stay
    dismissed when a revised 自评表 is imported (报告 → 导入新版本) and its rows re-anchor; one whose figures
    the revision changed asks again, with the old reason shown."""
    checks, db = window.checks, window.ws.db
    over = next(f for f in checks.findings if f["rule"] == "table_score_over_weight")
    total = next(f for f in checks.findings if f["rule"] == "table_total")
    checks.dismiss(over["key"], "原表如此，已请填报单位更正")
    checks.dismiss(total["key"], "总分以财政复核为准")
    assert {over["key"], total["key"]} <= {f["key"] for f in checks.findings if f["dismissed"]}

    # the revision: a row added at the foot of the form and the 总分 corrected from 98 to 99 (still not the
    # sum); the rows above are as they were
    mod = _demo_table_module()
    monkeypatch.setattr(mod, "TOTAL", 99)
    monkeypatch.setattr(mod, "ROWS", [*mod.ROWS, ("满意度指标", "服务对象满意度指标", "参保单位满意度", "≥90%", "96%",
                                                    0, 0, None)])
    revised = mod.build(tmp_path / "项目支出绩效自评表2024（修订）.xlsx")
    table_report = next(t["report_id"] for t in window.score_table._tables)
    view = window.report_view
    view.report_combo.setCurrentIndex(view.report_combo.findData(table_report))
    runs = checks.runs
    view.import_revision(revised)
    assert view.report_id != table_report and window.last_error == ""
    assert db.scalar("SELECT state FROM reports WHERE id = ?", (table_report,)) != "active"
    assert checks.runs > runs  # the import's changes ran the checks again

    now = {f["key"]: f for f in checks.findings}
    assert now[over["key"]]["dismissed"] and now[over["key"]]["dismissal"]["reason"] == "原表如此，已请填报单位更正"
    assert now[over["key"]]["where"]["report_id"] == view.report_id  # found in the new version
    assert over["key"] not in checks.shown_keys()
    moved = now[total["key"]]  # its figures changed: shown again, the old dismissal beside it
    assert "99" in moved["values"] and not moved["dismissed"]
    assert moved["dismissal"]["stale"] and moved["dismissal"]["reason"] == "总分以财政复核为准"
    assert total["key"] in checks.shown_keys()
    assert "曾忽略，但数字已变化" in _item(checks, total["key"]).toolTip(0)
    # the 自评表 tab shows the new version, with its extra row
    assert "参保单位满意度" in [r["name"] for r in window.score_table.rows()]
    assert db.verify_chain() == []


def test_checks_run_off_the_gui_thread_and_coalesce(qtbot, imported_ws, monkeypatch):
    """With real lanes the findings are computed on the jobs lane; runs asked for meanwhile become one."""
    import threading

    import desktop.ui.panels.checks as panel_module

    threads, started, release = [], threading.Event(), threading.Event()
    real = panel_module.compute_findings

    def compute(db):
        threads.append(threading.current_thread())
        started.set()
        release.wait(10)
        return real(db)

    monkeypatch.setattr(panel_module, "compute_findings", compute)
    session = Session(imported_ws, inline=False, watch=False)
    try:
        p = ChecksPanel(session)
        qtbot.addWidget(p)
        assert started.wait(10)
        assert p.state.text() == "正在检查…" and p.runs == 0  # the GUI thread is not held up
        p.run()
        p.run()  # asked twice while the first run is going: one more run, not two
        release.set()
        qtbot.waitUntil(lambda: p.runs == 2, timeout=10000)
        qtbot.wait(200)
        assert p.runs == 2 and len(threads) == 2
        assert all(t is not threading.main_thread() for t in threads)
        assert p.findings and p.shown_keys()
    finally:
        session.shutdown()
