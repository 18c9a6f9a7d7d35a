"""Integrity problems (``verify``, the integrity dialog) in words: what is wrong, where, since when, and the
names of the check's stages."""

from __future__ import annotations

from typing import Any

from desktop.text.audit import action_name
from desktop.text.messages import PROBLEMS, REVIEW_FIELDS, REVIEW_STATES, VERBS, Params, local_time


def problem_text(problem: dict[str, Any]) -> str:
    template = PROBLEMS.get(problem.get("code", ""), "{code}")
    p = dict(problem)
    for key in ("since", "until", "head_written"):
        p[key + "_l"] = local_time(p.get(key)) if p.get(key) else "不详"
    for key in ("state", "recorded_state"):
        if key in p:
            p[key + "_l"] = REVIEW_STATES.get(p[key], p[key])
    if "missing_to" in p:
        same = p["missing_to"] == p.get("seq")
        p["range_l"] = f"#{p.get('seq')}" if same else f"#{p.get('seq')} 至 #{p['missing_to']}"
    if "verb" in p:
        p["verb_l"] = VERBS.get(p["verb"], p["verb"])
    if "fields" in p:
        p["fields_l"] = "、".join(REVIEW_FIELDS.get(f, f) for f in p["fields"])
    if "action" in p:
        p["action_name"] = action_name(p["action"])
    return template.format_map(Params(p))


STAGE_NAMES = {
    "sqlite": "数据库文件结构（PRAGMA integrity_check）",
    "triggers": "审计记录的防篡改触发器",
    "events": "审计链：逐条重算哈希，核对链头文件",
    "objects": "存储中的每份佐证：重算 SHA-256",
    "reviews": "审核记录与审计事件逐条核对",
}


def problem_where(p: dict[str, Any]) -> str:
    code = p.get("code", "")
    if code.startswith("object_"):
        if p.get("evidence_id") is not None:
            return f"佐证 E{p['evidence_id']}《{p.get('name', '')}》"
        return "存储文件夹"
    if code.startswith("review_"):
        return f"审核记录 R{p.get('review_id')}（指标 #{p.get('claim_id')}）"
    if code.startswith("trigger_"):
        return f"触发器 {p.get('trigger')}"
    if code.startswith("head_"):
        return "链头文件 audit-head.json"
    if code == "sqlite_integrity":
        return "数据库文件"
    if p.get("seq") is not None:
        end = p.get("missing_to")
        return f"审计事件 #{p['seq']}" + (f"–#{end}" if end and end != p["seq"] else "")
    return ""


def problem_when(p: dict[str, Any]) -> str:
    since, until = p.get("since"), p.get("until")
    if since and until:
        return f"{local_time(since)} 之后，{local_time(until)} 之前"
    if since:
        return f"{local_time(since)} 之后"
    if until:
        return f"{local_time(until)} 或之前"
    return "不详"


def report_plain(report) -> str:
    """An :class:`~desktop.integrity.IntegrityReport` as plain text (to copy into an e-mail)."""
    if report.ok:
        return f"校验通过：{report.events} 条审计事件、{report.objects} 个存储对象、{report.reviews} 条审核记录均完好。"
    lines = [f"发现 {len(report.problems)} 个问题："]
    lines += [f"- {problem_text(p)}｜{problem_where(p)}｜{problem_when(p)}" for p in report.problems]
    return "\n".join(lines)


def stage_of(p: dict[str, Any]) -> str:
    """Which stage of the check found the problem."""
    code = p.get("code", "")
    if code.startswith("object_"):
        return "objects"
    if code.startswith("review_"):
        return "reviews"
    if code.startswith("trigger_"):
        return "triggers"
    if code == "sqlite_integrity":
        return "sqlite"
    return "events"
