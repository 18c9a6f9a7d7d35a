"""``LocatorPreview``: one evidence file shown at its linked locator, for the review mode.

Self-contained on purpose (the evidence library builds a fuller preview pane; the two can be merged):
a PDF opens at the linked page (QPdfView) with the claimed number highlighted, a workbook shows the sheet
around the linked cell (openpyxl, read-only), a picture is scaled to fit, and DOCX / text files show their
text scrolled to the quoted passage or the number. Files are read from the workspace store — the exact
bytes that were linked — and a file that cannot be read says so in the pane; nothing is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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

HIGHLIGHT = QColor("#ffe082")
PDF_EXT = {"pdf"}
SHEET_EXT = {"xlsx", "xlsm"}
IMAGE_EXT = {"png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "webp"}
TEXT_EXT = {"txt", "md", "csv", "json", "xml", "htm", "html"}
MAX_TEXT = 2_000_000  # characters shown of a text file
SHEET_ROWS_BEFORE, SHEET_ROWS_AFTER, SHEET_COLS = 8, 14, 12

_PAGE = re.compile(r"^\s*(?:第\s*(\d+)\s*页|p(?:age)?\.?\s*(\d+)|(\d+))\s*$", re.IGNORECASE)
_CELL = re.compile(r"^\s*(?P<sheet>[^!]+)!\s*\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>\d+)\s*$")


@dataclass
class Locator:
    kind: str  # page / cell / quote / none
    page: int | None = None  # 1-based
    sheet: str | None = None
    column: int | None = None  # 1-based
    row: int | None = None
    text: str | None = None


def parse_locator(text: str | None) -> Locator:
    """``第 3 页`` / ``p3`` → page; ``台账!D12`` → sheet cell; anything else is a quote to find."""
    if not text or not text.strip():
        return Locator("none")
    m = _PAGE.match(text)
    if m:
        return Locator("page", page=int(next(g for g in m.groups() if g)))
    m = _CELL.match(text)
    if m:
        col = 0
        for ch in m["col"].upper():
            col = col * 26 + (ord(ch) - 64)
        return Locator("cell", sheet=m["sheet"].strip(), column=col, row=int(m["row"]))
    return Locator("quote", text=text.strip())


def _column_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class LocatorPreview(QWidget):
    """Shows one file at one locator. ``show_file(path, ext, locator, search)``; ``clear(message)``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("locatorPreview")
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
        self.clear("选择一份佐证即可在此预览。")

    # -- public ------------------------------------------------------------------------------------

    def clear(self, message: str) -> None:
        self.kind = "none"
        self.caption.setText("")
        self.message.setText(message)
        self.stack.setCurrentWidget(self.message)

    def show_file(self, path: Path, ext: str | None, locator: str | None, search: str | None = None,
                  caption: str = "") -> None:
        ext = (ext or "").lower().lstrip(".")
        loc = parse_locator(locator)
        self.caption.setText(caption)
        if not Path(path).is_file():
            self._error("存储中找不到这份文件的副本（可运行“校验完整性”查看）。")
            return
        try:
            if ext in PDF_EXT:
                self._show_pdf(Path(path), loc, search)
            elif ext in SHEET_EXT:
                self._show_sheet(Path(path), loc, search)
            elif ext in IMAGE_EXT:
                self._show_image(Path(path))
            elif ext == "docx":
                self._show_text(_docx_text(Path(path)), loc, search)
            elif ext in TEXT_EXT or not ext:
                self._show_text(_plain_text(Path(path)), loc, search)
            else:
                self._error(f"无法预览 .{ext} 文件，请用其他程序打开原件。")
        except Exception as exc:  # a corrupt or unexpected file: say so, never crash the review
            self._error(f"无法预览这份文件：{type(exc).__name__}: {exc}")

    # -- kinds -------------------------------------------------------------------------------------

    def _error(self, text: str) -> None:
        self.kind = "error"
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _show_pdf(self, path: Path, loc: Locator, search: str | None) -> None:
        self.pdf_doc.close()
        err = self.pdf_doc.load(str(path))
        if err != QPdfDocument.Error.None_:
            self._error(f"无法打开 PDF（{err.name}）。")
            return
        pages = self.pdf_doc.pageCount()
        page = min(max((loc.page or 1) - 1, 0), max(pages - 1, 0))
        self.target_page = page
        self.pdf_search.setSearchString(search or "")
        self.stack.setCurrentWidget(self.pdf_view)
        self.pdf_view.pageNavigator().jump(page, QPointF(), 0)
        self.kind = "pdf"

    def _show_sheet(self, path: Path, loc: Locator, search: str | None) -> None:
        from openpyxl import load_workbook

        with open(path, "rb") as f:  # a file object: the store copy has no .xlsx suffix
            wb = load_workbook(f, read_only=True, data_only=True)
            try:
                sheet = wb[loc.sheet] if loc.sheet and loc.sheet in wb.sheetnames else wb.active
                target_row, target_col = loc.row, loc.column
                max_row = sheet.max_row or 1
                if target_row is None and search:
                    target_row, target_col = _find_in_sheet(sheet, search, max_row)
                first = max(1, (target_row or 1) - SHEET_ROWS_BEFORE)
                last = min(max_row, (target_row or 1) + SHEET_ROWS_AFTER) if target_row else min(max_row, 40)
                ncols = max(SHEET_COLS, (target_col or 0) + 2)
                rows = list(sheet.iter_rows(min_row=first, max_row=max(last, first), max_col=ncols, values_only=True))
                title = sheet.title
            finally:
                wb.close()
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
                item = QTableWidgetItem(str(v))
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
            self._error(f"无法显示图片：{reader.errorString()}")
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


def _find_in_sheet(sheet, needle: str, max_row: int) -> tuple[int | None, int | None]:
    for r, values in enumerate(sheet.iter_rows(min_row=1, max_row=min(max_row, 5000), values_only=True), 1):
        for c, v in enumerate(values, 1):
            if v is not None and needle in str(v):
                return r, c
    return None, None


def _docx_text(path: Path) -> str:
    from docx import Document

    with open(path, "rb") as f:
        doc = Document(f)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _plain_text(path: Path) -> str:
    data = path.read_bytes()[: MAX_TEXT * 4]
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")
