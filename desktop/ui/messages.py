"""User-facing words for the codes the core returns (Chinese by default).

This module holds no Qt: the CLI prints the same sentences as the GUI shows.
"""

from __future__ import annotations

from typing import Any

ERRORS: dict[str, str] = {
    "workspace.exists": "该文件夹已是工作区：{path}",
    "workspace.not_a_folder": "不是文件夹：{path}",
    "workspace.cannot_create": "无法创建工作区 {path}：{detail}",
    "workspace.not_found": "找不到工作区：{path}",
    "workspace.not_initialised": "该文件夹不是有效的工作区：{path}",
    "workspace.cannot_open": "无法打开工作区 {path}：{detail}",
    "workspace.locked": "工作区正被另一个程序使用：{path}",
    "workspace.readonly": "工作区以只读方式打开，不能修改。",
    "workspace.bad_role": "未知角色：{role}（可用：editor 编制 / reviewer 审核）",
    "role.forbidden": "当前角色（{role_name}）无权执行此操作。",
    "report.not_found": "找不到报告文件：{path}",
    "report.not_a_file": "不是文件：{path}",
    "report.unreadable": "无法读取报告文件：{path}",
    "report.empty": "报告文件为空：{name}",
    "report.binary": "文件内容不是文本，可能是改了扩展名的其他文件：{name}",
    "report.undecodable": "无法识别报告文件的文字编码（支持 UTF-8、GBK/GB18030）。",
    "report.unsupported_format": "不支持的报告格式“{suffix}”：{name}（支持 .txt .md .docx .pdf .xlsx）",
    "claim.not_found": "找不到指标 #{claim_id}",
    "evidence.not_found": "找不到佐证材料 #{evidence_id}",
    "evidence.unreadable": "无法读取文件：{path}（{detail}）",
    "link.exists": "指标 #{claim_id} 已关联佐证 #{evidence_id}",
    "link.not_found": "指标 #{claim_id} 未关联佐证 #{evidence_id}",
    # -- links and suggestions (issue 5) --
    "link.nothing_to_change": "没有要修改的内容。",
    "claim.reason_required": "请填写无需佐证的理由。",
    "claim.already_not_required": "指标 #{claim_id} 已标记为无需佐证。",
    "claim.not_marked": "指标 #{claim_id} 没有标记为无需佐证。",
    "suggestion.already_rejected": "已经拒绝过这条建议（指标 #{claim_id} ← 佐证 #{evidence_id}）。",
    "suggestion.not_rejected": "这条建议没有被拒绝过（指标 #{claim_id} ← 佐证 #{evidence_id}）。",
    "suggestion.not_found": "指标 #{claim_id} 没有关联建议（可以手动关联）。",
    "suggestion.not_suggested": "佐证 #{evidence_id} 不在指标 #{claim_id} 的关联建议中（可以手动关联）。",
    "suggestion.rejected": "指标 #{claim_id} ← 佐证 #{evidence_id} 的建议已被拒绝，如需关联请手动关联。",
}

ROLE_NAMES = {"editor": "编制", "reviewer": "审核"}

PROBLEMS: dict[str, str] = {
    "event_altered": "审计事件 #{seq} 的内容被改动（记录时间 {ts}）",
    "event_missing": "审计事件 #{seq} 起缺失（至 #{missing_to}），记录被删除",
    "event_chain_broken": "审计事件 #{seq} 与前一事件的链接断开（事件被删除、插入或调换）",
    "head_missing": "工作区外的链头文件 audit-head.json 缺失",
    "head_corrupt": "链头文件 audit-head.json 已损坏",
    "events_truncated": "审计事件 #{seq} 至 #{missing_to} 被从末尾截掉（链头文件记录到 #{missing_to}）",
    "head_mismatch": "链头文件记录的事件 #{seq} 与数据库不符",
    "head_behind": "事件 #{seq} 之后的记录未写入链头文件（可能是异常退出，读写打开工作区即可修复）",
    "sqlite_integrity": "数据库文件损坏：{detail}",
    "object_missing": "佐证 #{evidence_id} 的存储副本缺失（{sha256}）",
    "object_altered": "佐证 #{evidence_id} 的存储副本被改动或截断（{sha256}）",
    "object_orphan": "存储中有未登记的文件：{sha256}",
}


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def error_text(code: str, params: dict[str, Any] | None = None) -> str:
    params = dict(params or {})
    if "role" in params:
        params.setdefault("role_name", ROLE_NAMES.get(params["role"], params["role"]))
    template = ERRORS.get(code)
    if template is None:
        return f"出错了（{code}）"
    return template.format_map(_Default(params))


def problem_text(problem: dict[str, Any]) -> str:
    template = PROBLEMS.get(problem.get("code", ""), "{code}")
    return template.format_map(_Default(problem))


# -- links and suggestions (issue 5) -------------------------------------------------------------

STRENGTH_NAMES = {"strong": "强", "possible": "可能"}

FLAG_NAMES = {
    "no_evidence": "缺佐证",
    "value_not_found": "数值未找到",
    "evidence_superseded": "证据有新版本",
    "unlinked": "未关联证据",
    "ingest_error": "读取出错",
    "superseded": "已有新版本",
}


def _quoted(words: list[str]) -> str:
    return "".join(f"“{w}”" for w in words)


def _at(locator: str | None) -> str:
    if not locator:
        return ""
    return f"{locator} " if locator[-1].isascii() else locator


def suggestion_reason_text(reasons: list[dict[str, Any]]) -> str:
    """One line of Chinese for a suggestion's reasons: 第 3 页找到 6,588,300.00 元，附近有“追回”."""
    parts = []
    for r in reasons:
        code = r.get("code")
        if code == "value_found":
            unit = r.get("unit")
            raw = r.get("raw", "")
            text = f"{_at(r.get('locator'))}找到 {raw}" + (f" {unit}" if unit else "")
            if r.get("claim"):
                text += f"（{'约合' if r.get('rounded') else '即'} {r['claim']}）"
            if r.get("approx"):
                text += f"，与报告所写“{r['approx']}”相符"
            if r.get("how") == "assumed":
                text += "，未注明单位"
            parts.append(text)
        elif code == "near_words":
            parts.append(f"附近有{_quoted(r.get('words', []))}")
        elif code == "name_words":
            parts.append(f"文件名含{_quoted(r.get('words', []))}")
        elif code == "folder_words":
            parts.append(f"文件夹名含{_quoted(r.get('words', []))}")
        elif code == "unit_differs":
            parts.append(f"单位不同（佐证为“{r.get('unit')}”，报告为“{r.get('claim_unit')}”）")
    return "，".join(parts) if parts else "（无）"
