"""The evidence library's preview pane: what the stored copy of a file shows.

Images are decoded off the GUI thread (``QImageReader`` with EXIF orientation and a size cap), PDFs are
shown with ``QPdfView``, spreadsheets as a table per sheet and Word / text files as text — both from the
text already extracted into the index, so nothing is parsed twice. The store copy is what is shown: it
is exactly what was registered, whatever has happened to the user's file since.
"""

from __future__ import annotations

import html
from typing import Any, Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.evidence.queries import text_units
from desktop.evidence.risky import may_open
from desktop.text.library import (
    ENCRYPTED_PREVIEW,
    ENCRYPTED_TEXT,
    EXECUTABLE_NOTE,
    EXECUTABLE_OPEN_TIP,
    EXECUTABLE_PREVIEW,
)
from desktop.evidence.text import IMAGE_EXTS
from desktop.text.messages import TEXT_STATUS_NAMES, ingest_error_text
from desktop.ui.common import human_size

MAX_PREVIEW_SIDE = 2000
MAX_TEXT_CHARS = 400_000
MAX_TABLE_ROWS = 2000
MAX_COLUMN_WIDTH = 140  # px: a sheet's columns in the preview, at most
SHEET_EXTS = {"xlsx", "xlsm", "csv", "tsv"}



def load_image(path: str, max_side: int = MAX_PREVIEW_SIDE) -> QImage:
    """Decode an image file (any thread): orientation from EXIF, scaled down to ``max_side``."""
    reader = QImageReader(path)
    reader.setDecideFormatFromContent(True)  # store objects have no extension
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > max_side:
        reader.setScaledSize(size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


class ScaledImage(QLabel):
    """An image scaled to fit the pane, rescaled as the pane is resized."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(1, 1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._pixmap: QPixmap | None = None

    def set_image(self, pixmap: QPixmap | None) -> None:
        self._pixmap = pixmap
        self._rescale()

    def image(self) -> QPixmap | None:
        return self._pixmap

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None or self._pixmap.isNull():
            self.clear()
            return
        size = self.size()
        pix = self._pixmap
        if pix.width() > size.width() or pix.height() > size.height():
            pix = pix.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(pix)


class PreviewPane(QWidget):
    open_requested = Signal(int)  # evidence id
    reveal_requested = Signal(int)
    retry_requested = Signal(list, list)  # task ids, evidence ids
    versions_requested = Signal(int)  # evidence id: compare it with its new version (改用新版本)

    def __init__(self, db, store, submit: Callable[[Callable[[], Any], Callable[[Any], None]], None], parent=None):
        """``submit(work, done)`` runs ``work`` off the GUI thread and ``done(result)`` back on it."""
        super().__init__(parent)
        self.setObjectName("evidencePreview")
        self.db = db
        self.store = store
        self._submit = submit
        self._token = 0
        self.current: dict[str, Any] | None = None
        self.kind = "empty"  # empty / image / pdf / table / text / message
        self._pdf_doc = None

        self.title = QLabel()
        self.title.setObjectName("previewTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setObjectName("previewMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        self.message.hide()
        self.open_button = QPushButton("用默认程序打开")
        self.open_button.setToolTip("用系统中关联的程序打开此文件（Enter）")
        self.reveal_button = QPushButton("在文件夹中显示")
        self.retry_button = QPushButton("重试")
        self.retry_button.setToolTip("重新读取此文件")
        self.version_button = QPushButton("比较新旧版本 / 改用新版本…")
        self.version_button.setObjectName("compareVersions")
        self.version_button.setToolTip("文件夹中已有此文件的新版本：看看数字有何变化，再把关联改到新版本")
        self.version_button.hide()
        self.version_button.clicked.connect(lambda: self._emit_id(self.versions_requested))
        for b in (self.open_button, self.reveal_button, self.retry_button, self.version_button):
            b.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.open_button.clicked.connect(lambda: self._emit_id(self.open_requested))
        self.reveal_button.clicked.connect(lambda: self._emit_id(self.reveal_requested))
        self.retry_button.clicked.connect(self._on_retry)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.open_button, self.reveal_button, self.retry_button, self.version_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.stack = QStackedWidget()
        self.placeholder = QLabel("选中一份佐证材料即可在此预览")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #757575")
        self.image_label = ScaledImage()
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.sheets = QTabWidget()
        self.pdf_view = None  # created on first use (QtPdf is a separate module)
        for w in (self.placeholder, self.image_label, self.text_view, self.sheets):
            self.stack.addWidget(w)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)
        self.clear()

    # -- showing ---------------------------------------------------------------------------------

    def clear(self, text: str = "选中一份佐证材料即可在此预览") -> None:
        self._token += 1
        self.current = None
        self.kind = "empty"
        self.title.setText("")
        self.message.hide()
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        for b in (self.open_button, self.reveal_button, self.retry_button):
            b.setEnabled(False)
        self.retry_button.hide()
        self.version_button.hide()

    def show_problem(self, problem: dict[str, Any]) -> None:
        """A file that could not be registered: what went wrong, and a retry."""
        self._token += 1
        self.current = {"problem": problem}
        self.kind = "message"
        tries = f"（已尝试 {problem['attempts']} 次）" if problem.get("attempts") else ""
        self.title.setText(f"<b>{html.escape(problem['name'])}</b><br><span style='color:#757575'>"
                           f"{html.escape(problem['path'])}</span>")
        waiting = problem["state"] != "failed"
        msg = ingest_error_text(problem.get("error"), problem.get("error_detail"))
        self.message.setText(("等待重试：" if waiting else "无法登记：") + msg + tries)
        self.message.show()
        self.placeholder.setText("此文件尚未登记为佐证材料。")
        self.stack.setCurrentWidget(self.placeholder)
        self.open_button.setEnabled(False)
        self.reveal_button.setEnabled(True)
        self.retry_button.setEnabled(True)
        self.retry_button.show()
        self.version_button.hide()

    def show_evidence(self, e: dict[str, Any]) -> None:
        self._token += 1
        token = self._token
        self.current = e
        ext = (e.get("ext") or "").lower()
        meta = [f"E{e['id']}", (ext or "?").upper(), human_size(e.get("size"))]
        if e.get("pages"):
            meta.append(f"{e['pages']} {'个工作表' if ext in SHEET_EXTS else '页'}")
        meta.append(TEXT_STATUS_NAMES.get(e.get("text_status") or "", e.get("text_status") or ""))
        where = e["paths"][0] if e.get("paths") else "（已不在文件夹中，仅存于工作区）"
        self.title.setText(f"<b>{html.escape(e['name'])}</b>　<span style='color:#757575'>{' · '.join(meta)}"
                           f"<br>{html.escape(where)}</span>")
        notes = []
        openable = may_open(e)
        encrypted = e.get("status") == "error" and e.get("error") == "pdf_encrypted"
        if not openable:
            notes.append(EXECUTABLE_NOTE)
        if encrypted:
            # the ingest cannot take a password: say so, and offer nothing that cannot help (no 重试)
            notes.append(ENCRYPTED_TEXT)
        elif e.get("status") == "error":
            notes.append(ingest_error_text(e.get("error")))
        if e.get("superseded_by"):
            notes.append("已有新版本：" + "、".join(f"E{i}" for i in e["superseded_by"]))
        self.message.setText("；".join(notes))
        self.message.setVisible(bool(notes))
        self.open_button.setEnabled(openable)
        self.open_button.setToolTip("用系统中关联的程序打开此文件（Enter）" if openable
                                    else EXECUTABLE_OPEN_TIP)
        self.reveal_button.setEnabled(bool(e.get("paths")))
        self.version_button.setVisible(bool(e.get("superseded_by")))
        retry = e.get("status") == "error" and not encrypted
        self.retry_button.setVisible(retry)
        self.retry_button.setEnabled(retry)
        if not openable:
            self._placeholder(EXECUTABLE_PREVIEW)
            return
        path = str(self.store.object_path(e["sha256"]))
        if ext in IMAGE_EXTS:
            if e.get("error") == "image_too_large":
                self._placeholder("图片过大，不显示预览。")
                return
            self._placeholder("正在载入图片…")
            self._submit(lambda: load_image(path), lambda img: self._show_image(token, img))
        elif ext == "pdf":
            if encrypted:
                self._placeholder(ENCRYPTED_PREVIEW)
                return
            if e.get("status") == "error":
                self._placeholder("无法预览：" + ingest_error_text(e.get("error")))
                return
            self._show_pdf(path)
        elif ext in SHEET_EXTS or ext in ("docx", "docm", "txt", "md", "log", "json", "xml", "html", "htm"):
            if e.get("text_status") == "pending":
                self._placeholder("正在提取文字…")
                return
            eid = e["id"]
            self._placeholder("正在载入…")
            self._submit(lambda: text_units(self.db, eid), lambda units: self._show_units(token, ext, units))
        else:
            self._placeholder("此类型的文件没有预览，可用默认程序打开。")

    def _placeholder(self, text: str) -> None:
        self.kind = "message"
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def _show_image(self, token: int, image: QImage) -> None:
        if token != self._token:
            return
        if image.isNull():
            self._placeholder("无法显示此图片。")
            return
        self.kind = "image"
        self.image_label.set_image(QPixmap.fromImage(image))
        self.stack.setCurrentWidget(self.image_label)

    def _show_pdf(self, path: str) -> None:
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        if self.pdf_view is None:
            self.pdf_view = QPdfView()
            self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
            self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.stack.addWidget(self.pdf_view)
        old = self._pdf_doc
        doc = QPdfDocument(self)
        error = doc.load(path)
        if error != QPdfDocument.Error.None_:
            doc.deleteLater()
            self._placeholder("无法预览此 PDF。")
            return
        self.pdf_view.setDocument(doc)
        self._pdf_doc = doc
        if old is not None:
            old.deleteLater()
        self.kind = "pdf"
        self.stack.setCurrentWidget(self.pdf_view)

    def _show_units(self, token: int, ext: str, units: list[tuple[str, str]]) -> None:
        if token != self._token:
            return
        if not units:
            self._placeholder("没有提取到文字。")
            return
        if ext in SHEET_EXTS:
            self.sheets.clear()
            for locator, text in units:
                rows = text.split("\n")[:MAX_TABLE_ROWS]
                cells = [r.split("\t") for r in rows]
                width = max((len(c) for c in cells), default=0)
                table = QTableWidget(len(cells), width)
                table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
                for r, row in enumerate(cells):
                    for c, value in enumerate(row):
                        if value:
                            table.setItem(r, c, QTableWidgetItem(value))
                table.resizeColumnsToContents()
                for col in range(width):  # a title row must not make one column as wide as the pane
                    table.setColumnWidth(col, min(table.columnWidth(col), MAX_COLUMN_WIDTH))
                self.sheets.addTab(table, locator if ext.startswith("xls") else "表格")
            self.kind = "table"
            self.stack.setCurrentWidget(self.sheets)
        else:
            body = "\n\n".join(t for _, t in units)
            if len(body) > MAX_TEXT_CHARS:
                body = body[:MAX_TEXT_CHARS] + "\n……（内容较长，仅显示开头部分）"
            self.text_view.setPlainText(body)
            self.kind = "text"
            self.stack.setCurrentWidget(self.text_view)

    # -- actions ---------------------------------------------------------------------------------

    def _emit_id(self, signal) -> None:
        if self.current and "id" in self.current:
            signal.emit(self.current["id"])
        elif self.current and "problem" in self.current and signal is self.reveal_requested:
            signal.emit(-self.current["problem"]["id"])

    def _on_retry(self) -> None:
        if not self.current:
            return
        if "problem" in self.current:
            self.retry_requested.emit([self.current["problem"]["id"]], [])
        else:
            self.retry_requested.emit([], [self.current["id"]])
