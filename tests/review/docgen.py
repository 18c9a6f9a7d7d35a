"""Writing real 佐证材料 files for tests: PDF (Qt's QPdfWriter), DOCX, XLSX, CSV, JPEG/PNG.

Small helpers only; what the files say is in :mod:`tests.review.evidence_sets`.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable, Sequence

FONT = "WenQuanYi Micro Hei"


def qt_app():
    """A QApplication (not a QGuiApplication: the UI tests in the same run need widgets)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["docgen"])


# A PDF line is a string, or a list of cells drawn at fixed columns (a table row).
Line = "str | tuple[str, int, bool] | list[str]"


def pdf(path: Path, pages: Sequence[Sequence[object]], *, columns: Sequence[int] = (0, 520, 760, 1000),
        size: int = 10) -> Path:
    """Each page: lines; a line is text, (text, point size, bold), or a list of table cells."""
    from PySide6.QtGui import QFont, QPageSize, QPainter, QPdfWriter

    qt_app()
    path.parent.mkdir(parents=True, exist_ok=True)
    w = QPdfWriter(str(path))
    w.setPageSize(QPageSize(QPageSize.A4))
    w.setResolution(150)
    w.setCreator("EvidenceDesk tests")
    p = QPainter(w)
    for n, lines in enumerate(pages):
        if n:
            w.newPage()
        y = 110
        for line in lines:
            pt, bold = size, False
            if isinstance(line, tuple):
                text, pt, bold = line
                cells = [text]
            elif isinstance(line, list):
                cells = line
            else:
                cells = [line]
            f = QFont(FONT)
            f.setPointSize(pt)
            f.setBold(bold)
            p.setFont(f)
            for i, cell in enumerate(cells):
                x = 100 + (columns[i] if i < len(columns) else columns[-1] + 240 * (i - len(columns) + 1))
                p.drawText(x, y, str(cell))
            y += int(pt * 3.3)
    p.end()
    return path


def docx(path: Path, blocks: Iterable[object]) -> Path:
    """Blocks: ``str`` paragraph, ``("h", text)`` heading, or a table as a list of rows (lists of cells)."""
    from docx import Document

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    for b in blocks:
        if isinstance(b, tuple) and b[0] == "h":
            doc.add_heading(b[1], level=1)
        elif isinstance(b, list):
            table = doc.add_table(rows=0, cols=len(b[0]))
            table.style = "Table Grid"
            for row in b:
                cells = table.add_row().cells
                for c, text in zip(cells, row):
                    c.text = str(text)
        else:
            doc.add_paragraph(str(b))
    doc.save(path)
    return path


def xlsx(path: Path, sheets: dict[str, list[list[object]]], formats: dict[str, dict[str, str]] | None = None,
         widths: dict[str, int] | None = None) -> Path:
    """Sheets of rows; ``formats[sheet][column letter or cell] = number format``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    first = True
    for title, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        for row in rows:
            ws.append(list(row))
        if rows:
            ws.cell(1, 1).font = Font(bold=True, size=13)
        for key, fmt in (formats or {}).get(title, {}).items():
            if key.isalpha():
                for r in range(1, ws.max_row + 1):
                    cell = ws[f"{key}{r}"]
                    if isinstance(cell.value, (int, float)):
                        cell.number_format = fmt
            else:
                ws[key].number_format = fmt
        for col, width in (widths or {}).items():
            ws.column_dimensions[col].width = width
    wb.save(path)
    return path


def csv_file(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def image(path: Path, caption: str, sign: str, *, colour: str = "#7fa7c9") -> Path:
    """A photo-like picture with a sign and a caption (text only OCR could read)."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    qt_app()
    path.parent.mkdir(parents=True, exist_ok=True)
    img = QImage(640, 420, QImage.Format_RGB32)
    img.fill(QColor(colour))
    p = QPainter(img)
    p.fillRect(0, 300, 640, 120, QColor("#8c8c84"))
    p.fillRect(100, 100, 440, 230, QColor("#efe8da"))
    p.fillRect(130, 120, 380, 60, QColor("#b3261e"))
    f = QFont(FONT)
    f.setPointSize(18)
    p.setFont(f)
    p.setPen(QColor("#ffd75e"))
    p.drawText(QRectF(130, 120, 380, 60), Qt.AlignCenter, sign)
    f.setPointSize(10)
    p.setFont(f)
    p.setPen(QColor("#ffffff"))
    p.drawText(14, 404, caption)
    p.end()
    img.save(str(path), "JPG" if path.suffix.lower() in (".jpg", ".jpeg") else "PNG", 85)
    return path


def scanned_pdf(path: Path, caption: str) -> Path:
    """A PDF holding only a picture (a scan): no text layer."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter

    qt_app()
    path.parent.mkdir(parents=True, exist_ok=True)
    img = QImage(600, 800, QImage.Format_RGB32)
    img.fill(QColor("#f4f1e8"))
    ip = QPainter(img)
    ip.fillRect(60, 60, 480, 30, QColor("#333333"))
    for i in range(14):
        ip.fillRect(60, 130 + i * 40, 420 - (i % 4) * 60, 12, QColor("#777777"))
    ip.end()
    w = QPdfWriter(str(path))
    w.setPageSize(QPageSize(QPageSize.A4))
    w.setResolution(100)
    w.setTitle(caption)
    p = QPainter(w)
    p.drawImage(QRect(40, 40, 600, 800), img)
    p.end()
    return path
