"""The budget block of a flattened 绩效自评表 (年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分, the
total line and its 其中 lines): its lines cut from the tokens after the header, figures printed apart from
their names (scrambled PDF exports) given back to them, the amount unit wherever the form printed it."""

from __future__ import annotations

import re
from decimal import Decimal

from desktop.claims.score_tables import align as A
from desktop.claims.score_tables import cells as C
from desktop.claims.score_tables import tokens as T
from desktop.claims.score_tables import vocab as V
from desktop.claims.score_tables.header import Header
from desktop.claims.score_tables.rows import Cell, Context, build_budget, header_unit
from desktop.claims.scoretable import Figure, Location, ScoreTable

_BUDGET_UNIT_RE = re.compile(r"[(（]\s*(万元|元|亿元)\s*[)）]|单位\s*[:：]\s*(万元|元|亿元)")
_WEIGHT_RE = re.compile(r"[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]")


def _budget_unit(text: str, h: Header) -> str | None:
    seg = C.simplified(text[max(0, h.start - 60):h.end])
    m = None
    for m in _BUDGET_UNIT_RE.finditer(seg):
        pass
    if m:
        return m.group(1) or m.group(2)
    return None


def read_budget(text: str, orig: str, table: ScoreTable, h: Header, end: int, limit: int | None = None) -> None:
    unit = _budget_unit(text, h)
    table.budget_columns.update(h.names)
    ctx = Context(budget_unit=unit)
    head = C.nfkc(text[max(0, h.start - 40):h.end])
    w = _WEIGHT_RE.search(head)
    header_weight = w.group(1) if w and V.B_WEIGHT not in h.roles else None
    toks = T.tokenize(text, h.end, end, prose_cells=True)
    rows: list[tuple[T.Token, list[T.Token]]] = []
    lead: list[T.Token] = []  # figures before the first row's name
    for t in _split_line_names(toks):
        if t.kind in (T.TEXT, T.LVL1, T.LVL2, T.LVL12) and not header_unit(t.text) == C.clean(t.text):
            if C.parse_figure(t.text):
                continue
            rows.append((t, []))
        elif t.kind in (T.NUM, T.QTY, T.RUN, T.DASH, T.EMPTY):
            (rows[-1][1] if rows else lead).append(t)
    for _name, values in rows:  # cells left empty past the columns (a row padded with ||||) say nothing
        while values and values[-1].kind == T.EMPTY and len(values) > len(h.roles):
            values.pop()
    entries: list[tuple[T.Token, list[T.Token]]] = []
    for n, (name_tok, values) in enumerate(rows):
        if not any(v.kind != T.EMPTY for v in values) and not V.is_budget_row_name(name_tok.text):
            if V.B_REASON in h.roles and n and rows[n - 1][1] and (T.is_prose(name_tok.text) or (
                    n + 1 < len(rows) and V.is_budget_row_name(rows[n + 1][0].text))):
                continue  # the 原因 cell of the row before
            if n and len(C.key(name_tok.text)) <= 12 and C.key(name_tok.text).endswith((":", "：")):
                continue  # a heading over the lines after it: 按收入性质分:
            break
        if values and not V.is_budget_row_name(name_tok.text) and len(C.key(name_tok.text)) > 20:
            break
        entries.append((name_tok, values))
    detached = _detached_rows(lead, rows, h, T.tokenize(text, max(0, h.start - 200), h.start, mode=T.separator_mode(
        text, h.end, end)) if lead else [])
    moved = {id(nt) for nt, _ in detached}
    if detached:
        entries = detached + [(nt, v) for nt, v in entries if id(nt) not in moved]
    if unit is None:
        unit = ctx.budget_unit = _budget_unit_in(text, h.end, end)
    if unit is None:  # 金额单位：万元 over the form
        m = re.search(r"单位\s*[:：]\s*(万元|元|亿元)", C.simplified(text[max(0, h.start - 400):h.start]))
        unit = ctx.budget_unit = m.group(1) if m else None
    table.budget_unit = table.budget_unit or unit
    strays = _strays(text, rows, entries, end, limit, h) if detached else []
    total_name = None
    total_amounts: dict[str, Decimal] | None = None
    for name_tok, values in entries:
        placed = (A.place_with_strays(values, strays, h.roles) if strays and total_name is None else None) or \
            A.assign_budget(values, h.roles, total_amounts)
        cells: dict[str, Cell] = {V.B_NAME: Cell(orig[name_tok.start:name_tok.end], name_tok.start, name_tok.end)}
        for role, (tok, a, b, txt) in placed.items():
            if txt:
                cells[role] = Cell(orig[tok.start + a:tok.start + b], tok.start + a, tok.start + b)
        part_of = total_name
        row = build_budget(cells, ctx, part_of)
        row.name = C.clean(orig[name_tok.start:name_tok.end]).strip(":： ")
        _fraction_rate(row)
        if values and id(name_tok) in moved:  # figures printed apart from their name: the row is where they are
            row.location = Location(values[0].start, values[-1].end)
        if header_weight and total_name is None and row.weight is None:
            f = C.parse_figure(header_weight)
            row.weight = Figure(raw=f"({header_weight}分)", text=f.text, value=f.value)
        table.budget.append(row)
        if total_name is None:
            total_name = row.name
            if re.search(r"总|合计", C.key(row.name)):
                total_amounts = {r: f.value for r, f in zip(A.AMOUNTS, (row.planned_start, row.planned_full, row.executed))
                                 if f is not None and f.value}  # a total printed as 0 was left unfilled


def _fraction_rate(row) -> None:
    """执行率 written as a fraction (``1`` for 100%, the amounts bear it out): its value is the percentage,
    so the checks compare like with like; the cell (raw, text) stays as written."""
    r, full, ex = row.rate, row.planned_full or row.planned_start, row.executed
    if r is None or r.value is None or "%" in r.raw or not (full and ex and full.value and ex.value is not None):
        return
    if A._rate_as_fraction(ex.value / full.value, C.nfkc(r.raw).strip()) and abs(r.value - ex.value / full.value * 100) > 1:
        v = r.value * 100
        row.rate = Figure(raw=r.raw, text=r.text, value=v, unit=r.unit, location=r.location)


_LEAD_DASH = re.compile(r"^[—\-－/]+")
_LINE_START = re.compile(r"(?<!^)(?=其中[:：]|上年结转|其他资金|年度资金总额|当年财政拨款|本年财政拨款)")


def _split_line_names(toks: list[T.Token]) -> list[T.Token]:
    """Budget lines run together (``—上年结转资金其他资金``): the dash of the cell before is a cell of its
    own, and each line name a token."""
    out: list[T.Token] = []
    for t in toks:
        if t.kind != T.TEXT:
            out.append(t)
            continue
        s, e = t.start, t.end
        d = _LEAD_DASH.match(t.text)
        if d and d.end() < len(t.text):
            out.append(T.Token(T.DASH, t.text[:d.end()], s, s + d.end(), t.brk, True))
            s += d.end()
        piece = t.text[s - t.start:]
        cuts = [m.start() for m in _LINE_START.finditer(piece) if not piece[:m.start()].endswith(("其中:", "其中：", "其中"))]
        parts = [piece[a:b] for a, b in zip([0, *cuts], [*cuts, len(piece)])]
        if cuts and all(V.is_budget_row_name(p) for p in parts):
            pos = s
            for p in parts:
                out.append(T.Token(T.TEXT, p, pos, pos + len(p), t.brk and pos == t.start, True))
                pos += len(p)
        else:
            out.append(T.Token(T.TEXT, piece, s, e, t.brk and s == t.start))
    return out


#: the name of a budget line, as the form prints it (年度资金总额, 其中:当年财政拨款, 上年结转资金, 其他资金)
_LINE_NAME = re.compile(r"(?:其中[:：]?)?[\u4e00-\u9fff]{0,8}(?:资金|拨款|总额|合计|结转|支出)[:：]?")


_BLOCK_HEADINGS = ("项目资金", "资金情况", "预算资金", "项目资金情况", "资金投入", "预算执行情况")


def _detached_rows(lead: list[T.Token], rows: list[tuple[T.Token, list[T.Token]]], h: Header,
                   before: list[T.Token]) -> list[tuple[T.Token, list[T.Token]]]:
    """A scrambled PDF prints a block's first rows' figures right under the header and their names
    further on (``250000.00 250000.00 215,457.6 10 8.62 250000.00 250000.00 215457.6 — 上年结转资金 0 0 —
    … 年度资金总额 … 其中:当年财政拨款``) or among the header's words (``before``: the text just before
    the header): the figures, cut into rows, go to the names that have none, the total first."""
    if sum(1 for t in lead if t.kind in (T.NUM, T.QTY, T.RUN)) < 2 or len(lead) > 14:
        return []
    free = [t for t in before if t.kind == T.TEXT and _LINE_NAME.fullmatch(C.key(t.text))
            and C.key(t.text) not in _BLOCK_HEADINGS]
    free += [nt for nt, values in rows if not any(v.kind != T.EMPTY for v in values) and V.is_budget_row_name(nt.text)]
    if not free:
        return []
    free.sort(key=lambda nt: 0 if re.search(r"总|合计", C.key(nt.text)) else 1)
    groups = A.split_budget_rows(lead, h.roles, len(free))
    if not groups:
        return []
    return list(zip(free, groups))


def _strays(text: str, rows: list[tuple[T.Token, list[T.Token]]], entries: list[tuple[T.Token, list[T.Token]]],
            end: int, limit: int | None, h: Header) -> list[T.Token]:
    """Figures of a scrambled block that no line took: among its words after the lines, and among the
    goals printed right after it (up to their first sentence)."""
    used = {id(v) for _nt, vs in entries for v in vs}
    out = [v for _nt, vs in rows for v in vs if id(v) not in used and v.kind in (T.NUM, T.QTY)]
    stop = min(limit if limit is not None else len(text), end + 120)
    for t in T.tokenize(text, end, stop, mode="space"):
        if t.kind == T.TEXT and re.search(r"[。，,;；]", t.text):
            break
        if t.kind in (T.NUM, T.QTY) and not T.DATE_RE.search(C.nfkc(t.text)):
            out.append(t)
    return out[:4]


def _budget_unit_in(text: str, start: int, end: int) -> str | None:
    """The amount unit printed inside the block (``项目资金 (元)`` moved among the rows by a scrambled PDF)."""
    m = _BUDGET_UNIT_RE.search(C.simplified(text[start:end]))
    return (m.group(1) or m.group(2)) if m else None
