"""The limits every parse of an untrusted file runs under, read from the workspace settings.

One table, :data:`SETTINGS`: key → (default, smallest, largest, unit). A setting that is missing or
not a number falls back to its default; one out of range is brought into the range (and logged), so a
typo in a setting can never switch a ceiling off.

The parsing child gets its :class:`Limits` once, when it starts (``EVIDENCE_DESK_PARSE_LIMITS`` in its
environment, JSON); code that parses asks :func:`current` for them. Over a limit a parser raises
:class:`LimitExceeded` naming the limit, the value found and the limit; the caller turns it into the
file's error state (evidence) or a refusal (a report at import).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields

log = logging.getLogger("evidence_desk.parsing")

LIMITS_ENV = "EVIDENCE_DESK_PARSE_LIMITS"

#: setting key → (default, smallest allowed, largest allowed, unit as stored)
SETTINGS: dict[str, tuple[int, int, int, str]] = {
    "parse.memory_mb": (1024, 256, 16384, "MB"),  # address space of the parsing child (POSIX)
    "parse.timeout_s": (180, 5, 3600, "s"),  # one file (a 2,000-page PDF takes well under a minute)
    "parse.zip_unpacked_mb": (300, 10, 8192, "MB"),  # total uncompressed size of an Office file's members
    "parse.zip_ratio": (200, 10, 10000, ""),  # uncompressed : compressed, of a member of 16 MB or more
    "parse.zip_members": (10000, 100, 1000000, ""),
    "parse.image_megapixels": (120, 1, 2000, "MP"),
    "parse.pdf_pages": (2000, 10, 100000, ""),
    "parse.xlsx_cells": (5_000_000, 10_000, 500_000_000, ""),  # used range (rows × columns) of one sheet
    "parse.max_numbers": (200_000, 1000, 50_000_000, ""),  # numbers kept of one evidence file
    "parse.max_text_mb": (50, 1, 2048, "MB"),  # text kept of one evidence file (characters, in millions)
    "report.max_text_mb": (20, 1, 1024, "MB"),  # a .txt/.md report's size; any report's text, in M chars
    "report.xlsx_cells": (50_000, 1000, 100_000_000, ""),  # used range of one sheet of a report (~20 s to extract)
}

MB = 1 << 20
ZIP_RATIO_MIN_BYTES = 16 * MB  # the ratio is judged on members at least this large (small XML compresses well)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = SETTINGS["parse.memory_mb"][0]
    timeout_s: int = SETTINGS["parse.timeout_s"][0]
    zip_unpacked_mb: int = SETTINGS["parse.zip_unpacked_mb"][0]
    zip_ratio: int = SETTINGS["parse.zip_ratio"][0]
    zip_members: int = SETTINGS["parse.zip_members"][0]
    image_megapixels: int = SETTINGS["parse.image_megapixels"][0]
    pdf_pages: int = SETTINGS["parse.pdf_pages"][0]
    xlsx_cells: int = SETTINGS["parse.xlsx_cells"][0]
    max_numbers: int = SETTINGS["parse.max_numbers"][0]
    max_text_mb: int = SETTINGS["parse.max_text_mb"][0]
    report_max_text_mb: int = SETTINGS["report.max_text_mb"][0]
    report_xlsx_cells: int = SETTINGS["report.xlsx_cells"][0]

    def to_env(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_env(cls, text: str | None) -> "Limits":
        if not text:
            return cls()
        try:
            data = json.loads(text)
            names = {f.name for f in fields(cls)}
            return cls(**{k: int(v) for k, v in data.items() if k in names})
        except (ValueError, TypeError):
            return cls()

    @property
    def image_pixels(self) -> int:
        return self.image_megapixels * 1_000_000


def _field(key: str) -> str:
    area, name = key.split(".", 1)
    return name if area == "parse" else f"{area}_{name}"


def clamp(key: str, raw: object) -> int:
    """The value of setting ``key`` as a ceiling: its default when missing or not a number, else in range."""
    default, lo, hi, _ = SETTINGS[key]
    if raw is None or raw == "":
        return default
    try:
        value = int(float(str(raw).strip()))
    except (ValueError, OverflowError):
        log.warning("setting %s=%r is not a number: the default %s is used", key, raw, default)
        return default
    if not lo <= value <= hi:
        log.warning("setting %s=%r is outside %s–%s: brought into the range", key, raw, lo, hi)
        value = min(max(value, lo), hi)
    return value


def load(db) -> Limits:
    """The limits a workspace's settings give (the defaults for those not set)."""
    values = {}
    for key in SETTINGS:
        try:
            raw = db.get_setting(key)
        except Exception:  # a workspace that cannot be read here: the defaults still hold
            raw = None
        values[_field(key)] = clamp(key, raw)
    return Limits(**values)


_current: Limits | None = None


def current() -> Limits:
    """The limits of this process: set once in the parsing child, else the environment's or the defaults."""
    global _current
    if _current is None:
        _current = Limits.from_env(os.environ.get(LIMITS_ENV))
    return _current


def set_current(limits: Limits) -> None:
    global _current
    _current = limits


class LimitExceeded(Exception):
    """A file over a limit. ``code``: zip_bomb / memory_limit / extract_timeout / image_too_large /
    too_many_pages / xlsx_too_large / too_many_numbers / too_much_text / report_too_large.
    ``limit``: the setting key; ``value`` and ``allowed``: what was found and the ceiling (its unit)."""

    def __init__(self, code: str, limit: str, value: float | int, allowed: float | int, what: str = ""):
        super().__init__(f"{code}: {what or limit} {value} > {allowed}")
        self.code = code
        self.limit = limit
        self.value = value
        self.allowed = allowed
        self.what = what

    def params(self) -> dict:
        return {"code": self.code, "limit": self.limit, "value": self.value, "allowed": self.allowed,
                "what": self.what}

    def __reduce__(self):
        return (LimitExceeded, (self.code, self.limit, self.value, self.allowed, self.what))


_memory_failed = False


def note_memory_failure() -> None:
    """A parser ran out of memory under the ceiling: the child answers, then ends (a fresh one takes the
    next file — a heap that hit its ceiling is not trusted to parse another)."""
    global _memory_failed
    _memory_failed = True


def memory_failed() -> bool:
    return _memory_failed


def reset_memory_failure() -> None:
    global _memory_failed
    _memory_failed = False


def is_memory_error(exc: BaseException) -> bool:
    """A MemoryError, or a parser's own words for one (libxml2 under the ceiling says so in its message)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return "memory allocation failed" in text or "out of memory" in text or "cannot allocate memory" in text
