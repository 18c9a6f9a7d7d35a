"""Wording of where a workspace stands: coverage (已有佐证 x/y, 无需佐证 n) and risky files."""

from __future__ import annotations

from typing import Any


def coverage_text(c: Any) -> str:
    """已有佐证 12/66（另有 1 个无需佐证）: a claim marked 无需佐证 is neither covered nor missing."""
    text = f"已有佐证 {c.with_evidence}/{c.needing}"
    if c.not_required:
        text += f"（另有 {c.not_required} 个无需佐证）"
    return text


def status_line(summary: dict[str, int]) -> str:
    """``status`` in one line: 指标 67 个：已有佐证 12/66（另有 1 个无需佐证），缺佐证 54，…"""
    s = summary
    nr = f"（另有 {s['not_required']} 个无需佐证）" if s.get("not_required") else ""
    return (f"指标 {s['claims']} 个：已有佐证 {s['with_evidence']}/{s['needing_evidence']}{nr}，"
            f"缺佐证 {s['without_evidence']}，数值未找到 {s['value_not_found']}，证据有新版本 {s['evidence_superseded']}；"
            f"佐证材料 {s['evidence']} 份，未关联 {s['unlinked_evidence']} 份"
            + (f"，可执行文件 {s['executable_evidence']} 份（不会打开）" if s.get("executable_evidence") else "")
            + (f"；一致性检查 {s['findings']} 条" if "findings" in s else ""))


EXECUTABLE_WARNING = ("可执行文件或脚本（{ext}）：已登记为佐证，但佐证台不会打开或预览它——这类文件可能携带病毒。"
                      "如确需查看，请先用杀毒软件检查，再在文件夹中自行处理。")
EXECUTABLE_TAG = "可执行文件，不会打开"


def executable_warning(ext: str | None) -> str:
    return EXECUTABLE_WARNING.format(ext=(ext or "").lower() or "?")


__all__ = ["coverage_text", "status_line", "executable_warning", "EXECUTABLE_WARNING", "EXECUTABLE_TAG"]
