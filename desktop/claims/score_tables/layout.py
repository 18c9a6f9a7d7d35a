"""PDF score tables with no ruling lines, which pdfplumber's table finder does not see: rebuilt from the
position of each word on the page.

Words are grouped into lines by height; a line whose words are the form's column headers (一级指标 …
得分, or 年初预算数 … 执行率) opens a table, and each header word's horizontal centre fixes its column. Every
word below goes to the column whose band holds its centre, one line per row, until the total (总分 /
合计), the form's foot, another header, a wide vertical gap or the page's end. A line with nothing in the
value columns (a name or a 偏差原因 wrapped onto a second line) joins the row above it.

:func:`layout_tables` gives (bbox, grid) pairs that the PDF reader adds as tables, so the rest is read
like any grid table.
"""

from __future__ import annotations

from typing import Any

from desktop.claims.score_tables import cells as C
from desktop.claims.score_tables import vocab as V
from desktop.claims.score_tables.grid import is_budget_header, is_indicator_header

_VALUE_ROLES = {V.TARGET, V.TVALUE, V.ACTUAL, V.WEIGHT, V.SCORE, V.NATURE, V.UNITCOL, V.B_START, V.B_FULL,
                V.B_EXEC, V.B_RATE, V.B_WEIGHT, V.B_SCORE}


def _lines(words: list[dict[str, Any]], tolerance: float = 2.5) -> list[list[dict[str, Any]]]:
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= tolerance:
            lines[-1].append(w)
        else:
            lines.append([w])
    for ln in lines:
        ln.sort(key=lambda w: w["x0"])
    return lines


def _header(line: list[dict[str, Any]]) -> tuple[str, list[tuple[str, dict[str, Any]]]] | None:
    ind = [(V.indicator_role(w["text"]), w) for w in line]
    bud = [(V.budget_role(w["text"]), w) for w in line]
    ind_roles = {i: r for i, (r, _) in enumerate(ind) if r}
    if is_indicator_header(ind_roles):
        return "indicator", [(r, w) for r, w in ind if r]
    bud_roles = {i: r for i, (r, _) in enumerate(bud) if r}
    if is_budget_header(bud_roles) and not is_indicator_header(ind_roles):
        return "budget", [(r, w) for r, w in bud if r]
    return None


def _ends(line: list[dict[str, Any]]) -> bool:
    first = C.key(line[0]["text"])
    return any(first.startswith(C.key(w).rstrip(":")) for w in V.END_WORDS)


class Columns:
    """Where a table's columns stand on the page (carried to the next page when the table runs on)."""

    def __init__(self, kind: str, roles: list[str], centres: list[float], left: float, label_col: bool):
        self.kind, self.roles, self.left, self.label_col = kind, roles, left, label_col
        self.bounds = [(a + b) / 2 for a, b in zip(centres, centres[1:])]
        self.width = len(roles) + (1 if label_col else 0)

    def row(self, line: list[dict[str, Any]]) -> list[str]:
        row = [""] * self.width
        for w in line:
            x = (w["x0"] + w["x1"]) / 2
            if self.label_col and w["x1"] < self.left - 2:
                k = 0
            else:
                k = sum(1 for b in self.bounds if x > b) + (1 if self.label_col else 0)
            row[k] = (row[k] + " " + w["text"]).strip()
        return row

    def has_values(self, row: list[str]) -> bool:
        off = 1 if self.label_col else 0
        return any(row[k + off] for k, r in enumerate(self.roles) if r in _VALUE_ROLES)


def _read_rows(lines, j: int, cols: Columns, grid: list[list[str]]) -> tuple[int, bool]:
    """Rows from line ``j`` on into ``grid``; (the line after the table, whether it ran to the page's end)."""
    gaps: list[float] = []
    last_top = lines[j - 1][0]["top"] if j > 0 else None
    while j < len(lines):
        ln = lines[j]
        if _header(ln) is not None or _ends(ln):
            return j, False
        if last_top is not None:
            gap = ln[0]["top"] - last_top
            if gaps and gap > 3 * max(sorted(gaps)[len(gaps) // 2], 1.0):
                return j, False
            gaps.append(gap)
        row = cols.row(ln)
        total = any(C.key(t).startswith(("总分", "合计", "总计")) for t in row if t)
        if not cols.has_values(row) and not total and len(grid) > 1 and cols.kind == "indicator":
            # a wrapped name or 偏差原因: the row above continues
            grid[-1] = [(a + b).strip() if b else a for a, b in zip(grid[-1], row)]
        else:
            grid.append(row)
        last_top = ln[0]["top"]
        j += 1
        if total:
            return j, False
    return j, True


def layout_tables(page, carry: Columns | None = None):
    """Score tables on a pdfplumber ``page`` rebuilt from word positions: ([(bbox, rows of cell texts)],
    the columns of a table that runs on to the next page or None). ``carry``: such columns from the page
    before; its rows continue at the top of this page (under no header of their own)."""
    try:
        words = page.extract_words(x_tolerance=1.5, y_tolerance=2.5, keep_blank_chars=False)
    except Exception:
        return [], None
    if not words or (carry is None and not any(V.indicator_role(w["text"]) or V.budget_role(w["text"])
                                                for w in words)):
        return [], None
    lines = _lines(words)
    out = []
    run_on: Columns | None = None
    i = 0
    if carry is not None:
        # skip a running header: the table goes on at the first line with words in two columns
        while i < len(lines) and sum(1 for t in carry.row(lines[i]) if t) < 2 and _header(lines[i]) is None:
            i += 1
        if i < len(lines) and _header(lines[i]) is None:
            grid: list[list[str]] = []
            j, to_end = _read_rows(lines, i, carry, grid)
            if grid:
                out.append((_bbox(lines[i:j]), grid))
                run_on = carry if to_end else None
            i = j
    while i < len(lines):
        head = _header(lines[i])
        if head is None:
            i += 1
            continue
        kind, cols_ = head
        centres = [(w["x0"] + w["x1"]) / 2 for _, w in cols_]
        left = min(w["x0"] for _, w in cols_)
        # a budget block's row names stand left of its first figure column
        label_col = kind == "budget" or any(w["x1"] < left - 2 for ln in lines[i + 1:i + 4] for w in ln)
        cols = Columns(kind, [r for r, _ in cols_], centres, left, label_col)
        grid = [([""] if label_col else []) + [w["text"] for _, w in cols_]]
        j, to_end = _read_rows(lines, i + 1, cols, grid)
        if len(grid) > 1:
            out.append((_bbox(lines[i:j]), grid))
            run_on = cols if to_end else None
        i = max(j, i + 1)
    return out, run_on


def _bbox(lines) -> tuple[float, float, float, float]:
    ws = [w for ln in lines for w in ln]
    return (min(w["x0"] for w in ws) - 1, min(w["top"] for w in ws) - 1, max(w["x1"] for w in ws) + 1,
            max(w["bottom"] for w in ws) + 1)
