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
}

ROLE_NAMES = {"editor": "编制", "reviewer": "审核"}

# -- evidence ingest (issue 4) --
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
    "internal": "处理时发生内部错误",
    "crashed": "处理此文件时程序曾多次异常退出，已跳过",
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
    "ocr_failed": "文字识别失败",
    "unknown_task": "未知任务",
}
TEXT_STATUS_NAMES = {"pending": "等待提取文字", "done": "已提取文字", "needs_ocr": "扫描件，需要 OCR",
                     "no_ocr": "未安装 OCR", "none": "无文字", "error": "出错"}
OUTCOME_NAMES = {"added": "已登记", "new_version": "新版本", "duplicate": "与已有文件相同",
                 "renamed": "已改名/移动", "restored": "已恢复", "unchanged": "未变化", "absent": "已从文件夹移除"}
WATCH_STATE_NAMES = {"watching": "监控中", "polling": "轮询", "stopped": "已停止",
                     "unavailable": "已停止（文件夹不可用）", "restarting": "监控中断，正在重启",
                     "off": "未监控"}


def ingest_error_text(code: str | None, detail: str | None = None) -> str:
    """Words for an ingest error code (``permission_denied`` …), with the OS detail when useful."""
    text = INGEST_ERRORS.get(code or "", f"出错了（{code}）")
    if detail and code in ("os_error", "internal", "io_error", "index_failed"):
        text += f"：{detail}"
    return text

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
