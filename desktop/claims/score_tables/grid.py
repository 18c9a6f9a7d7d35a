"""Score tables from tables that kept their grid: xlsx sheets, docx tables, PDF tables found by
pdfplumber (``Document.tables``: rows of cells with offsets, None where a merged cell continues).

Columns get their role from the header row (two header rows are combined column by column: 绩效指标 over
一级 / 二级 / 三级指标, 年度指标值 over 指标性质 / 指标值 / 度量单位); a 一级 / 二级指标 cell merged down
its rows is inherited by each of them. A sheet may hold the whole form: basic facts, the budget block,
the goals and the indicator block, one after another; each block is read under its own header.
"""

from __future__ import annotations

import re
from typing import Any

from desktop.claims.score_tables import cells as C
from desktop.claims.score_tables import vocab as V
from desktop.claims.score_tables.rows import (
    Cell, Context, build_budget, build_indicator, grade_of, header_unit, is_total_label,
)
from desktop.claims.scoretable import Figure, Location, ScoreTable

AMOUNT_ROLES = (V.B_START, V.B_FULL, V.B_EXEC)
VALUE_ROLES = (V.TARGET, V.TVALUE, V.ACTUAL, V.SCORE)
_SHEET_UNIT = re.compile(r"(?:金额)?单位\s*[:：]\s*(?P<unit>万元|元|亿元|千元)")
_WEIGHT_IN_HEADER = re.compile(r"[(（]\s*(?P<w>[0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]")


def _cells(table: dict[str, Any]) -> list[list[Cell | None]]:
    page = table.get("page")
    out = []
    for row in table["rows"]:
        out.append([None if c is None else Cell(c["text"], c["start"], c["end"], c.get("ref"), page) for c in row])
    return out


def indicator_header_roles(row: list[Cell | None]) -> dict[int, str]:
    return {i: r for i, c in enumerate(row) if c is not None and (r := V.indicator_role(c.text))}


def budget_header_roles(row: list[Cell | None]) -> dict[int, str]:
    return {i: r for i, c in enumerate(row) if c is not None and (r := V.budget_role(c.text))}


def is_indicator_header(roles: dict[int, str]) -> bool:
    kinds = set(roles.values())
    return len(roles) >= 3 and bool(kinds & {V.NAME, V.L1, V.L2, V.GROUP_INDICATOR}) and bool(
        kinds & {V.TARGET, V.TVALUE, V.ACTUAL, V.SCORE, V.NATURE})


def is_subheader(roles: dict[int, str]) -> bool:
    return len(roles) >= 2 and bool(set(roles.values()) & {V.L1, V.L2, V.NAME, V.NATURE, V.TVALUE, V.UNITCOL})


def is_budget_header(roles: dict[int, str]) -> bool:
    kinds = list(roles.values())
    amounts = [k for k in kinds if k in AMOUNT_ROLES]
    return len(set(amounts)) >= 2 or (len(amounts) == 1 and V.B_RATE in kinds)


def finish_roles(roles: dict[int, str]) -> dict[int, str]:
    """Settle what the header leaves open: a 指标值 column is the target when there is no 指标性质 or
    度量单位 column beside it; 绩效指标 names the indicator when no 三级指标 column does."""
    kinds = set(roles.values())
    out = dict(roles)
    if V.TVALUE in kinds and not kinds & {V.NATURE, V.UNITCOL} and V.TARGET not in kinds:
        out = {i: (V.TARGET if r == V.TVALUE else r) for i, r in out.items()}
    if V.NAME not in kinds and V.GROUP_INDICATOR in kinds:
        out = {i: (V.NAME if r == V.GROUP_INDICATOR else r) for i, r in out.items()}
    out = {i: r for i, r in out.items() if r != V.GROUP_INDICATOR}
    # the same role twice (得分 over two columns): keep the first
    seen: set[str] = set()
    for i in sorted(out):
        if out[i] in seen:
            del out[i]
        else:
            seen.add(out[i])
    return out


def _row_text(row: list[Cell | None]) -> str:
    return " ".join(c.text for c in row if c is not None and c.text)


def _nonempty(row: list[Cell | None]) -> list[tuple[int, Cell]]:
    return [(i, c) for i, c in enumerate(row) if c is not None and c.text.strip()]


def _title(table: dict[str, Any], grid: list[list[Cell | None]], before: str) -> str | None:
    for row in grid[:6]:
        for c in row:
            if c is not None and re.search(r"自评表|评价表|评分表|自评情况表", c.text) and len(c.text) <= 60:
                return C.clean(c.text)
    for line in reversed([ln.strip() for ln in before.splitlines() if ln.strip()][-3:]):
        if re.search(r"自评表|评价表|评分表", line) and len(line) <= 60:
            return C.clean(line.strip("#* "))
    return table.get("title")


def read_grid(table: dict[str, Any], doc_text: str, source: str) -> ScoreTable | None:
    """A score table from one grid table, or None if it has neither an indicator nor a budget header."""
    grid = _cells(table)
    st = ScoreTable(page=table.get("page"), source=source)
    sheet = _SHEET_UNIT.search(" ".join(_row_text(r) for r in grid[:8]))
    sheet_unit = sheet.group("unit") if sheet else None
    mode = None
    roles: dict[int, str] = {}
    ctx = Context(sheet_unit=sheet_unit)
    level1 = level2 = None
    total_row: str | None = None
    header_weight: str | None = None
    r = 0
    while r < len(grid):
        row = grid[r]
        ind = indicator_header_roles(row)
        bud = budget_header_roles(row)
        if is_indicator_header(ind):
            roles = dict(ind)
            if r + 1 < len(grid):
                sub = indicator_header_roles(grid[r + 1])
                if is_subheader(sub) and not _has_data(grid[r + 1], sub):
                    roles.update(sub)
                    r += 1
            roles = finish_roles(roles)
            ctx = Context(header_units={role: u for i, role in roles.items()
                                        if (u := header_unit(_header_text(grid, r, i)))},
                          sheet_unit=sheet_unit, budget_unit=ctx.budget_unit,
                          has_weight_column=V.WEIGHT in roles.values())
            mode = "indicator"
            level1 = level2 = None
            r += 1
            continue
        if is_budget_header(bud) and not is_indicator_header(ind):
            roles = dict(bud)
            head = _row_text(row) + " " + " ".join(_row_text(x) for x in grid[max(0, r - 1):r])
            ctx.budget_unit = next((u for c in row if c is not None and (u := header_unit(c.text))
                                    and u.endswith("元")), None) or sheet_unit or ctx.budget_unit
            if ctx.budget_unit is None and re.search(r"[(（]\s*万元\s*[)）]", head):
                ctx.budget_unit = "万元"
            st.budget_unit = ctx.budget_unit
            w = _WEIGHT_IN_HEADER.search(C.nfkc(head))
            header_weight = w.group("w") if w and V.B_WEIGHT not in roles.values() else None
            mode = "budget"
            total_row = None
            r += 1
            continue
        cells = _nonempty(row)
        if not cells:
            r += 1
            continue
        first_key = C.key(cells[0][1].text)
        if mode == "indicator":
            if any(is_total_label(c.text) for _, c in cells[:2]):
                _total(st, cells)
                mode = None
            elif any(first_key.startswith(C.key(w).rstrip(":")) for w in V.END_WORDS):
                mode = None
            else:
                assigned: dict[str, Cell] = {}
                for i, role in roles.items():
                    c = row[i] if i < len(row) else None
                    if c is not None:
                        assigned[role] = c
                l1 = assigned.pop(V.L1, None)
                l2 = assigned.pop(V.L2, None)
                if l1 is not None and l1.text.strip():
                    if C.clean(l1.text) != level1:
                        level2 = None
                    level1 = C.clean(l1.text)
                if l2 is not None and l2.text.strip():
                    level2 = C.clean(l2.text)
                if any(c.text.strip() for k, c in assigned.items()):
                    st.indicators.append(build_indicator(assigned, level1, level2, ctx))
        elif mode == "budget":
            name_cell = next((c for i, c in cells if i not in roles and not C.parse_amount(c.text)
                              and not C.parse_figure(c.text) and not C.is_dash(c.text)
                              and not header_unit(c.text)), None)
            values = [c for i, c in cells if i in roles and (C.parse_amount(c.text) or C.parse_figure(c.text))]
            if name_cell is None or (not values and not V.is_budget_row_name(name_cell.text)):
                if name_cell is not None and not V.is_budget_row_name(name_cell.text):
                    mode = None
                    continue
                r += 1
                continue
            assigned = {role: row[i] for i, role in roles.items() if i < len(row) and row[i] is not None}
            assigned[V.B_NAME] = name_cell
            part_of = total_row if re.match(r"^(其中|[(（]?[0-9一二三][)）])", C.key(name_cell.text)) or total_row else None
            b = build_budget(assigned, ctx, part_of)
            if header_weight and total_row is None and b.weight is None:
                b.weight = Figure(raw=f"({header_weight}分)", text=header_weight, value=C.parse_figure(
                    header_weight).value)
            st.budget.append(b)
            if total_row is None:
                total_row = b.name
        else:
            _table_level_facts(st, cells)
        r += 1
    if not st.indicators and not st.budget:
        return None
    before = doc_text[max(0, (table.get("start") or 0) - 200):table.get("start") or 0]
    st.title = _title(table, grid, before)
    spans = [c for row in grid for c in row if c is not None]
    if spans:
        st.location = Location(min(c.start for c in spans), max(c.end for c in spans), table.get("page"),
                               table.get("ref"))
    return st


def _header_text(grid: list[list[Cell | None]], r: int, i: int) -> str:
    parts = []
    for rr in (r - 1, r):
        if 0 <= rr < len(grid) and i < len(grid[rr]) and grid[rr][i] is not None:
            parts.append(grid[rr][i].text)
    return " ".join(parts)


def _has_data(row: list[Cell | None], roles: dict[int, str]) -> bool:
    return any(c is not None and C.parse_quantity(c.text) for i, c in enumerate(row) if i not in roles)


def _total(st: ScoreTable, cells: list[tuple[int, Cell]]) -> None:
    """``总分 | 100 | 96 | 优``: the last number is the score (the first, when two, the weights' sum)."""
    figs = [(c, f) for _, c in cells if (f := C.parse_figure(c.text)) is not None]
    if figs:
        c, f = figs[-1]
        st.total_score = Figure(raw=C.clean(c.text), text=f.text, value=f.value, location=c.location())
    for _, c in cells:
        g = grade_of(c.text)
        if g:
            st.grade = g


def _table_level_facts(st: ScoreTable, cells: list[tuple[int, Cell]]) -> None:
    """自评得分 / 自评总分 / 自评等级 stated outside the blocks (the form's head or foot)."""
    for k, (_, c) in enumerate(cells):
        kk = C.key(c.text)
        if is_total_label(c.text) and k + 1 < len(cells):
            f = C.parse_figure(cells[k + 1][1].text)
            if f is not None and st.total_score is None:
                st.total_score = Figure(raw=C.clean(cells[k + 1][1].text), text=f.text, value=f.value,
                                        location=cells[k + 1][1].location())
        if any(kk.startswith(w) for w in V.GRADE_WORDS) and k + 1 < len(cells):
            g = grade_of(cells[k + 1][1].text)
            if g:
                st.grade = g
