"""Member names inside a package: safe on Windows, not too long, unique regardless of case.

The rules are :mod:`desktop.paths`' (device names, trailing dots, UTF-16 lengths); before them, the
characters Windows forbids become their full-width forms, which a Chinese reader still reads as meant.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from desktop.paths import MAX_NAME, windows_name_problems, windows_safe_name

_FULL_WIDTH = str.maketrans({'<': '＜', '>': '＞', ':': '：', '"': '＂', '/': '／', '\\': '＼', '|': '｜',
                             '?': '？', '*': '＊'})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_MEMBER_PATH = 150  # characters: room left for the folder it is unpacked into (Windows MAX_PATH 260)
MAX_SUBJECT = 20


def safe_part(name: str) -> str:
    """One folder or file name, safe on Windows."""
    name = unicodedata.normalize("NFC", name or "")
    name = _CONTROL.sub("", name.translate(_FULL_WIDTH)).strip()
    return windows_safe_name(name, max_len=MAX_NAME)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def subject_name(text: str | None) -> str:
    """指标简称: the claim's subject (or quote), safe and at most :data:`MAX_SUBJECT` characters."""
    text = re.sub(r"\s+", "", text or "")
    return safe_part(cut(safe_part(text), MAX_SUBJECT)) if text else "指标"


def fit_file(folder: str, filename: str, limit: int = MAX_MEMBER_PATH) -> str:
    """``folder/filename`` with the file's stem cut so the whole path stays within ``limit`` characters."""
    filename = safe_part(filename)
    room = limit - len(folder) - 1
    if len(filename) <= room:
        return f"{folder}/{filename}"
    p = PurePosixPath(filename)
    suffix = p.suffix if len(p.suffix) <= 12 else ""
    stem = filename[: len(filename) - len(suffix)] if suffix else filename
    keep = max(room - len(suffix), 1)
    return f"{folder}/{safe_part(stem[:keep])}{suffix}"


class UniqueNames:
    """Hands out member paths, making one unique (case-insensitively) with `` (2)`` when it is taken."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, path: str) -> str:
        candidate, n = path, 1
        while candidate.casefold() in self._taken:
            n += 1
            p = PurePosixPath(path)
            candidate = str(p.with_name(f"{p.stem} ({n}){p.suffix}"))
        self._taken.add(candidate.casefold())
        return candidate


def is_safe_member(name: str) -> bool:
    """A member name a reader may unpack: relative, no ``..``, no backslash or drive, nothing Windows forbids."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    parts = name.rstrip("/").split("/")
    for part in parts:
        if part in ("", ".", "..") or windows_name_problems(part):
            return False
    return not re.match(r"^[A-Za-z]:", name)
