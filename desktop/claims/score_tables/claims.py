"""Claims from score-table rows, and the prose figures that speak of the same indicator.

Each indicator row's actual value is a claim needing evidence (subject: the 三级指标 name; section: the
table); its target is a claim too, flagged ``target``. Budget amounts (in the block's unit) and
execution rates are claims. 分值 and 得分 of single rows are not (they are the form's own arithmetic,
which the consistency checks read from the rows).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable

from desktop.claims.lexicon import AMOUNT, BASE_UNITS, COUNT, MAGNITUDES, ExtractedClaim
from desktop.claims.lexicon import claim_flags as _flags
from desktop.claims.scoretable import Figure, Location, ScoreTable

_OP_SIGN = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
BUDGET_COLUMN_NAMES = {"planned_start": "年初预算数", "planned_full": "全年预算数", "executed": "全年执行数",
                       "rate": "执行率"}


def unit_parts(unit: str) -> tuple[int, str]:
    """(scale, kind) of a unit as written: 万元 → (10000, amount); % → (1, percent)."""
    if unit in BASE_UNITS:
        return 1, BASE_UNITS[unit]
    mag = next((k for k in sorted(MAGNITUDES, key=len, reverse=True) if unit.startswith(k)), "")
    base = unit[len(mag):]
    kind = BASE_UNITS.get(base, COUNT)
    if base.startswith("元"):
        kind = AMOUNT
    return MAGNITUDES.get(mag, 1), kind


class ClaimMaker:
    """Builds :class:`ExtractedClaim` records located in ``text``; ``section_at`` gives (section, part)."""

    def __init__(self, text: str, page_at: Callable[[int], int | None],
                 section_at: Callable[[int], tuple[str | None, str | None]]):
        self.text = text
        self.page_at = page_at
        self.section_at = section_at

    def make(self, loc: Location, raw: str, value: Decimal, unit: str, subject: str, section: str | None,
             *, approx: str | None = None, flags: list[str] | None = None) -> ExtractedClaim | None:
        if loc is None or loc.start is None or loc.end is None:
            return None
        start, end = loc.start, loc.end
        scale, kind = unit_parts(unit)
        _, part = self.section_at(start)
        confidence = "high" if unit else "unclassified"
        return ExtractedClaim(
            quote=self.text[start:end], start=start, end=end, value_raw=raw, value=format(value, "f"), unit=unit,
            scale=str(scale), kind=kind if unit else "number", subject=subject, section=section, part=part,
            page=loc.page if loc.page is not None else self.page_at(start), approx=approx,
            flags=_flags(value, unit, kind, scale, approx, False) + (flags or []), confidence=confidence,
            origin="table", ref=loc.ref,
            context_before=self.text[max(0, start - 24):start], context_after=self.text[end:end + 24],
        )


def table_claims(st: ScoreTable, maker: ClaimMaker) -> list[tuple[ExtractedClaim, object, str]]:
    """(claim, the row it came from, what it is: ``target`` / ``actual`` / a budget field) per claim."""
    out: list[tuple[ExtractedClaim, object, str]] = []
    section = st.title or "绩效自评表"
    for row in st.indicators:
        subject = row.name or row.level2 or row.level1 or ""
        t = row.target
        if t is not None and t.value is not None and t.location is not None:
            flags = ["target"] + ([f"unit_from_{t.unit_source}"] if t.unit_source not in (None, "cell") else [])
            c = maker.make(t.location, t.text or "", t.value, t.unit, subject, section,
                           approx=_OP_SIGN.get(t.op) if t.op else None, flags=flags)
            if c is not None:
                out.append((c, row, "target"))
        a = row.actual
        if a is not None and a.value is not None and a.location is not None:
            flags = ([f"unit_from_{a.unit_source}"] if a.unit_source not in (None, "cell") else [])
            c = maker.make(a.location, a.text or "", a.value, a.unit, subject, section,
                           approx=_OP_SIGN.get(a.op) if a.op else None, flags=flags)
            if c is not None:
                out.append((c, row, "actual"))
    default_unit = budget_unit_unstated(st)
    for b in st.budget:
        for field_name in ("planned_start", "planned_full", "executed", "rate"):
            f: Figure | None = getattr(b, field_name)
            if f is None or f.value is None or f.location is None:
                continue
            flags = []
            if field_name == "rate":
                unit = "%"
            else:
                unit = f.unit or b.unit or st.budget_unit or ""
                if not unit and default_unit:
                    unit, flags = default_unit, ["unit_inferred"]
            column = st.budget_columns.get(field_name) or BUDGET_COLUMN_NAMES[field_name]
            c = maker.make(f.location, f.text or "", f.value, unit, f"{b.name} {column}", section, flags=flags)
            if c is not None:
                if field_name != "rate" and unit.endswith("元"):
                    c.kind = AMOUNT
                out.append((c, b, field_name))
    return out


def budget_unit_unstated(st: ScoreTable) -> str | None:
    """The amount unit of a budget block that states none (部门整体 forms often leave it out): 万元, as
    the forms print budgets, unless the amounts are too large for it (then 元)."""
    if st.budget_unit:
        return None
    amounts = [f.value for b in st.budget for f in (b.planned_start, b.planned_full, b.executed)
               if f is not None and f.value is not None]
    if not amounts:
        return None
    return "万元" if max(amounts) < 100_000 else "元"


def consumed_spans(st: ScoreTable) -> list[tuple[int, int]]:
    """The cells a reader interpreted (values, 分值, 得分, amounts, 总分): the text rules leave them."""
    spans = []

    def add(loc: Location | None) -> None:
        if loc is not None and loc.start is not None and loc.end is not None and loc.end > loc.start:
            spans.append((loc.start, loc.end))

    for row in st.indicators:
        if row.target is not None and row.target.value is not None:
            add(row.target.location)
        if row.actual is not None and row.actual.value is not None:
            add(row.actual.location)
        for f in (row.weight, row.score):
            if f is not None:
                add(f.location)
    for b in st.budget:
        for f in (b.planned_start, b.planned_full, b.executed, b.rate, b.weight, b.score):
            if f is not None:
                add(f.location)
    if st.total_score is not None:
        add(st.total_score.location)
    return spans


_NAME_KEY = re.compile(r"[\s(（][^)）]*[)）]|[\s:：,，、。;；]")


def associate_prose(tables: list[ScoreTable], claims: list[ExtractedClaim]) -> None:
    """Each indicator row gets the indices of the claims outside tables that state its actual (the same
    figure in the same unit), or whose subject names the same indicator (in a compatible unit)."""
    by_value: dict[tuple[str, str], list[int]] = {}
    prose = [(i, c) for i, c in enumerate(claims) if c.origin != "table" and c.confidence == "high"]
    for i, c in prose:
        by_value.setdefault((_plain(c.value), c.unit), []).append(i)
    # names by their 4-character pieces: a subject that shares one is a candidate, then checked whole
    rows = [row for st in tables for row in st.indicators]
    names = [_NAME_KEY.sub("", row.name or "") for row in rows]
    grams: dict[str, set[int]] = {}
    for k, name in enumerate(names):
        if len(name) >= 4:
            for j in range(len(name) - 3):
                grams.setdefault(name[j:j + 4], set()).add(k)
    by_name: dict[int, list[int]] = {}
    if grams:
        for i, c in prose:
            subj = _NAME_KEY.sub("", c.subject or "")
            if len(subj) < 4:
                continue
            cands = set()
            for j in range(len(subj) - 3):
                cands |= grams.get(subj[j:j + 4], set())
            for k in cands:
                if names[k] in subj or subj in names[k]:
                    by_name.setdefault(k, []).append(i)
    for k, row in enumerate(rows):
        found: list[int] = []
        a = row.actual
        if a is not None and a.value is not None and a.unit:
            found.extend(by_value.get((_plain(format(a.value, "f")), a.unit), []))
        for i in by_name.get(k, []):
            c = claims[i]
            if a is None or a.unit == "" or _base(c.unit) == _base(a.unit):
                found.append(i)
        row.prose_claim_indexes = sorted(set(found))


def _plain(value: str | None) -> str:
    """``84.620`` → ``84.62``; ``100.00`` → ``100``: the same figure written with other decimals."""
    v = (value or "").replace(",", "")
    return v.rstrip("0").rstrip(".") if "." in v else v


def _base(unit: str) -> str:
    mag = next((k for k in sorted(MAGNITUDES, key=len, reverse=True) if unit.startswith(k)), "")
    return unit[len(mag):] if unit not in BASE_UNITS else unit
