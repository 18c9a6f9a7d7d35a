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
    "workspace.sqlite_too_old": "本机 Python 自带的 SQLite 版本为 {version}，过旧；佐证台需要 SQLite {needed} 或更新版本。"
                                "请改用自带较新 SQLite 的 Python 3.11+（如 Debian 12、Ubuntu 24.04 自带的 Python，"
                                "或 python.org 的 Windows/macOS 安装包）",
    "workspace.sqlite_no_fts": "本机 Python 自带的 SQLite（{version}）不支持全文检索（FTS5 trigram），佐证台无法使用。"
                               "请改用 SQLite 带 FTS5 的 Python 3.11+（如 Debian 12、Ubuntu 24.04 自带的 Python，"
                               "或 python.org 的 Windows/macOS 安装包）",
    "workspace.locked": "工作区正被 {who_l} 使用（它在监控文件夹、登记佐证材料，同一时间只能有一个程序这样做）：{path}",
    "workspace.busy": "工作区正忙：另一个程序的写入 30 秒后仍未完成，请稍后再试：{path}",
    "workspace.review_only": "这是审核工作区（由佐证材料包生成），只能审核和填写意见，不能登记佐证材料：{path}",
    "workspace.unwritable": "工作区所在的文件夹不可写（只读共享或没有权限），只能只读查看：{path}",
    "workspace.tampered": "审计记录与工作区外的链头文件不一致（{problem_l}），为保留证据，工作区只能只读打开。"
                          "请运行 verify 查看详情：{path}",
    "workspace.readonly": "工作区以只读方式打开，不能修改。",
    "workspace.bad_role": "未知角色：{role}（可用：editor 编制 / reviewer 审核）",
    "watch.not_found": "找不到要监控的文件夹：{path}",
    "watch.not_a_folder": "不是文件夹，不能监控：{path}",
    "watch.inside_workspace": "监控文件夹不能放在工作区里面（{workspace}）：那样工作区自己的文件会被当作佐证登记。"
                              "请选择工作区以外的文件夹：{path}",
    "watch.contains_workspace": "监控文件夹不能包含工作区（{workspace}）：那样工作区自己的文件会被当作佐证登记。"
                                "请选择工作区以外的文件夹，或把工作区移到别处：{path}",
    "setting.out_of_range": "设置 {key_l} 超出范围：应为 {lo} 到 {hi} 之间的数，收到 {value}",
    "watch.other_workspace": "监控文件夹不能是另一个工作区，也不能放在另一个工作区里面（{workspace}）：那样它的存储和数据库"
                             "会被当作佐证登记。请选择别的文件夹：{path}",
    "ingest.into_workspace": "不能把工作区自己的文件（数据库、存储、缩略图）当作佐证登记：{path}",
    "disk.full": "工作区所在的磁盘已满（{detail}），操作已停止。已完成的部分完好保存，其余没有写入；"
                 "请释放磁盘空间后重新运行。工作区：{path}",
    "watch.unchanged": "监控文件夹没有变化：{path}",
    "version.no_newer": "佐证 E{evidence_id} 没有更新的版本。",
    "version.several_newer": "佐证 E{evidence_id} 有不止一个较新的版本，请逐个关联要用的版本。",
    "role.forbidden": "当前角色（{role_name}）无权执行此操作。",
    "report.not_found": "找不到报告文件：{path}",
    "score_table.not_found": "工作区中没有编号为 {table_id} 的绩效自评表。",
    "report.not_a_file": "不是文件：{path}",
    "report.unreadable": "无法读取报告文件：{path}",
    "report.empty": "报告文件为空：{name}",
    "report.binary": "文件内容不是文本，可能是改了扩展名的其他文件：{name}",
    "report.undecodable": "无法识别报告文件的文字编码（支持 UTF-8、GBK/GB18030）。",
    "report.unsupported_format": "不支持的报告格式“{suffix}”：{name}（支持 .txt .md .docx .pdf .xlsx）",
    # -- claims --
    "report.corrupt": "文件已损坏，或不是有效的 {format} 文件（可能是改了扩展名的其他文件）：{name}",
    "report.encrypted": "PDF 文件已加密，无法读取文字。请先在 PDF 阅读器中去除密码后再导入：{name}",
    "report.scanned": "PDF 全部为扫描页（共 {pages} 页，没有文字层），需 OCR 识别后再导入：{name}",
    "report.no_text": "文件中没有可识别的文字：{name}",
    "report.encrypted_office": "{format} 文件设置了打开密码，无法读取。请先取消密码后再导入：{name}",
    "report.legacy_format": "“{suffix}”是旧版 Office 格式，请在 WPS 或 Office 中另存为“{suggest}”后再导入：{name}",
    "report.reader_missing": "缺少读取该格式所需的组件：{detail}",
    "report.not_in_workspace": "找不到报告 #{report_id}",
    "report.already_imported": "报告《{name}》（#{report_id}）已导入过，内容完全相同，没有重复导入。"
                               "如确需再导入一份，请加 --again。",
    "report.same_content": "新版本与当前报告《{name}》内容完全相同，无需导入。",
    "report.superseded": "报告《{name}》已有新版本，请在最新版本上操作。",
    "report.over_limit": "报告未导入（工作区没有任何改动）——{detail}：{name}",
    "claim.bad_value": "数值无效：“{value}”（请填写数字，如 658.83）",
    "claim.bad_span": "所选位置不在报告正文范围内。",
    "claim.empty_selection": "请先在报告中选中要标记的文字。",
    "claim.bad_state": "指标 #{claim_id} 当前状态为“{state}”，不能执行此操作。",
    "claim.no_change": "没有需要保存的修改。",
    "claim.not_found": "找不到指标 #{claim_id}",
    "evidence.not_found": "找不到佐证材料 #{evidence_id}",
    "evidence.unreadable": "无法读取文件：{path}（{detail}）",
    "link.exists": "指标 #{claim_id} 已关联佐证 #{evidence_id}",
    "link.not_found": "指标 #{claim_id} 未关联佐证 #{evidence_id}",
    # -- links and suggestions --
    "link.nothing_to_change": "没有要修改的内容。",
    "claim.reason_required": "请填写无需佐证的理由。",
    "claim.already_not_required": "指标 #{claim_id} 已标记为无需佐证。",
    "claim.not_marked": "指标 #{claim_id} 没有标记为无需佐证。",
    "suggestion.already_rejected": "已经拒绝过这条建议（指标 #{claim_id} ← 佐证 #{evidence_id}）。",
    "suggestion.not_rejected": "这条建议没有被拒绝过（指标 #{claim_id} ← 佐证 #{evidence_id}）。",
    "suggestion.not_found": "指标 #{claim_id} 没有关联建议（可以手动关联）。",
    "suggestion.not_suggested": "佐证 #{evidence_id} 不在指标 #{claim_id} 的关联建议中（可以手动关联）。",
    "suggestion.rejected": "指标 #{claim_id} ← 佐证 #{evidence_id} 的建议已被拒绝，如需关联请手动关联。",
    # -- consistency checks (一致性检查) --
    "checks.bad_profile": "评分规则文件 {source} 无法读取：{detail}",
    "checks.unknown_profile": "没有名为 {profile} 的评分规则（可用：{available}）",
    "finding.not_found": "当前没有编号为 {key} 的检查结果（可能已随报告修改而消失）",
    "finding.reason_required": "请填写忽略这条检查结果的理由。",
    "finding.already_dismissed": "这条检查结果已被忽略（{key}）。",
    "finding.not_dismissed": "这条检查结果没有被忽略（{key}）。",
}

ROLE_NAMES = {"editor": "编制", "reviewer": "审核"}

#: notices a reader attaches to a document (``Document.warnings``): shown after an import
WARNINGS: dict[str, str] = {
    "report.scanned_page": "第 {page} 页为扫描页，需 OCR（该页的指标未能抽取）",
    "report.decoded_gbk": "文件按 GBK/GB18030 编码读取。",
    "report.formulas_not_calculated": "工作表“{sheet}”有 {cells} 个公式单元格没有计算结果（文件未经 Excel 保存），"
                                      "请在 Excel 中打开并保存后重新导入",
}

CLAIM_STATES = {"active": "有效", "candidate": "待确认", "ignored": "已忽略", "dismissed": "已排除",
                "vanished": "新版本中已删除"}

# -- evidence ingest --
INGEST_ERRORS: dict[str, str] = {
    # a file that could not be registered
    "permission_denied": "没有读取权限",
    "locked": "文件被其他程序占用",
    "disk_full": "工作区所在磁盘空间不足",
    "io_error": "读取出错（磁盘或网络）",
    "symlink_loop": "符号链接循环，无法打开",
    "broken_link": "链接指向的文件不存在",
    "name_too_long": "文件名过长",
    "bad_name": "文件名无效",
    "not_regular": "不是普通文件（管道、设备等），已跳过",
    "empty": "文件为空（0 字节），未登记；写入内容后会自动登记",
    "vanished_during_copy": "文件在复制过程中被删除或移走，未登记",
    "folder_missing": "文件夹不存在",
    "os_error": "无法读取文件",
    "store_error": "写入工作区存储（store 文件夹）时出错",
    "internal": "处理时发生内部错误",
    "crashed": "处理此文件时程序曾多次异常退出，已跳过",
    "outside_folder": "链接指向监控文件夹以外，未读取、未登记",
    "into_workspace": "指向工作区自身的文件（数据库、存储或缩略图），未读取、未登记",
    "workspace_folder": "这是另一个佐证台工作区（含 workspace.db），其中的文件不登记",
    # a registered file whose text or preview could not be made
    "pdf_encrypted": "PDF 已加密（需要密码），无法提取文字",
    "pdf_corrupt": "PDF 文件已损坏或不完整",
    "docx_corrupt": "Word 文件已损坏，或不是有效的 .docx",
    "xlsx_corrupt": "Excel 文件已损坏，或不是有效的 .xlsx",
    "image_corrupt": "图片已损坏或格式无法识别",
    "image_too_large": "图片尺寸过大（可能是“解压炸弹”），已拒绝处理",
    "undecodable": "无法识别文字编码（支持 UTF-8、GBK/GB18030）",
    "unreadable": "无法读取存储副本",
    "missing": "存储副本缺失",
    "too_large": "文件过大，无法处理",
    "index_failed": "提取文字时出错",
    "extract_crashed": "解析此文件时解析程序崩溃（文件可能已损坏或是恶意构造），已跳过；其他文件不受影响",
    "extract_timeout": "解析超时（文件过大或结构异常），已跳过；其他文件不受影响",
    "zip_bomb": "疑似压缩炸弹（解压后过大），未解析；其他文件不受影响",
    "memory_limit": "超出内存上限，解析已中止；其他文件不受影响",
    "too_many_pages": "页数超过上限，未解析",
    "xlsx_too_large": "工作表范围超过上限（疑似恶意构造），未解析",
    "too_many_numbers": "文件中的数字超过上限，未编入索引",
    "too_much_text": "文件中的文字超过上限，未编入索引",
    "ocr_failed": "文字识别失败",
    "unknown_task": "未知任务",
    "role_forbidden": "当前角色为“审核”，切换回“编制”后自动登记",
}
TEXT_STATUS_NAMES = {"pending": "等待提取文字", "done": "已提取文字", "needs_ocr": "扫描件，需要 OCR",
                     "no_ocr": "未安装 OCR", "none": "无文字", "error": "出错"}
OUTCOME_NAMES = {"added": "已登记", "new_version": "新版本", "duplicate": "与已有文件相同",
                 "renamed": "已改名/移动", "restored": "已恢复", "unchanged": "未变化", "absent": "已从文件夹移除"}
WATCH_STATE_NAMES = {"watching": "监控中", "polling": "轮询", "stopped": "已停止",
                     "unavailable": "已停止（文件夹不可用）", "restarting": "监控中断，正在重启",
                     "off": "未监控"}


LIMIT_CODES = ("zip_bomb", "memory_limit", "extract_timeout", "image_too_large", "too_many_pages",
               "xlsx_too_large", "too_many_numbers", "too_much_text")


def ingest_error_text(code: str | None, detail: str | None = None) -> str:
    """Words for an ingest error code (``permission_denied`` …), with the OS detail when useful."""
    text = INGEST_ERRORS.get(code or "", f"出错了（{code}）")
    if detail and code in ("os_error", "internal", "io_error", "index_failed", "store_error"):
        text += f"：{detail}"
    elif detail and code in LIMIT_CODES and "（设置 " in detail:  # names the limit (desktop.text.limits)
        text = detail + "，未解析；其他文件不受影响"
    return text

PROBLEMS: dict[str, str] = {
    "event_altered": "审计事件 #{seq}（{action_name}，记录于 {since_l}）的内容在记录之后被改动",
    "event_missing": "审计事件 {range_l} 被删除（{since_l} 之后、{until_l} 之前的记录）",
    "event_chain_broken": "审计事件 #{seq}（{until_l}）与前一事件的链接断开：事件被删除、插入或调换",
    "head_missing": "工作区外的链头文件 audit-head.json 缺失",
    "head_corrupt": "链头文件 audit-head.json 已损坏",
    "events_truncated": "审计事件 {range_l} 被从末尾截掉（{since_l} 之后的记录；"
                        "链头文件最后更新于 {head_written_l}）",
    "head_mismatch": "链头文件记录的事件 #{seq} 与数据库不符：审计记录被整体改写"
                     "（链头文件最后更新于 {head_written_l}）",
    "head_behind": "事件 #{seq} 之后的记录未写入链头文件（可能是异常退出，读写打开工作区即可修复）",
    "sqlite_integrity": "数据库文件损坏：{detail}",
    "trigger_missing": "保护审计记录的触发器 {trigger} 被删除，数据库已不再阻止{verb_l}审计事件",
    "trigger_altered": "保护审计记录的触发器 {trigger} 被改动，已不能阻止{verb_l}审计事件",
    "object_missing": "佐证 #{evidence_id}《{name}》的存储副本缺失（登记于 {since_l}）",
    "object_altered": "佐证 #{evidence_id}《{name}》的存储副本被替换（登记于 {since_l}，文件修改于 {until_l}）：{path}",
    "object_truncated": "佐证 #{evidence_id}《{name}》的存储副本被截断（应为 {expected_size} 字节，现为 "
                        "{actual_size} 字节；登记于 {since_l}，文件修改于 {until_l}）：{path}",
    "object_orphan": "存储中有未登记的文件（出现于 {until_l}）：{path}",
    "anchor_missing": "审计事件 #{seq} 不存在，而记在别处的审计链头（{anchor}）指向它：审计记录被截短或整体改写",
    "anchor_mismatch": "审计事件 #{seq} 的哈希为 {actual}，与记在别处的审计链头 {anchor} 不符：审计记录被整体改写",
    "review_unrecorded": "指标 #{claim_id} 的审核记录 R{review_id}（{since_l}）没有对应的审计事件：记录是被直接插入的",
    "review_altered": "指标 #{claim_id} 的审核记录 R{review_id} 与审计事件 #{seq}（{since_l}）不符：{fields_l}被改动"
                      "（记录为“{recorded_state_l}”，现为“{state_l}”）",
    "review_deleted": "指标 #{claim_id} 的审核记录 R{review_id}（审计事件 #{seq}，{since_l}，“{recorded_state_l}”）被删除",
}

# -- review and audit --
ERRORS.update({
    "review.bad_state": "未知的审核状态：{state}（可用：pending 待审核、verified 已核实、questioned 存疑、"
                        "needs_more 需补充、not_required 无需佐证）",
    "review.comment_too_long": "审核意见过长（最多 {max} 字）。",
    "review.claim_inactive": "指标 #{claim_id} 不是当前报告中的有效指标，不能审核。",
})
REVIEW_STATES = {
    "pending": "待审核",
    "verified": "已核实",
    "questioned": "存疑",
    "needs_more": "需补充",
    "not_required": "无需佐证",
    "stale": "已变更，需复核",
}
# What each role may do, said when the service layer refuses an action.
ROLE_REFUSALS = {
    "reviewer": "当前角色（审核）只能审核和填写意见，不能修改指标、佐证材料和关联。",
    "editor": "只有审核角色才能设置审核状态；请以“审核”角色打开工作区。",
}
REVIEW_FIELDS = {"state": "审核状态", "comment": "意见", "reviewer": "审核人", "claim_id": "指标",
                 "fingerprint": "佐证指纹", "created_at": "时间"}
VERBS = {"UPDATE": "修改", "DELETE": "删除"}


class Params(dict):
    """Parameters for a message template: a missing one shows as "?" instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def local_time(ts: str | None) -> str:
    """``2025-03-01T06:04:05.123Z`` → ``2025-03-01 14:04:05`` in this computer's time zone."""
    if not ts:
        return "?"
    import datetime as _dt

    try:
        when = _dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return ts
    if when.tzinfo is None:
        return when.strftime("%Y-%m-%d %H:%M:%S")
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


#: text modules of later areas that add their own codes to ERRORS (imported on first use: they import this
#: module) and may word some parameters (``error_params(code, params)``)
AREA_MODULES = ("desktop.text.requests", "desktop.text.exchange", "desktop.text.inspection")


def _area_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    import importlib

    for name in AREA_MODULES:
        module = importlib.import_module(name)
        hook = getattr(module, "error_params", None)
        if hook is not None:
            params = hook(code, params)
    return params


def error_text(code: str, params: dict[str, Any] | None = None) -> str:
    params = _area_params(code, dict(params or {}))
    if code == "role.forbidden" and params.get("refusal"):  # an area's own words for its refusal
        return params["refusal"]
    if code == "role.forbidden" and (params or {}).get("role") in ROLE_REFUSALS:
        return ROLE_REFUSALS[(params or {})["role"]]
    params = dict(params or {})
    if code == "workspace.locked":
        params["who_l"] = holder_text(params)
    if code == "workspace.tampered":  # the head file says the log was cut or rewritten (rolled back)
        problem = str(params.get("problem") or "")
        params.setdefault("problem_l", HEAD_PROBLEMS.get(problem, problem or "原因不明"))
    if code == "setting.out_of_range":
        params.setdefault("key_l", SETTING_NAMES.get(params.get("key", ""), params.get("key", "")))
    if "role" in params:
        params.setdefault("role_name", ROLE_NAMES.get(params["role"], params["role"]))
    if "state" in params:
        params["state"] = CLAIM_STATES.get(params["state"], params["state"])
    template = ERRORS.get(code)
    if template is None:
        return f"出错了（{code}）"
    return template.format_map(Params(params))


SETTING_NAMES = {"ingest.poll_interval": "轮询间隔（秒）", "ingest.scan_interval": "全盘核对间隔（秒）",
                 "ingest.quiet_seconds": "文件静止多久后登记新版本（秒）"}

HEAD_PROBLEMS = {
    "head_missing": "链头文件缺失",
    "head_corrupt": "链头文件已损坏",
    "events_truncated": "末尾的审计事件被删除",
    "head_mismatch": "审计事件被改写",
}


def holder_text(holder: dict[str, Any]) -> str:
    """Who holds a workspace's writer lock: ``李会计（PC-01，进程 4242）``, or 另一个程序."""
    if not holder or not (holder.get("actor") or holder.get("host") or holder.get("pid")):
        return "另一个程序"
    return f"{holder.get('actor') or '（未署名）'}（{holder.get('host') or '?'}，进程 {holder.get('pid') or '?'}）"


def readonly_text(info: Any) -> tuple[str, str]:
    """(status-bar badge, explanation) for a workspace opened read-only; ``info`` is ``Workspace.info``."""
    holder = getattr(info, "holder", {}) or {}
    reason = getattr(info, "reason", None)
    if reason == "locked":
        who = f"{holder.get('actor') or ''}（{holder.get('host') or ''}，进程 {holder.get('pid') or ''}）" \
            if holder else "另一个程序"
        return (f"只读（{holder.get('actor') or '他人'}正在使用）",
                f"该工作区正被 {who} 使用，本窗口以只读方式打开，不会写入任何内容。")
    if reason == "unwritable":
        detail = f"（{holder['detail']}）" if holder.get("detail") else ""
        return ("只读（文件夹不可写）",
                f"工作区所在的文件夹不可写（只读共享、磁盘已满或没有权限）{detail}，本窗口以只读方式打开。"
                "显示的是打开那一刻的内容；要看别人之后的修改，请重新打开工作区。")
    if reason == "tampered":
        problem = HEAD_PROBLEMS.get(holder.get("problem", ""), holder.get("problem", ""))
        return ("只读（审计链不一致）",
                f"审计记录与工作区外的链头文件不一致（{problem}）：可能有记录被删除或改写。为保留证据，"
                "工作区以只读方式打开。请用“工具 → 校验完整性”查看详情。")
    return "只读", "工作区以只读方式打开。"


def head_write_failed_text(err: BaseException) -> tuple[str, str]:
    """(status-bar badge, explanation) while the audit head file outside the database cannot be written."""
    return ("⚠ 审计链头文件未能更新",
            f"最近的修改已保存在数据库中，但工作区外的审计链头文件未能写入（{err}）。"
            "请检查磁盘空间和文件夹权限；下一次修改或重新打开工作区时会自动补写。")


def warning_text(warning: dict[str, Any]) -> str:
    template = WARNINGS.get(warning.get("code", ""), "{code}")
    return template.format_map(Params(warning))


# -- links and suggestions -----------------------------------------------------------------------

STRENGTH_NAMES = {"strong": "强", "possible": "可能"}

FLAG_NAMES = {
    "no_evidence": "缺佐证",
    "value_not_found": "数值未找到",
    "evidence_superseded": "证据有新版本",
    "unlinked": "未关联证据",
    "ingest_error": "读取出错",
    "superseded": "已有新版本",
    "failed_verification": "校验失败",
    "not_shipped": "未随材料包提供",
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
        elif code == "words_differ":
            parts.append(f"但数字旁写的是“{r.get('found')}”，指标说的是“{r.get('claim')}”")
        elif code == "more_places":
            exact = r.get("exact") or 0
            parts.append(f"另有 {r.get('count')} 处" + (f"（其中 {exact} 处数值完全一致）" if exact else ""))
        elif code == "other_year":
            years = "、".join(str(y) for y in r.get("years") or [])
            parts.append(f"但文件是 {years} 年的，指标是 {r.get('claim_year')} 年的")
    return "，".join(parts) if parts else "（无）"
