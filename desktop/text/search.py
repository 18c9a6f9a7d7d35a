"""Wording of evidence search: what was searched, what was found, and what to try when nothing was."""

from __future__ import annotations

from typing import Any

SEARCHED_FIELDS = "文件名、所在文件夹路径、文件中的文字"
NUMBER_SCALES = "元、千元、万元、亿元"


def _quoted(words: list[str]) -> str:
    return "、".join(f"“{w}”" for w in words)


def searched_text(result: Any) -> str:
    """What a search looked at: 已查找文件名、…，以及数值“21099”（按 元、千元、万元、亿元 换算，含四舍五入）。"""
    text = f"已查找{SEARCHED_FIELDS}"
    if result.numbers:
        text += f"，以及数值{_quoted(result.numbers)}（不论千分位，按{NUMBER_SCALES}换算，含四舍五入）"
    return text + "。"


def tips(result: Any) -> list[str]:
    """What to try when nothing was found."""
    out = []
    if len(result.words) > 1:
        out.append("减少关键词：每个词都须在同一个文件中出现")
    if result.numbers:
        out.append("只输入数字本身（如 21099 或 658.83），不带单位和千分位逗号也能找到")
    if any(w not in result.numbers for w in result.words):
        out.append("输入更短的一段文字，例如文件名或表格中的两三个字")
    if result.pending:
        out.append(f"还有 {result.pending} 个文件正在处理，处理完成后才能按其中的文字和数值找到")
    out.append("确认文件已放入监控文件夹或拖入窗口（状态栏显示处理进度）")
    return out


def empty_text(result: Any) -> str:
    """The empty state of a search: 没有找到与“21099”相符的佐证材料。已查找…。可以试试：…"""
    lines = [f"没有找到与“{result.query.strip()}”相符的佐证材料。", searched_text(result), "可以试试："]
    lines += [f"· {t}" for t in tips(result)]
    return "\n".join(lines)


def summary_text(result: Any) -> str:
    """找到 3 个文件（其中 1 个按数值找到）。"""
    n = len(result.results)
    by_number = sum(1 for h in result.results if h.matched == "number")
    return f"找到 {n} 个文件" + (f"（其中 {by_number} 个按数值找到）" if by_number else "") + "。"


MATCHED_NAMES = {"number": "数值", "name": "文件名", "path": "路径", "text": "文字"}


def hit_line(hit: Any) -> str:
    """One result as a line: E12  疑点数据核查台账2024.xlsx  台账!D12  …合计 21,099…"""
    where = hit.locator or MATCHED_NAMES.get(hit.matched, hit.matched)
    return f"E{hit.evidence_id}\t{hit.name}\t{where}\t{hit.snippet}"


__all__ = ["empty_text", "searched_text", "tips", "summary_text", "hit_line", "MATCHED_NAMES"]
