"""Evidence text and number extraction on real generated files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop.evidence import text as textmod
from desktop.evidence.indexing import index_evidence
from desktop.evidence.numbers import find_numbers
from desktop.evidence.service import register_file

DEMO = Path(__file__).resolve().parents[2] / "resources" / "samples" / "evidence"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("金额（小写）：¥6,588,300.00", [("6588300.00", "元", False)]),
        ("合计 21,099 条", [("21099", "条", False)]),
        ("约 2.1099万条", [("2.1099", "万条", False)]),
        ("覆盖率 89%，接续率１００％", [("89", "%", True), ("100", "%", True)]),
        ("日期：2024年12月27日 09:30", []),
        ("账号：2015 0211 0902 4567 891", []),
        ("回单编号：2024122700318856", []),
        ("湛财绩〔2025〕2号", []),
        ("313.53 亿元", [("313.53", "亿元", False)]),
        ("编号 0211", []),
        ("1,546.73\n项目支出", [("1546.73", None, False)]),
    ],
)
def test_find_numbers(text, expected):
    got = [(str(n.value), n.unit, n.is_percent) for n in find_numbers(text)]
    assert got == expected


def test_numbers_keep_their_written_precision():
    (n,) = find_numbers("6,588,300.00")
    assert n.value == Decimal("6588300") and str(n.value) == "6588300.00"
    assert isinstance(n.value, Decimal)


@pytest.mark.parametrize(
    "value,fmt,shown,number,percent",
    [
        (0.89, "0%", "89%", Decimal("89"), True),
        (0.8923, "0.00%", "89.23%", Decimal("89.23"), True),
        (658.825, "0.00", "658.83", Decimal("658.83"), False),  # Excel rounds half up, not to even
        (0.125, "0%", "13%", Decimal("13"), True),
        (6588300.0, "#,##0.00", "6,588,300.00", Decimal("6588300.00"), False),
        (21099, "#,##0", "21,099", Decimal("21099"), False),
        (21099, "General", "21099", Decimal("21099"), False),
        (658.83, "General", "658.83", Decimal("658.83"), False),
        (0.1 + 0.2, "General", "0.30000000000000004", Decimal("0.30000000000000004"), False),
        (1234.5, '"¥"#,##0.00_);[Red]("¥"#,##0.00)', "1,234.50", Decimal("1234.50"), False),
        ("21,099条", "General", "21,099条", None, False),
    ],
)
def test_format_cell_shows_what_excel_shows(value, fmt, shown, number, percent):
    assert textmod.format_cell(value, fmt) == (shown, number, percent)


def test_pdf_pages_and_numbers():
    ex = textmod.extract(DEMO / "2024年度部门决算报表（收入支出决算总表）.pdf")
    assert ex.status == "done" and ex.pages == 2
    assert [u.page for u in ex.units] == [1, 2]
    total = next(n for n in ex.numbers if n.value == Decimal("9137.21"))
    assert total.locator == "第 1 页" and total.page == 1 and "支出合计" in total.context


def test_xlsx_cells_have_sheet_locators_and_row_context():
    ex = textmod.extract(DEMO / "疑点数据核查台账2024.xlsx")
    total = next(n for n in ex.numbers if n.value == Decimal("21099"))
    assert total.locator == "台账!D12" and total.raw == "21,099"
    assert "合计" in total.context and "核查条数" in total.context


def test_docx_paragraphs_and_table_cells():
    ex = textmod.extract(DEMO / "党委会会议记录汇总2024.docx")
    assert any(n.value == 14 and n.locator.endswith("段") for n in ex.numbers)
    assert any(n.locator.startswith("表1 ") for n in ex.numbers)
    assert "第一议题" in ex.units[0].text


def test_image_without_ocr_says_so():
    ex = textmod.extract(DEMO / "镇村通服务网点现场照片.jpg")
    assert ex.status == ("no_ocr" if not textmod.ocr_available() else "done")


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("broken.pdf", b"%PDF-1.7\n1 0 obj\n<<", "pdf_corrupt"),
        ("broken.docx", b"PK\x03\x04not really a zip", "docx_corrupt"),
        ("broken.xlsx", b"\x00\x01\x02 binary", "xlsx_corrupt"),
        ("broken.jpg", b"\xff\xd8\xff\xe0 truncated", "image_corrupt"),
    ],
)
def test_bad_files_give_an_error_code_not_an_exception(tmp_path, name, data, code):
    p = tmp_path / name
    p.write_bytes(data)
    ex = textmod.extract(p)
    assert (ex.status, ex.error) == ("error", code)


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(DEMO / "指标3.1_追回待遇_银行回单.pdf"))
    writer.encrypt("secret")
    p = tmp_path / "locked.pdf"
    with open(p, "wb") as f:
        writer.write(f)
    ex = textmod.extract(p)
    assert (ex.status, ex.error) == ("error", "pdf_encrypted")


def test_gbk_text_file(tmp_path):
    p = tmp_path / "说明.txt"
    p.write_bytes("追回待遇 658.83 万元".encode("gbk"))
    ex = textmod.extract(p)
    assert ex.status == "done" and [(str(n.value), n.unit) for n in ex.numbers] == [("658.83", "万元")]


def test_index_evidence_stores_text_numbers_and_one_event(ws):
    r = register_file(ws, DEMO / "指标3.1_追回待遇_银行回单.pdf")
    before = ws.db.scalar("SELECT count(*) FROM events")
    res = index_evidence(ws, r.evidence_id)
    assert (res.status, res.text_status, res.pages) == ("ready", "done", 1)
    assert ws.db.scalar("SELECT count(*) FROM events") == before + 1
    row = ws.db.query_one("SELECT * FROM evidence_numbers WHERE evidence_id = ?", (r.evidence_id,))
    assert (row["value"], row["raw"], row["unit"], row["locator"]) == ("6588300.00", "6,588,300.00", "元", "第 1 页")
    hits = ws.db.query("SELECT evidence_id FROM evidence_text WHERE evidence_text MATCH ?", ('"追回多发"',))
    assert [h["evidence_id"] for h in hits] == [r.evidence_id]
    again = index_evidence(ws, r.evidence_id)  # re-indexing replaces, never duplicates
    assert again.numbers == res.numbers
    assert ws.db.scalar("SELECT count(*) FROM evidence_numbers") == res.numbers


@pytest.mark.parametrize("name", sorted(p.name for p in DEMO.iterdir()))
def test_every_demo_file_indexes_from_the_store(ws, name):
    """Store objects have no extension: every reader must work from the evidence's recorded type."""
    r = register_file(ws, DEMO / name)
    res = index_evidence(ws, r.evidence_id)
    assert res.status == "ready", res.error
    if not name.endswith(".jpg"):
        assert res.text_status == "done" and res.numbers > 0


def test_index_records_errors_on_the_evidence(ws, tmp_path):
    p = tmp_path / "坏.pdf"
    p.write_bytes(b"%PDF-1.4 truncated")
    r = register_file(ws, p)
    res = index_evidence(ws, r.evidence_id)
    row = ws.db.query_one("SELECT status, error, text_status FROM evidence WHERE id = ?", (r.evidence_id,))
    assert (res.status, row["status"], row["error"], row["text_status"]) == ("error", "error", "pdf_corrupt", "error")


def test_a_sheet_wide_unit_reaches_every_cell_context(tmp_path):
    """“单位：元” in a sheet's title rows is what the figures below it are in (unless a header says more)."""
    from openpyxl import Workbook

    from desktop.review.matching import header_unit

    wb = Workbook()
    ws = wb.active
    ws.title = "收支"
    ws.append(["2024年基金收支情况表", None, "单位：元"])
    ws.append(["项目", "金额", "户数（户）"])
    ws.append(["基金收入", 186000000.00, 1268])
    p = tmp_path / "收支表.xlsx"
    wb.save(p)
    ex = textmod.extract(p)
    money = next(n for n in ex.numbers if n.locator == "收支!B3")
    households = next(n for n in ex.numbers if n.locator == "收支!C3")
    assert header_unit(money.context).base == "元"
    assert header_unit(households.context).base == "户"  # the column's own unit wins



# --- sheet-wide units vs. organisation lines ("编制单位：…") in an XLSX's title rows ----------------


def _xlsx(tmp_path: Path, rows: list[list], sheet: str = "统计") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    p = tmp_path / f"{sheet}表.xlsx"
    wb.save(p)
    return p


def _unit(context: str | None) -> tuple | None:
    """The unit review will read for a cell from its context, as (scale, base)."""
    from desktop.review.matching import header_unit

    u = header_unit(context)
    return None if u is None else (int(u.scale), u.base)


def _cell(ex, locator: str):
    return next(n for n in ex.numbers if n.locator == locator)


WAN_YUAN, YUAN, HU, REN = (10_000, "元"), (1, "元"), (1, "户"), (1, "人")


@pytest.mark.parametrize(
    "title_cells,expected",
    [
        # organisation lines are not unit declarations, whatever their name starts with
        (["编制单位：XX市人社局"], None),
        (["填报单位：人社局"], None),  # 人 is a unit, 人社局 is not
        (["编制单位：户籍管理科", None, "填报日期：2025年1月10日"], None),
        (["参保单位：元亨公司"], None),
        (["填报单位（盖章）：XX市社会保险基金管理局"], None),
        # real declarations, alone or beside an organisation line
        (["单位：万元"], WAN_YUAN),
        (["金额单位：元"], YUAN),
        (["编制单位：XX市人社局", None, "单位：万元"], WAN_YUAN),
        (["填报单位：人社局   单位：万元"], WAN_YUAN),  # both in one cell
        (["（单位：万元）"], WAN_YUAN),
        (["单位：人民币万元"], WAN_YUAN),  # not 人
        (["计量单位：人"], REN),
        (["单位：元/人"], YUAN),  # as before: a per-head figure is still in 元
        (["单位：百万元"], (1_000_000, "元")),
    ],
)
def test_sheet_wide_unit_only_from_a_unit_declaration(tmp_path, title_cells, expected):
    p = _xlsx(tmp_path, [["2024年参保情况统计表"], title_cells, ["项目", "金额"], ["城镇职工", 658.83]])
    ex = textmod.extract(p)
    money = _cell(ex, "统计!B4")
    assert money.value == Decimal("658.83") and money.unit is None
    assert _unit(money.context) == expected, money.context
    assert "市人社局" not in money.context and "人社局" not in money.context.split("城镇职工")[0]


def test_organisation_lines_and_unit_columns_in_one_sheet(tmp_path):
    """The review case: 编制单位/填报单位 above the table, a sheet unit, and a 参保单位数（户） column."""
    p = _xlsx(tmp_path, [
        ["2024年机关事业单位养老保险参保情况统计表"],
        ["编制单位：XX市人社局", None, "填报单位：人社局", "单位：万元"],
        ["险种", "参保单位数（户）", "参保人数（人）", "征缴收入", "支出（元）"],
        ["机关事业单位养老保险", 1268, 157020, 65883.00, 1860000.00],
    ])
    ex = textmod.extract(p)
    units = {n.locator: _unit(n.context) for n in ex.numbers}
    assert units == {"统计!B4": HU, "统计!C4": REN, "统计!D4": WAN_YUAN, "统计!E4": YUAN}
    # the column header reaches the context even though it says 单位; the organisation lines do not
    households = _cell(ex, "统计!B4")
    assert "参保单位数（户）" in households.context and "编制单位" not in households.context


def test_unit_column_header_without_a_sheet_unit(tmp_path):
    p = _xlsx(tmp_path, [
        ["填报单位：人社局"],
        ["地区", "参保单位数（户）", "金额（万元）", "单位名称"],
        ["市本级", 1268, 658.83, "XX公司"],
    ])
    ex = textmod.extract(p)
    assert _unit(_cell(ex, "统计!B3").context) == HU
    assert _unit(_cell(ex, "统计!C3").context) == WAN_YUAN


def test_indexed_xlsx_numbers_carry_the_right_unit(ws, tmp_path):
    """What review reads back from evidence_numbers: the cell's context names its unit."""
    p = _xlsx(tmp_path, [
        ["2024年参保情况统计表"],
        ["编制单位：户籍管理科", None, "单位：万元"],
        ["项目", "参保单位数（户）", "金额"],
        ["城镇职工", 1268, 658.83],
    ])
    r = register_file(ws, p)
    res = index_evidence(ws, r.evidence_id)
    assert (res.status, res.text_status) == ("ready", "done")
    rows = ws.db.query("SELECT value, unit, locator, context FROM evidence_numbers WHERE evidence_id = ?",
                       (r.evidence_id,))
    got = {row["locator"]: (row["value"], row["unit"], _unit(row["context"])) for row in rows}
    assert got["统计!B4"] == ("1268", None, HU)
    assert got["统计!C4"] == ("658.83", None, WAN_YUAN)
