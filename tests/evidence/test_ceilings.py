"""Ceilings on parsing evidence (issue 20): the checks before opening refuse bombs in well under a second,
the child stops at its memory limit and is replaced for the next file, what one file yields is capped, and
each refusal is the file's own error naming the limit."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from desktop.evidence import text as textmod
from desktop.evidence.isolation import IsolatedExtractor
from desktop.parsing import limits as limitsmod
from desktop.parsing.child import TEST_HOOKS_ENV
from desktop.parsing.limits import Limits
from desktop.text.messages import ingest_error_text
from tests import hostile_files as H
from tests.evidence.helpers import cli


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    return {"docx": H.docx_bomb(d / "情况说明.docx"), "xlsx": H.xlsx_bomb(d / "台账.xlsx")}


@pytest.fixture
def limits(monkeypatch):
    """Set this process's limits (what the parsing child gets from its environment)."""

    def set_(**kw) -> Limits:
        lim = Limits(**kw)
        monkeypatch.setattr(limitsmod, "_current", lim)
        return lim

    return set_


def test_the_bombs_are_small_on_disk_and_inflate_to_600_mb(bombs):
    import zipfile

    for path in bombs.values():
        assert 1.4 * H.MB < path.stat().st_size < 2.3 * H.MB
        with zipfile.ZipFile(path) as zf:
            assert sum(i.file_size for i in zf.infolist()) >= 600 * H.MB


@pytest.mark.parametrize("ext", ["docx", "xlsx"])
def test_a_bomb_is_refused_before_it_is_opened(bombs, ext):
    t = time.monotonic()
    ex = textmod.extract(bombs[ext], ext)
    assert time.monotonic() - t < 1.0
    assert (ex.status, ex.error, ex.numbers, ex.units) == ("error", "zip_bomb", [], [])
    assert "疑似压缩炸弹" in ex.detail and "parse.zip_" in ex.detail
    words = ingest_error_text(ex.error, ex.detail)
    assert words.startswith("疑似压缩炸弹") and "超过上限" in words and "其他文件不受影响" in words


def test_each_zip_limit_is_named(tmp_path, limits):
    bomb = H.docx_bomb(tmp_path / "b.docx", inflated_mb=40)  # ratio ~300 on a 40 MB member
    assert textmod.extract(bomb, "docx").detail.endswith("（设置 parse.zip_ratio）")
    limits(zip_ratio=10000, zip_unpacked_mb=20)
    ex = textmod.extract(bomb, "docx")
    assert ex.error == "zip_bomb" and re.search(r"解压后总大小 4[01](\.\d)? MB，超过上限 20 MB", ex.detail)
    limits(zip_members=100)
    many = tmp_path / "many.docx"
    import zipfile

    with zipfile.ZipFile(many, "w") as zf:
        for i in range(101):
            zf.writestr(f"word/media/{i}.xml", "<a/>")
    ex = textmod.extract(many, "docx")
    assert ex.error == "zip_bomb" and "parse.zip_members" in ex.detail and "101" in ex.detail


@pytest.mark.parametrize("make", [H.xlsx_merged_everything, H.xlsx_far_cell])
def test_a_sheet_spanning_the_whole_grid_is_refused_at_once(tmp_path, make):
    path = make(tmp_path / "x.xlsx")
    assert path.stat().st_size < 5000
    t = time.monotonic()
    ex = textmod.extract(path, "xlsx")
    assert time.monotonic() - t < 1.0
    assert (ex.status, ex.error) == ("error", "xlsx_too_large")
    assert "17,179,869,184" in ex.detail and "parse.xlsx_cells" in ex.detail  # 1,048,576 × 16,384


def test_a_million_cell_workbook_streams_and_stops_at_the_numbers_cap(tmp_path, limits):
    limits(max_numbers=5000)
    path = H.xlsx_cells(tmp_path / "big.xlsx", rows=1000, cols=1000)
    t = time.monotonic()
    ex = textmod.extract(path, "xlsx")
    assert time.monotonic() - t < 20  # ~1.5 s when the machine is idle
    assert (ex.status, ex.error) == ("error", "too_many_numbers")
    assert "5,000" in ex.detail and "parse.max_numbers" in ex.detail
    limits()  # the default cap (200,000): a smaller ledger is read as before
    small = textmod.extract(H.xlsx_cells(tmp_path / "small.xlsx", rows=20, cols=5), "xlsx")
    assert small.status == "done" and len(small.numbers) == 100


def test_a_docx_with_more_numbers_than_the_cap_is_an_error_not_ready(tmp_path, limits):
    import docx

    d = docx.Document()
    for i in range(300):
        d.add_paragraph(f"第 {i} 项：追回 {i}.5 万元，核查 {i * 7} 条")
    d.save(tmp_path / "n.docx")
    assert textmod.extract(tmp_path / "n.docx", "docx").status == "done"
    limits(max_numbers=100)
    ex = textmod.extract(tmp_path / "n.docx", "docx")
    assert (ex.status, ex.error, ex.numbers) == ("error", "too_many_numbers", [])


def test_images_over_the_pixel_limit_and_pdfs_over_the_page_limit(tmp_path, limits):
    from fpdf import FPDF
    from PIL import Image

    Image.new("RGB", (2000, 1000), "white").save(tmp_path / "wide.png")
    pdf = FPDF()
    for i in range(12):
        pdf.add_page()
    pdf.output(str(tmp_path / "long.pdf"))
    limits(image_megapixels=1, pdf_pages=10)
    ex = textmod.extract(tmp_path / "wide.png", "png")
    assert ex.error == "image_too_large" and "2 百万像素，超过上限 1 百万像素" in ex.detail
    ex = textmod.extract(tmp_path / "long.pdf", "pdf")
    assert ex.error == "too_many_pages" and "12 页，超过上限 10 页" in ex.detail


def test_the_child_stops_at_its_memory_limit_and_the_next_file_gets_a_fresh_one(tmp_path):
    (tmp_path / "a.txt").write_text("追回资金 658.83 万元", encoding="utf-8")
    ex = IsolatedExtractor(timeout=60, limits=Limits(memory_mb=256), extra_env={TEST_HOOKS_ENV: "1"})
    try:
        t = time.monotonic()
        status, _ = ex.ask_raw("eat")
        assert status == "memory" and time.monotonic() - t < 20
        assert ex.children_started == 1
        got = ex(tmp_path / "a.txt", "txt")
        assert got.status == "done" and [str(n.value) for n in got.numbers] == ["658.83"]
        assert ex.children_started == 2
    finally:
        ex.close()


def test_a_file_that_outgrows_the_memory_limit_gets_its_own_error(tmp_path):
    """Past the checks (they are raised here), python-docx builds the tree of 120 MB of XML: over 256 MB."""
    bomb = H.docx_bomb(tmp_path / "big.docx", inflated_mb=120)
    (tmp_path / "ok.txt").write_text("核查 21099 条", encoding="utf-8")
    lim = Limits(memory_mb=256, zip_ratio=10000, zip_unpacked_mb=1000)
    ex = IsolatedExtractor(timeout=120, limits=lim)
    try:
        got = ex(bomb, "docx")
        assert (got.status, got.error) == ("error", "memory_limit")
        assert "超出内存上限" in got.detail and "256 MB" in got.detail and "parse.memory_mb" in got.detail
        assert ex(tmp_path / "ok.txt", "txt").status == "done"  # a fresh child for the next file
    finally:
        ex.close()


def test_ingest_wait_puts_each_bomb_in_its_own_error_and_goes_on(tmp_path, bombs):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    for path in bombs.values():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "说明.txt").write_text("追回资金 658.83 万元", encoding="utf-8")
    ws = tmp_path / "ws"
    cli("init", str(ws), "--watch", str(folder))
    t = time.monotonic()
    res = cli("ingest", str(ws), "--wait", "--json", check=None, timeout=120)
    elapsed = time.monotonic() - t
    assert elapsed < 60, elapsed
    st = json.loads(cli("status", str(ws), "--json").stdout)
    by_name = {Path(e["paths"][0]).name: e for e in st["evidence"]}
    assert by_name["说明.txt"]["text_status"] == "done"
    for path in bombs.values():
        e = by_name[path.name]
        assert (e["status"], e["text_status"]) == ("error", "error"), e
    assert res.returncode in (0, 1)
    from desktop.workspace import Workspace

    w = Workspace.open(ws)
    try:
        rows = w.db.query("SELECT name, error, error_detail FROM evidence WHERE status = 'error'")
        assert {r["name"] for r in rows} == {p.name for p in bombs.values()}
        assert all(r["error"] == "zip_bomb" and "疑似压缩炸弹" in r["error_detail"] for r in rows)
        assert w.db.scalar("SELECT count(*) FROM evidence_numbers WHERE evidence_id IN"
                           " (SELECT id FROM evidence WHERE status = 'error')") == 0
    finally:
        w.close()


def test_every_xml_read_is_defused(tmp_path):
    """openpyxl reads through defusedxml (a dependency now), python-docx's lxml parser does not resolve
    entities: a workbook with a billion-laughs DTD is refused as corrupt, nothing expanded."""
    import openpyxl
    from docx.oxml.parser import oxml_parser

    from lxml import etree
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True and functions.iterparse.__module__.startswith("defusedxml")
    root = etree.fromstring(b'<!DOCTYPE a [<!ENTITY e "EXPANDED">]><a>&e;</a>', oxml_parser)
    assert "EXPANDED" not in etree.tostring(root).decode().split("]>")[-1]
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i else "")) * 10}">' for i in range(1, 10))
              + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    path = H._xlsx(tmp_path / "lol.xlsx", laughs.encode())
    t = time.monotonic()
    ex = textmod.extract(path, "xlsx")
    assert time.monotonic() - t < 2
    assert (ex.status, ex.error, ex.numbers, ex.units) == ("error", "xlsx_corrupt", [], [])


def test_limits_are_set_once_per_child_and_new_settings_take_a_new_child(tmp_path):
    (tmp_path / "a.txt").write_text("核查 21099 条", encoding="utf-8")
    ex = IsolatedExtractor(limits=Limits())
    try:
        for _ in range(3):
            assert ex(tmp_path / "a.txt", "txt").status == "done"
        assert ex.children_started == 1  # one child for every file: no set-up per file
        ex.set_limits(Limits(max_numbers=1000))
        assert ex(tmp_path / "a.txt", "txt").status == "done"
        assert ex.children_started == 2 and ex.timeout == 180
    finally:
        ex.close()


def test_the_sheet_scan_finds_the_used_range(tmp_path):
    import zipfile

    from desktop.parsing.precheck import sheet_extent

    def extent(path):
        with zipfile.ZipFile(path) as zf:
            return sheet_extent(zf, "xl/worksheets/sheet1.xml")

    assert extent(H.xlsx_cells(tmp_path / "a.xlsx", rows=30, cols=40)) == (30, 40, 1200)
    assert extent(H.xlsx_merged_everything(tmp_path / "m.xlsx")) == (1_048_576, 16_384, 1)
    assert extent(H.xlsx_far_cell(tmp_path / "f.xlsx")) == (1_048_576, 16_384, 1)
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["C7"] = 1
    wb.active.merge_cells("B2:E3")
    wb.save(tmp_path / "o.xlsx")
    assert extent(tmp_path / "o.xlsx")[:2] == (7, 5)
