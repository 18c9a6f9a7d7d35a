"""The crash dialog: an unexpected error in the window, said in Chinese, instead of a silent exit or a
traceback on a console the user never sees.

:func:`install` makes it ``sys.excepthook`` for the GUI: Qt's slots and event handlers report their
uncaught exceptions there and the app goes on. Each one is logged with its traceback (``desktop.logs``);
the dialog says what happened, that nothing saved was lost (every change is written when it is made), and
where the log is, with 复制错误信息 (the report: version, platform, time, traceback) and 打开日志文件夹.
While one dialog is open, later errors are only logged (a failing timer must not stack dialogs).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
)

from desktop import logs
from desktop.text.app import COPY_BUTTON, CRASH_TITLE, crash_message, crash_report
from desktop.version import build_info

OPEN_LOG_BUTTON = "打开日志文件夹"
DETAILS_SHOW, DETAILS_HIDE = "显示详情", "隐藏详情"


class CrashDialog(QDialog):
    def __init__(self, report: str, log: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(CRASH_TITLE)
        self.report, self.log = report, log
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(40, 40))
        self.message = QLabel(crash_message(log))
        self.message.setObjectName("crashMessage")
        self.message.setWordWrap(True)
        self.message.setMinimumWidth(420)
        self.details = QPlainTextEdit(report)
        self.details.setObjectName("crashDetails")
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(160)
        self.details.hide()
        self.copy_button = QPushButton(COPY_BUTTON)
        self.copy_button.setObjectName("crashCopy")
        self.open_log_button = QPushButton(OPEN_LOG_BUTTON)
        self.details_button = QPushButton(DETAILS_SHOW)
        self.close_button = QPushButton("关闭")
        self.close_button.setDefault(True)
        self.copy_button.clicked.connect(self.copy)
        self.open_log_button.clicked.connect(self.open_log_folder)
        self.details_button.clicked.connect(self.toggle_details)
        self.close_button.clicked.connect(self.accept)

        heading = QLabel(f"<b style='font-size:15px'>{CRASH_TITLE}</b>")
        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(self.message)
        top = QHBoxLayout()
        top.addWidget(icon, 0)
        top.addLayout(text, 1)
        buttons = QHBoxLayout()
        for b in (self.copy_button, self.open_log_button, self.details_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        v = QVBoxLayout(self)
        v.addLayout(top)
        v.addWidget(self.details, 1)
        v.addLayout(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("已复制")

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log.parent)))

    def toggle_details(self) -> None:
        shown = not self.details.isVisible()
        self.details.setVisible(shown)
        self.details_button.setText(DETAILS_HIDE if shown else DETAILS_SHOW)
        self.adjustSize()
        from desktop.ui.geometry import fit_dialog

        fit_dialog(self)


_showing = False
shown: list[CrashDialog] = []  # the dialogs shown so far (tests look at them)


def report_crash(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
                 where: str = "gui") -> CrashDialog | None:
    """Log the error, then show the dialog (GUI thread, one at a time); the dialog, or None when only logged."""
    global _showing
    log = logs.log_unexpected(exc_type, exc, tb, where)
    app = QApplication.instance()
    if _showing or app is None or threading.current_thread() is not threading.main_thread():
        return None
    _showing = True
    try:
        dialog = CrashDialog(crash_report(exc_type, exc, tb, build_info(), log), log, app.activeWindow())
        shown[:] = [*shown[-4:], dialog]
        dialog.exec()
        return dialog
    finally:
        _showing = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        report_crash(exc_type, exc, tb)
    except Exception:  # the dialog itself failed: the console is all that is left
        sys.__excepthook__(exc_type, exc, tb)


def install() -> None:
    """Make the crash dialog the GUI's ``sys.excepthook`` (it logs, so no other hook is needed)."""
    sys.excepthook = excepthook
