"""Quantitative claims from report text: number + unit, located, with decimal values.

First version (foundation): NFKC per character with a map back to the original offsets, masks for
document numbers and dates, number + unit against a longest-first lexicon. The claims issue deepens it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from desktop.claims.document import Document

# unit as written -> (scale, kind)
UNITS: dict[str, tuple[int, str]] = {
    "亿元": (100_000_000, "amount"),
    "万元": (10_000, "amount"),
    "元": (1, "amount"),
    "万人次": (10_000, "count"),
    "人次": (1, "count"),
    "万人": (10_000, "count"),
    "人": (1, "count"),
    "万家": (10_000, "count"),
    "家": (1, "count"),
    "个百分点": (1, "percent"),
    "%": (1, "percent"),
    "‰": (1, "percent"),
    "个": (1, "count"),
    "名": (1, "count"),
    "次": (1, "count"),
    "条": (1, "count"),
    "项": (1, "count"),
    "批次": (1, "count"),
    "件": (1, "count"),
    "户": (1, "count"),
    "分": (1, "score"),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
NUM = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
CLAIM_RE = re.compile(rf"(?P<num>{NUM})\s*(?P<unit>{_UNIT_RE})")
MASKS = [
    re.compile(r"〔[0-9]{4}〕\s*[0-9]+\s*号"),
    re.compile(r"[\[(（][0-9]{4}[\])）]\s*[0-9]+\s*号"),
    re.compile(r"[0-9]{4}\s*年(?:\s*[0-9]{1,2}\s*月)?(?:\s*[0-9]{1,2}\s*日)?"),
    re.compile(r"[0-9]{1,2}\s*[-—~至]\s*[0-9]{1,2}\s*月"),
    re.compile(r"[0-9]{1,2}\s*月(?:\s*[0-9]{1,2}\s*日)?"),
]
HEADING_RE = re.compile(r"^\s*#+\s*(.+?)\s*$")
CLAUSE_BREAK = "，。；：、,;:！？!?（）()\n"


@dataclass
class ExtractedClaim:
    quote: str
    start: int
    end: int
    value_raw: str
    value: str
    unit: str
    scale: str
    kind: str
    subject: str = ""
    section: str | None = None
    part: str | None = None
    page: int | None = None
    approx: str | None = None
    value_high: str | None = None
    flags: list[str] = field(default_factory=list)
    confidence: str = "high"
    context_before: str = ""
    context_after: str = ""


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC each character; return the new text and, per new character, its original offset."""
    out: list[str] = []
    back: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        out.append(n)
        back.extend([i] * len(n))
    return "".join(out), back


def to_decimal(raw: str) -> Decimal:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex only admits digits
        raise ValueError(raw) from exc


def _clean_heading(line: str) -> str:
    return re.sub(r"[*#]+", "", line).strip()


def _sections(text: str) -> list[tuple[int, str, str | None]]:
    """(offset, section heading, part) for each heading line."""
    out = []
    pos = 0
    part = None
    for line in text.splitlines(keepends=True):
        m = HEADING_RE.match(line)
        stripped = line.strip()
        if m or (stripped.startswith("**") and len(stripped) < 60):
            title = _clean_heading(line)
            if "绩效自评报告" in title:
                part = "项目支出" if "项目" in title else "部门整体" if "部门" in title or "整体" in title else title
            out.append((pos, title, part))
        pos += len(line)
    return out


def _subject(norm: str, start: int) -> str:
    i = start
    while i > 0 and norm[i - 1] not in CLAUSE_BREAK and start - i < 40:
        i -= 1
    subject = norm[i:start].strip()
    subject = re.sub(r"^(其中|共|全年共|已|累计)\s*", "", subject)
    return subject.strip(" 为达是约近")


def extract(doc: Document) -> list[ExtractedClaim]:
    text = doc.text
    norm, back = normalise(text)
    masked = list(norm)
    for rx in MASKS:
        for m in rx.finditer(norm):
            for k in range(m.start(), m.end()):
                masked[k] = "\0"
    masked_text = "".join(masked)
    sections = _sections(text)
    claims: list[ExtractedClaim] = []
    for m in CLAIM_RE.finditer(masked_text):
        ns, ne = m.start(), m.end()
        start, end = back[ns], back[ne - 1] + 1
        raw = m.group("num")
        unit = m.group("unit")
        scale, kind = UNITS[unit]
        value = to_decimal(raw)
        section, part = None, None
        for off, title, p in sections:
            if off <= start:
                section, part = title, p
            else:
                break
        flags = []
        if kind == "percent" and value > 100 and unit != "个百分点":
            flags.append("pct_over_100")
        if 1900 <= value <= 2100 and value == value.to_integral_value():
            flags.append("looks_like_year")
        claims.append(
            ExtractedClaim(
                quote=text[start:end],
                start=start,
                end=end,
                value_raw=raw,
                value=str(value),
                unit=unit,
                scale=str(scale),
                kind=kind,
                subject=_subject(norm, ns),
                section=section,
                part=part,
                page=doc.page_at(start),
                flags=flags,
                context_before=text[max(0, start - 20) : start],
                context_after=text[end : end + 20],
            )
        )
    return claims
