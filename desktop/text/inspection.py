"""The inspector's side in words: receiving a package or a supplement, the return (reply, apply), and the
documents the return carries (审核意见书, 补充材料通知单)."""

from __future__ import annotations

from typing import Any

from desktop.text.exchange import PROBLEMS
from desktop.text.messages import ERRORS

PROBLEMS.update({
    "member_bomb": "{path}：解压后有 {size} 字节，是压缩后大小的数百倍以上（“解压炸弹”）",
    "return_inconsistent": "{path}：内容前后不一致（{detail}）：审核意见与其中的审计记录对不上",
})

ERRORS.update({
    "exchange.verification_failed": "校验未通过，没有写入任何内容：{path}（{count} 个问题）",
    "exchange.unsafe": "文件结构不安全，已拒绝，没有写入任何内容：{path}\n{problems_l}",
    "exchange.wrong_format": "文件格式不对：{path}（应为 {expected_l}，实为 {format}）",
    "exchange.wrong_kind": "文件类型不对（{kind}）：{path}",
    "exchange.too_large": "文件过大，不像是审核意见回复，已拒绝：{path}",
    "exchange.member_mismatch": "{path}：内容与清单不符",
    "receive.disk_full": "磁盘空间不足，接收已取消，没有留下任何内容：{path}",
    "receive.cannot_write": "无法写入 {path}：{detail}（接收已取消，没有留下任何内容）",
    "receive.dest_not_empty": "目标文件夹不是空的，也不是审核工作区：{path}",
    "receive.dest_parent_missing": "目标文件夹的上级文件夹不存在：{path}",
    "receive.not_review_workspace": "该工作区不是由佐证材料包生成的审核工作区：{path}",
    "receive.supplement_needs_workspace": "这是补充材料包，请接收到原材料包生成的审核工作区中：{path}",
    "receive.other_package": "这个文件属于另一个佐证材料包，不能并入本审核工作区（本工作区的材料包：{expected}）：{path}",
    "receive.other_workspace": "这个补充材料包来自另一个工作区（审计链与已接收的材料包接不上），已拒绝：{path}",
    "receive.supplement_gap": "缺少更早的补充材料包：这个补充材料包接在第 {since} 条审计事件之后，"
                              "本工作区只收到第 {known} 条为止。请先接收之前的补充材料包：{path}",
    "reply.not_review_workspace": "只有由佐证材料包生成的审核工作区才能生成审核意见回复：{path}",
    "apply.not_exported_here": "这个审核意见回复针对的材料包（{package_id}）不是本工作区导出的，已拒绝：{path}",
    "apply.other_workspace": "这个审核意见回复针对的是另一个工作区（{workspace_name}）的材料包，已拒绝：{path}",
    "apply.inconsistent": "审核意见回复内部不一致（{detail}），已拒绝：{path}",
    "since.unknown": "--since 指定的文件既不是本工作区导出的材料包，也不是本工作区应用过的审核意见回复：{path}",
    "since.bad_file": "--since 应为材料包（.zip）或审核意见回复（.zip）：{path}",
})

FORMAT_NAMES = {"evidence-desk-package": "佐证材料包", "evidence-desk-return": "审核意见回复"}
FLAG_NAMES = {"failed_verification": "校验失败", "not_shipped": "未随包提供"}


REFUSALS = {
    "return.apply": "只有编制角色（评价工作小组）才能应用审核意见回复。",
    "supplement.receive": "只有审核角色才能接收补充材料包。",
    "reply.write": "只有审核角色才能生成审核意见回复。",
}


def error_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    p = dict(params)
    if code == "role.forbidden" and params.get("action") in REFUSALS:
        p["refusal"] = REFUSALS[params["action"]]
    if code == "exchange.unsafe":
        from desktop.text.exchange import problem_text

        p["problems_l"] = "\n".join(f"  - {problem_text(x)}" for x in params.get("problems", []))
    if code == "exchange.wrong_format":
        p["expected_l"] = FORMAT_NAMES.get(params.get("expected", ""), params.get("expected", ""))
    return p


def received_text(r: dict[str, Any]) -> str:
    """One receive in words (CLI)."""
    if r.get("already"):
        return f"这个文件已经接收过，未作任何修改：{r['workspace']}"
    if r.get("outdated"):
        return f"这个补充材料包早于已接收的内容，其中没有新内容，未作任何修改：{r['workspace']}"
    c = r.get("counts", {})
    if r["kind"] == "package":
        text = (f"已生成审核工作区：{r['workspace']}\n  指标 {c.get('claims', 0)} 个，佐证材料 {c.get('files', 0)} 份，"
                f"关联 {c.get('links', 0)} 条，原有审核记录 {c.get('reviews', 0)} 条")
        if r.get("failed"):
            text += f"\n  以下 {len(r['failed'])} 个文件校验失败，已标记为“校验失败”（没有保存其内容）：\n" + "\n".join(
                f"    - {p}" for p in r["failed"])
        return text
    return (f"已并入补充材料：{r['workspace']}\n  指标 {c.get('claims', 0)} 个有变化，新佐证材料 {c.get('files', 0)} 份，"
            f"关联 {c.get('links', 0)} 条（取消 {c.get('links_removed', 0)} 条），补充材料请求更新 {c.get('requests', 0)} 项")


# --- the documents of a return ------------------------------------------------------------------

OPINION_TITLE = "审核意见书"
NOTICE_TITLE = "补充材料通知单"
SHEET_OPINION = "审核意见"
SHEET_REQUESTS = "补充材料清单"
SHEET_TOTALS = "汇总"
OPINION_HEADER = ("序号", "部分", "章节", "指标", "数值与单位", "佐证材料", "审核状态", "审核意见", "补充材料请求",
                  "审核人", "审核时间", "佐证指纹（已核实）")
REQUEST_HEADER = ("请求编号", "序号", "指标编号", "需补充的材料", "截止日期", "状态", "答复佐证", "意见", "提出人",
                  "提出时间")
TOTALS_ITEM, TOTALS_COUNT = "项目", "数量"
TOTAL_ROWS = (("total", "指标总数"), ("verified", "已核实"), ("stale", "已变更，需复核"), ("questioned", "存疑"),
              ("needs_more", "需补充"), ("not_required", "无需佐证"), ("pending", "待审核"))
REQUEST_TOTAL_ROWS = (("total", "补充材料请求"), ("open", "待补充"), ("answered", "已答复"), ("accepted", "已接受"),
                      ("reopened", "已退回"))
META_PACKAGE, META_MANIFEST, META_REVIEWER, META_DATE = "材料包编号", "材料包清单哈希", "审核人", "日期"
TOTALS_TITLE = "汇总"
SIGNOFF_TITLE = "已核实指标的佐证指纹"
SIGNOFF_NOTE = ("指纹为审核时该指标的数值与所关联佐证文件（SHA-256 与位置）的哈希；文件或数值此后如有变化，"
                "该指标即显示为“已变更，需复核”。")
NOTICE_INTRO = "经审核，下列 {n} 项佐证材料需要补充。请将补充的文件关联到相应指标，标记为“已答复”后导出补充材料包（export --since）发回。"
NOTICE_HOWTO = ("处理方法：在佐证台中打开本单位工作区，应用审核意见回复（apply），把补充的文件放入佐证材料文件夹并关联到对应指标，"
                "然后对每项请求执行“答复”（request 编号 answered），最后导出补充材料包（export 工作区 补充.zip --since 回复.zip）。")
LABEL_VALUE, LABEL_STATE, LABEL_EVIDENCE, LABEL_COMMENT = "数值", "审核状态", "佐证", "审核意见"
LABEL_REQUEST, LABEL_REQUEST_NO, LABEL_DUE, LABEL_CLAIM = "补充材料", "请求", "截止日期", "指标"
LABEL_SECTION, LABEL_MISSING = "章节", "需补充的材料"
NO_EVIDENCE = "（无佐证）"
NONE = "（无）"
PAGE_STAMP = "第 {page} 页 共 {total} 页"
STATE_COLORS = {"verified": (46, 139, 87), "stale": (200, 120, 0), "questioned": (200, 40, 40),
                "needs_more": (200, 40, 40)}


def review_state(state: str) -> str:
    from desktop.text.messages import REVIEW_STATES

    return REVIEW_STATES.get(state, state)


def request_state(state: str) -> str:
    from desktop.text.requests import state_name

    return state_name(state)


def request_brief(r: dict[str, Any]) -> str:
    text = f"#{r['id']} {r['text']}（{request_state(r['state'])}"
    if r.get("due"):
        text += f"，截止 {r['due']}"
    text += "）"
    if r.get("answers"):
        text += " 答复：" + "、".join(f"E{e}" for e in r["answers"])
    if r.get("comment"):
        text += f" 意见：{r['comment']}"
    return text


def local(ts: str | None) -> str:
    from desktop.text.messages import local_time

    return local_time(ts) if ts else ""


def meta_lines(op) -> list[tuple[str, str]]:
    return [("被审核单位", op.unit or "（未填写）"), ("年度", f"{op.year} 年度" if op.year else "（未填写）"),
            ("材料包", op.workspace_name), (META_PACKAGE, op.package_id), (META_MANIFEST, op.package_manifest),
            (META_REVIEWER, op.reviewer), (META_DATE, local(op.created_at))]


def reply_text(r: dict[str, Any]) -> str:
    c = r.get("counts", {})
    return (f"已生成审核意见回复：{r['path']}\n  审核记录 {c.get('reviews', 0)} 条，补充材料请求 {c.get('requests', 0)} 项"
            f"（待补充 {c.get('open_requests', 0)} 项），审计事件 {c.get('events', 0)} 条\n"
            f"  回复文件哈希（SHA-256）：{r['file_sha256']}")


def applied_text(r: dict[str, Any]) -> str:
    if r.get("already"):
        return f"这个审核意见回复已经应用过，未作任何修改：{r['path']}"
    c = r.get("counts", {})
    if not (c.get("reviews") or c.get("requests")):
        return f"审核意见回复中没有新的内容（均已应用过），未作任何修改：{r['path']}"
    text = (f"已应用 {r.get('inspector') or '审核人'} 的审核意见：新审核记录 {c.get('reviews', 0)} 条，"
            f"补充材料请求更新 {c.get('requests', 0)} 项；现有待补充 {c.get('open_requests', 0)} 项")
    if c.get("skipped_claims"):
        text += f"\n  {c['skipped_claims']} 条审核记录针对的指标在本工作区已不存在，未应用"
    return text


def supplement_text(r: dict[str, Any]) -> str:
    c = r.get("counts", {})
    return (f"已导出补充材料包：{r['path']}\n  变化的指标 {c.get('claims', 0)} 个，关联 {c.get('links', 0)} 条，"
            f"新佐证材料 {c.get('files', 0)} 份，补充材料请求 {c.get('requests', 0)} 项\n"
            f"  材料包哈希（SHA-256）：{r['package_sha256']}")


def describe_exchange(action: str, p: dict[str, Any]) -> str:
    """A receive, reply or apply in the audit log."""
    received = p.get("received") if isinstance(p.get("received"), dict) else {}
    sender = received.get("sender") if isinstance(received.get("sender"), dict) else {}
    counts = received.get("counts") if isinstance(received.get("counts"), dict) else {}
    if action == "package.received":
        pkg = p.get("package") or {}
        audit = pkg.get("audit") or {}
        return (f"接收《{pkg.get('workspace_name') or ''}》的佐证材料包（{pkg.get('name') or '?'} 导出）："
                f"指标 {counts.get('claims', 0)} 个，佐证材料 {counts.get('files', 0)} 份；"
                f"清单哈希 {str(pkg.get('manifest_sha256', ''))[:16]}…，对方审计链头 #{audit.get('seq', '?')}")
    if action == "supplement.received":
        return (f"接收 {sender.get('name') or '?'} 的补充材料包：指标 {counts.get('claims', 0)} 个有变化，"
                f"新佐证材料 {counts.get('files', 0)} 份，补充材料请求 {counts.get('requests', 0)} 项")
    if action == "return.written":
        e = p.get("export") or {}
        c = e.get("counts") if isinstance(e.get("counts"), dict) else {}
        return (f"生成审核意见回复：审核记录 {c.get('reviews', 0)} 条，补充材料请求 {c.get('requests', 0)} 项；"
                f"{e.get('path', '')}")
    return (f"应用 {sender.get('name') or '?'} 的审核意见回复：新审核记录 {counts.get('reviews', 0)} 条，"
            f"补充材料请求更新 {counts.get('requests', 0)} 项")


# --- the window: 文件 → 打开佐证材料包…, 接收增补材料…, 应用审核意见…, 审核 → 导出审核意见… ---------------------

RECEIVE_TITLE = "打开佐证材料包"
RECEIVE_INTRO = ("打开评价小组导出的佐证材料包（.zip）：先逐个核对包内每个文件的哈希，再生成一个审核工作区"
                 "（以“审核”角色打开，可以查看、搜索、预览、审核，不能修改指标和关联）。")
RECEIVE_CHECKING = "正在校验材料包…"
RECEIVE_OK = "✓ 校验通过：{members} 个文件与清单一致，package.db 与清单一致。"
RECEIVE_FAILED = "✗ 校验未通过：以下 {n} 个文件与清单不符，默认拒绝打开。"
RECEIVE_FORCE_HINT = ("可以“仍然打开”：这些文件标记为“校验失败”，不保存其内容，其余内容照常打开。"
                      "请向评价小组核实后再作结论。")
RECEIVE_NO_FORCE = "这些问题不只涉及佐证文件，材料包不能打开。"
RECEIVE_SUPPLEMENT = "这是补充材料包，请在审核工作区中用“文件 → 接收增补材料…”接收。"
RECEIVE_WORKING = "正在生成审核工作区…"
RECEIVE_DEST_HINT = "新的（或空的）文件夹，审核工作区将建在这里"
APPLY_TITLE = "应用审核意见"
APPLY_ALREADY = "这个审核意见回复已应用过，无变化：{path}"
REPLY_TITLE = "导出审核意见"
SUPPLEMENT_TITLE = "接收增补材料"


def verification_lines(problems: list[dict[str, Any]]) -> list[str]:
    from desktop.text.exchange import problem_text

    return [problem_text(p) for p in problems]


def apply_preview_text(p: dict[str, Any]) -> str:
    """What applying a return will do (``preview_return``), before it is applied."""
    if p.get("already"):
        return APPLY_ALREADY.format(path=p["path"])
    states = p.get("request_states") or {}
    waiting = states.get("open", 0) + states.get("reopened", 0)
    return (f"校验通过：这是 {p.get('inspector') or '审核人'} 对本工作区材料包的审核意见回复"
            f"（{local(p.get('created_at'))}）。\n"
            f"将应用：新审核记录 {p['new_reviews']} 条（回复中共 {p['reviews']} 条），"
            f"补充材料请求更新 {p['newer_requests']} 项（回复中共 {p['requests']} 项，其中待补充 {waiting} 项）。\n"
            f"审核记录和请求在审计日志中记在审核人名下。")
