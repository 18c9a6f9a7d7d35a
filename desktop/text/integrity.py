"""Integrity problems (``verify``, the integrity dialog) in words: what is wrong, where, since when, and the
names of the check's stages."""

from __future__ import annotations

from typing import Any

from desktop.text.audit import action_name
from desktop.text.messages import PROBLEMS, REVIEW_FIELDS, REVIEW_STATES, VERBS, Params, local_time


def problem_text(problem: dict[str, Any]) -> str:
    if str(problem.get("code", "")).startswith("state_"):
        return state_text(problem)
    if str(problem.get("code", "")).startswith("schema_"):
        return schema_text(problem)
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
    "sqlite": "数据库文件结构（SQLite 自检）",
    "triggers": "数据库结构：表、索引、视图和触发器与本软件建立的逐项比较",
    "events": "审计链：逐条重算哈希，核对链头文件",
    "objects": "存储中的每份佐证：重算 SHA-256",
    "state": "数据与审计记录逐行核对：按审计事件重建指标、佐证、关联、审核等，与数据库比较",
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
    if code.startswith("schema_"):
        return f"{SCHEMA_TYPES.get(p.get('type', ''), '')} {p.get('name')}"
    if code.startswith("state_"):
        return _label(p, "row" if code == "state_extra" else "recorded")
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
    anchor = getattr(report, "anchor", None)
    notes = [f"注意：{note_text(n)}" for n in getattr(report, "notes", [])]
    if report.ok:
        lines = [f"校验通过：{report.events} 条审计事件、{report.objects} 个存储对象、{report.reviews} 条审核记录均完好，"
                 f"{getattr(report, 'rows', 0)} 行数据与审计记录一致。"]
    else:
        lines = [f"发现 {len(report.problems)} 个问题："]
        lines += [f"- {problem_text(p)}｜{problem_where(p)}｜{problem_when(p)}" for p in report.problems]
    lines += notes
    if anchor:
        lines.append(anchor_text(anchor))
    return "\n".join(lines)


def stage_of(p: dict[str, Any]) -> str:
    """Which stage of the check found the problem."""
    code = p.get("code", "")
    if code.startswith("object_"):
        return "objects"
    if code.startswith("review_"):
        return "reviews"
    if code.startswith("trigger_") or code.startswith("schema_"):
        return "triggers"
    if code.startswith("state_"):
        return "state"
    if code == "sqlite_integrity":
        return "sqlite"
    return "events"


# -- the state against the audit trail (replay) and the schema against the migrations ---------------

TABLE_LABELS: dict[str, Any] = {
    "settings": lambda r: f"设置“{r.get('key')}”",
    "reports": lambda r: f"报告 #{r.get('id')}" + (f"《{r['name']}》" if r.get("name") else ""),
    "claims": lambda r: f"指标 #{r.get('id')}",
    "score_tables": lambda r: f"绩效自评表 #{r.get('id')}",
    "score_rows": lambda r: f"自评表第 #{r.get('id')} 行",
    "score_cells": lambda r: f"自评表单元格 #{r.get('id')}",
    "score_row_claims": lambda r: f"自评表行 #{r.get('row_id')} 与指标 #{r.get('claim_id')} 的对应",
    "evidence": lambda r: f"佐证 E{r.get('id')}" + (f"《{r['name']}》" if r.get("name") else ""),
    "evidence_paths": lambda r: f"佐证 E{r.get('evidence_id')} 的位置记录 #{r.get('id')}",
    "evidence_remote": lambda r: f"佐证 E{r.get('evidence_id')} 的“仅有记录”标记",
    "links": lambda r: f"关联 #{r.get('claim_id')}–E{r.get('evidence_id')}",
    "suggestion_rejections": lambda r: f"已拒绝的建议 #{r.get('claim_id')}–E{r.get('evidence_id')}",
    "reviews": lambda r: f"审核记录 R{r.get('id')}（指标 #{r.get('claim_id')}）",
    "requests": lambda r: f"补充材料请求 #{r.get('id')}（指标 #{r.get('claim_id')}）",
    "finding_dismissals": lambda r: f"已忽略的检查结果 #{r.get('id')}",
    "exports": lambda r: f"导出记录 #{r.get('id')}",
    "received": lambda r: f"接收记录 #{r.get('id')}",
}
COLUMN_NAMES = {
    "value": "数值", "unit": "单位", "quote": "原文", "subject": "事项", "value_raw": "原文数值", "scale": "倍数",
    "evidence_id": "佐证", "claim_id": "指标", "report_id": "报告", "locator": "位置", "note": "备注",
    "name": "名称", "sha256": "哈希", "size": "大小", "path": "路径", "state": "状态", "comment": "意见",
    "reviewer": "审核人", "fingerprint": "佐证指纹", "basis": "审核依据", "text": "正文", "locations": "页码位置",
    "origin": "来源", "actor": "操作人", "created_at": "时间", "updated_at": "修改时间", "needs_evidence": "是否需要佐证",
    "no_evidence_reason": "无需佐证理由", "present": "是否在文件夹中", "supersedes": "前一版本", "status": "状态",
    "answers": "答复材料", "due": "期限", "reason": "理由", "start": "起始位置", "end": "结束位置", "page": "页码",
    "section": "章节", "kind": "类型", "flags": "标记", "confidence": "置信度", "last_seen": "最后看到",
}
_ID_PREFIX = {"evidence_id": "E", "claim_id": "#", "report_id": "#", "supersedes": "#"}


def _shown(column: str, v: Any) -> str:
    if v is None:
        return "（空）"
    if isinstance(v, str) and v.startswith("sha256:"):
        return "（内容摘要 " + v[7:19] + "…）"
    if column == "sha256" and isinstance(v, str):
        return v[:12] + "…"
    if column in _ID_PREFIX:
        return f"{_ID_PREFIX[column]}{v}"
    text = str(v)
    if len(text) > 60:
        text = text[:60] + "…"
    return text if isinstance(v, (int, float)) else f"“{text}”" if column not in ("value", "unit") else text


def _label(p: dict[str, Any], which: str = "recorded") -> str:
    row = dict(p.get(which) or p.get("row") or {})
    key = p.get("key") or []
    from db.replay import TABLES

    table = TABLES.get(p.get("table", ""))
    if table is not None:
        row.update({k: v for k, v in zip(table.key, key) if row.get(k) is None})
    fn = TABLE_LABELS.get(p.get("table", ""))
    return fn(row) if fn else f"{p.get('table')} {key}"


def state_text(p: dict[str, Any]) -> str:
    code, seq = p.get("code"), p.get("seq")
    when = f"（审计事件 #{seq}，{local_time(p['since'])}）" if seq and p.get("since") else (
        f"（审计事件 #{seq}）" if seq else "")
    if code == "state_extra":
        text = f"{_label(p, 'row')} 不在审计记录中：是绕过本软件直接写入数据库的"
        if seq:
            text += f"（审计事件 #{seq} 记录它已被删除）"
        return text
    if code == "state_missing":
        if not seq:
            return f"{_label(p)} 已不在数据库中"
        at = f"，{local_time(p['since'])}" if p.get("since") else ""
        return f"{_label(p)} 已不在数据库中：被绕过本软件直接删除（记录于审计事件 #{seq}{at}）"
    cols = dict(p.get("columns") or {})
    parts = []
    if p.get("table") == "claims" and ("value" in cols or "unit" in cols):
        row, rec = p.get("row") or {}, p.get("recorded") or {}
        cols.pop("value", None)
        cols.pop("unit", None)

        def amount(r: dict[str, Any]) -> str:
            return f"{r.get('value') if r.get('value') is not None else '（空）'}" + (
                f" {r['unit']}" if r.get("unit") else "")

        parts.append(f"数值为 {amount(row)}，审计记录为 {amount(rec)}")
    for c, (a, b) in cols.items():
        parts.append(f"{COLUMN_NAMES.get(c, c)}为 {_shown(c, a)}，审计记录为 {_shown(c, b)}")
    label = _label(p)
    gap = " " if label[-1:].isascii() and label[-1:].isalnum() else ""
    return f"{label}{gap}的" + "；".join(parts) + when


SCHEMA_TYPES = {"table": "表", "index": "索引", "view": "视图", "trigger": "触发器"}


def schema_text(p: dict[str, Any]) -> str:
    kind = SCHEMA_TYPES.get(p.get("type", ""), p.get("type", ""))
    name, table = p.get("name"), p.get("table")
    on = f"（在表 {table} 上）" if table and table != name else ""
    if p["code"] == "schema_extra":
        return f"数据库中多出{kind} {name}{on}：不是本软件建立的，可能改变或拦截写入"
    if p["code"] == "schema_missing":
        return f"数据库中缺少{kind} {name}{on}：被删除"
    return f"数据库中的{kind} {name}{on} 与本软件建立的不同：被改动"


NOTES = {
    "object_leftover": "存储中有未登记的文件（{until_l}，上次运行中断时留下的，不是篡改；下次以读写方式打开工作区时会移到 store/orphaned/）：{path}",
    "temp_leftover": "存储的临时文件夹中有上次运行中断时留下的临时文件（{until_l}，不是篡改；下次以读写方式打开工作区时清除）：{path}",
    "replay_unavailable": "此工作区尚未升级（以只读方式打开）：未能按审计记录重建数据核对；以读写方式打开一次即可升级",
}


def note_text(note: dict[str, Any]) -> str:
    p = dict(note)
    p["until_l"] = local_time(p.get("until")) if p.get("until") else "不详"
    return NOTES.get(p.get("code", ""), "{code}").format_map(Params(p))


def anchor_text(anchor: dict[str, Any]) -> str:
    """The audit head as the user writes it down: 审计锚点 #seq sha256."""
    return f"审计锚点：事件 #{anchor.get('seq', 0)}，哈希 {anchor.get('hash', '')}"
