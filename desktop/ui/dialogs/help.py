"""帮助: the user guide (bundled, offline, with its screenshots), the keyboard shortcuts (read off the
window's own actions, so the list is never out of date), and 关于 (version, data folder, log file, the
workspace's audit chain head as an external anchor, and 复制).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.text.app import (
    ABOUT_COPY_BUTTON,
    ABOUT_TITLE,
    GUIDE_MISSING,
    GUIDE_TITLE,
    SHORTCUTS_TITLE,
    about_text,
    about_workspace_text,
)
from desktop.ui.geometry import RememberedWindow, fit_dialog

# -- 使用指南 --------------------------------------------------------------------------------------------


class GuideBrowser(QTextBrowser):
    """A QTextBrowser reading Markdown whose pictures are scaled down to the page's width."""

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt's virtual
        if kind == QTextDocument.ResourceType.ImageResource.value:
            path = url.toLocalFile() or self.source().resolved(url).toLocalFile()
            image = QImage(path)
            if not image.isNull():
                room = max(self.viewport().width() - 40, 320)
                if image.width() > room:
                    image = image.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)
                return image
        return super().loadResource(kind, url)


class UserGuideWindow(QMainWindow):
    def __init__(self, guide: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("userGuideWindow")
        self.setWindowTitle(f"{GUIDE_TITLE} — 佐证台")
        self.browser = GuideBrowser()
        self.browser.setObjectName("userGuide")
        self.browser.setOpenExternalLinks(False)  # offline: nothing leaves the machine
        self.browser.setOpenLinks(True)
        self.setCentralWidget(self.browser)
        close = QAction("关闭", self)
        close.setShortcuts([QKeySequence(QKeySequence.StandardKey.Close), QKeySequence("Esc")])
        close.triggered.connect(self.close)
        self.addAction(close)
        self.guide = guide
        if guide.is_file():
            self.browser.setSource(QUrl.fromLocalFile(str(guide)), QTextDocument.ResourceType.MarkdownResource)
        else:
            self.browser.setPlainText(GUIDE_MISSING.format(path=guide))
        self._placement = RememberedWindow(self, "guide", QSize(980, 800))

    def markdown_loaded(self) -> bool:
        return self.guide.is_file() and not self.browser.document().isEmpty()


# -- 键盘快捷键 ------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """A menu text without its mnemonic: 编辑(&E) → 编辑, 关于(&A)… → 关于."""
    text = re.sub(r"\(&\w\)", "", text)
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").strip()


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every action of the window that has keys: those in the menus under their
    menu's name, then the window's other actions (panels, 审核模式's keys) as 窗口中. No duplicates."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(group: str, act: QAction) -> None:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts() if not k.isEmpty()]
        name = _plain(act.text())
        if not keys or not name or (name, keys[0]) in seen:
            return
        seen.add((name, keys[0]))
        rows.append((group, name, " / ".join(keys)))

    def walk_menu(group: str, actions) -> None:
        for act in actions:
            if act.menu() is not None:
                walk_menu(group, act.menu().actions())
            elif not act.isSeparator():
                add(group, act)

    if isinstance(window, QMainWindow):
        for top in window.menuBar().actions():
            if top.menu() is not None:
                walk_menu(_plain(top.text()), top.menu().actions())
    for act in window.findChildren(QAction):
        add("窗口中", act)
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget, parent=None):
        super().__init__(parent or window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(SHORTCUTS_TITLE)
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["菜单", "操作", "快捷键"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)  # compact rows
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        v = QVBoxLayout(self)
        v.addWidget(self.table)
        v.addWidget(buttons)
        self.rows = rows
        self.resize(620, 640)
        fit_dialog(self)


# -- 关于 ------------------------------------------------------------------------------------------------


def about_report(ws=None) -> str:
    """The text 关于 shows and 复制 copies: product, version, data folder, log file, the workspace's head."""
    from desktop import config, logs
    from desktop.version import build_info

    text = about_text(build_info(), logs.log_path(), config.data_dir())
    if ws is not None:
        from desktop.integrity import audit_head

        seq, head = audit_head(ws.db)
        text += "\n\n" + about_workspace_text(ws.name, ws.root, seq, head)
    return text


class AboutDialog(QDialog):
    def __init__(self, ws=None, parent=None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(ABOUT_TITLE)
        self.text = about_report(ws)
        self.body = QPlainTextEdit(self.text)  # selectable, and a long hash or path wraps instead of cutting off
        self.body.setObjectName("aboutText")
        self.body.setReadOnly(True)
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.body.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.copy_button = QPushButton(ABOUT_COPY_BUTTON)
        self.copy_button.setObjectName("aboutCopy")
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        title = QLabel("<b style='font-size:15px'>佐证台 EvidenceDesk</b>")
        v = QVBoxLayout(self)
        v.addWidget(title)
        v.addWidget(self.body, 1)
        v.addWidget(buttons)
        self.resize(640, 420)
        fit_dialog(self)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
        self.copy_button.setText("已复制")
