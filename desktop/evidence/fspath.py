"""File paths as the database stores them, including names that are not valid Unicode.

On Linux a file name is bytes. Python gives undecodable bytes to us as lone surrogates
(``surrogateescape``: byte ``0xD5`` → ``'\\udcd5'``), which SQLite cannot store as UTF-8 text. So a path
goes into the database as two columns:

* ``path`` (TEXT) — the path itself when it is valid Unicode (nearly always); otherwise a readable,
  escaped form in which each undecodable byte is written ``\\xNN`` (``os.fsencode(p).decode("utf-8",
  "backslashreplace")``);
* ``raw_path`` (BLOB) — NULL for valid names; the exact bytes (``os.fsencode``) otherwise.

:func:`to_db` and :func:`from_db` round-trip every path the OS can give us. :func:`display_name` is for
people: a name written by a Windows machine in GBK (zip files unpacked on Linux) is shown decoded as
GB18030 (``b'\\xd5\\xfb\\xb8\\xc4.pdf'`` → ``整改.pdf``), anything else with ``\\xNN`` escapes.
"""

from __future__ import annotations

import os


def is_clean(path: str) -> bool:
    """True when ``path`` is valid Unicode (no surrogate escapes)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_db(path: str | os.PathLike[str]) -> tuple[str, bytes | None]:
    """``(path text, raw bytes or None)`` for the database."""
    path = os.fspath(path)
    if is_clean(path):
        return path, None
    raw = os.fsencode(path)
    return raw.decode("utf-8", "backslashreplace"), raw


def from_db(text: str, raw: bytes | None) -> str:
    """The path as the OS knows it (``str``, with surrogate escapes where the name is not Unicode)."""
    if raw is not None:
        return os.fsdecode(bytes(raw))
    return text


def display_name(name: str) -> str:
    """A readable form of a file name that may not be valid Unicode."""
    if is_clean(name):
        return name
    raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def basename(path: str) -> str:
    return os.path.basename(path.rstrip("/\\")) or path
