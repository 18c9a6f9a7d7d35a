"""``LocatorPreview``: one evidence file shown at its linked locator, for the review mode.

Self-contained on purpose (the evidence library builds a fuller preview pane; the two can be merged):
a PDF opens at the linked page (QPdfView) with the claimed number highlighted, a workbook shows the sheet
around the linked cell, a picture is scaled to fit, and DOCX / text files show their text scrolled to the
quoted passage or the number. Files are read from the workspace store — the exact bytes that were linked —
and a file that cannot be read says so in the pane; nothing is raised.

Workbooks and .docx files are untrusted input: they are read by :class:`desktop.review.preview.PreviewReader`
under the ingest's ceilings (checks before opening, a parsing child with the memory and time limits), off
the GUI thread when a ``submit`` (the session's reader lane) is given; a newer preview cancels one still
being read. A refused file (a zip bomb …) shows why in the pane.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QImageReader, QPixmap, QTextCharFormat, QTextCursor
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.parsing.guarded import Refused
from desktop.parsing.limits import Limits
from desktop.review.preview import (  # noqa: F401 - Locator and parse_locator are used from here too
    DOCX_EXT,
    MAX_TEXT,
    SHEET_EXT,
    Locator,
    PreviewReader,
    SheetWindow,
    parse_locator,
)
from desktop.text import review as T

HIGHLIGHT = QColor("#ffe082")
PDF_EXT = {"pdf"}
IMAGE_EXT = {"png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "webp"}
TEXT_EXT = {"txt", "md", "csv", "json", "xml", "htm", "html"}


def _column_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class LocatorPreview(QWidget):
    """Shows one file at one locator. ``show_file(path, ext, locator, search)``; ``clear(message)``."""

    def __init__(self, parent=None, *, submit: Callable[[Callable[[], Any], Callable[[Any], None]], None] | None = None,
                 limits: Callable[[], Limits] | None = None):
        """``submit(fn, done)``: runs ``fn`` off the GUI thread and ``done(value)`` back on it (the session's
        reader lane); without it reads run at once. ``limits()``: the workspace's parsing limits (called
        where ``fn`` runs)."""
        super().__init__(parent)
        self.setObjectName("locatorPreview")
        self._submit = submit or (lambda fn, done: done(fn()))
        self._limits = limits
        self.reader = PreviewReader()  # under the workspace's limits, given before each read (_read)
        self._token = 0
        self.stack = QStackedWidget()
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #757575; padding: 24px;")
        self.pdf_doc = QPdfDocument(self)
        self.pdf_search = QPdfSearchModel(self)
        self.pdf_search.setDocument(self.pdf_doc)
        self.pdf_view = QPdfView()
        self.pdf_view.setObjectName("previewPdf")
        self.pdf_view.setDocument(self.pdf_doc)
        self.pdf_view.setPageMode(QPdfView.PageMode.SinglePage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setSearchModel(self.pdf_search)
        self.table = QTableWidget()
        self.table.setObjectName("previewSheet")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.text = QPlainTextEdit()
        self.text.setObjectName("previewText")
        self.text.setReadOnly(True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_area = QScrollArea()
        self.image_area.setWidget(self.image)
        self.image_area.setWidgetResizable(True)
        for w in (self.message, self.pdf_view, self.table, self.text, self.image_area):
            self.stack.addWidget(w)
        self.caption = QLabel()
        self.caption.setObjectName("previewCaption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)
        self.kind = "none"  # what is shown: none / pdf / sheet / text / image / error
        self.target_page: int | None = None
        self.clear(T.PREVIEW_PROMPT)
        reader = self.reader
        self.destroyed.connect(lambda *_: reader.close())  # its parsing child goes with the pane

    # -- public ------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """End the parsing child now (the window is closing): a read in progress returns at once instead of
        holding the reader lane, which the session's shutdown waits for."""
        self._token += 1
        self.reader.close()

    def clear(self, message: str) -> None:
        self._token += 1
        self.reader.cancel_current()
        self.kind = "none"
        self.caption.setText("")
        self.message.setText(message)
        self.stack.setCurrentWidget(self.message)

    def show_file(self, path: Path, ext: str | None, locator: str | None, search: str | None = None,
                  caption: str = "", refused: str | None = None) -> None:
        """``refused``: why the ingest found this file unsafe to open here (:func:`ingest_refusal`): said
        instead of opening it."""
        self._token += 1
        token = self._token
        self.reader.cancel_current()  # a workbook still being read for the previous file
        ext = (ext or "").lower().lstrip(".")
        loc = parse_locator(locator)
        self.caption.setText(caption)
        if not Path(path).is_file():
            self._error(T.PREVIEW_MISSING)
            return
        if refused:
            self._error(T.preview_refused_text(refused))
            return
        try:
            if ext in PDF_EXT:
                self._show_pdf(Path(path), loc, search)
            elif ext in SHEET_EXT or ext in DOCX_EXT:
                self._loading()
                self._submit(lambda: self._read(token, path, ext, locator, search),
                             lambda value: self._show_read(token, value, loc, search))
            elif ext in IMAGE_EXT:
                self._show_image(Path(path))
            elif ext in TEXT_EXT or not ext:
                self._show_text(_plain_text(Path(path)), loc, search)
            else:
                self._error(T.PREVIEW_UNSUPPORTED.format(ext=ext))
        except Exception as exc:  # a corrupt or unexpected file: say so, never crash the review
            self._error(T.PREVIEW_FAILED.format(error=f"{type(exc).__name__}: {exc}"))

    def _read(self, token: int, path: Path, ext: str, locator: str | None, search: str | None):
        """Off the GUI thread: the workbook window or the .docx text, under the workspace's ceilings;
        nothing when a newer file was chosen before this read began (show_file moves the token first,
        then cancels what is being read)."""
        if token != self._token:
            return None
        if self._limits is not None:
            self.reader.set_limits(self._limits())
        return self.reader.read(path, ext, locator, search, wanted=lambda: token == self._token)

    def _show_read(self, token: int, value, loc: Locator, search: str | None) -> None:
        if token != self._token or value is None:  # a newer file was chosen meanwhile
            return
        if isinstance(value, Refused):
            self._error(T.preview_refused_text(value.detail))
        elif isinstance(value, SheetWindow):
            self._show_sheet(value)
        else:
            self._show_text(value, loc, search)

    def _loading(self) -> None:
        self.kind = "loading"
        self.message.setText(T.PREVIEW_LOADING)
        self.stack.setCurrentWidget(self.message)

    # -- kinds -------------------------------------------------------------------------------------

    def _error(self, text: str) -> None:
        self.kind = "error"
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _show_pdf(self, path: Path, loc: Locator, search: str | None) -> None:
        self.pdf_doc.close()
        err = self.pdf_doc.load(str(path))
        if err != QPdfDocument.Error.None_:
            self._error(T.PREVIEW_PDF_FAILED.format(error=err.name))
            return
        pages = self.pdf_doc.pageCount()
        page = min(max((loc.page or 1) - 1, 0), max(pages - 1, 0))
        self.target_page = page
        self.pdf_search.setSearchString(search or "")
        self.stack.setCurrentWidget(self.pdf_view)
        self.pdf_view.pageNavigator().jump(page, QPointF(), 0)
        self.kind = "pdf"

    def _show_sheet(self, window: SheetWindow) -> None:
        rows, first, ncols = window.rows, window.first, window.ncols
        target_row, target_col = window.target
        title = window.title
        self.table.clear()
        self.table.setRowCount(len(rows))
        self.table.setColumnCount(ncols)
        self.table.setHorizontalHeaderLabels([_column_letter(c) for c in range(1, ncols + 1)])
        self.table.setVerticalHeaderLabels([str(r) for r in range(first, first + len(rows))])
        target_item = None
        for i, values in enumerate(rows):
            for j, v in enumerate(values):
                if v is None:
                    continue
                item = QTableWidgetItem(v)
                if target_row == first + i and target_col == j + 1:
                    item.setBackground(QBrush(HIGHLIGHT))
                    target_item = item
                self.table.setItem(i, j, item)
        self.stack.setCurrentWidget(self.table)
        if target_item is not None:
            self.table.setCurrentItem(target_item)
            self.table.scrollToItem(target_item, QTableWidget.ScrollHint.EnsureVisible)
        self.kind = "sheet"
        self.sheet_title = title
        self.target_cell = (target_row, target_col)

    def _show_image(self, path: Path) -> None:
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        image = reader.read()
        if image.isNull():
            self._error(T.PREVIEW_IMAGE_FAILED.format(error=reader.errorString()))
            return
        pix = QPixmap.fromImage(image)
        self.image.setPixmap(pix.scaled(900, 900, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))
        self.stack.setCurrentWidget(self.image_area)
        self.kind = "image"

    def _show_text(self, text: str, loc: Locator, search: str | None) -> None:
        self.text.setPlainText(text[:MAX_TEXT])
        self.stack.setCurrentWidget(self.text)
        self.kind = "text"
        needles = [n for n in ((loc.text if loc.kind == "quote" else None), search) if n]
        doc = self.text.document()
        for needle in needles:
            found = doc.find(needle)
            if not found.isNull():
                sel = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(QBrush(HIGHLIGHT))
                sel.cursor, sel.format = found, fmt
                self.text.setExtraSelections([sel])
                cursor = QTextCursor(found)
                cursor.clearSelection()
                self.text.setTextCursor(cursor)
                self.text.centerCursor()
                self.found_text = needle
                return
        self.found_text = None
        self.text.setExtraSelections([])


def _plain_text(path: Path) -> str:
    data = path.read_bytes()[: MAX_TEXT * 4]
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")
