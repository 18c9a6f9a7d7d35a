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
    """Three column words or more, two of them amounts (or an amount and 执行率): 预算数 执行数 执行率. Two
    words alone are prose more often than a header (全年预算执行率)."""
    kinds = list(roles.values())
    amounts = [k for k in kinds if k in AMOUNT_ROLES]
    return len(kinds) >= 3 and (len(set(amounts)) >= 2 or (len(amounts) == 1 and V.B_RATE in kinds))


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
        if out[i] in seen and out[i] != V.UNREAD:  # columns left unread may be many
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


class GridReader:
    """Reads the grid tables of one document in order. A table that continues the one before (split
    across pages: no header of its own, as many columns) is read under the previous header; an
    indicator table right after a budget table (little text between, no new title) joins its form."""

    def __init__(self, doc_text: str, source: str):
        self.doc_text = doc_text
        self.source = source
        self.tables: list[ScoreTable] = []
        self.st: ScoreTable | None = None
        self.mode: str | None = None
        self.roles: dict[int, str] = {}
        self.ctx = Context()
        self.level1: str | None = None
        self.level2: str | None = None
        self.total_row: str | None = None
        self.header_weight: str | None = None
        self.ncols = 0
        self.last_end = 0

    def feed(self, table: dict[str, Any]) -> bool:
        """Read one table; True if it was (part of) a score table."""
        grid = _cells(table)
        if not grid:
            return False
        ncols = max(len(r) for r in grid)
        start = table.get("start") or 0
        gap = self.doc_text[self.last_end:start]
        continues = (self.st is not None and self.mode is not None and ncols == self.ncols
                     and not _starts_with_header(grid) and len(gap.strip()) <= 120)
        joins = (self.st is not None and _starts_with_header(grid) and len(gap.strip()) <= 300
                 and not re.search(r"自评表|评价表|评分表", gap))
        if not continues:
            self.mode = None
            if not joins:
                self.st = None
        sheet = _SHEET_UNIT.search(" ".join(_row_text(r) for r in grid[:8]))
        sheet_unit = sheet.group("unit") if sheet else self.ctx.sheet_unit if continues else None
        st = self.st or ScoreTable(page=table.get("page"), source=self.source)
        before = len(st.indicators) + len(st.budget)
        self._read_rows(grid, st, sheet_unit)
        if len(st.indicators) + len(st.budget) == before and st is not self.st:
            return False
        if st is not self.st:
            self.tables.append(st)
            st.title = _title(table, grid, self.doc_text[max(0, start - 200):start])
            st.location = Location(start, table.get("end"), table.get("page"), table.get("ref"))
        elif st.location is not None:
            st.location = Location(st.location.start, table.get("end"), st.location.page, st.location.ref)
        self.st = st
        self.ncols = ncols
        self.last_end = table.get("end") or start
        return True

    def _read_rows(self, grid: list[list[Cell | None]], st: ScoreTable, sheet_unit: str | None) -> None:
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
                self.roles = finish_roles(roles)
                self.ctx = Context(header_units={role: u for i, role in self.roles.items()
                                                 if (u := header_unit(_header_text(grid, r, i)))},
                                   sheet_unit=sheet_unit, budget_unit=self.ctx.budget_unit,
                                   has_weight_column=V.WEIGHT in self.roles.values())
                self.mode = "indicator"
                self.level1 = self.level2 = None
                r += 1
                continue
            if is_budget_header(bud) and not is_indicator_header(ind):
                self._budget_header(grid, r, bud, st, sheet_unit)
                r += 1
                continue
            cells = _nonempty(row)
            if not cells:
                r += 1
                continue
            if self.mode == "indicator":
                self._indicator_row(row, cells, st)
            elif self.mode == "budget":
                if not self._budget_row(row, cells, st):
                    continue  # the block ended: read the row again outside it
            else:
                _table_level_facts(st, cells)
            r += 1

    def _budget_header(self, grid, r, bud, st: ScoreTable, sheet_unit: str | None) -> None:
        row = grid[r]
        self.roles = dict(bud)
        head = _row_text(row) + " " + " ".join(_row_text(x) for x in grid[max(0, r - 1):r])
        self.ctx.budget_unit = next((u for c in row if c is not None and (u := header_unit(c.text))
                                     and u.endswith("元")), None) or sheet_unit or self.ctx.budget_unit
        if self.ctx.budget_unit is None and re.search(r"[(（]\s*万元\s*[)）]", head):
            self.ctx.budget_unit = "万元"
        st.budget_unit = self.ctx.budget_unit
        st.budget_columns.update({role: V.strip_annotations(C.key(row[i].text)) for i, role in self.roles.items()
                                  if row[i] is not None})
        w = _WEIGHT_IN_HEADER.search(C.nfkc(head))
        self.header_weight = w.group("w") if w and V.B_WEIGHT not in self.roles.values() else None
        self.mode = "budget"
        self.total_row = None

    def _indicator_row(self, row, cells, st: ScoreTable) -> None:
        first_key = C.key(cells[0][1].text)
        if any(is_total_label(c.text) for _, c in cells[:2]):
            _total(st, cells)
            self.mode = None
            return
        if any(first_key.startswith(C.key(w).rstrip(":")) for w in V.END_WORDS):
            self.mode = None
            return
        assigned: dict[str, Cell] = {}
        for i, role in self.roles.items():
            c = row[i] if i < len(row) else None
            if c is not None:
                assigned[role] = c
        l1 = assigned.pop(V.L1, None)
        l2 = assigned.pop(V.L2, None)
        if l1 is not None and l1.text.strip():
            if C.clean(l1.text) != self.level1:
                self.level2 = None
            self.level1 = C.clean(l1.text)
        if l2 is not None and l2.text.strip():
            self.level2 = C.clean(l2.text)
        if any(c.text.strip() for k, c in assigned.items()):
            st.indicators.append(build_indicator(assigned, self.level1, self.level2, self.ctx))

    def _budget_row(self, row, cells, st: ScoreTable) -> bool:
        """One budget line; False when the row is not one (the block has ended)."""
        roles = self.roles
        name_cell = next((c for i, c in cells if i not in roles and not C.parse_amount(c.text)
                          and not C.parse_figure(c.text) and not C.is_dash(c.text)
                          and not header_unit(c.text)), None)
        values = [c for i, c in cells if i in roles and (C.parse_amount(c.text) or C.parse_figure(c.text))]
        if name_cell is None or (not values and not V.is_budget_row_name(name_cell.text)):
            if name_cell is not None and not V.is_budget_row_name(name_cell.text):
                self.mode = None
                return False
            return True
        assigned = {role: row[i] for i, role in roles.items() if i < len(row) and row[i] is not None}
        assigned[V.B_NAME] = name_cell
        b = build_budget(assigned, self.ctx, self.total_row)
        b.name = C.clean(name_cell.text)
        if self.header_weight and self.total_row is None and b.weight is None:
            b.weight = Figure(raw=f"({self.header_weight}分)", text=self.header_weight,
                              value=C.parse_figure(self.header_weight).value)
        st.budget.append(b)
        if self.total_row is None:
            self.total_row = b.name
        return True


def _starts_with_header(grid: list[list[Cell | None]]) -> bool:
    for row in grid[:4]:
        if is_indicator_header(indicator_header_roles(row)) or is_budget_header(budget_header_roles(row)):
            return True
    return False


def read_grid(table: dict[str, Any], doc_text: str, source: str) -> ScoreTable | None:
    """A score table from one grid table alone (see :class:`GridReader` for a document's tables)."""
    reader = GridReader(doc_text, source)
    reader.feed(table)
    return reader.tables[0] if reader.tables else None


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
