"""One 绩效自评表 written in every form it arrives in: xlsx (merged cells, a two-row header, a sheet-wide
单位), docx (merged cells), PDF (a ruled table drawn with fpdf2 and a CJK font) and text whose cells lost
their borders (pipes, one cell per line, spaces, tabs, cells run together). Tests only.

:func:`spec_rows` makes the table; :func:`expected` says what a reader must give for it, worked out from
the table itself, not from any reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
BUDGET_HEADER = ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
BUDGET = [["年度资金总额", "1200", "1250.5", "1200.48", "10", "96.00%", "9.6"],
          ["其中：当年财政拨款", "1000", "1050.5", "1000.48", "", "95.24%", ""],
          ["上年结转资金", "200", "200", "200", "", "100%", ""],
          ["其他资金", "", "", "", "", "", ""]]

GROUPS = [("产出指标", "数量指标", 14), ("产出指标", "质量指标", 8), ("产出指标", "时效指标", 5),
          ("产出指标", "成本指标", 5), ("效益指标", "社会效益指标", 8), ("效益指标", "可持续影响指标", 4),
          ("满意度指标", "服务对象满意度指标", 6)]
UNITS = {"数量指标": ["个", "人次", "项", "场次", "所"], "质量指标": ["%"], "时效指标": ["天", "%"],
         "成本指标": ["万元", "元"], "社会效益指标": ["人", "%", "户"], "可持续影响指标": ["%", "年"],
         "服务对象满意度指标": ["%"]}
WORDS = ["培训", "巡查", "宣传", "维修", "检测", "救助", "改造", "走访", "验收", "整治", "督导", "回访"]
OBJECTS = ["农户", "学校", "道路", "河道", "企业", "社区", "窗口", "设备", "档案", "站点"]


@dataclass
class SpecRow:
    level1: str
    level2: str
    name: str
    target: str  # the cell as written
    actual: str
    weight: str
    score: str
    deviation: str
    # what the cells mean
    op: str | None
    target_value: str | None
    target_unit: str
    actual_value: str | None
    actual_unit: str


def spec_rows(n: int = 50) -> list[SpecRow]:
    """``n`` indicator rows with every form a cell takes: ≥ ≤ = 以上 and no comparator; the unit in the
    cell, only in the name (…数量（个）), only on the target (the actual bare); words for qualitative
    targets and actuals; missed targets with a 偏差原因."""
    rows: list[SpecRow] = []
    i = 0
    for level1, level2, count in GROUPS:
        for k in range(count):
            if len(rows) >= n:
                return rows
            i += 1
            unit = UNITS[level2][k % len(UNITS[level2])]
            if unit == "年":
                unit = "%"
            word = WORDS[i % len(WORDS)]
            base = 20 + (i * 37) % 400 if unit not in ("%",) else 80 + (i * 3) % 20
            style = i % 7
            in_name = style == 3 and unit not in ("%",)
            thing = OBJECTS[(i // len(WORDS)) % len(OBJECTS)]
            name = f"{thing}{word}{'数量' if unit != '%' else '覆盖率'}" + (f"（{unit}）" if in_name else "")
            op, post = [(">=", ""), ("<=", ""), ("=", ""), (">=", "以上"), (None, ""), (">=", ""), (">", "")][style]
            sign = {">=": "≥", "<=": "≤", "=": "=", ">": ">"}.get(op or "", "") if not post else ""
            if unit == "%":
                tval = str(min(base, 100))
            elif unit in ("万元", "元"):
                tval = f"{base}.5" if i % 2 else str(base)
            else:
                tval = str(base)
            missed = i % 9 == 4
            aval = tval if not missed else str(int(float(tval)) - 3)
            if op == "<=" and not missed:
                aval = str(int(float(tval)) - 1) if "." not in tval else tval
            weight = ["2", "3", "5", "4"][i % 4]
            score = weight if not missed else str(int(weight) - 1)
            deviation = "受天气影响部分工作延后" if missed else ""
            qualitative = i % 11 == 6
            if qualitative:
                rows.append(SpecRow(level1, level2, f"{thing}{word}工作成效", "效果明显", "达成预期指标", weight,
                                    score, deviation, None, None, "", None, ""))
                continue
            cell_unit = "" if in_name else unit
            target = f"{sign}{tval}{cell_unit}{post}"
            bare_actual = i % 3 == 1 or in_name
            actual = aval if bare_actual else f"{aval}{cell_unit}"
            rows.append(SpecRow(level1, level2, name, target, actual, weight, score, deviation, op, tval, unit,
                                aval, unit))
    return rows


def expected(rows: list[SpecRow]) -> list[tuple]:
    """(level1, level2, name, target op/value/unit, actual value/unit, weight, score, deviation) per row."""
    return [(r.level1, r.level2, r.name, (r.op, r.target_value, r.target_unit if r.target_value else None),
             (r.actual_value, r.actual_unit if r.actual_value else None), r.weight, r.score, r.deviation or None)
            for r in rows]


def records(tables) -> list[tuple]:
    """What a reader gave, in the shape of :func:`expected`."""
    out = []
    for st in tables:
        for r in st.indicators:
            t, a = r.target, r.actual
            out.append((r.level1, r.level2, r.name,
                        (t.op, t.text, t.unit) if t is not None and t.value is not None else (None, None, None),
                        (a.text, a.unit) if a is not None and a.value is not None else (None, None),
                        r.weight.text if r.weight else None, r.score.text if r.score else None, r.deviation))
    return out


def budget_records(tables) -> list[tuple]:
    out = []
    for st in tables:
        for b in st.budget:
            out.append((b.name, *(getattr(b, f).text if getattr(b, f) else None
                                   for f in ("planned_start", "planned_full", "executed", "weight", "rate", "score"))))
    return out


def expected_budget() -> list[tuple]:
    return [(r[0], *[(v.rstrip("%") or None) for v in r[1:]]) for r in BUDGET]


def _grid(rows: list[SpecRow]) -> list[list[str]]:
    return [[r.level1, r.level2, r.name, r.target, r.actual, r.weight, r.score, r.deviation] for r in rows]


def _spans(rows: list[SpecRow], col: int) -> list[tuple[int, int]]:
    """(first, last) row index of each run of equal cells in column ``col`` (0 = 一级, 1 = 二级)."""
    out, start = [], 0
    keys = [(r.level1, r.level2)[: col + 1] for r in rows]
    for i in range(1, len(rows) + 1):
        if i == len(rows) or keys[i] != keys[start]:
            out.append((start, i - 1))
            start = i
    return out


# --- writers -------------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[SpecRow]) -> None:
    """Title merged across, 单位：万元 for the sheet, the budget block, a two-row indicator header (绩效指标
    over 一级 / 二级 / 三级), 一级 and 二级指标 merged down their rows, 总分 at the foot."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    width = len(HEADER)
    ws.append(["项目支出绩效自评表（2024年度）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["单位：万元"])
    ws.append(BUDGET_HEADER)
    for b in BUDGET:
        ws.append([b[0], *[_number(v) for v in b[1:]]])
        r = ws.max_row
        for c, v in enumerate(b[1:], 2):
            if v.endswith("%"):
                ws.cell(r, c).number_format = "0.00%" if "." in v else "0%"
    ws.append(["绩效指标", None, None, "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    head = ws.max_row
    ws.merge_cells(start_row=head, start_column=1, end_row=head, end_column=3)
    for c in range(4, width + 1):
        ws.merge_cells(start_row=head, start_column=c, end_row=head + 1, end_column=c)
    ws.append(["一级指标", "二级指标", "三级指标"])
    first = ws.max_row + 1
    for g in _grid(rows):
        ws.append([*g[:5], int(g[5]), int(g[6]), g[7] or None])
        for c in (4, 5):  # "=94人次" is text, as Excel keeps it when typed with a leading '
            ws.cell(ws.max_row, c).data_type = "s"
    for col in (0, 1):
        for a, b in _spans(rows, col):
            if b > a:
                ws.merge_cells(start_row=first + a, start_column=col + 1, end_row=first + b, end_column=col + 1)
    ws.append(["总分", None, None, None, None, 100, _total(rows)])
    wb.save(str(path))


def _number(v: str):
    if not v:
        return None
    if v.endswith("%"):
        return float(v[:-1]) / 100
    return float(v) if "." in v else int(v)


def _total(rows: list[SpecRow]) -> str:
    return str(sum(int(r.score) for r in rows) + 10)


def write_docx(path: Path, rows: list[SpecRow]) -> None:
    from docx import Document

    d = Document()
    d.add_heading("项目支出绩效自评表", level=1)
    d.add_paragraph("本项目年度预算 1250.5 万元，全年执行 1200.48 万元。")
    _docx_table(d, [BUDGET_HEADER, *BUDGET])
    t = _docx_table(d, [HEADER, *_grid(rows), ["总分", "", "", "", "", "100", _total(rows), ""]])
    cells = [row.cells for row in t.rows]  # python-docx rebuilds the grid on every t.cell(): once here
    for col in (0, 1):
        for a, b in _spans(rows, col):
            if b > a:
                keep = cells[a + 1][col].text
                cells[a + 1][col].merge(cells[b + 1][col]).text = keep
    d.add_paragraph("以上指标均已完成。")
    d.save(str(path))


def _docx_table(d, grid: list[list[str]]):
    t = d.add_table(rows=len(grid), cols=len(grid[0]))
    for row, values in zip(t.rows, grid):
        for cell, v in zip(row.cells, values):
            if v:
                cell.text = v
    return t


_SUBSET_FONT: dict[str, str] = {}


def _font(text: str) -> str:
    """The CJK font cut down to the characters of ``text`` (parsing the whole 5 MB collection takes
    seconds; once per process, then a small file)."""
    import tempfile

    chars = "".join(sorted(set(text)))
    if chars not in _SUBSET_FONT:
        import logging

        from fontTools import subset

        logging.getLogger("fontTools").setLevel(logging.ERROR)
        from fontTools.ttLib import TTFont

        font = TTFont(FONT_PATH, fontNumber=0)
        sub = subset.Subsetter()
        sub.populate(text=chars)
        sub.subset(font)
        out = Path(tempfile.mkdtemp()) / "wqy-subset.ttf"
        font.save(str(out))
        _SUBSET_FONT[chars] = str(out)
    return _SUBSET_FONT[chars]


def _all_text(rows: list[SpecRow]) -> str:
    return "".join([*HEADER, *BUDGET_HEADER, *(v for b in BUDGET for v in b), "项目支出绩效自评表（2024年度）总分",
                    "0123456789.%，已督促施工单位增加人手并调整工期安排",
                    *(" ".join(vars(r).get(k) or "" for k in ("level1", "level2", "name", "target", "actual",
                                                               "deviation")) for r in rows)])


def write_pdf(path: Path, rows: list[SpecRow], *, ruled: bool = True) -> None:
    """A table drawn with fpdf2 (the CJK font embedded), split across pages. Ruled: every cell boxed,
    一级 / 二级指标 spanning their rows. Not ruled: no lines at all (pdfplumber finds no table), merged
    cells left blank, a long 偏差原因 wrapped onto a second line."""
    from fpdf import FPDF

    if not ruled:
        rows = [SpecRow(**{**vars(r), "deviation": r.deviation + "，已督促施工单位增加人手并调整工期安排"
                           if r.deviation else ""}) for r in rows]

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("wqy", fname=_font(_all_text(rows)))
    pdf.set_font("wqy", size=7)
    pdf.set_auto_page_break(True, margin=10)
    pdf.add_page()
    pdf.cell(0, 8, "项目支出绩效自评表（2024年度）", new_x="LMARGIN", new_y="NEXT", align="C")
    borders = "ALL" if ruled else "NONE"
    with pdf.table(col_widths=(30, 22, 22, 22, 16, 22, 16), line_height=5, text_align="LEFT", first_row_as_headings=False,
                   borders_layout=borders, v_align="TOP") as table:
        for row in [BUDGET_HEADER, *BUDGET]:
            tr = table.row()
            for v in row:
                tr.cell(v)
    pdf.ln(4)
    widths = (18, 26, 40, 22, 22, 10, 10, 45)
    with pdf.table(col_widths=widths, line_height=5, text_align="LEFT", first_row_as_headings=False,
                   borders_layout=borders, v_align="TOP") as table:
        tr = table.row()
        for h in HEADER:
            tr.cell(h)
        spans1 = dict(_spans(rows, 0))
        spans2 = dict(_spans(rows, 1))
        for i, g in enumerate(_grid(rows)):
            tr = table.row()
            if not ruled:
                g = [g[0] if i in spans1 else "", g[1] if i in spans2 else "", *g[2:]]
                for v in g:
                    tr.cell(v)
                continue
            if i in spans1:
                tr.cell(g[0], rowspan=spans1[i] - i + 1)
            if i in spans2:
                tr.cell(g[1], rowspan=spans2[i] - i + 1)
            for v in g[2:]:
                tr.cell(v)
        tr = table.row()
        for v in ["总分", "", "", "", "", "100", _total(rows), ""]:
            tr.cell(v)
    pdf.output(str(path))


def text_pipes(rows: list[SpecRow]) -> str:
    """Rows on lines, cells between pipes, merged 一级 / 二级 cells only on their first row."""
    lines = ["项目支出绩效自评表（2024年度）", "| " + " | ".join(BUDGET_HEADER) + " |"]
    lines += ["| " + " | ".join(b) + " |" for b in BUDGET]
    lines.append("| " + " | ".join(HEADER) + " |")
    prev = (None, None)
    for r, g in zip(rows, _grid(rows)):
        cells = list(g)
        if (r.level1, r.level2) == prev:
            cells = cells[2:]
        elif r.level1 == prev[0]:
            cells = cells[1:]
        prev = (r.level1, r.level2)
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"| 总分 | 100 | {_total(rows)} |")
    return "\n".join(lines) + "\n"


def text_lines(rows: list[SpecRow]) -> str:
    """One cell per line (a table copied from a web page), empty cells left out."""
    out = ["项目支出绩效自评表（2024年度）", *BUDGET_HEADER]
    for b in BUDGET:
        out += [v for v in b if v]
    out += HEADER
    prev = (None, None)
    for r, g in zip(rows, _grid(rows)):
        cells = list(g)
        if (r.level1, r.level2) == prev:
            cells = cells[2:]
        elif r.level1 == prev[0]:
            cells = cells[1:]
        prev = (r.level1, r.level2)
        out += [c for c in cells if c]
    out += ["总分", "100", _total(rows)]
    return "\n".join(out) + "\n"


def text_spaces(rows: list[SpecRow]) -> str:
    """Every cell on one line, separated by spaces (a PDF copied as text)."""
    return text_lines(rows).replace("\n", " ").strip() + "\n"


def text_tabs(rows: list[SpecRow]) -> str:
    """Rows on lines, cells separated by tabs, merged cells left empty (a spreadsheet pasted as text)."""
    lines = ["项目支出绩效自评表（2024年度）", "\t".join(BUDGET_HEADER)]
    lines += ["\t".join(b) for b in BUDGET]
    lines.append("\t".join(HEADER))
    prev = (None, None)
    for r, g in zip(rows, _grid(rows)):
        cells = list(g)
        if r.level1 == prev[0]:
            cells[0] = ""
            if r.level2 == prev[1]:
                cells[1] = ""
        prev = (r.level1, r.level2)
        lines.append("\t".join(cells))
    lines.append(f"总分\t\t\t\t\t100\t{_total(rows)}")
    return "\n".join(lines) + "\n"


def text_run_together(rows: list[SpecRow]) -> str:
    """Cells run together with no separator at all (a Word preview)."""
    return text_lines(rows).replace("\n", "")
