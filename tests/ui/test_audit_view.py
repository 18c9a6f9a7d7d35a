"""The audit trail viewer, the integrity dialog and the identity dialog, as real widgets."""

from __future__ import annotations

import csv
import os

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop.review.audit_log import EventFilter
from desktop.ui.panels.audit_log import AuditLogWindow, AuditTableModel
from tests.synth import populate


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return populate(tmp_path_factory.mktemp("audit") / "W", events=3000, claims=300, objects=40)


@pytest.fixture
def audit(qtbot, synthetic):
    from desktop.ui.app import make_app
    from desktop.ui.session import Session
    from desktop.workspace import Workspace

    make_app()
    session = Session(Workspace.open(synthetic, readonly=True), inline=True)
    view = AuditLogWindow(session)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.close()
    session.shutdown()


def test_newest_first_and_lazy(audit):
    m = audit.model
    assert m.rowCount() == 3000
    assert [m.seq_at(r) for r in range(3)] == [3000, 2999, 2998]
    assert m.pages_loaded <= 2  # only what the view has drawn
    assert "共 3,000 条" in audit.count_label.text()
    audit.view.scrollToBottom()
    audit.view.viewport().repaint()
    assert m.row(2999)["event"]["seq"] == 1 and m.pages_loaded <= 5
    assert m.row_of(1234) == 3000 - 1234


def test_filter_by_claim_typed_in_the_box(audit, qtbot):
    claim_id = audit.ws.db.scalar("SELECT claim_id FROM events WHERE claim_id IS NOT NULL GROUP BY claim_id"
                                  " ORDER BY count(*) DESC LIMIT 1")
    expected = [r[0] for r in audit.ws.db.query("SELECT seq FROM events WHERE claim_id = ? ORDER BY seq DESC",
                                                (claim_id,))]
    qtbot.keyClicks(audit.claim_edit, str(claim_id))
    qtbot.keyClick(audit.claim_edit, Qt.Key.Key_Return)
    m = audit.model
    assert [m.seq_at(r) for r in range(m.rowCount())] == expected
    assert all(f"#{claim_id} " in m.data(m.index(r, 5)) for r in range(m.rowCount()))
    assert "（已筛选）" in audit.count_label.text()
    # the detail pane shows the selected event in words, with its hash
    assert f"#{expected[0]}" in audit.detail.toPlainText()
    assert m.row(0)["event"]["hash"] in audit.detail.toPlainText()


def test_filter_by_person_action_and_date(audit):
    i = audit.actor_combo.findData("王审计")
    audit.actor_combo.setCurrentIndex(i)
    m = audit.model
    n = audit.ws.db.scalar("SELECT count(*) FROM events WHERE actor = '王审计'")
    assert m.rowCount() == n > 0
    assert all(m.data(m.index(r, 2)) == "王审计" and m.data(m.index(r, 4)) == "审核" for r in range(min(n, 50)))
    audit.action_combo.setCurrentIndex(audit.action_combo.findData("link."))
    assert m.rowCount() == 0  # reviewers do not link
    audit.actor_combo.setCurrentIndex(0)
    assert m.rowCount() == audit.ws.db.scalar("SELECT count(*) FROM events WHERE action LIKE 'link.%'")
    audit.clear_filter()
    assert m.rowCount() == 3000
    audit.since_date.setDate(QDate(2001, 1, 1))
    audit.until_date.setDate(QDate(2001, 12, 31))
    audit.since_check.setChecked(True)
    audit.until_check.setChecked(True)
    assert m.rowCount() == 0 and "没有符合条件" in audit.detail.toPlainText()
    audit.until_check.setChecked(False)
    assert m.rowCount() == 3000


def test_before_and_after_in_words(audit):
    audit.set_filter(EventFilter(action="review.set"))
    row = audit.model.row(0)
    e = row["event"]
    text = audit.model.data(audit.model.index(0, 6))
    assert text.startswith("审核状态：待审核 → ")
    after = {"verified": "已核实", "questioned": "存疑", "needs_more": "需补充", "not_required": "无需佐证",
             "pending": "待审核"}[e["payload"]["state"]]
    assert f"→ {after}" in text


def test_export_xlsx_and_csv_of_the_filtered_rows(audit, tmp_path):
    audit.set_filter(EventFilter(actor="赵处长"))
    n = audit.model.rowCount()
    xlsx, csv_path = tmp_path / "日志.xlsx", tmp_path / "日志.csv"
    audit.export(xlsx)
    audit.export(csv_path)
    wb = load_workbook(xlsx, read_only=True)
    rows = list(wb["审计日志"].iter_rows(values_only=True))
    wb.close()
    assert len(rows) == n + 1 and all(r[2] == "赵处长" for r in rows[1:])
    assert [r[0] for r in rows[1:]] == [audit.model.seq_at(i) for i in range(n)]
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == n + 1
    assert not list(tmp_path.glob("*.part"))


def test_failed_export_leaves_nothing_and_says_why(audit, tmp_path):
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "日志.csv"  # a path under a file: fails for every user, root included
    audit.export(target)
    assert "导出失败" in audit.last_error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["不是文件夹"]


def test_model_passes_qt_model_tester(qtmodeltester, synthetic):
    from desktop.workspace import Workspace

    with Workspace.open(synthetic, readonly=True) as ws:
        model = AuditTableModel(ws.db)
        model.set_filter(EventFilter(actor="陈干事", action="link."))
        assert 0 < model.rowCount() < 3000
        qtmodeltester.check(model)


# --- integrity dialog ------------------------------------------------------------------------------


def test_integrity_dialog_reports_ok_with_progress(window, qtbot):
    window.act_verify.trigger()
    dlg = window.integrity_dialog
    assert dlg.report is not None and dlg.report.ok
    assert dlg.bar.value() == dlg.bar.maximum()
    assert all(m.text() == "✓" for m in dlg.stage_marks.values())
    assert "校验通过" in dlg.result.toPlainText()
    dlg.close()


def test_integrity_dialog_names_a_truncated_object(window, qtbot):
    ws = window.ws
    row = ws.db.query_one("SELECT id, name, sha256 FROM evidence ORDER BY id LIMIT 1")
    path = ws.store.object_path(row["sha256"])
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        f.truncate(10)
    window.act_verify.trigger()
    dlg = window.integrity_dialog
    assert dlg.report is not None and not dlg.report.ok
    text = dlg.result.toPlainText()
    assert "发现 1 个问题" in text and row["name"] in text and "截断" in text
    assert "✗" in dlg.stage_marks["objects"].text()
    dlg.close()


# --- identity dialog -------------------------------------------------------------------------------


def test_identity_dialog_needs_a_name_and_returns_the_role(qtbot):
    from desktop.ui.dialogs.identity import IdentityDialog

    dlg = IdentityDialog("", "editor", "演示工作区")
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dlg.name_edit, "Wang")
    dlg.role_buttons["reviewer"].click()
    assert ok.isEnabled()
    assert dlg.values() == ("Wang", "reviewer")


def test_the_audit_window_exports_after_being_closed_and_opened_again(window, qtbot, tmp_path):
    view = window.open_audit_view()
    view.close()  # hidden, kept for the next Ctrl+Shift+A
    view = window.open_audit_view()
    target = tmp_path / "日志.csv"
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export(target)
    assert target.is_file() and target.stat().st_size > 0
