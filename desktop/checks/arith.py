"""Decimal arithmetic as the findings show it: sums, differences and rates at the precision written.

A figure written with *d* decimals stands for anything that rounds to it, so two ways of computing the
same total may differ by one unit in the last place per term: that is a 舍入差异, not an error.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

HUNDRED = Decimal(100)


def places_of(raw: str | None) -> int:
    """Decimal places of a number as written: ``34817.01`` → 2, ``7000`` → 0, ``79.27%`` → 2."""
    if not raw:
        return 0
    s = raw.strip().rstrip("%").replace(",", "")
    return len(s.split(".", 1)[1]) if "." in s else 0


def ulp(places: int) -> Decimal:
    """One unit in the last place: 2 → 0.01."""
    return Decimal(1).scaleb(-places)


def q(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half-up to ``places`` decimals."""
    return value.quantize(ulp(places), rounding=ROUND_HALF_UP)


def fmt(value: Decimal, places: int | None = None) -> str:
    """Plain digits, never exponent notation; rounded to ``places`` when given."""
    if places is not None:
        value = q(value, max(places, 0))
    s = format(value, "f")
    if places is None and "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fmt_min(value: Decimal, places: int) -> str:
    """At least ``places`` decimals, more only when the value has them (0.5 万元 from 5000 元)."""
    s = fmt(value)
    have = len(s.split(".", 1)[1]) if "." in s else 0
    return fmt(value, places) if have <= places else s


def expr_sum(terms: Iterable[str]) -> str:
    return " + ".join(terms)


def rate(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator × 100, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return numerator / denominator * HUNDRED


def within_rounding(diff: Decimal, terms: int, places: int) -> bool:
    """A difference that rounding each of ``terms`` written figures can explain (one unit in the last
    place per term)."""
    return abs(diff) <= ulp(places) * max(terms, 1)


def rate_matches(stated: Decimal, stated_places: int, num: Decimal, num_places: int, den: Decimal,
                 den_places: int) -> str:
    """Compare a stated rate with num / den × 100.

    ``"ok"`` when the computed rate rounds to the stated one; ``"rounding"`` when some pair of values
    that round to ``num`` and ``den`` gives it (or it is one unit off in its last place); ``"off"``
    otherwise.
    """
    computed = rate(num, den)
    if computed is None:
        return "off"
    if q(computed, stated_places) == stated:
        return "ok"
    hn, hd = ulp(num_places) / 2, ulp(den_places) / 2
    lo_den, hi_den = den + hd, den - hd
    if hi_den <= 0:
        return "rounding"
    lo = (num - hn) / lo_den * HUNDRED
    hi = (num + hn) / hi_den * HUNDRED
    half = ulp(stated_places) / 2
    if lo - half <= stated <= hi + half or abs(q(computed, stated_places) - stated) <= ulp(stated_places):
        return "rounding"
    return "off"


__all__ = ["HUNDRED", "places_of", "ulp", "q", "fmt", "fmt_min", "expr_sum", "rate", "within_rounding", "rate_matches"]
