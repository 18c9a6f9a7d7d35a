"""File names that are valid on Windows, wherever the code makes them.

EvidenceDesk runs on Windows and moves packages between PCs, so every name it makes — in the store, the
thumbnails, the user data folder, the members of an exported package — must be one Windows accepts,
even when it comes from a Linux file name, a claim's subject or a workspace's name. Windows refuses:

* the characters ``< > : " / \\ | ? *`` and the control characters U+0000–U+001F;
* the device names CON, PRN, AUX, NUL, COM0–COM9, LPT0–LPT9 (and COM¹ ² ³, LPT¹ ² ³), CONIN$, CONOUT$ —
  in any case, also with an extension (``con.txt``, ``Aux.tar.gz``) or trailing spaces;
* a name ending in a dot or a space (Explorer silently strips them, so the file cannot be opened again);
* more than 255 UTF-16 code units in one name, and 260 in a whole path (``MAX_PATH``) unless long paths
  are enabled on that PC.

:func:`windows_safe_name` turns any string into a name that passes :func:`windows_name_problems`; the
package export (member names ``佐证材料/<序号>_<指标>/E12_<原名>``) and any default file name the UI offers
use it. Pure string work (``ntpath`` rules on every platform); nothing here imports Qt or touches a disk.
"""

from __future__ import annotations

import ntpath
import re

FORBIDDEN_CHARS = frozenset('<>:"/\\|?*') | frozenset(chr(c) for c in range(32))
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in "0123456789¹²³"}
)
MAX_NAME = 255  # UTF-16 code units in one path component (NTFS, exFAT)
MAX_PATH = 260  # a whole path, including the drive and the terminating NUL's place, without long paths
DEFAULT_MAX_NAME = 120  # what windows_safe_name keeps by default: room left for the folders above it
REPLACEMENT = "_"

_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes of a Linux name (surrogateescape)


def utf16_len(text: str) -> int:
    """Length as Windows counts it (a character outside the BMP is two units)."""
    return len(text.encode("utf-16-le")) // 2


def _device_part(name: str) -> str:
    """The part Windows compares with the device names: up to the first dot, trailing spaces dropped."""
    return name.split(".", 1)[0].rstrip(" ").upper()


def is_reserved(name: str) -> bool:
    return _device_part(name) in RESERVED_NAMES


def windows_name_problems(name: str, max_len: int = MAX_NAME) -> list[str]:
    """What makes ``name`` (one path component) unusable on Windows: ``[]`` when nothing does.

    Codes: ``empty``, ``dot_name`` (``.``/``..``), ``forbidden_char``, ``control_char``, ``reserved``,
    ``trailing_dot_or_space``, ``unpaired_surrogate``, ``too_long``."""
    problems = []
    if not name:
        return ["empty"]
    if name in (".", ".."):
        return ["dot_name"]
    if any(ch in FORBIDDEN_CHARS and ord(ch) >= 32 for ch in name):
        problems.append("forbidden_char")
    if any(ord(ch) < 32 for ch in name):
        problems.append("control_char")
    if is_reserved(name):
        problems.append("reserved")
    if name[-1] in ". ":
        problems.append("trailing_dot_or_space")
    if _SURROGATE.search(name):
        problems.append("unpaired_surrogate")
    elif utf16_len(name) > max_len:
        problems.append("too_long")
    return problems


def is_windows_safe_name(name: str, max_len: int = MAX_NAME) -> bool:
    return not windows_name_problems(name, max_len)


def _cut(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 units, never between the halves of a surrogate pair."""
    out, used = [], 0
    for ch in text:
        n = 2 if ord(ch) > 0xFFFF else 1
        if used + n > units:
            break
        out.append(ch)
        used += n
    return "".join(out)


def _split_ext(name: str) -> tuple[str, str]:
    """``("报告", ".pdf")``; an extension is a short run of letters and digits after the last dot."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= 10 and ext.isalnum():
        return stem, "." + ext
    return name, ""


def windows_safe_name(name: str, *, max_len: int = DEFAULT_MAX_NAME, replacement: str = REPLACEMENT) -> str:
    """A name Windows accepts, as close to ``name`` as possible; the same name when it already is one.

    Forbidden and control characters and undecodable bytes become ``replacement``; a device name gets
    ``replacement`` after it (``CON.txt`` → ``CON_.txt``); trailing dots and spaces go; a name too long is
    cut to ``max_len`` UTF-16 units keeping its extension; an empty result is ``replacement``. Idempotent:
    ``windows_safe_name(windows_safe_name(x)) == windows_safe_name(x)``."""
    if not is_windows_safe_name(replacement) or utf16_len(replacement) > 4:
        raise ValueError(f"unusable replacement {replacement!r}")
    max_len = min(max(max_len, 8), MAX_NAME)
    text = _SURROGATE.sub(replacement, name)
    text = "".join(replacement if ch in FORBIDDEN_CHARS else ch for ch in text)
    text = text.rstrip(". ")
    if not text or text in (".", ".."):
        return replacement
    stem, ext = _split_ext(text)
    if utf16_len(text) > max_len:
        stem = _cut(stem, max_len - utf16_len(ext)).rstrip(". ") or replacement
        text = stem + ext
    if is_reserved(text):
        head, dot, rest = text.partition(".")
        text = head.rstrip(" ") + replacement + dot + rest
        if utf16_len(text) > max_len:  # only when the stem had been cut to the limit: cut one more
            stem, ext = _split_ext(text)
            text = _cut(stem, max_len - utf16_len(ext)) + ext
    return text


def windows_path_problems(path: str, max_path: int = MAX_PATH) -> list[str]:
    """What makes a whole Windows path (``C:\\Users\\…``, read with ``ntpath``) unusable: each component's
    problems as ``"<component>: <code>"``, and ``too_long`` past ``max_path`` UTF-16 units."""
    drive, rest = ntpath.splitdrive(path)
    problems = []
    for part in re.split(r"[\\/]+", rest):
        if part and part not in (".", ".."):
            problems += [f"{part}: {code}" for code in windows_name_problems(part)]
    if utf16_len(path) >= max_path:
        problems.append("too_long")
    return problems
