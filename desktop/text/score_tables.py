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
