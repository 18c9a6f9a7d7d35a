"""Readers on real generated files: txt encodings, PDF (wraps, running header, footers, pages,
scans, encryption), DOCX (body order, header/footer out), bad input → DeskError codes in Chinese."""

from __future__ import annotations

import zipfile
from collections import Counter

import pytest

from desktop.claims.extractor import extract
from desktop.claims.readers import format_cell, read_report
from desktop.errors import DeskError
from desktop.text.messages import ERRORS, error_text, warning_text
from tests.claims.makefiles import make_image_pdf, plain_lines, wrap
from tests.claims.score import score_claims


def _high(doc):
    return [c for c in extract(doc) if c.confidence == "high"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_text_encodings_read_the_same(tmp_path, sample_text, encoding):
    f = tmp_path / "报告.txt"
    f.write_bytes(sample_text.encode(encoding))
    doc = read_report(f)
    assert doc.text == sample_text
    assert len(_high(doc)) == 67
    assert bool(doc.warnings) == (encoding in ("gb18030", "gbk"))
    if doc.warnings:
        assert "GBK" in warning_text(doc.warnings[0])


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_pdf_with_wraps_headers_and_footers(generated, sample_gold):
    doc = read_report(generated["pdf"])
    assert doc.format == "pdf"
    assert "- 3 -" not in doc.text and "公开版" not in doc.text
    s = score_claims("pdf", extract(doc), sample_gold)
    assert s.precision >= 0.95 and s.recall >= 0.95, (s.missing, s.extra)


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
@pytest.mark.parametrize("footer", ["第 {n} 页", "第{n}页 共{total}页", "{n} / {total}", "{n}"])
def test_page_number_footers_are_removed(tmp_path, footer):
    from tests.claims.makefiles import make_pdf

    text = "\n".join(f"第{i}段：全年共核查疑点数据 {21000 + i} 条，追回待遇 {i}.5 万元。" for i in range(1, 90))
    f = tmp_path / "f.pdf"
    make_pdf(text, f, footer=footer, header="某局绩效自评报告")
    doc = read_report(f)
    lines = doc.text.splitlines()
    assert not any(ln.strip().startswith(("第 1 页", "第1页", "1 / ")) or ln.strip() == "2" for ln in lines)
    assert "某局绩效自评报告" not in doc.text
    high = _high(doc)
    assert len(high) == 2 * 89 and not [c for c in extract(doc) if c.confidence != "high"]


def _expected_pages(text: str, width: int = 34, per_page: int = 38) -> Counter:
    """(value, unit, page) of every claim in the source text, paged the way make_pdf pages it."""
    lines = plain_lines(text)
    first_line_of: list[int] = []
    n = 0
    for s, _ in lines:
        first_line_of.append(n)
        n += len(wrap(s, width))
    out: Counter = Counter()
    src_lines = [ln for ln in text.splitlines()]
    plain = [s for s, _ in lines]
    from desktop.claims.document import Document

    claims = [c for c in extract(Document("s", "txt", text)) if c.confidence == "high"]
    for c in claims:
        line_no = text.count("\n", 0, c.start)
        line = src_lines[line_no].strip()
        k = next(i for i, p in enumerate(plain) if p == line.lstrip("#").strip().replace("**", "").strip())
        col = plain[k].find(c.quote)
        assert col >= 0
        page = (first_line_of[k] + col // width) // per_page + 1
        out[(c.value, c.unit, page)] += 1
    return out


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_every_pdf_claim_carries_its_page(generated, sample_text):
    doc = read_report(generated["pdf"])
    got = Counter((c.value, c.unit, c.page) for c in _high(doc))
    expected = _expected_pages(sample_text)
    assert len(set(p for _, _, p in expected)) >= 5  # the claims do spread over pages
    assert got == expected


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_docx_body_order_without_header_and_footer(generated, sample_gold):
    doc = read_report(generated["docx"])
    assert "2099" not in doc.text and "8888" not in doc.text  # header / footer left out
    assert any(s.kind == "heading" for s in doc.spans)
    s = score_claims("docx", extract(doc), sample_gold)
    assert s.precision >= 0.95 and s.recall >= 0.95, (s.missing, s.extra)


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_image_only_pdf_is_refused_as_scanned(tmp_path):
    f = tmp_path / "扫描件.pdf"
    make_image_pdf(f, pages=2)
    with pytest.raises(DeskError) as e:
        read_report(f)
    assert e.value.code == "report.scanned"
    assert "OCR" in error_text(e.value.code, e.value.params)


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_a_scanned_page_among_text_pages_is_reported(tmp_path):
    f = tmp_path / "部分扫描.pdf"
    make_image_pdf(f, pages=1, with_text_page=True)
    doc = read_report(f)
    assert doc.warnings == [{"code": "report.scanned_page", "page": 1}]
    assert "扫描页，需 OCR" in warning_text(doc.warnings[0])
    assert {(c.value, c.page) for c in _high(doc)} == {("21099", 2), ("658.83", 2)}


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_encrypted_pdf(tmp_path, generated):
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for p in PdfReader(str(generated["pdf"])).pages:
        w.add_page(p)
    w.encrypt(user_password="secret", owner_password="owner")
    f = tmp_path / "加密.pdf"
    with open(f, "wb") as fh:
        w.write(fh)
    with pytest.raises(DeskError) as e:
        read_report(f)
    assert e.value.code == "report.encrypted"


def _corrupt_docx(tmp_path):
    good = tmp_path / "good.docx"
    from docx import Document

    Document().save(str(good))
    truncated = tmp_path / "截断.docx"
    truncated.write_bytes(good.read_bytes()[:300])
    renamed = tmp_path / "照片.docx"
    renamed.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    no_body = tmp_path / "空壳.docx"
    with zipfile.ZipFile(no_body, "w") as z:
        z.writestr("hello.txt", "不是 Word 文件")
    return [truncated, renamed, no_body]


def test_corrupt_and_renamed_docx(tmp_path):
    for f in _corrupt_docx(tmp_path):
        with pytest.raises(DeskError) as e:
            read_report(f)
        assert e.value.code == "report.corrupt", f.name
        assert f.name in error_text(e.value.code, e.value.params)


@pytest.mark.parametrize("name,data,code", [
    ("空.txt", b"", "report.empty"),
    ("空白.md", b"\xef\xbb\xbf  \n\n", "report.empty"),
    ("空.pdf", b"", "report.empty"),
    ("空.docx", b"", "report.empty"),
    ("空.xlsx", b"", "report.empty"),
    ("二进制.txt", b"\x00\x01\x02PK\x03\x04" * 50, "report.binary"),
    ("坏.pdf", b"%PDF-1.7\n garbage garbage", "report.corrupt"),
    ("不是.pdf", b"just some text", "report.corrupt"),
    ("坏.xlsx", b"PK\x03\x04 not really", "report.corrupt"),
    ("旧版.doc", b"\xd0\xcf\x11\xe0", "report.legacy_format"),
    ("加密.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "report.encrypted_office"),
    ("加密.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "report.encrypted_office"),
    ("报告.rtf", b"{\\rtf1}", "report.unsupported_format"),
])
def test_bad_input_gets_a_code_with_chinese_text(tmp_path, name, data, code):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(DeskError) as e:
        read_report(f)
    assert e.value.code == code
    assert code in ERRORS
    text = error_text(e.value.code, e.value.params)
    assert "?" not in text and any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_xlsx_values_render_as_the_user_sees_them():
    assert format_cell(0.955, "0.00%") == "95.50%"
    assert format_cell(1, "0%") == "100%"
    assert format_cell(658.83, "#,##0.00") == "658.83"
    assert format_cell(6588300, "#,##0.00") == "6,588,300.00"
    assert format_cell(0.1 + 0.2, "General") == "0.30000000000000004"[:3] or format_cell(0.1 + 0.2) != ""
    assert format_cell(12.0) == "12"
    assert format_cell(None) == ""


def test_xlsx_formulas_without_cached_values_are_reported(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["三级指标", "年度指标值", "实际完成值"])
    ws.append(["培训人次", "≥500人次", "=300+320"])
    wb.save(tmp_path / "公式.xlsx")
    doc = read_report(tmp_path / "公式.xlsx")
    assert doc.warnings == [{"code": "report.formulas_not_calculated", "sheet": "自评表", "cells": 1}]
    assert "Excel" in warning_text(doc.warnings[0])
