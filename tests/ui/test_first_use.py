"""What a new user meets: Qt's own words in Chinese, 下一步 in an empty workspace, the watched folder, the
帮助 menu (guide, shortcuts, 关于), the crash dialog, and the audit log's detail pane in words."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPushButton

# -- Chinese everywhere ----------------------------------------------------------------------------------


def test_qt_standard_buttons_and_file_dialog_speak_chinese(qapp):
    box = QMessageBox(QMessageBox.Icon.Question, "佐证台", "确认？",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
                      | QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    texts = {b: box.button(b).text() for b in (QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Cancel,
                                                  QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No)}
    assert texts[QMessageBox.StandardButton.Ok] == "确定"
    assert texts[QMessageBox.StandardButton.Cancel] == "取消"
    assert texts[QMessageBox.StandardButton.Yes].startswith("是")
    assert texts[QMessageBox.StandardButton.No].startswith("否")
    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close)
    assert sorted(b.text() for b in bb.buttons()) == sorted(["确定", "关闭"])
    dialog = QFileDialog(None, "导入报告")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    words = [w.text() for w in dialog.findChildren(QLabel)] + [b.text() for b in dialog.findChildren(QPushButton)]
    assert words and not [w for w in words if re.search(r"[A-Za-z]{3,}", w)], words  # Look in / File name / Cancel
    assert "查找范围：" in words


# -- 下一步 and the watched folder ----------------------------------------------------------------------


@pytest.fixture
def empty_window(qtbot, tmp_path):
    from desktop.ui.main_window import MainWindow
    from desktop.workspace import Workspace

    ws = Workspace.create(tmp_path / "新工作区", actor="测试员")
    w = MainWindow(ws, inline_tasks=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_an_empty_workspace_says_what_to_do_next(empty_window, sample_report):
    w = empty_window
    claims, report, library, dashboard = w.next_steps
    assert dashboard.isVisible() and "0/0" not in dashboard.message.text()
    assert claims.isVisible() and library.isVisible() and report.isVisibleTo(w.report_view)
    texts = [b.text() for b in claims.buttons]
    assert texts == ["1. 导入报告（Ctrl+I）", "2. 选择监控文件夹…", "3. 添加佐证（Ctrl+E）"]
    assert all(b.isEnabled() for b in claims.buttons)
    assert claims.geometry() == claims.target.rect()  # over the whole pane
    assert "尚未导入报告" in w.completeness_label.text() and "0/0" not in w.completeness_label.text()
    w.import_report(sample_report)
    assert not claims.isVisible() and not dashboard.isVisible()
    assert library.isVisible()  # still no evidence
    assert "已有佐证 0/" in w.completeness_label.text()


def test_next_steps_buttons_run_the_window_actions(empty_window, monkeypatch):
    w = empty_window
    opened = []
    monkeypatch.setattr(w, "open_watch_folder", lambda: opened.append("watch"))
    w.act_watch_dir.triggered.disconnect()
    w.act_watch_dir.triggered.connect(lambda *_: w.open_watch_folder())
    w.next_steps[2].buttons[0].click()
    assert opened == ["watch"]


def test_a_reviewer_sees_why_the_buttons_are_off(empty_window):
    w = empty_window
    w.set_identity("王审计", "reviewer")
    claims = w.next_steps[0]
    importing, watching, adding = claims.buttons
    assert not importing.isEnabled() and not adding.isEnabled()
    assert watching.isEnabled()  # the folder can be seen (the dialog says only 编制 may change it)
    assert claims.note.isVisibleTo(claims)
    w.set_identity("测试员", "editor")
    assert importing.isEnabled() and not claims.note.isVisibleTo(claims)


def test_the_watched_folder_is_shown_plainly_and_changed_through_the_core(empty_window, tmp_path):
    from desktop.review import audit_log

    w = empty_window
    dlg = w.open_watch_folder()
    assert dlg.path_edit.text() == "（未设置）"
    inside = w.ws.root / "材料"
    inside.mkdir()
    dlg.set_folder(inside)  # inside the workspace: refused, said why
    assert "不能放在工作区里面" in dlg.last_message and w.ws.watch_dir is None
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    (folder / "台账.txt").write_text("全年共核查疑点数据 21,099 条", encoding="utf-8")
    dlg.set_folder(folder)
    assert w.ws.watch_dir == folder
    assert dlg.path_edit.text() == str(folder)  # the path itself, in the dialog, not only in a tooltip
    assert folder.name in w.library.watch_label.text() or w.library.watch_label.property("state") == "off"
    last = next(audit_log.iter_events(w.ws.db))
    assert last["action"] == "settings.changed" and last["payload"]["after"] == str(folder)
    dlg.set_folder(None)
    assert w.ws.watch_dir is None and dlg.path_edit.text() == "（未设置）"
    dlg.close()


def test_a_new_workspace_asks_who_works_in_it(window, tmp_path, monkeypatch):
    import desktop.ui.dialogs.identity as identity
    import desktop.ui.main_window as mw

    target = tmp_path / "新的"
    monkeypatch.setattr(mw.QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(target) if "新工作区" in a[1] else ""))
    asked = []
    monkeypatch.setattr(identity, "ask_identity", lambda parent, actor, role, name: asked.append(name) or ("张三", "editor"))
    made = []
    monkeypatch.setattr(mw.MainWindow, "_switch_workspace", lambda self, ws: (made.append(ws), ws.close()))
    window._on_new_workspace()
    assert asked == ["新的"]
    assert made and made[0].actor == "张三"


# -- 帮助 --------------------------------------------------------------------------------------------


def test_help_menu_has_guide_shortcuts_and_about(window):
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert "帮助(&H)" in menus
    assert [a.text() for a in menus["帮助(&H)"].actions() if not a.isSeparator()] == ["使用指南", "键盘快捷键", "关于佐证台"]
    file_items = [a.text() for a in menus["文件(&F)"].actions()]
    assert "监控文件夹…" in file_items


def test_the_user_guide_opens_offline_with_its_pictures(window):
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    guide = window.open_user_guide()
    assert guide.markdown_loaded()
    doc = guide.browser.document()
    assert "佐证台 EvidenceDesk 使用指南" in doc.toPlainText()
    assert "#" not in doc.toPlainText().splitlines()[0]  # rendered, not shown as Markdown source
    shown = guide.browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl("screenshots/main-window.png"))
    assert shown is not None and not shown.isNull() and shown.width() <= max(guide.browser.viewport().width(), 360)
    guide.close()


def test_shortcuts_come_from_the_window_actions(window):
    dlg = window.open_shortcuts()
    rows = {(menu, name): keys for menu, name, keys in dlg.rows}
    assert [keys for (menu, name), keys in rows.items() if menu == "编辑" and name.startswith("撤销")] == ["Ctrl+Z"]
    assert rows[("审核", "审核模式")] == "Ctrl+R"
    assert rows[("帮助", "使用指南")] == "F1"
    assert rows[("文件", "导入报告")] == "Ctrl+I"
    assert dlg.table.rowCount() == len(dlg.rows) > 15
    dlg.close()


def test_about_says_version_folders_and_the_audit_head(window):
    from desktop import config, logs
    from desktop.review import audit_log
    from desktop.version import app_version

    dlg = window.open_about()
    last = next(audit_log.iter_events(window.ws.db))
    text = dlg.body.toPlainText()
    assert f"版本：{app_version()}" in text
    assert str(config.data_dir()) in text and str(logs.log_path()) in text
    assert f"第 {last['seq']} 条事件" in text and last["hash"] in text
    dlg.copy()
    assert QGuiApplication.clipboard().text() == text
    dlg.close()


# -- the crash dialog -------------------------------------------------------------------------------------


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_the_crash_dialog_and_is_logged(qtbot, monkeypatch, tmp_path):
    import sys

    from desktop import logs
    from desktop.ui.dialogs import crash

    monkeypatch.setenv("EVIDENCE_DESK_HOME", str(tmp_path / "earlier"))
    logs.setup_logging("gui")  # a log left open in another data folder: the error goes where the dialog says
    monkeypatch.setenv("EVIDENCE_DESK_HOME", str(tmp_path / "home"))

    shown = []
    monkeypatch.setattr(crash.CrashDialog, "exec", lambda self: shown.append(self) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    crash.install()

    def broken_slot() -> None:
        raise ZeroDivisionError("故意的错误")

    button = QPushButton("试一下")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=2000)
    dialog = shown[0]
    message = dialog.message.text()
    assert "意外错误" in message and "已保存的工作不受影响" in message and str(logs.log_path()) in message
    assert dialog.windowTitle() == "佐证台遇到意外错误"
    assert {b.text() for b in dialog.findChildren(QPushButton)} >= {"复制错误信息", "打开日志文件夹"}
    dialog.copy()
    copied = QGuiApplication.clipboard().text()
    assert "ZeroDivisionError: 故意的错误" in copied and "broken_slot" in copied
    logs.close_logging()
    logged = logs.log_path().read_text(encoding="utf-8")
    assert "ZeroDivisionError: 故意的错误" in logged and "unexpected error in gui" in logged


@pytest.mark.qt_no_exception_capture
def test_errors_while_the_dialog_is_open_are_only_logged(qtbot, monkeypatch):
    from desktop.ui.dialogs import crash

    shown = []

    def nested_exec(self):
        shown.append(self)
        try:
            raise ValueError("第二个错误")
        except ValueError as exc:
            assert crash.report_crash(ValueError, exc, exc.__traceback__) is None  # no second dialog
        return 0

    monkeypatch.setattr(crash.CrashDialog, "exec", nested_exec)
    try:
        raise RuntimeError("第一个错误")
    except RuntimeError as exc:
        assert crash.report_crash(RuntimeError, exc, exc.__traceback__) is shown[0]
    assert len(shown) == 1


# -- the audit log's detail pane ----------------------------------------------------------------------------


def test_the_audit_detail_pane_shows_words_not_the_raw_record(window):
    audit = window.open_audit_view()
    seen = set()
    for row in range(min(audit.model.rowCount(), 60)):
        audit.view.selectRow(row)
        text = audit.detail.toPlainText()
        seen.add(audit.model.row(row)["event"]["action"])
        assert "{" not in text and "变更" in text
        assert not re.search(r"\b[a-z]+\.[a-z_]+\b|no_ocr|text_status", re.sub(r"《[^》]*》|\S+\.(pdf|xlsx|docx|txt|jpg|png)", "", text)), text
    assert {"evidence.indexed", "link.added"} <= seen
    audit.close()


def test_the_audit_export_message_fits_the_status_bar(window, tmp_path):
    audit = window.open_audit_view()
    audit.resize(900, 600)
    path = tmp_path / ("很长的文件夹名称" * 8) / "审计日志.csv"
    path.parent.mkdir()
    audit.export(path)
    assert audit.last_status.startswith("已导出") and str(path) in audit.last_status
    shown = audit.statusBar().currentMessage()
    assert shown.startswith("已导出") and shown.endswith("审计日志.csv")
    assert audit.statusBar().fontMetrics().horizontalAdvance(shown) < audit.statusBar().width()
    audit.close()
