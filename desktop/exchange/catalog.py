"""``目录.xlsx``: the 对照表 — one row per link in report order, the gaps in their place — and a
completeness sheet per report and section (openpyxl)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.exchange.plan import ClaimEntry, Plan
from desktop.text import exchange as T

WIDTHS = (7, 10, 24, 48, 14, 9, 36, 18, 9, 44, 13, 30)
PERCENT_FORMAT = "0.0%"


def value_text(claim: dict[str, Any]) -> str:
    value = claim.get("value_raw") or claim.get("value") or ""
    return f"{value}{claim.get('unit') or ''}"


def part_text(claim: dict[str, Any]) -> str:
    return claim.get("part") or ""


def catalog_rows(plan: Plan, pages: dict[int, int] | None = None) -> list[dict[str, Any]]:
    """The rows of sheet 目录, as dicts keyed by header name (plus ``link``: the member to link to)."""
    pages = pages or {}
    rows: list[dict[str, Any]] = []
    for entry in plan.claims:
        c = entry.claim
        base = {"序号": entry.seq, "部分": part_text(c), "章节": c.get("section") or "", "指标": entry.text,
                "数值与单位": value_text(c), "审核状态": T.review_text(entry.review),
                "审核意见": entry.comment or ""}
        if entry.evidence:
            for eid, locator in entry.evidence:
                f = plan.files[eid]
                rows.append({**base, "佐证编号": f.number, "佐证材料": f.name, "位置": locator or "",
                             "汇编页码": pages.get(eid, ""), "包内路径": f.path, "link": f.path})
        else:
            text = T.MISSING if c["needs_evidence"] else T.not_required_text(c.get("no_evidence_reason"))
            rows.append({**base, "佐证编号": "", "佐证材料": text, "位置": "", "汇编页码": "", "包内路径": "",
                         "link": None})
    return rows


def _claim_gap(entry: ClaimEntry) -> bool:
    return not entry.evidence and bool(entry.claim["needs_evidence"])


def write_catalog(plan: Plan, dest: Path, pages: dict[int, int] | None = None) -> int:
    """Write ``目录.xlsx`` to ``dest``; return the number of rows on the first sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = T.CATALOG_SHEET
    ws.append(list(T.CATALOG_HEADER))
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F3")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = head_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    red = Font(color="C00000")
    link_font = Font(color="0563C1", underline="single")
    wrap = Alignment(vertical="top", wrap_text=True)
    rows = catalog_rows(plan, pages)
    path_col = T.CATALOG_HEADER.index("包内路径") + 1
    material_col = T.CATALOG_HEADER.index("佐证材料") + 1
    # cells are made one by one (ws[r] and ws.max_row scan every cell of the sheet: quadratic)
    for r, row in enumerate(rows, 2):
        for c, h in enumerate(T.CATALOG_HEADER, 1):
            ws.cell(row=r, column=c, value=row[h]).alignment = wrap
        if row["link"]:
            cell = ws.cell(row=r, column=path_col)
            cell.hyperlink = row["link"]  # relative: opens the member once the package is unpacked
            cell.font = link_font
        elif row["佐证材料"] == T.MISSING:
            ws.cell(row=r, column=material_col).font = red
    last = get_column_letter(len(T.CATALOG_HEADER))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
    for i, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    sheet = wb.create_sheet(T.COMPLETENESS_SHEET)
    sheet.append(list(T.COMPLETENESS_HEADER))
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = head_fill
    for r, s in enumerate(plan.sections, 2):
        c = s.counts
        rate = (Decimal(c.with_evidence) / Decimal(c.claims)).quantize(Decimal("0.0001")) if c.claims else Decimal(1)
        values = [s.report, s.section or T.WHOLE_REPORT, c.claims, c.with_evidence, c.without_evidence,
                  c.value_not_found, c.evidence_superseded, c.not_required, rate]
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row=r, column=col, value=value)
            if s.section is None:
                cell.font = bold
        cell.number_format = PERCENT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(T.COMPLETENESS_HEADER))}{len(plan.sections) + 1}"
    for i, width in enumerate((36, 36, 8, 9, 8, 11, 13, 9, 9), 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.print_title_rows = "1:1"
    wb.save(dest)
    return len(rows)
