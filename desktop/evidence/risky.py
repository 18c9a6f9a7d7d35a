"""Files that run when opened: executables, installers, scripts, shortcuts.

They are registered like any other file (a folder of 佐证材料 is the truth, and the audit trail must say
what was in it) but marked: the app never opens them with the default program, never offers to, and says
why. The mark is computed from the name's extension, so it needs no stored state and holds for files
registered before it existed.
"""

from __future__ import annotations

import os
from typing import Any

# runs code when double-clicked on Windows (the office PCs this is used on), or points at something that does
EXECUTABLE_EXTS = frozenset({
    "exe", "com", "scr", "pif", "msi", "msp", "bat", "cmd", "ps1", "psm1", "js", "jse", "vbs", "vbe", "wsf",
    "wsh", "hta", "lnk", "reg", "cpl", "jar",
})


def extension(name_or_ext: str | None) -> str:
    """``setup.EXE`` → ``exe``; ``exe`` → ``exe``."""
    text = (name_or_ext or "").strip().lower()
    if "." in text:
        text = os.path.splitext(text)[1]
    return text.lstrip(".")


def is_executable(name_or_ext: str | None) -> bool:
    return extension(name_or_ext) in EXECUTABLE_EXTS


def may_open(evidence: dict[str, Any]) -> bool:
    """Whether the app may open this evidence with the default program (or offer to)."""
    return not is_executable(evidence.get("ext") or evidence.get("name"))


__all__ = ["EXECUTABLE_EXTS", "extension", "is_executable", "may_open"]
