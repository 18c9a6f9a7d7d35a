"""Chinese wording for score tables (绩效自评表): field names as the form prints them, where a unit came
from, and one-line summaries for the CLI (and, later, the 自评表 view)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the record is worded, not built, here
    from desktop.claims.scoretable import ScoreTable

FIELD_NAMES = {
    "level1": "一级指标", "level2": "二级指标", "name": "三级指标", "target": "年度指标值", "actual": "实际完成值",
    "weight": "分值", "score": "得分", "deviation": "偏差原因分析及改进措施",
    "planned_start": "年初预算数", "planned_full": "全年预算数", "executed": "全年执行数", "rate": "执行率",
    "total_score": "总分", "grade": "自评等级",
}
ROLE_NAMES = {"actual": "实际完成值", "target": "年度指标值", "planned_start": "年初预算数",
              "planned_full": "全年预算数", "executed": "全年执行数", "rate": "执行率", "prose": "正文提及"}
UNIT_SOURCES = {"cell": "单元格", "unit_column": "度量单位列", "header": "表头", "name": "指标名称",
                "target": "指标值", "sheet": "表格单位"}
OP_SIGNS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


def table_summary(st: ScoreTable) -> str:
    """``《项目支出绩效自评表》：预算 4 行，指标 12 行，总分 97.64，等级 优``."""
    parts = [f"《{st.title or '绩效自评表'}》：预算 {len(st.budget)} 行，指标 {len(st.indicators)} 行"]
    if st.total_score is not None and st.total_score.text:
        parts.append(f"总分 {st.total_score.text}")
    if st.grade:
        parts.append(f"等级 {st.grade}")
    return "，".join(parts)


def row_line(row) -> str:
    """One indicator row: ``数量指标 / 培训人数：目标 ≥300人，实际 326人，分值 10，得分 10``."""
    bits = []
    t, a = row.target, row.actual
    if t is not None:
        bits.append("目标 " + (f"{OP_SIGNS.get(t.op, '')}{t.text}{t.unit}" if t.value is not None else t.raw))
    if a is not None:
        bits.append("实际 " + (f"{OP_SIGNS.get(a.op, '')}{a.text}{a.unit}" if a.value is not None else a.raw))
    if row.weight is not None and row.weight.text:
        bits.append(f"分值 {row.weight.text}")
    if row.score is not None and row.score.text:
        bits.append(f"得分 {row.score.text}")
    head = " / ".join(x for x in (row.level2, row.name) if x)
    return f"{head}：{'，'.join(bits)}" if bits else head


# --- the 自评表 view (rows of desktop.claims.queries.score_table_view) ------------------------------

EVIDENCE_STATES = {"covered": "有佐证", "missing": "缺佐证", "not_required": "无需佐证", None: "—"}
VIEW_COLUMNS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "佐证", "偏差原因")
BUDGET_LEVEL1 = "预算执行"


def view_cell(cell: dict | None) -> str:
    """A target or actual cell as the view shows it: direction, value and unit (``≥11000人``), or the text
    as written when it is not a figure (完成, 持续推进)."""
    if not cell:
        return ""
    if cell.get("value_text") is None:
        return cell.get("raw") or ""
    unit = cell.get("unit") or ""
    return f"{OP_SIGNS.get(cell.get('op'), '')}{cell['value_text']}{unit}"


def view_figure(cell: dict | None) -> str:
    """分值 / 得分 as written (digits normalised)."""
    if not cell:
        return ""
    return cell.get("value_text") or cell.get("raw") or ""


def budget_target(row: dict, unit: str | None) -> str:
    """A budget line in the 年度指标值 column: 全年预算数 (年初预算数 when that is all)."""
    cells = row["cells"]
    planned = cells.get("planned_full") or cells.get("planned_start")
    if not planned:
        return ""
    return f"预算 {view_figure(planned)}{unit or ''}"


def budget_actual(row: dict, unit: str | None) -> str:
    """A budget line in the 实际完成值 column: 全年执行数 and 执行率."""
    cells = row["cells"]
    bits = []
    if cells.get("executed"):
        bits.append(f"执行 {view_figure(cells['executed'])}{unit or ''}")
    if cells.get("rate"):
        rate = view_figure(cells["rate"])
        bits.append(f"执行率 {rate}{'%' if cells['rate'].get('unit') == '%' else ''}")
    return "，".join(bits)


def totals_line(totals: dict, total_text: str | None, grade: str | None) -> str:
    """The foot of the view: ``表中总分 98 · 自评等级 优 · 有佐证 3/20 行``."""
    bits = []
    if total_text:
        bits.append(f"表中总分 {total_text}")
    if grade:
        bits.append(f"自评等级 {grade}")
    bits.append(f"有佐证 {totals['covered']}/{totals['with_claims']} 行")
    return " · ".join(bits)


def table_choice(summary: dict) -> str:
    """A table in the chooser: ``《2024年度项目支出绩效自评表》 — 项目支出绩效自评表2024.xlsx（指标 9 行）``."""
    return (f"《{summary.get('title') or '绩效自评表'}》 — {summary.get('report_name') or ''}"
            f"（指标 {summary.get('indicator_rows', 0)} 行）")
