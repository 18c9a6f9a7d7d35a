"""Real report files for the tests, generated from text: PDF (Qt's QPdfWriter, hard-wrapped lines,
running header, page-number footer), DOCX (python-docx, headings, header/footer) and score tables
(XLSX with openpyxl, DOCX table). Tests only; the app never imports this."""

from __future__ import annotations

import re
from pathlib import Path

FONT = "WenQuanYi Micro Hei"


def plain_lines(text: str) -> list[tuple[str, int]]:
    """Source lines without Markdown marks: (text, heading level 0..3), blank lines dropped."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        level = 0
        m = re.match(r"^(#+)\s*(.*)$", s)
        if m:
            level = min(len(m.group(1)), 3)
            s = m.group(2)
        s = s.replace("**", "").strip()
        if s:
            out.append((s, level))
    return out


def wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def make_pdf(text: str, path: Path, *, width: int = 34, lines_per_page: int = 38,
             header: str = "2024 年度绩效自评报告（公开版）", footer: str = "- {n} -") -> list[str]:
    """Write ``text`` as a PDF with hard wraps every ``width`` characters, a running header and a
    ``- n -`` footer. Returns the body text of each page (wrapped lines joined), for page checks."""
    from PySide6.QtGui import QFont, QPageSize, QPainter, QPdfWriter
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    lines: list[str] = []
    for s, _level in plain_lines(text):
        lines.extend(wrap(s, width))
    pages = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    w = QPdfWriter(str(path))
    w.setPageSize(QPageSize(QPageSize.A4))
    w.setResolution(150)
    p = QPainter(w)
    font = QFont(FONT)
    font.setPointSize(10)
    p.setFont(font)
    for n, page in enumerate(pages, 1):
        if n > 1:
            w.newPage()
        p.drawText(110, 70, header)
        y = 130
        for line in page:
            p.drawText(110, y, line)
            y += 40
        p.drawText(560, 1700, footer.format(n=n, total=len(pages)))
    p.end()
    return ["".join(pg) for pg in pages]


def make_image_pdf(path: Path, pages: int = 1, with_text_page: bool = False) -> None:
    """A PDF whose pages are pictures only (a scan), optionally followed by one page of text."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QImage, QPageSize, QPainter, QPdfWriter
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    w = QPdfWriter(str(path))
    w.setPageSize(QPageSize(QPageSize.A4))
    w.setResolution(150)
    p = QPainter(w)
    img = QImage(400, 300, QImage.Format_RGB32)
    img.fill(Qt.lightGray)
    for n in range(pages):
        if n:
            w.newPage()
        p.drawImage(100, 100, img)
    if with_text_page:
        w.newPage()
        f = QFont(FONT)
        f.setPointSize(10)
        p.setFont(f)
        p.drawText(110, 130, "全年共核查疑点数据 21099 条，追回多发社保待遇 658.83 万元。")
    p.end()


def make_docx(text: str, path: Path) -> None:
    from docx import Document

    d = Document()
    for s, level in plain_lines(text):
        if level:
            d.add_heading(s, level=level)
        else:
            d.add_paragraph(s)
    sec = d.sections[0]
    sec.header.paragraphs[0].text = "湛江市社会保险基金管理局 2099 年 99 项"  # must not be read
    sec.footer.paragraphs[0].text = "第 1 页 共 8888 条"
    d.save(str(path))


SCORE_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]


def score_rows(n: int = 20) -> list[list[str]]:
    """``n`` rows of a 绩效自评表: (一级, 二级, 三级, target, actual, weight, score)."""
    kinds = [("产出指标", "数量指标", "个"), ("产出指标", "质量指标", "%"), ("产出指标", "时效指标", "天"),
             ("成本指标", "经济成本指标", "万元"), ("效益指标", "社会效益指标", "人次"),
             ("满意度指标", "服务对象满意度指标", "%")]
    rows = []
    for i in range(n):
        one, two, unit = kinds[(i * len(kinds)) // n]  # grouped, so 一级指标 cells can merge
        target = ["≥", "＝", "≤", ""][i % 4] + str(10 + i * 7) + unit
        actual = f"{10 + i * 7 + (i % 3)}{unit}" if i % 2 else f"{10 + i * 7 + (i % 3)}.5"
        rows.append([one, two, f"指标{i + 1:02d}{two[:2]}完成数", target, actual, "5", "5"])
    return rows


def make_score_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效自评表"
    ws.append(["项目支出绩效自评表（2024 年度）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SCORE_HEADER))
    ws.append(SCORE_HEADER)
    for r in rows:
        ws.append(r)
    wb.save(str(path))


def make_score_docx(path: Path, rows: list[list[str]], *, intro: str = "") -> None:
    from docx import Document

    d = Document()
    d.add_heading("项目支出绩效自评表", level=1)
    if intro:
        d.add_paragraph(intro)
    t = d.add_table(rows=1 + len(rows), cols=len(SCORE_HEADER))
    for c, h in enumerate(SCORE_HEADER):
        t.cell(0, c).text = h
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    # 一级指标 merged down over rows of the same kind, as real tables do
    start = 1
    for r in range(2, len(rows) + 2):
        if r == len(rows) + 1 or rows[r - 1][0] != rows[start - 1][0]:
            if r - 1 > start:
                keep = rows[start - 1][0]
                merged = t.cell(start, 0).merge(t.cell(r - 1, 0))
                merged.text = keep
            start = r
    d.add_paragraph("以上指标均已完成。")
    d.save(str(path))
