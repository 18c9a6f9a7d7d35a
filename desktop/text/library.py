"""Wording of the evidence library (GUI) and what goes with it: programs and scripts, encrypted PDFs, the
places a suggestion found, why 修改关联 has nothing to edit. Qt-free; the CLI may use it as well."""

from __future__ import annotations

from typing import Any

# programs and scripts (desktop.evidence.risky): registered, marked, never opened
EXECUTABLE_STATE = "⚠ 程序或脚本，不会打开"
EXECUTABLE_NOTE = "⚠ 这是程序或脚本（打开会运行它），已登记但不会打开，也不能预览。"
EXECUTABLE_PREVIEW = "程序或脚本不预览、不打开。"
EXECUTABLE_OPEN_TIP = "程序或脚本不会被打开：打开会运行它"


def executable_refused_text(name: str) -> str:
    return f"《{name}》是程序或脚本，打开会运行它：佐证台不打开这类文件。如确需查看，请在文件夹中显示后自行处理。"


# encrypted PDFs: the ingest reads without a password (desktop.evidence.text), so there is no 输入密码…
# and no 重试 (trying again cannot help); say what to do instead
ENCRYPTED_STATE = "加密文件，无法读取"
ENCRYPTED_TEXT = "加密文件，无法读取：请在 PDF 阅读器中去除密码后另存，再放入佐证材料文件夹。"
ENCRYPTED_PREVIEW = "加密文件，无法读取，也无法预览。"


def place_text(place: dict[str, Any]) -> str:
    """One place a suggestion found: ``3,140,000（精确）　基金支出 …`` / ``3,135,300（约数，四舍五入后相符）``."""
    raw = place.get("raw") or place.get("value") or ""
    how = "精确" if place.get("exact") else "约数，四舍五入后相符"
    context = (place.get("context") or "").strip()
    return f"{raw}（{how}）" + (f"　{context[:40]}" if context else "")


def edit_link_hint(claim_ids: list[int], evidence_ids: list[int], linked: list[int]) -> str:
    """Why 修改关联 (Ctrl+Shift+E) has nothing to edit, and what to select: ``claim_ids`` / ``evidence_ids``
    selected, ``linked`` the files linked to the one claim selected."""
    if len(claim_ids) != 1:
        return ("修改关联：请先在左侧选中一个指标，" if not claim_ids else "修改关联：一次只能修改一个指标的关联，") + \
            "再在右侧选中与它关联的佐证材料。"
    cid = claim_ids[0]
    if not evidence_ids:
        if not linked:
            return f"修改关联：指标 #{cid} 还没有关联任何佐证材料，先关联（Ctrl+L）再修改。"
        return f"修改关联：请在右侧选中与指标 #{cid} 关联的佐证材料（{'、'.join(f'E{e}' for e in linked[:5])}）。"
    if len(evidence_ids) != 1:
        return "修改关联：请只选中一份佐证材料。"
    return f"修改关联：指标 #{cid} 与 E{evidence_ids[0]} 之间没有关联，先关联（Ctrl+L）再修改。"


__all__ = ["EXECUTABLE_STATE", "EXECUTABLE_NOTE", "EXECUTABLE_PREVIEW", "EXECUTABLE_OPEN_TIP",
           "executable_refused_text", "ENCRYPTED_STATE", "ENCRYPTED_TEXT", "ENCRYPTED_PREVIEW", "place_text",
           "edit_link_hint"]
