"""The review mode's preview of a workbook or a .docx reads the linked file under the ingest's ceilings
(desktop.review.preview): a bomb, a sheet spanning the whole grid or a malformed file gives a refusal with
its words within the time limit; ordinary files give the sheet window and the text as before."""

from __future__ import annotations

import time

import pytest

from desktop.parsing.guarded import Refused
from desktop.parsing.limits import Limits
from desktop.review.preview import PreviewReader, SheetWindow, parse_locator
from desktop.text.review import preview_refused_text
from tests import hostile_files as H


@pytest.fixture
def reader():
    r = PreviewReader(Limits())
    yield r
    r.close()


@pytest.mark.parametrize("make, ext, code", [(H.docx_bomb, "docx", "zip_bomb"), (H.xlsx_bomb, "xlsx", "zip_bomb"),
                                             (H.xlsx_merged_everything, "xlsx", "xlsx_too_large"),
                                             (H.xlsx_far_cell, "xlsx", "xlsx_too_large")])
def test_hostile_files_are_refused_at_once_with_words(reader, tmp_path, make, ext, code):
    path = make(tmp_path / f"x.{ext}")
    t = time.monotonic()
    got = reader.read(path, ext, "Sheet1!A1" if ext == "xlsx" else "追回资金", "658.83")
    assert time.monotonic() - t < 1.0  # the checks: nothing inflated, no child started
    assert isinstance(got, Refused) and got.code == code
    words = preview_refused_text(got.detail)
    assert words.startswith("无法预览这份文件：") and "超过上限" in words and "（设置 parse." in words
    assert reader.parser.children_started == 0


def test_a_malformed_docx_is_a_refusal(reader, tmp_path):
    bad = tmp_path / "bad"  # a store object: no extension
    bad.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 200)
    got = reader.read(bad, "docx", None)
    assert isinstance(got, Refused) and got.code == "corrupt"
    assert "文件已损坏" in preview_refused_text(got.detail)


def test_a_docx_past_the_checks_stops_at_the_memory_limit_within_the_time_limit(tmp_path):
    bomb = H.docx_bomb(tmp_path / "big", inflated_mb=120)
    reader = PreviewReader(Limits(memory_mb=256, zip_ratio=10000, zip_unpacked_mb=1000, timeout_s=60))
    try:
        t = time.monotonic()
        got = reader.read(bomb, "docx", "追回资金")
        elapsed = time.monotonic() - t
        assert isinstance(got, Refused) and got.code == "memory_limit" and "256 MB" in got.detail
        assert elapsed < 60, elapsed
    finally:
        reader.close()


def test_a_preview_that_takes_too_long_is_cut_at_the_time_limit(tmp_path):
    """The time limit holds for a workbook whose reading never ends (here: the limit lowered below what
    reading a 1,000 × 1,000 sheet to find a number takes)."""
    path = H.xlsx_cells(tmp_path / "big", rows=1000, cols=1000)
    reader = PreviewReader(Limits(xlsx_cells=100_000_000, timeout_s=5), timeout=0.5)
    try:
        t = time.monotonic()
        got = reader.read(path, "xlsx", None, "no such number anywhere")
        elapsed = time.monotonic() - t
        assert isinstance(got, Refused) and got.code == "extract_timeout", got
        assert elapsed < 5, elapsed
    finally:
        reader.close()


def test_ordinary_files_read_as_before(reader, tmp_path):
    import docx
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    for r in range(1, 30):
        ws.cell(r, 1, f"第{r}行")
    ws["D12"] = 658.83
    wb.save(tmp_path / "t.xlsx")
    got = reader.read(tmp_path / "t.xlsx", "xlsx", "台账!D12")
    assert isinstance(got, SheetWindow) and got.title == "台账" and got.target == (12, 4)
    assert got.rows[12 - got.first][3] == "658.83"
    found = reader.read(tmp_path / "t.xlsx", "xlsx", None, "658.83")
    assert found.target == (12, 4)
    d = docx.Document()
    d.add_paragraph("合计：14 次")
    d.save(tmp_path / "d.docx")
    assert reader.read(tmp_path / "d.docx", "docx", "合计") == "合计：14 次"
    assert reader.read(tmp_path / "d.docx", "pdf", None) is None  # not this reader's kind
    assert reader.parser.children_started == 1  # one child kept for every preview


def test_locators_parse_as_before():
    assert parse_locator("第 3 页").page == 3
    loc = parse_locator("台账!$D$12")
    assert (loc.kind, loc.sheet, loc.column, loc.row) == ("cell", "台账", 4, 12)
    assert parse_locator("合计：14 次").kind == "quote"


def test_a_pdf_or_picture_the_ingest_found_unsafe_is_not_opened_in_the_app():
    from desktop.review.preview import ingest_refusal

    detail = "页数过多：PDF 页数 12 页，超过上限 10 页（设置 parse.pdf_pages）"
    assert ingest_refusal("pdf", "error", "too_many_pages", detail) == detail
    assert "解析程序意外退出" in ingest_refusal("PDF", "error", "extract_crashed", "the parsing process died")
    assert ingest_refusal("png", "error", "image_too_large", None).startswith("图片尺寸过大")
    assert ingest_refusal("pdf", "error", "pdf_corrupt", "x") is None  # Qt says what is wrong with it
    assert ingest_refusal("pdf", "ready", None, None) is None
    assert ingest_refusal("xlsx", "error", "zip_bomb", detail) is None  # read under the ceilings anyway
