"""Text that is safe to print on a terminal or write to a log line, whatever a name contains.

A file name, a report's name, an actor or a comment comes from whoever made the file or typed it, and may
hold characters a terminal obeys instead of showing: ``ESC[31m`` recolours it, ``ESC]0;…`` retitles the
window, ``ESC[2J`` clears the screen, a carriage return overwrites the line, the bidirectional overrides
(U+202A–U+202E, U+2066–U+2069) turn ``exe.pdf`` around. :func:`printable` writes each such character as
``\\uXXXX``, which a person can read, which the shell does not obey, and which is still a valid escape inside
a JSON string (so ``--json`` output stays valid JSON after it).

Escaped: C0 controls U+0000–U+001F (except what ``keep`` names: the CLI's own tabs and line ends), DEL
U+007F, C1 controls U+0080–U+009F, the bidi embeddings, overrides and isolates U+202A–U+202E and
U+2066–U+2069, and the line / paragraph separators U+2028, U+2029. Nothing else is touched (Chinese, emoji
and undecodable-byte escapes pass as they are).
"""

from __future__ import annotations

import re

_UNSAFE = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(keep: str) -> re.Pattern[str]:
    pat = _PATTERNS.get(keep)
    if pat is None:
        if keep:
            pat = re.compile(f"(?![{re.escape(keep)}])[{_UNSAFE}]")
        else:
            pat = re.compile(f"[{_UNSAFE}]")
        _PATTERNS[keep] = pat
    return pat


def _escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def printable(text: object, keep: str = "") -> str:
    """``text`` with every control / bidi character written ``\\uXXXX`` (those in ``keep`` are left)."""
    s = text if isinstance(text, str) else str(text)
    return _pattern(keep).sub(_escape, s)


def is_printable(text: str, keep: str = "") -> bool:
    return _pattern(keep).search(text) is None


class SafeStream:
    """A text stream that escapes, on the way out, what :func:`printable` escapes (``keep``: tab and line
    end, the CLI's own separators). Everything else is the wrapped stream's."""

    def __init__(self, stream, keep: str = "\n\t"):
        self._stream = stream
        self._keep = keep

    def write(self, text: str) -> int:
        self._stream.write(printable(text, self._keep))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    @property
    def wrapped(self):
        return self._stream

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


__all__ = ["printable", "is_printable", "SafeStream"]
