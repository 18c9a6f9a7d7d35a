"""一致性检查 in words: severities, rule names, and each finding's message with its arithmetic.

The core (``desktop.checks``) returns codes and numbers as strings; this module words them, for the CLI
and the GUI alike. No Qt.
"""

from __future__ import annotations

from typing import Any

from desktop.text.messages import Params

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "rounding": "舍入差异"}

RULE_NAMES = {
    "breakdown_sum": "其中各项之和",
    "allocation_sum": "资金安排之和",
    "income_spending": "收入与支出",
    "balance": "结余",
    "same_total": "同一数字前后不一",
    "rate_recompute": "比率复算",
    "share_recompute": "占比复算",
    "growth_recompute": "增长率复算",
    "score_vs_execution": "自评分与预算执行",
    "grade_vs_score": "等级与得分",
    "magnitude": "数量级",
    "share_over_100": "百分比超过 100",
    "year_as_count": "年份当作数量",
    "unit_pair": "人与人次",
    "name_drift": "名称前后不一",
    "title_year": "标题年度与表名",
    "evidence_date": "佐证日期",
    "table_score_over_weight": "得分超过分值",
    "table_missed_full_marks": "未达目标却满分",
    "table_missed_no_deviation": "未达目标无偏差原因",
    "table_met_marked_down": "达成目标却扣分",
    "table_execution_score": "执行率得分",
    "table_budget_rate": "执行率复算",
    "table_budget_parts": "资金总额与其中各项",
    "table_budget_missing": "预算执行未填",
    "table_total": "总分与各项得分",
    "table_weights": "分值合计",
    "table_grade": "自评等级",
    "table_unscored": "未打分",
    "table_unfilled": "自评表未填写",
    "table_deadline_year": "时限早于评价年度",
    "table_percent_name": "单位与数值不符",
    "table_budget_unscored": "预算执行未打分",
    "table_odd_cells": "单元格内容可疑",
    "table_row_text": "指标说明与完成值",
    "table_prose": "正文与自评表",
    "amount_fragments": "数字缺整数部分",
    "ocr_digits": "疑似识别错误的数字",
    "doc_numbers": "文号格式有误",
}

FIELD_NAMES = {"planned_start": "年初预算数", "planned_full": "全年预算数", "executed": "全年执行数", "rate": "执行率",
               "weight": "分值", "score": "得分", "target": "年度指标值", "actual": "实际完成值",
               "deviation": "偏差原因", "total_score": "总分", "grade": "自评等级", "name": "指标名称",
               "planned": "预算数"}
STAGES = {"budget": "预算", "final": "决算"}

MESSAGES: dict[str, str] = {
    "allocation.sum": "资金安排各项：{expr} = {computed}{unit}，与前文{subject} {stated}{unit} 不符，差 {diff}{unit}{rounding_l}",
    "breakdown.sum": "{subject} {stated}{unit}{marker}各项：{expr} = {computed}，报告写 {stated}，差 {diff}{unit}{rounding_l}",
    "income_spending.over": "{stage_l}支出大于收入：{spending_subject} {spending}{unit} − {income_subject} {income}{unit}"
                            " = {diff}{unit}（收不抵支，且未见说明上年结转）",
    "balance.mismatch": "结余：{income} − {spending} = {computed}{unit}，报告写结余 {stated}{unit}，差 {diff}{unit}{rounding_l}",
    "same_total.differs": "“{subject}”前后两处数字不同：{first}{unit} 与 {second}{second_unit}，差 {diff}{rounding_l}",
    "rate.differs": "{rate_subject}复算：{num_subject} {num} ÷ {den_subject} {den} = {computed}%，报告写 {stated}%{rounding_l}",
    "growth.differs": "{rate_subject}复算：({num_subject} {num} ÷ {den_subject} {den} − 1) × 100 = {computed}%，"
                      "报告写 {stated}%{rounding_l}",
    "score.above_execution": "{exec_l}；按{profile}，执行率 {weight} 分只能得 {weight} × {rate_computed}% = {points} 分，总分至多 {most}"
                             " 分，报告自评 {score} 分{grade_l}",
    "grade.mismatch": "{score} 分按{profile}应为“{expected}”，报告写“{grade}”（“{grade}”为 {band_l}）",
    "magnitude.count": "{subject} {raw}{unit} = {total_l} {base_unit}，超出一个地区可能的数量（单位或数量级写错？）",
    "magnitude.people_world": "{subject} {raw}{unit} = {total_l} 人，超过世界人口",
    "magnitude.people_province": "{subject} {raw}{unit} = {total_l} 人，超过任何一个省的人口",
    "magnitude.amount": "{subject} {raw}{unit} 超出合理的金额数量级",
    "percent.share_over": "{subject} {raw}% 超过 100%：比例不可能超过 100%",
    "percent.share_over_ocr": "{subject} {raw}% 超过 100%：比例不可能超过 100%，可能是“≥{meant}%”扫描识别错误，请核对原件",
    "percent.spend_over": "{subject} {raw}% 超过 100%：支出超过预算，请说明原因",
    "count.looks_like_year": "{subject} {raw}{unit}：数字与年份相同，可能把年份写成了数量",
    "unit.head_and_times": "{value} 既写作“{unit_a}”（{subject_a}）又写作“{unit_b}”（{subject_b}）：人数与人次是两回事",
    "name.drift": "同一机构两种写法：列出的科室为“{declared}”，后文写作“{other}”（{count} 处）",
    "title.year_drift": "标题与正文的年度不一致：{years}",
    "title.kind_drift": "表名前后不一：“{title}”，而表格是绩效自评表",
    "evidence_date.after_report": "佐证《{name}》的日期 {date}{locator_l} 晚于报告日期 {report_date}",
    "evidence_date.outside_year": "佐证《{name}》中的日期（{dates}）都不在评价年度 {year} 年内",
    "table.score_over_weight": "“{row}”得分 {score} 超过分值 {weight}",
    "table.missed_full_marks": "“{row}”未达目标（目标 {target}，实际 {actual}）却得满分 {score}/{weight}",
    "table.missed_no_deviation": "“{row}”未达目标（目标 {target}，实际 {actual}{score_l}），没有填写偏差原因",
    "table.met_marked_down": "“{row}”已达成目标（{met_l}）却只得 {score}/{weight} 分，也没有写扣分原因",
    "table.execution_score": "“{row}”执行率得分：{rate_l} × {weight} = {expected}，表中写 {score}{rounding_l}（按{profile}）",
    "table.budget_rate": "“{row}”执行率复算：{executed} ÷ {planned} = {computed}%，表中写 {stated}{rounding_l}",
    "table.budget_rate_parts": "“{row}”各栏为 0、执行率写 {stated}，但其中各项执行 {executed} ÷ 预算 {planned} = {computed}%{rounding_l}",
    "table.budget_over": "“{row}”执行率 {rate} 超过 100%：支出超过预算，请说明原因",
    "table.budget_parts": "“{row}”与其中各项不符：{columns_l}{rounding_l}",
    "table.budget_no_execution": "预算执行情况只填了预算，没有执行数和执行率（“{row}”）",
    "table.total_sum": "总分 {total}，各项得分之和 {sum}（{rows} 项），差 {diff}{weights_l}{rounding_l}",
    "table.total_below_shown": "总分 {total} 小于表中已列得分之和 {sum}（{rows} 项）",
    "table.total_above_possible": "总分 {total} 不可能：表中得分之和 {sum}（{rows} 项），其余最多 {unshown} 分，"
                                  "合计至多 {most} 分",
    "table.group_weights": "“{group}”：各项{field_l}之和 {expr} = {sum}，与标明的 {stated} 分不符",
    "table.weights_total": "各项分值合计 {sum}，应为 {total}（{profile}）",
    "table.level1_share": "{level1}指标分值合计 {sum}，按{profile}应为 {expected}",
    "table.unscored": "“{group}”下的指标没有得分：{rows}",
    "table.budget_unscored": "“{row}”分值 {weight}、执行率 {rate}，但没有得分：预算执行率未打分",
    "table.percent_name": "“{row}”以 % 为单位，但目标值和实际完成值是 {figures}，不像百分比：单位或数值有误",
    "table.deadline_year": "“{row}”的目标时限“{deadline}”早于评价年度 {year} 年：可能沿用了往年的目标，或年份写错",
    "table.unfilled": "自评表的 {rows} 个指标都只有目标值，没有实际完成值，也没有得分（{shown}…）：自评尚未填写",
    "table.garbled": "“{row}”的{field_l}“{raw}”不是数字（可能是识别错误）",
    "table.fragment": "“{row}”的{field_l}“{raw}”缺整数部分（转换时丢失了数字？）",
    "table.actual_as_target": "“{row}”的实际完成值写成了目标的形式：“{raw}”",
    "table.row_text_partial": "“{row}”行内文字写已完成 {done}{unit} / {goal}{unit} = {share}%，实际完成值却写 {actual}，"
                              "得满分 {score}",
    "table.prose_differs": "“{row}”：正文写 {prose}{prose_unit}（{prose_subject}），表中实际完成值为 {actual}",
    "text.fragments": "{count} 处数字缺整数部分（如“{context}”：{shown}），可能在转换时丢失了数字",
    "text.ocr_digits": "{count} 处数字里有字母（{shown}），可能是扫描件识别错误，请核对原件",
    "text.doc_numbers": "{count} 处文号的年份与序号连在一起（{shown}），可能缺了“〕”或转换出错，请核对原件",
    "table.increase_differs": "“{row}”：表中写{word} {increase}{unit}，而正文的 {first}{unit} → {second}{unit} 只差 "
                              "{computed}{unit}",
}


def _params(code: str, severity: str, params: dict[str, Any]) -> dict[str, Any]:
    p = dict(params)
    p["rounding_l"] = "（舍入）" if severity == "rounding" else ""
    if "stage" in p:
        p["stage_l"] = STAGES.get(p["stage"], "")
    if "field" in p:
        p["field_l"] = FIELD_NAMES.get(p["field"], p["field"])
    if code == "score.above_execution":
        if p.get("how") == "stated":
            p["exec_l"] = f"预算执行率 {p.get('rate', '')}"
        else:
            p["exec_l"] = (f"预算执行率 = {p.get('spent_subject', '')} {p.get('spent', '')} ÷ "
                           f"{p.get('planned_subject', '')} {p.get('planned', '')} = {p.get('rate_computed', '')}%")
        p["grade_l"] = f"（{p['grade']}）" if p.get("grade") else ""
    if code == "grade.mismatch":
        p["band_l"] = (f"{p.get('low')} 分及以上" if not p.get("high") else f"{p.get('low')}–{p.get('high')} 分")
    if "total" in p and code.startswith("magnitude"):
        p["total_l"] = _grouped(str(p["total"]))
    if code == "evidence_date.after_report":
        p["locator_l"] = f"（{p['locator']}）" if p.get("locator") else ""
    if code == "table.missed_no_deviation":
        p["score_l"] = f"，得分 {p['score']}/{p['weight']}" if p.get("score") and p.get("weight") else ""
    if code == "table.met_marked_down":
        p["met_l"] = (f"目标 {p['target']}，实际 {p['actual']}" if p.get("target") and p.get("actual")
                      else f"实际 {p.get('actual') or '已完成'}")
    if code == "table.budget_parts":
        p["columns_l"] = "；".join(
            f"{FIELD_NAMES.get(c['field'], c['field'])} {c['expr']} = {c['computed']}，总额写 {c['stated']}，差 {c['diff']}"
            f"{p.get('unit', '')}" for c in p.get("columns") or [])
    if code == "table.total_sum":
        p["weights_l"] = f"；各项分值合计 {p['weights']}" if p.get("weights") else ""
    if code == "table.execution_score":
        rate = str(p.get("rate", ""))
        p["rate_l"] = (rate if rate.endswith("%") else rate + "%") + ("（封顶 100%）" if p.get("capped") else "")
    return p


def _grouped(digits: str) -> str:
    """180610000 → 180,610,000 (easier to read at a glance)."""
    whole, _, frac = digits.partition(".")
    neg = whole.startswith("-")
    whole = whole.lstrip("-")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if neg else "") + ",".join(groups) + (f".{frac}" if frac else "")


DOUBTFUL_READ = "（这张表读出的分值、得分多处自相矛盾，可能是表格识别有误，请对照原表核对）"


def finding_message(code: str, severity: str, params: dict[str, Any]) -> str:
    template = MESSAGES.get(code, code)
    text = template.format_map(Params(_params(code, severity, params)))
    return text + DOUBTFUL_READ if params.get("doubtful_read") else text


def severity_name(severity: str) -> str:
    return SEVERITY_NAMES.get(severity, severity)


def rule_name(rule_id: str) -> str:
    return RULE_NAMES.get(rule_id, rule_id)

#: what the 一致性检查 panel and the status bar say (severity "info" is 提示: a rule may say it one day)
PANEL_SEVERITIES = (("error", "错误"), ("warning", "警告"), ("rounding", "舍入差异"), ("info", "提示"))
FIELD_SHORT = {"table": "", "total_score": "总分"}


def where_text(where: dict[str, Any], cells: list[dict[str, Any]] | None = None) -> str:
    """Where a finding is, in a few words: ``《报告》 · 部门整体 · 2、部门整体支出情况 · 第 3 页`` for text,
    ``《报告》 · 表《自评表》 · “资金到位率” 得分`` for score-table cells."""
    bits = []
    if where.get("report"):
        bits.append(f"《{where['report']}》")
    rows = []
    for c in cells or []:
        label = c.get("row") or FIELD_SHORT.get(c.get("field") or "", "")
        if label and label not in rows:
            rows.append(label)
    if where.get("table"):
        bits.append(f"表《{where['table']}》")
        if rows:
            bits.append("、".join(f"“{r}”" for r in rows[:3]) + (" 等" if len(rows) > 3 else ""))
    else:
        for key in ("part", "section"):
            if where.get(key) and where[key] not in bits:
                bits.append(str(where[key]))
    if where.get("page"):
        bits.append(f"第 {where['page']} 页")
    return " · ".join(bits)


def summary_text(summary: dict[str, int]) -> str:
    """The status bar's figure: ``一致性 错误 3 · 警告 5 · 舍入 3``, or ``一致性：未发现问题``."""
    parts = [f"{name if sev != 'rounding' else '舍入'} {summary[sev]}" for sev, name in PANEL_SEVERITIES
             if summary.get(sev)]
    if not parts:
        return "一致性：未发现问题" + (f"（已忽略 {summary['dismissed']}）" if summary.get("dismissed") else "")
    return "一致性 " + " · ".join(parts)


#: the mark on a claim involved in an open finding (claims list), by the most severe of its findings
CLAIM_MARKS = {"error": "✖ 错误", "warning": "▲ 警告", "rounding": "≈ 舍入", "info": "· 提示"}
CLAIM_MARK_HEADER = "一致性"
OPEN_FINDING_LINK = "在一致性检查中查看"
FINDINGS_FILTER = "有一致性问题"
FINDINGS_FILTER_TIP = "只看一致性检查发现问题（未忽略）所涉及的指标"


def claim_mark_tooltip(marks: list[dict[str, Any]]) -> str:
    """The tooltip of a claim's mark: each open finding it is involved in, with its severity."""
    return "\n".join(f"{severity_name(m['severity'])}：{m['message']}" for m in marks)


def dismissal_text(dismissal: dict[str, Any] | None) -> str:
    """``已忽略（张三，2026-12-07）：理由`` — or, when the figures changed since, that it was and why."""
    if not dismissal:
        return ""
    who = "，".join(x for x in (dismissal.get("actor"), (dismissal.get("at") or "")[:10]) if x)
    head = "曾忽略，但数字已变化" if dismissal.get("stale") else "已忽略"
    return f"{head}（{who}）：{dismissal.get('reason') or ''}"


__all__ = ["SEVERITY_NAMES", "RULE_NAMES", "FIELD_NAMES", "MESSAGES", "finding_message", "severity_name",
           "rule_name", "PANEL_SEVERITIES", "where_text", "summary_text", "dismissal_text", "CLAIM_MARKS",
           "CLAIM_MARK_HEADER", "OPEN_FINDING_LINK", "FINDINGS_FILTER", "FINDINGS_FILTER_TIP", "claim_mark_tooltip"]
