"""Report readers: a file in, a :class:`Document` out. Errors are :class:`DeskError` codes."""

from __future__ import annotations

import codecs
from pathlib import Path

from desktop.claims.document import Document, Span
from desktop.errors import DeskError

TEXT_FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md"}


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DeskError("report.undecodable") from exc


def _paragraph_spans(text: str) -> list[Span]:
    spans = []
    pos = 0
    n = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            n += 1
            kind = "heading" if body.lstrip().startswith("#") else "paragraph"
            spans.append(Span(pos, pos + len(body), None, kind, f"p{n}"))
        pos += len(line)
    return spans


def read_text_report(path: Path, data: bytes | None = None) -> Document:
    data = path.read_bytes() if data is None else data
    if not data.strip():
        raise DeskError("report.empty", name=path.name)
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DeskError("report.binary", name=path.name)
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    return Document(path.name, TEXT_FORMATS[path.suffix.lower()], text, _paragraph_spans(text))


def read_report(path: str | Path) -> Document:
    path = Path(path)
    if not path.exists():
        raise DeskError("report.not_found", path=str(path))
    if not path.is_file():
        raise DeskError("report.not_a_file", path=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_FORMATS:
            return read_text_report(path)
    except PermissionError as exc:
        raise DeskError("report.unreadable", path=str(path), detail=str(exc)) from exc
    raise DeskError("report.unsupported_format", name=path.name, suffix=suffix or "")
