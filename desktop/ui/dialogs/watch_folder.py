"""文件 → 监控文件夹…: the watched folder's path, plainly, and 选择文件夹… / 不再监控 / 打开文件夹.

Set, changed or cleared through the same core as ``evidence-desk watch-dir``
(:func:`desktop.evidence.watch_dir.set_watch_dir`: checked first, one audited event); the watcher then
restarts on the new folder (:meth:`desktop.ui.ingest_lane.IngestLane.restart`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from desktop.errors import DeskError
from desktop.text.messages import error_text

WATCH_TITLE = "监控文件夹"
WATCH_EXPLAIN = ("放进监控文件夹的文件会自动登记为佐证材料（程序只读取，从不修改、移动或删除其中的文件）。"
                 "更换文件夹后，已登记的材料保留，新文件夹中的文件随即登记。")
NO_FOLDER = "（未设置）"


class WatchFolderDialog(QDialog):
    """文件 → 监控文件夹…: the path, plainly; 选择文件夹… / 不再监控 / 打开文件夹."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("watchFolderDialog")
        self.setWindowTitle(WATCH_TITLE)
        self.session = session
        self.ws = session.ws
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("watchFolderPath")
        self.path_edit.setReadOnly(True)
        self.path_edit.setMinimumWidth(460)
        self.status = QLabel()
        self.status.setObjectName("watchFolderStatus")
        self.status.setWordWrap(True)
        explain = QLabel(WATCH_EXPLAIN)
        explain.setWordWrap(True)
        self.choose_button = QPushButton("选择文件夹…")
        self.clear_button = QPushButton("不再监控")
        self.open_button = QPushButton("打开文件夹")
        self.choose_button.clicked.connect(self.choose)
        self.clear_button.clicked.connect(lambda: self.set_folder(None))
        self.open_button.clicked.connect(self.open_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for b in (self.choose_button, self.clear_button, self.open_button):
            row.addWidget(b)
        row.addStretch(1)
        v = QVBoxLayout(self)
        v.addWidget(QLabel("当前监控的文件夹："))
        v.addWidget(self.path_edit)
        v.addLayout(row)
        v.addWidget(explain)
        v.addWidget(self.status)
        v.addWidget(buttons)
        session.identity_changed.connect(self.refresh)
        self.refresh()
        (self.choose_button if self.choose_button.isEnabled() else buttons).setFocus()
        from desktop.ui.geometry import fit_dialog

        fit_dialog(self)

    def current(self) -> Path | None:
        return self.ws.watch_dir

    def refresh(self) -> None:
        folder = self.current()
        self.path_edit.setText(str(folder) if folder else NO_FOLDER)
        self.path_edit.setToolTip(str(folder) if folder else "")
        writable = self.session.writable
        self.choose_button.setEnabled(writable)
        self.clear_button.setEnabled(writable and folder is not None)
        self.open_button.setEnabled(folder is not None and folder.is_dir())
        if not writable:
            self.status.setText("<span style='color:#757575'>只有编制角色可以更改监控文件夹。</span>")

    def choose(self) -> None:
        start = str(self.current() or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "选择要监控的佐证材料文件夹", start)
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder: str | Path | None) -> None:
        """Watch ``folder`` (None: none): checked first, then written on the writer lane; the watcher restarts."""
        from desktop.evidence.watch_dir import check_watch_dir, set_watch_dir

        if folder is not None:
            try:
                folder = check_watch_dir(self.ws.root, folder)
            except DeskError as exc:
                self._say(error_text(exc.code, exc.params), error=True)
                return
        db = self.ws.db

        def done(change) -> None:
            self.session.ingest.restart()
            self.refresh()
            self._say(f"已开始监控：{change.after}" if change.after else "已不再监控任何文件夹。")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DeskError):
                self._say(error_text(exc.code, exc.params), error=exc.code != "watch.unchanged")
            else:
                self.session.show_error(exc)

        self.session.write("更改监控文件夹", lambda: set_watch_dir(db, folder=folder), done, failed=failed)

    def _say(self, text: str, error: bool = False) -> None:
        colour = "#c62828" if error else "#2e7d32"
        self.status.setText(f"<span style='color:{colour}'>{_h(text)}</span>")
        self.last_message = text

    def open_folder(self) -> None:
        folder = self.current()
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _h(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

