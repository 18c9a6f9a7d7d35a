"""Score tables and budget tables read from their structure (xlsx, docx, pdf)."""

from __future__ import annotations

import pytest

from collections import Counter

from desktop.claims.extractor import extract
from desktop.claims.readers import read_report
from tests.claims.makefiles import make_score_docx, make_score_xlsx, score_rows


def _high(doc):
    return [c for c in extract(doc) if c.confidence == "high"]


def _expected(rows):
    """(subject, value, unit) per row target and actual; an actual without unit takes the target's."""
    import re

    out = Counter()
    for r in rows:
        t = re.fullmatch(r"[≥≤＝]?([0-9.]+)(.*)", r[3])
        a = re.fullmatch(r"([0-9.]+)(.*)", r[4])
        out[(r[2], t.group(1), t.group(2))] += 1
        out[(r[2], a.group(1), a.group(2) or t.group(2))] += 1
    return out


def test_xlsx_score_table_gives_target_and_actual_per_row(tmp_path):
    rows = score_rows(20)
    f = tmp_path / "绩效自评表.xlsx"
    make_score_xlsx(f, rows)
    doc = read_report(f)
    assert doc.kind == "score_table"
    claims = _high(doc)
    assert len(claims) == 40
    assert Counter((c.subject, c.value, c.unit) for c in claims) == _expected(rows)
    assert all(c.origin == "table" and doc.text[c.start:c.end] == c.quote for c in claims)
    ge = next(c for c in claims if c.quote.startswith("≥"))
    assert ge.approx == "≥"


def test_docx_score_table_with_merged_cells(tmp_path):
    rows = score_rows(20)
    f = tmp_path / "绩效自评表.docx"
    make_score_docx(f, rows, intro="本项目年度预算 85 万元。")
    doc = read_report(f)
    claims = _high(doc)
    table_claims = [c for c in claims if c.origin == "table"]
    assert len(table_claims) == 40
    assert Counter((c.subject, c.value, c.unit) for c in table_claims) == _expected(rows)
    assert [(c.value, c.unit) for c in claims if c.origin != "table"] == [("85", "万元")]
    assert doc.text.index("本项目年度预算") < doc.text.index("一级指标") < doc.text.index("以上指标均已完成")
    # a merged 一级指标 cell is written once
    blocks = [k for i, k in enumerate(r[0] for r in rows) if i == 0 or rows[i - 1][0] != k]
    starts = [ln.split(" | ")[0] for ln in doc.text.splitlines() if " | " in ln]
    assert [k for k in starts if k in set(blocks)] == blocks


def test_xlsx_percent_formats_and_budget_table(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "预算执行"
    ws.append(["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"])
    ws.append(["年度资金总额", 85, 85, 84.62, 0.9955, 10, 9.96])
    ws.append(["其中：财政拨款", 80, 80, 79.62, 0.99525, None, None])
    for row in ws.iter_rows(min_row=2):
        row[4].number_format = "0.00%"
    wb.save(tmp_path / "预算.xlsx")
    doc = read_report(tmp_path / "预算.xlsx")
    got = {(c.subject, c.value, c.unit) for c in _high(doc)}
    assert ("年度资金总额 年初预算数", "85", "万元") in got
    assert ("年度资金总额 全年执行数", "84.62", "万元") in got
    assert ("年度资金总额 执行率", "99.55", "%") in got
    assert ("其中：财政拨款 执行率", "99.53", "%") in got
    assert not any(c.value in ("10", "9.96") for c in _high(doc))  # weights and scores are not claims
    assert "99.55%" in doc.text


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_pdf_table_is_read_from_its_structure(tmp_path):
    from PySide6.QtGui import QFont, QPageSize, QPainter, QPdfWriter, QPen
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    f = tmp_path / "自评表.pdf"
    w = QPdfWriter(str(f))
    w.setPageSize(QPageSize(QPageSize.A4))
    w.setResolution(150)
    p = QPainter(w)
    font = QFont("WenQuanYi Micro Hei")
    font.setPointSize(10)
    p.setFont(font)
    p.setPen(QPen())
    header = ["三级指标", "年度指标值", "实际完成值", "分值"]
    body = [["培训人次", "≥500人次", "620人次", "10"], ["满意度", "≥90%", "96%", "10"]]
    x0, y0, cw, rh = 100, 150, 260, 60
    for r, row in enumerate([header] + body):
        for c, text in enumerate(row):
            p.drawRect(x0 + c * cw, y0 + r * rh, cw, rh)
            p.drawText(x0 + c * cw + 10, y0 + r * rh + 40, text)
    p.end()
    doc = read_report(f)
    got = Counter((c.subject, c.value, c.unit, c.page) for c in _high(doc))
    assert got == Counter({("培训人次", "500", "人次", 1): 1, ("培训人次", "620", "人次", 1): 1,
                           ("满意度", "90", "%", 1): 1, ("满意度", "96", "%", 1): 1})
