"""Why a sign-off lapsed (已变更，需复核), in words: the reasons :func:`desktop.review.review.review_info`
returns as codes."""

from __future__ import annotations

from typing import Any


def stale_reason_text(reason: dict[str, Any]) -> str:
    code = reason.get("code")
    if code == "value_changed":
        return f"数值由 {reason['before']} 改为 {reason['after']}"
    if code == "link_added":
        return f"新关联了《{reason['name']}》"
    if code == "link_removed":
        return f"取消了与《{reason['name']}》的关联"
    if code == "locator_changed":
        return f"《{reason['name']}》的位置由“{reason['before']}”改为“{reason['after']}”"
    if code == "file_superseded":
        return f"《{reason['name']}》有了新版本"
    return "佐证已变化"


# -- the review mode's locator preview (desktop/ui/panels/review_mode/locator_preview.py) ----------------------

PREVIEW_PROMPT = "选择一份佐证即可在此预览。"
PREVIEW_LOADING = "正在读取这份文件…"
PREVIEW_MISSING = "存储中找不到这份文件的副本（可运行“校验完整性”查看）。"
PREVIEW_UNSUPPORTED = "无法预览 .{ext} 文件，请用其他程序打开原件。"
PREVIEW_PDF_FAILED = "无法打开 PDF（{error}）。"
PREVIEW_IMAGE_FAILED = "无法显示图片：{error}"
PREVIEW_FAILED = "无法预览这份文件：{error}"


def preview_refused_text(detail: str) -> str:
    """A file the preview would not open under the parsing ceilings (desktop.parsing.guarded.Refused):
    “无法预览这份文件：疑似压缩炸弹：解压后总大小 600 MB，超过上限 300 MB（设置 parse.zip_unpacked_mb）。”"""
    return f"无法预览这份文件：{detail.rstrip('。')}。本程序未受影响，其他文件照常预览。"
