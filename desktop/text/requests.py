"""补充材料 requests in words: their states, the refusals of the request services, a request in one line."""

from __future__ import annotations

from typing import Any

from desktop.text.messages import ERRORS

REQUEST_STATES = {"open": "待补充", "answered": "已答复", "accepted": "已接受", "reopened": "已退回"}
REQUEST_MOVES = {"answered": "答复", "accepted": "接受", "reopened": "退回"}

ERRORS.update({
    "request.not_found": "找不到补充材料请求 #{request_id}",
    "request.bad_due": "截止日期格式应为 YYYY-MM-DD（如 2025-05-31），收到“{due}”",
    "request.text_too_long": "补充材料请求或意见过长（最多 {max} 字）。",
    "request.too_many": "一次最多提出 {max} 项补充材料请求。",
    "request.needs_more_only": "只有“需补充”的审核才能提出补充材料请求（当前为 {state_review}）。",
    "request.due_without_request": "--due 只能与 --request 一起使用。",
    "request.bad_move": "补充材料请求 #{request_id} 当前为“{state_request}”，不能{to_verb}。",
    "request.no_answer": "补充材料请求 #{request_id} 还没有答复内容：指标 #{claim_id} 自提出请求以来没有关联新的佐证。"
                         "请先关联补充的文件（或用 --evidence 指明），或用 --comment 说明。",
    "request.bad_incoming": "补充材料请求 {uid} 的内容无效。",
})


def state_name(state: str | None) -> str:
    return REQUEST_STATES.get(state or "", state or "")


def error_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """Extra words the request errors need (state names, the verb of a move)."""
    p = dict(params)
    if code == "role.forbidden" and str(params.get("action", "")).startswith("request."):
        p["refusal"] = ("只有编制角色（评价工作小组）才能答复补充材料请求。" if params["action"] == "request.answer"
                        else "只有审核角色才能接受或退回补充材料的答复。")
    if code == "request.bad_move":
        p["state_request"] = state_name(params.get("state"))
        p["to_verb"] = REQUEST_MOVES.get(params.get("to", ""), params.get("to", ""))
    if code == "request.needs_more_only":
        from desktop.text.messages import REVIEW_STATES

        p["state_review"] = REVIEW_STATES.get(params.get("state", ""), params.get("state", ""))
    return p


def request_line(r: dict[str, Any]) -> str:
    """``#3 指标 #12 待补充（截止 2025-05-31）：请补充银行回单；答复 E40、E41``"""
    text = f"#{r['id']}\t指标 #{r['claim_id']}\t{state_name(r['state'])}"
    if r.get("due"):
        text += f"（截止 {r['due']}）"
    text += f"\t{r['text']}"
    if r.get("answers"):
        text += "；答复 " + "、".join(f"E{e}" for e in r["answers"])
    if r.get("comment"):
        text += f"；意见：{r['comment']}"
    return text


def describe_event(action: str, p: dict[str, Any]) -> str:
    """A request event in words (the audit log)."""
    r = p.get("request") if isinstance(p.get("request"), dict) else {}
    rid = p.get("request_id", r.get("id"))
    if action == "request.created":
        text = f"补充材料请求 #{rid}：{r.get('text', '')}"
        if r.get("due"):
            text += f"（截止 {r['due']}）"
        if r.get("state") and r.get("state") != "open":
            text += f"；状态：{state_name(r['state'])}"
        return text
    text = f"补充材料请求 #{rid}：{state_name(p.get('before'))} → {state_name(r.get('state'))}"
    if action == "request.answered" and r.get("answers"):
        text += "；答复佐证 " + "、".join(f"E{e}" for e in r["answers"])
    if r.get("comment"):
        text += f"；意见：{r['comment']}"
    return text


# --- the window: the 补充材料清单 panel ----------------------------------------------------------------

PANEL_TITLE = "补充材料清单"
PANEL_COLUMNS = ("编号", "指标", "需补充的材料", "截止日期", "状态", "答复佐证", "意见")
PANEL_FILTERS = (("all", "全部", None), ("waiting", "待补充和已退回", ("open", "reopened")),
                 ("answered", "已答复", ("answered",)), ("accepted", "已接受", ("accepted",)))
PANEL_EMPTY = "（没有补充材料请求。审核人在审核模式中把指标标记为“需补充”时可以提出。）"
PANEL_ANSWER = "标记已答复…"
PANEL_ACCEPT = "接受…"
PANEL_REOPEN = "退回…"
PANEL_GOTO = "定位指标"
PANEL_ROLE_EDITOR = "编制：关联补充的文件后，选中请求标记“已答复”。"
PANEL_ROLE_REVIEWER = "审核：逐项接受或退回已答复的请求。"
PANEL_COMMENT_PROMPT = {"answered": "答复说明（可选；提出请求以来关联到该指标的佐证即为答复）：",
                        "accepted": "接受意见（可选）：", "reopened": "退回原因（请写明还缺什么）："}
STATE_COLOURS = {"open": "#c62828", "reopened": "#c62828", "answered": "#1565c0", "accepted": "#2e7d32"}
MOVED = "补充材料请求 #{id}：{before} → {after}"
COUNTS_LINE = "共 {total} 项：待补充 {open}，已答复 {answered}，已接受 {accepted}，已退回 {reopened}"


def claim_label(c: dict[str, Any] | None, claim_id: int) -> str:
    if not c:
        return f"#{claim_id}"
    value = f"{c.get('value_raw') or c.get('value') or ''}{c.get('unit') or ''}"
    return f"#{claim_id} {c.get('subject') or c.get('quote') or ''} {value}".strip()


def history_line(h: dict[str, Any]) -> str:
    from desktop.text.messages import ROLE_NAMES, local_time

    who = f"{h.get('actor') or ''}（{ROLE_NAMES.get(h.get('role') or '', h.get('role') or '')}）"
    if h.get("action") == "request.created":
        text = f"{local_time(h['ts'])}　{who}　提出请求"
        if h.get("state") and h["state"] != "open":
            text += f"（当时为{state_name(h['state'])}）"
    else:
        text = f"{local_time(h['ts'])}　{who}　{state_name(h.get('before'))} → {state_name(h.get('state'))}"
    if h.get("answers") and h.get("action") == "request.answered":
        text += "；答复 " + "、".join(f"E{e}" for e in h["answers"])
    if h.get("comment"):
        text += f"；意见：{h['comment']}"
    return text
