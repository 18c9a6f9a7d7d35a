"""Every number in a piece of evidence text, normalised, with the unit written after it.

``6,588,300.00`` → ``Decimal("6588300.00")`` (the precision as written is kept: it matters when a claim
is compared "to the precision written"); ``89%`` → ``89`` with ``is_percent``; ``2.1099万`` →
``2.1099`` with unit ``万``. Dates, account numbers and long identifiers are masked first: they are
numbers no claim is about, and they would only add false matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Units as they follow a number in evidence, longest first.
UNITS = sorted(
    [
        "亿元", "万元", "千元", "元", "亿", "万", "千",
        "万人次", "人次", "万人", "人", "万户", "户", "万家", "家", "万条", "条", "万件", "件",
        "个百分点", "百分点", "个", "项", "次", "批次", "批", "名", "份", "台", "套", "所", "座", "辆",
        "天", "小时", "公里", "千米", "米", "平方米", "亩", "吨", "分", "笔", "张", "篇", "期", "场",
        "%", "‰",
    ],
    key=len,
    reverse=True,
)
UNIT_SCALE = {"亿元": 100_000_000, "万元": 10_000, "千元": 1_000, "亿": 100_000_000, "万": 10_000,
              "千": 1_000, "万人次": 10_000, "万人": 10_000, "万户": 10_000, "万家": 10_000, "万条": 10_000,
              "万件": 10_000}

_NUM = r"(?<![0-9.,])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?![0-9])"
_UNIT = "|".join(re.escape(u) for u in UNITS)
NUMBER_RE = re.compile(rf"(?P<num>{_NUM})[ \t\u3000]?(?P<unit>{_UNIT})?")
MASKS = [
    # dates: 2024年12月27日, 2024-12-27, 2024/12/27, 2024.12.27, 12月27日
    re.compile(r"(?<![0-9])[12][0-9]{3}\s*年\s*[0-9]{1,2}\s*月(?:\s*[0-9]{1,2}\s*[日号])?"),
    re.compile(r"(?<![0-9])[12][0-9]{3}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?![0-9])"),
    re.compile(r"(?<![0-9])[12][0-9]{3}\s*年(?:度)?"),
    re.compile(r"(?<![0-9.])[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*[日号]"),
    # times 09:30(:15)
    re.compile(r"(?<![0-9])[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?![0-9])"),
    # account numbers / receipt ids: 12+ digits, possibly in groups separated by single spaces or dashes
    re.compile(r"(?<![0-9])[0-9]{3,}(?:[ -][0-9]{3,}){2,}(?![0-9])"),
    re.compile(r"(?<![0-9.,])[0-9]{12,}(?![0-9])"),
    # document numbers 〔2024〕12号
    re.compile(r"[〔\[(（][12][0-9]{3}[〕\])）]\s*[0-9]+\s*号"),
]
CURRENCY_BEFORE = ("¥", "￥", "人民币", "金额", "RMB")


@dataclass(frozen=True)
class FoundNumber:
    start: int  # offsets in the text given to find_numbers
    end: int
    raw: str  # as written, with separators and unit: "6,588,300.00", "89%"
    value: Decimal  # as written without separators: 6588300.00
    unit: str | None  # 元, 万元, 条, %, 万 … (None when nothing follows)
    is_percent: bool

    @property
    def scale(self) -> int:
        return UNIT_SCALE.get(self.unit or "", 1)


def _normalise(text: str) -> str:
    """NFKC per character so that offsets stay the same (full-width digits, ％, ，)."""
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def find_numbers(text: str) -> list[FoundNumber]:
    norm = _normalise(text)
    masked = list(norm)
    for rx in MASKS:
        for m in rx.finditer(norm):
            masked[m.start() : m.end()] = "\0" * (m.end() - m.start())
    mtext = "".join(masked)
    found: list[FoundNumber] = []
    for m in NUMBER_RE.finditer(mtext):
        num = m.group("num")
        digits = num.replace(",", "")
        if len(digits) > 1 and digits[0] == "0" and not digits.startswith("0."):
            continue  # 0211: a code, not a quantity
        try:
            value = Decimal(digits)
        except InvalidOperation:  # pragma: no cover - the pattern admits digits only
            continue
        unit = m.group("unit")
        end = m.end() if unit else m.end("num")
        if unit is None:
            before = norm[max(0, m.start() - 4) : m.start()]
            if any(before.rstrip().endswith(c) for c in ("¥", "￥")):
                unit = "元"
        found.append(
            FoundNumber(
                start=m.start(),
                end=end,
                raw=text[m.start() : end],
                value=value,
                unit=unit,
                is_percent=unit in ("%", "‰"),
            )
        )
    return found


def context(text: str, start: int, end: int, width: int = 30) -> str:
    return text[max(0, start - width) : min(len(text), end + width)].replace("\n", " ")
