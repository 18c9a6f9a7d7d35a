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
