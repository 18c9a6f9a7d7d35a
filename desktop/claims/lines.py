"""The lines of a report's text and the sections they open: headings (一、 （三） 1. **…** # …), table
cells, paragraphs; which section and which report part (部门整体 / 项目支出) an offset falls in. Shared by the
text rules and the score-table reader."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from desktop.claims.document import Document

_HEADING_MARK = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]"
    r"|[0-9]{1,2}[、.．](?![0-9])|[(（][0-9]{1,2}[)）])"
)
# --- lines, view, sections -----------------------------------------------------------------------


@dataclass
class Line:
    start: int
    end: int  # without the newline
    text: str  # stripped normalised text
    heading: str | None  # section title when the line is (or starts with) a heading
    kind: str  # paragraph / heading / cell / row / blank


def _clean_title(s: str) -> str:
    s = re.sub(r"[*#>]+", "", s).strip()
    return s.rstrip("。.:：;；，, ").strip()


def _heading_of(stripped: str, span_kind: str | None) -> str | None:
    """The section title a line opens, or None."""
    if not stripped:
        return None
    if stripped.startswith("#"):
        return _clean_title(stripped) or None
    if span_kind == "heading":
        return _clean_title(stripped)
    if stripped.startswith("**"):
        m = re.match(r"^\*\*(.+?)\*\*", stripped)
        if m and len(_clean_title(m.group(1))) <= 40:
            return _clean_title(m.group(1))
    body = stripped.strip("* ")
    if len(body) <= 40 and part_of(body) and not re.search(r"[《》，,。；;、]", body):
        return _clean_title(body)  # 项目支出绩效自评报告: a report's title line
    m = _HEADING_MARK.match(body)
    if not m:
        return None
    arabic = body[0].isdigit() or body[:2] in ("(1", "（1")
    head = re.split(r"[。：:;；]", body, maxsplit=1)[0]
    if arabic:
        # "1. 项目背景" is a heading; "1、贯彻执行国家……" is a list item
        return _clean_title(body) if len(body) <= 30 and not body.endswith("。") else None
    return _clean_title(head) if len(head) <= 40 else None


def part_of(title: str) -> str | None:
    if len(title) > 40 or not re.search(r"绩效.{0,4}(?:评价|自评)报告|自评表|评价报告", title):
        return None
    if "项目" in title:
        return "项目支出"
    if any(w in title for w in ("部门", "整体", "单位")):
        return "部门整体"
    return None


def document_lines(doc: Document, norm: str) -> list[Line]:
    out = []
    pos = 0
    n = len(norm)
    while pos <= n:
        nl = norm.find("\n", pos)
        end = n if nl < 0 else nl
        raw = norm[pos:end]
        stripped = raw.strip()
        span = doc.span_at(pos + (len(raw) - len(raw.lstrip()))) if stripped else None
        skind = span.kind if span else None
        if not stripped:
            kind = "blank"
        elif skind == "cell" or stripped.startswith("|") or "\t" in raw.strip():
            kind = "cell"
        else:
            kind = "paragraph"
        heading = _heading_of(stripped, skind) if kind != "cell" else None
        if heading is not None and (stripped.startswith("#") or skind == "heading" or len(stripped) <= 40):
            kind = "heading"
        out.append(Line(pos, end, stripped, heading, kind))
        if nl < 0:
            break
        pos = nl + 1
    return out


class Sections:
    def __init__(self, lines: list[Line]):
        self.offsets: list[int] = []
        self.items: list[tuple[str | None, str | None]] = []
        part = None
        for ln in lines:
            if ln.heading is None:
                continue
            p = part_of(ln.heading)
            if p:
                part = p
            self.offsets.append(ln.start)
            self.items.append((ln.heading, part))

    def at(self, offset: int) -> tuple[str | None, str | None]:
        i = bisect.bisect_right(self.offsets, offset) - 1
        return self.items[i] if i >= 0 else (None, None)
