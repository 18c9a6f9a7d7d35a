"""From cells assigned to columns to records: a row's cells (by role) become an
:class:`~desktop.claims.scoretable.IndicatorRow` or :class:`~desktop.claims.scoretable.BudgetRow`.

Every reader (grid tables from xlsx / docx / pdf, text tables whose cells lost their borders) ends in
the functions here, so a target, an actual, a unit and a score are read the same way whatever the
format. Units: the value's own cell, else the 度量单位 column, else the target's unit for a bare actual
(``≥3000万元`` → ``3120`` is 3120 万元), else the indicator's name (``数量（个）``), else the column
header (``指标值（%）``) or the sheet (``单位：万元``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from desktop.claims.score_tables import cells as C
from desktop.claims.score_tables import vocab as V
from desktop.claims.scoretable import Actual, BudgetRow, Figure, IndicatorRow, Location, Target


@dataclass
class Cell:
    """A cell's text and where it is in ``Document.text`` (``end`` exclusive)."""

    text: str
    start: int
    end: int
    ref: str | None = None
    page: int | None = None

    def location(self) -> Location:
        return Location(self.start, self.end, self.page, self.ref)


@dataclass
class Context:
    """What a table says once for all its rows."""

    header_units: dict[str, str] = field(default_factory=dict)  # role -> unit in the column header
    sheet_unit: str | None = None  # 单位：万元 above the table
    budget_unit: str | None = None
    has_weight_column: bool = True


_HEADER_UNIT = re.compile(r"[(（]\s*(?P<unit>[^()（）]{1,6})\s*[)）]")


def header_unit(text: str | None) -> str | None:
    """``指标值（%）`` → ``%``; ``项目资金（万元）`` → ``万元``; ``得分（20分*执行率）`` → None."""
    for m in _HEADER_UNIT.finditer(C.nfkc(text or "")):
        u = C.unit_only(m.group("unit"))
        if u and u not in ("分", "A", "B"):
            return u
    return None


def _span(cells: list[Cell]) -> Location | None:
    cells = [c for c in cells if c is not None]
    if not cells:
        return None
    page = next((c.page for c in cells if c.page is not None), None)
    return Location(min(c.start for c in cells), max(c.end for c in cells), page, cells[0].ref)


def _text(cell: Cell | None) -> str:
    return C.clean(cell.text) if cell is not None else ""


def _figure(cell: Cell | None, *, amount: bool = False) -> Figure | None:
    if cell is None or not cell.text.strip() or C.is_dash(cell.text):
        return None
    f = C.parse_amount(cell.text) if amount else C.parse_figure(cell.text)
    if f is None:
        return None
    return Figure(raw=C.clean(cell.text), text=f.text, value=f.value, unit=f.unit, location=cell.location())


_NATURE_WORDS = re.compile(r"正向|反向|定量|定性|指标|性质")


def build_target(row: dict[str, Cell], name: str, ctx: Context) -> Target | None:
    """The target from a 年度指标值 cell, or from 指标性质 + 指标值 + 度量单位 cells (read joined, so a
    cell merged across them reads the same)."""
    parts = [row.get(V.NATURE), row.get(V.TVALUE), row.get(V.TARGET)]
    parts = [c for c in parts if c is not None and c.text.strip()]
    unit_cell = row.get(V.UNITCOL)
    if not parts:
        return None
    raw_cells = parts + ([unit_cell] if unit_cell is not None and unit_cell.text.strip() else [])
    raw = " | ".join(C.clean(c.text) for c in raw_cells)
    joined = "".join(C.clean(C.strip_page_marks(c.text)) for c in parts if c is not row.get(V.NATURE)) if (
        row.get(V.NATURE) is None) else _NATURE_WORDS.sub("", C.clean(row[V.NATURE].text)) + "".join(
        C.clean(C.strip_page_marks(c.text)) for c in parts if c is not row.get(V.NATURE))
    loc = _span(raw_cells)
    q = C.parse_quantity(joined)
    if q is None:
        return Target(raw=raw, location=loc)
    unit, source = q.unit, ("cell" if q.unit else None)
    if not unit:
        unit, source = _unit_fallback(unit_cell, name, ctx, V.TARGET)
    op = q.op if q.op is not None else C.op_from_name(name)
    return Target(raw=raw, op=op, text=q.text, value=q.value, unit=unit, unit_source=source, location=loc)


_SHORT_WORD = re.compile(r"[\u4e00-\u9fff]{1,2}")


def column_unit(cell: Cell | None) -> str | None:
    """The unit a 度量单位 cell gives: a unit, or a measure word nothing lists (樘) standing alone there."""
    if cell is None:
        return None
    u = C.unit_only(cell.text, column=True)
    if u:
        return u
    k = C.key(cell.text)
    return k if _SHORT_WORD.fullmatch(k) and k not in ("无", "是", "否", "有", "完成") and not C.is_dash(k) else None


def _unit_fallback(unit_cell: Cell | None, name: str, ctx: Context, role: str) -> tuple[str, str | None]:
    if unit_cell is not None:
        u = column_unit(unit_cell)
        if u:
            return u, "unit_column"
    u = C.unit_from_name(name)
    if u:
        return u, "name"
    u = ctx.header_units.get(role) or ctx.header_units.get(V.TVALUE if role == V.TARGET else "")
    if u:
        return u, "header"
    return "", None


def build_actual(cell: Cell | None, unit_cell: Cell | None, target: Target | None, name: str,
                 ctx: Context) -> Actual | None:
    if cell is None or not cell.text.strip():
        return None
    raw = C.clean(cell.text)
    q = C.parse_quantity(C.strip_page_marks(cell.text))
    if q is None:
        return Actual(raw=raw, location=cell.location())
    unit, source = q.unit, ("cell" if q.unit else None)
    if not unit:
        if column_unit(unit_cell):
            unit, source = column_unit(unit_cell), "unit_column"
        elif target is not None and target.unit:
            unit, source = target.unit, "target"
        else:
            unit, source = _unit_fallback(None, name, ctx, V.ACTUAL)
    return Actual(raw=raw, text=q.text, value=q.value, unit=unit, unit_source=source, op=q.op,
                  location=cell.location())


def build_indicator(row: dict[str, Cell], level1: str | None, level2: str | None, ctx: Context) -> IndicatorRow:
    name_cell = row.get(V.NAME)
    name = _text(name_cell)
    target = build_target(row, name, ctx)
    actual = build_actual(row.get(V.ACTUAL), row.get(V.UNITCOL), target, name, ctx)
    weight = _figure(row.get(V.WEIGHT))
    score = _figure(row.get(V.SCORE))
    dev_cell = row.get(V.DEVIATION)
    deviation = _text(dev_cell) or None
    return IndicatorRow(
        name=name, level1=level1, level2=level2, target=target, actual=actual, weight=weight, score=score,
        deviation=deviation, location=_span(list(row.values())),
        name_location=name_cell.location() if name_cell is not None else None,
        deviation_location=dev_cell.location() if dev_cell is not None and deviation else None,
    )


def build_budget(row: dict[str, Cell], ctx: Context, part_of: str | None) -> BudgetRow:
    name = _text(row.get(V.B_NAME))
    b = BudgetRow(
        name=name, unit=ctx.budget_unit or "",
        planned_start=_figure(row.get(V.B_START), amount=True), planned_full=_figure(row.get(V.B_FULL), amount=True),
        executed=_figure(row.get(V.B_EXEC), amount=True), rate=_figure(row.get(V.B_RATE)),
        weight=_figure(row.get(V.B_WEIGHT)), score=_figure(row.get(V.B_SCORE)),
        part_of=part_of, location=_span(list(row.values())),
    )
    return b


def is_total_label(text: str | None) -> bool:
    k = V.strip_annotations(C.key(text)).rstrip(":：")
    return k in {C.key(w) for w in V.TOTAL_WORDS}


def grade_of(text: str | None) -> str | None:
    k = C.key(text).strip("“”\"'")
    return k if k in V.GRADES else None
