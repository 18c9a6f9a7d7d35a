"""Wording about the app itself: the version line, 关于, and the crash report of an unexpected error.

The GUI's crash dialog (with 复制错误信息) and 帮助 → 关于 use these; so does the CLI's "内部错误" line.
No Qt here.
"""

from __future__ import annotations

import datetime as _dt
import traceback
from pathlib import Path
from types import TracebackType

ABOUT_TITLE = "关于佐证台"
CRASH_TITLE = "佐证台遇到意外错误"
COPY_BUTTON = "复制错误信息"
PRODUCT = "佐证台 EvidenceDesk"
TAGLINE = "绩效自评报告的指标与佐证材料核对"


def about_text(info: dict[str, str], log: Path, data: Path) -> str:
    """The body of 帮助 → 关于 (``info`` from :func:`desktop.version.build_info`)."""
    return (f"{PRODUCT}\n{TAGLINE}\n\n"
            f"版本：{info['version']}\n"
            f"Python {info['python']}，{info['platform']}\n\n"
            f"数据文件夹：{data}\n"
            f"日志文件：{log}")


ABOUT_COPY_BUTTON = "复制"
GUIDE_TITLE = "使用指南"
SHORTCUTS_TITLE = "键盘快捷键"
GUIDE_MISSING = "找不到使用指南文件：{path}"


def about_workspace_text(name: str, root: Path, seq: int, head_hash: str) -> str:
    """The workspace part of 关于: where it is, and its audit chain's head as an external anchor."""
    if not seq:
        return f"当前工作区：{name}\n工作区文件夹：{root}\n\n审计链：尚无记录"
    return (f"当前工作区：{name}\n工作区文件夹：{root}\n\n"
            f"审计链头：第 {seq} 条事件\n哈希：{head_hash}\n"
            "（可把这两行另行保存或打印留档：日后若审计链中第 "
            f"{seq} 条事件的哈希与此不同，说明记录被改写过。）")


def internal_error_line(exc: BaseException, log: Path) -> str:
    """The CLI's one line for an unexpected error (the traceback is in the log)."""
    return f"内部错误：{type(exc).__name__}: {exc}（详情已写入日志：{log}）"


def crash_message(log: Path) -> str:
    """The crash dialog's text: what happened, that work is safe, where the details are."""
    return ("佐证台遇到了一个意外错误。已保存的工作不受影响：每项修改在完成时即已写入工作区。\n\n"
            f"错误详情已写入日志文件：\n{log}\n\n"
            f"可点击“{COPY_BUTTON}”，把错误信息粘贴给技术支持人员。")


def crash_report(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
                 info: dict[str, str], log: Path, when: _dt.datetime | None = None) -> str:
    """The text 复制错误信息 puts on the clipboard: version, platform, time, log path and traceback."""
    when = when or _dt.datetime.now().astimezone()
    trace = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()
    return (f"{PRODUCT} {info['version']}\n"
            f"Python {info['python']}；{info['platform']}；打包版本：{'是' if info['frozen'] == 'yes' else '否'}\n"
            f"时间：{when.isoformat(timespec='seconds')}\n"
            f"日志：{log}\n\n"
            f"{trace}\n")
