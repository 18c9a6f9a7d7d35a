"""Wording of a file's new version compared with the old one (for 改用新版本)."""

from __future__ import annotations

from typing import Any, Callable


def comparison_text(cmp: Any, claim_label: Callable[[int], str] = lambda c: f"#{c}") -> str:
    """新版本 E7 与 E3 相比：少了 2 个数字（21,099 台账!D12 …），多了 1 个；已关联的 3 个指标中 2 个的数值仍在，1 个不在了（#12 …）。"""
    def places(items: list[tuple[str, str | None]]) -> str:
        shown = "、".join(f"{raw}{'（' + loc + '）' if loc else ''}" for raw, loc in items[:5])
        return shown + ("…" if len(items) > 5 else "")

    parts = []
    if cmp.removed_count or cmp.added_count:
        if cmp.removed_count:
            parts.append(f"少了 {cmp.removed_count} 个数字：{places(cmp.removed)}")
        if cmp.added_count:
            parts.append(f"多了 {cmp.added_count} 个数字：{places(cmp.added)}")
    else:
        parts.append("数字没有变化")
    linked = len(cmp.claims_kept) + len(cmp.claims_lost)
    if linked:
        text = f"已关联的 {linked} 个指标中，{len(cmp.claims_kept)} 个的数值新版本中仍有"
        if cmp.claims_lost:
            text += f"，{len(cmp.claims_lost)} 个找不到了：" + "、".join(claim_label(c) for c in cmp.claims_lost[:5])
        parts.append(text)
    return f"新版本 E{cmp.new_id} 与 E{cmp.old_id} 相比：" + "；".join(parts) + "。"


__all__ = ["comparison_text"]
