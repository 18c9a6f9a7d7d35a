"""Does a number in evidence state a claim's value? At any scale, in any format, to the precision written.

A claim is a value with a unit as written (``658.83`` ``万元``, scale 10000). Evidence states it in its own
unit and format: ``6,588,300.00`` (元), ``658.83`` in a table headed 单位：万元, ``2.1099万`` for 21099 条,
``89%`` or ``0.89`` for 89 %. And it may be more precise than the report: ``31,352,871,234.56`` is
313.53 亿元 rounded to the precision the report wrote.

So each claim becomes a few :class:`Target` intervals, one per scale the evidence may be written in:
every evidence number that, read at that scale, rounds (half up) to the claim's value lies in
``[lo, hi)``. Within one decade, the order of the significant-digit strings is the numeric order, so an
interval is one or two range scans on the ``(mag, sig)`` index of ``evidence_numbers`` (migration 0006).
The scan is exact; what is left to judge per hit is whether the unit written beside the number (or in its
column header) agrees with the scale the target assumed.

Everything here is :class:`~decimal.Decimal`; no float touches a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation

ONE = Decimal(1)
HUNDRED = Decimal(100)

# unit prefixes that carry a magnitude, longest first
_PREFIXES = (("百万", Decimal(1_000_000)), ("千万", Decimal(10_000_000)), ("亿", Decimal(100_000_000)),
             ("万", Decimal(10_000)), ("千", Decimal(1_000)))
PERCENT_UNITS = {"%": HUNDRED, "‰": Decimal(1000), "个百分点": HUNDRED, "百分点": HUNDRED}
MONEY_BASES = {"元"}
SCORE_BASES = {"分"}
TIME_BASES = {"天", "小时", "日", "年", "个月", "月"}

# the scales evidence is written in, per dimension
EVIDENCE_SCALES = {
    "money": (ONE, Decimal(1_000), Decimal(10_000), Decimal(1_000_000), Decimal(100_000_000)),
    "count": (ONE, Decimal(10_000), Decimal(100_000_000)),
}
APPROX_ABOVE = ("多", "余", "以上", "超过", "逾", "超")
APPROX_NEAR = ("约", "左右", "大约", "近", "将近", "接近")
SENTINEL = ":"  # sorts after every digit
EXACT = Decimal("1e-9")  # the width of an "exactly this value" interval


@dataclass(frozen=True)
class Unit:
    scale: Decimal
    base: str  # 元, 人次, 条 … ("" for a bare 万 / 亿)
    dim: str  # money / count / percent / score / time / bare


@lru_cache(maxsize=512)
def parse_unit(unit: str | None) -> Unit | None:
    if not unit:
        return None
    unit = unit.strip()
    if unit in PERCENT_UNITS:
        return Unit(ONE, unit, "percent")
    scale = ONE
    base = unit
    for prefix, mult in _PREFIXES:
        if unit.startswith(prefix):
            scale, base = mult, unit[len(prefix):]
            break
    if not base:
        return Unit(scale, "", "bare")
    if base in MONEY_BASES:
        dim = "money"
    elif base in SCORE_BASES:
        dim = "score"
    elif base in TIME_BASES:
        dim = "time"
    else:
        dim = "count"
    return Unit(scale, base, dim)


def to_decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        d = Decimal(str(text).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def sig(x: Decimal) -> str:
    """Significant digits of ``x > 0`` without leading or trailing zeros: 6588300.00 → ``65883``."""
    return "".join(map(str, x.as_tuple().digits)).lstrip("0").rstrip("0")


def sig_mag(x: Decimal) -> tuple[str, int] | None:
    if not x.is_finite() or x <= 0:
        return None
    return sig(x), x.adjusted()


def decade_ranges(lo: Decimal, hi: Decimal) -> list[tuple[int, str, str]]:
    """``(mag, sig_lo, sig_hi)`` scans that together cover exactly the numbers in ``[lo, hi)``."""
    if lo <= 0 or hi <= lo:
        return []
    m_lo, m_hi = lo.adjusted(), hi.adjusted()
    out = []
    for m in range(m_lo, m_hi + 1):
        s_lo = sig(lo) if m == m_lo else "1"
        s_hi = sig(hi) if m == m_hi else SENTINEL
        if s_lo < s_hi:
            out.append((m, s_lo, s_hi))
    return out


def quantum(value: Decimal) -> Decimal:
    """The precision the value was written to: 658.83 → 0.01, 7000 → 1."""
    exp = value.as_tuple().exponent
    return ONE.scaleb(min(int(exp), 0)) if isinstance(exp, int) else ONE


def place(value: Decimal) -> Decimal:
    """The place of the last non-zero digit: 8000 → 1000, 45000 → 1000, 1.5 → 0.1."""
    exp = value.normalize().as_tuple().exponent
    return ONE.scaleb(int(exp)) if isinstance(exp, int) else ONE


def is_trivial(value: Decimal) -> bool:
    """Numbers that occur everywhere: small integers (days, list numbers), years."""
    if value != value.to_integral_value():
        return False
    return 0 <= value <= 31 or 1900 <= value <= 2100


def value_weight(value: Decimal) -> float:
    """How telling it is to find this value somewhere: by its significant digits."""
    if is_trivial(value):
        return 0.1
    digits = len(sig(value)) if value > 0 else 0
    return {0: 0.0, 1: 0.3, 2: 0.5, 3: 0.7, 4: 0.85}.get(digits, 1.0)


@dataclass(frozen=True)
class Target:
    """Evidence numbers in ``[lo, hi)``, read at ``scale`` (or as a percent / a fraction), state the claim."""

    mode: str  # scaled / percent / fraction
    scale: Decimal  # the evidence's written scale (1 元, 10000 万元 …); 1 for percent modes
    lo: Decimal
    hi: Decimal
    ranges: tuple[tuple[int, str, str | None], ...]  # (mag, sig from, sig below); sig below None: sig equal


@dataclass
class ClaimValue:
    """A claim's value as the matcher needs it."""

    value: Decimal
    unit: Unit | None
    scale: Decimal
    approx: str | None
    targets: list[Target]
    weight: float

    @property
    def is_percent(self) -> bool:
        return self.unit is not None and self.unit.dim == "percent"

    @property
    def low_info(self) -> bool:
        return self.weight < 0.4


def claim_value(value: str | None, unit: str | None, scale: str | None, approx: str | None = None
                ) -> ClaimValue | None:
    """Targets for a claim, or None when it has no usable value (a Chinese numeral not yet read, 0)."""
    v = to_decimal(value)
    if v is None or v <= 0:
        return None
    u = parse_unit(unit)
    s = to_decimal(scale) or (u.scale if u else ONE)
    if s <= 0:
        s = ONE
    # the interval of true values, in the claim's unit
    approx = (approx or "").strip() or None
    if approx and any(a in approx for a in APPROX_ABOVE):
        lo, hi = v, v + place(v)
    elif approx and any(a in approx for a in APPROX_NEAR):
        p = place(v)
        lo, hi = v - p / 2, v + p / 2
    else:
        q = quantum(v)
        lo, hi = v - q / 2, v + q / 2
    weight = value_weight(v) * (0.7 if approx else 1.0)
    targets: list[Target] = []

    def add(mode: str, ev_scale: Decimal, a: Decimal, b: Decimal) -> None:
        if a < Decimal("1e-6"):
            return
        if b - a == EXACT:  # one value: an equality on (mag, sig), which the index can seek file by file
            rs = [(a.adjusted(), sig(a), None)]
        else:
            rs = decade_ranges(a, b)
        if rs:
            targets.append(Target(mode, ev_scale, a, b, tuple(rs)))

    if u is not None and u.dim == "percent":
        per = PERCENT_UNITS[u.base]
        add("percent", ONE, lo, hi)
        if v < per:  # 89 % as 0.89; "1" for 100 % would match every list number
            add("fraction", ONE, lo / per, hi / per)
        return ClaimValue(v, u, ONE, approx, targets, weight)
    dim = u.dim if u else "count"
    scales = EVIDENCE_SCALES.get(dim, (ONE,))
    if weight < 0.4:
        scales = tuple(x for x in scales if x in (ONE, s))  # a round or small number: as written, or in base units
    if s not in scales:
        scales = (s, *scales)
    for ev_scale in scales:
        a, b = lo * s / ev_scale, hi * s / ev_scale
        if dim == "count" and not approx and ev_scale == s and v == v.to_integral_value():
            # a count written in its own unit is a whole number: 35 条 is 35, not 34.87
            a, b = v, v + EXACT
        add("scaled", ev_scale, a, b)
    return ClaimValue(v, u, s, approx, targets, weight)


# --- judging one hit ------------------------------------------------------------------------------

_HINT_UNITS = ("百万元|万元|亿元|千元|元|万人次|人次|万人|人|万户|户|万家|家|万条|条|个百分点|百分点|个|件|项|场次|批次|次|"
               "所|座|台|套|辆|场|期|份|批|笔|张|篇|名|万亩|亩|公里|千米|平方米|吨|天|小时|%|％")
_HINT_BRACKET = re.compile(rf"[（(]\s*(?:单位[:：]\s*)?({_HINT_UNITS})\s*[)）]")
_HINT_LABEL = re.compile(rf"单位[:：]\s*({_HINT_UNITS})")


def header_unit(context: str | None) -> Unit | None:
    """The unit a table states for a column or a page: （元）, (万元), 单位：万元 — the last one given."""
    if not context:
        return None
    found = None
    for rx in (_HINT_BRACKET, _HINT_LABEL):
        for m in rx.finditer(context):
            if found is None or m.start() > found[0]:
                found = (m.start(), m.group(1))
    if found is None:
        return None
    return parse_unit(found[1].replace("％", "%"))


@dataclass(frozen=True)
class Agreement:
    factor: float  # how well the unit agrees: 1.0 stated, 0.9 header, lower when assumed
    how: str  # stated / header / assumed / fraction / unit_differs
    unit: str | None  # the unit the evidence gives (beside the number or in its header)


def agreement(cv: ClaimValue, target: Target, *, raw: str, unit: str | None, is_percent: bool,
              context: str | None) -> Agreement | None:
    """Whether a number found by ``target`` really states the claim, judging its unit; None if not."""
    ev_unit = parse_unit(unit)
    if cv.is_percent:
        if target.mode == "percent":
            if is_percent or (ev_unit and ev_unit.dim == "percent"):
                return Agreement(1.0, "stated", unit)
            if ev_unit is not None:
                return None
            hint = header_unit(context)
            if hint is not None:
                return Agreement(0.9, "header", "%") if hint.dim == "percent" else None
            return Agreement(0.6, "assumed", None)
        # fraction: 0.89 for 89 %, written with decimals, without a unit
        if ev_unit is None and not is_percent and "." in raw:
            hint = header_unit(context)
            if hint is not None and hint.dim != "percent":
                return None
            return Agreement(0.85, "fraction", None)
        return None
    if is_percent or (ev_unit and ev_unit.dim == "percent"):
        return None
    claim_unit = cv.unit
    if ev_unit is not None:
        if ev_unit.scale != target.scale:
            return None  # 658.83 元 is not 658.83 万元
        if ev_unit.dim == "bare" or claim_unit is None:
            return Agreement(0.95, "stated", unit)
        if ev_unit.dim != claim_unit.dim:
            return None  # money vs a count
        if ev_unit.base != claim_unit.base:
            return Agreement(0.6, "unit_differs", unit)
        return Agreement(1.0, "stated", unit)
    hint = header_unit(context)
    if hint is not None:
        if hint.dim == "percent" or hint.scale != target.scale:
            return None
        if claim_unit is not None and hint.dim not in ("bare", claim_unit.dim):
            return None
        name = ("" if hint.scale == ONE else _scale_prefix(hint.scale)) + hint.base
        return Agreement(0.9, "header", name or None)
    return Agreement(0.8 if target.scale in (ONE, cv.scale) else 0.7, "assumed", None)


def _scale_prefix(scale: Decimal) -> str:
    for prefix, mult in _PREFIXES:
        if mult == scale:
            return prefix
    return ""


def unit_name(scale: Decimal, base: str | None) -> str:
    """万元 for (10000, 元)."""
    return ("" if scale == ONE else _scale_prefix(scale)) + (base or "")


def in_target(value: Decimal, target: Target) -> bool:
    return target.lo <= value < target.hi
