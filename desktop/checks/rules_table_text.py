"""Score-table rules over what cells and words say: cells that cannot be what they claim (``IO``,
``M.8万元``, ``.32``, an actual written as a target), a row whose own words give a partial completion, and
the report's prose against the table (another figure for an indicator, an increase its figures do not make).
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from typing import Iterator

from desktop.checks.arith import fmt, rate, ulp
from desktop.checks.context import Context, rule
from desktop.checks.model import WARNING, Finding
from desktop.checks.table_cells import (
    OCR_DIGITS, actual_claim, budget_claims, cell, fig_cell, finding, label, met, target_claim, target_text,
)
from desktop.claims.scoretable import BudgetRow, Figure, IndicatorRow, ScoreTable

@rule("table_odd_cells")
def table_odd_cells(ctx: Context) -> Iterator[Finding]:
    """Cells that cannot be what they say: 得分 ``IO``, a target ``M.8万元``, an amount ``.32``, an actual
    written as a target (``≥360天``)."""
    for t in ctx.report.tables:
        for row in [*t.budget, *t.indicators]:
            for field_name in ("weight", "score", "planned_start", "planned_full", "executed", "rate"):
                f: Figure | None = getattr(row, field_name, None)
                if f is None or not f.raw:
                    continue
                raw = re.sub(r"\s+", "", f.raw)
                if f.value is None and OCR_DIGITS.match(raw):
                    yield finding(ctx, t, "table_odd_cells", WARNING, "table.garbled",
                                   {"row": row.name, "field": field_name, "raw": f.raw},
                                   [fig_cell(ctx, t, row, field_name, f)], [f.raw])
                elif re.match(r"^\.[0-9]", raw):
                    yield finding(ctx, t, "table_odd_cells", WARNING, "table.fragment",
                                   {"row": row.name, "field": field_name, "raw": f.raw},
                                   [fig_cell(ctx, t, row, field_name, f)], [f.raw])
            if not isinstance(row, IndicatorRow):
                continue
            for field_name in ("target", "actual"):
                v = getattr(row, field_name)
                if v is None or v.value is not None or not v.raw:
                    continue
                m = re.match(r"^[ \t]*([0-9A-Za-z.]{1,8})[ \t]*([\u4e00-\u9fff%]{0,3})[ \t]*$", v.raw)
                if m and OCR_DIGITS.match(m.group(1)) and re.search(r"[0-9]", m.group(1)):
                    yield finding(ctx, t, "table_odd_cells", WARNING, "table.garbled",
                                   {"row": label(row), "field": field_name, "raw": v.raw},
                                   [cell(ctx, t, row, field_name, v.raw, v.location)], [v.raw])
            a = row.actual
            if a is not None and a.op:
                yield finding(ctx, t, "table_odd_cells", WARNING, "table.actual_as_target",
                               {"row": label(row), "raw": a.raw}, [cell(ctx, t, row, "actual", a.raw, a.location)],
                               [a.text], [actual_claim(ctx, row)])


_DONE_N = re.compile(r"(?:已|实际|完成|累计)[^0-9，,。；;]{0,12}?(?P<n>[0-9]+(?:\.[0-9]+)?)[ \t]*(?P<u>万元|元|人次|人|户|个|家|所|项|件|吨|亩)")
_GOAL_N = re.compile(r"(?:目标|共计|计划|应|总计|合计|涉及|是)[^0-9，,。；;]{0,12}?(?P<n>[0-9]+(?:\.[0-9]+)?)[ \t]*(?P<u>万元|元|人次|人|户|个|家|所|项|件|吨|亩)")


@rule("table_row_text")
def table_row_text(ctx: Context) -> Iterator[Finding]:
    """A row whose own words give a partial completion (已发放 3620 人 of 3875 人) while its actual says
    the target was reached, with full marks."""
    for t in ctx.report.tables:
        for row in t.indicators:
            words = " ".join(x for x in (row.name, row.deviation) if x)
            if not words or row.actual is None or row.actual.value is None:
                continue
            done = [(Decimal(m.group("n")), m.group("u")) for m in _DONE_N.finditer(words)]
            goals = [(Decimal(m.group("n")), m.group("u")) for m in _GOAL_N.finditer(words)]
            pair = next(((d, g, u) for d, u in done for g, gu in goals if gu == u and 0 < d < g), None)
            if pair is None:
                continue
            reached = met(row) is True or (row.actual.value >= 100 and (row.actual.unit in ("%", "")))
            full = row.score is not None and row.weight is not None and row.score.value is not None \
                and row.weight.value is not None and row.score.value >= row.weight.value
            if not reached or not full:
                continue
            d, g, u = pair
            share = rate(d, g) or Decimal(0)
            cells = [cell(ctx, t, row, "name", row.name, row.name_location),
                     cell(ctx, t, row, "actual", row.actual.raw, row.actual.location),
                     fig_cell(ctx, t, row, "score", row.score)]
            yield finding(ctx, t, "table_row_text", WARNING, "table.row_text_partial",
                           {"row": label(row)[:30], "done": fmt(d), "goal": fmt(g), "unit": u,
                            "share": fmt(share, 2), "actual": row.actual.raw, "score": row.score.text},
                           cells, [fmt(d), fmt(g), row.actual.text], [actual_claim(ctx, row)])


# --- the report's prose against the table ------------------------------------------------------------

INCREASE = re.compile(r"(?P<word>增收|增加|增长|提高|新增|多|减少|下降|节约|降低)[ \t]*(?P<n>[0-9]+(?:\.[0-9]+)?)[ \t]*"
                      r"(?P<unit>万元|元|亿元|万人次|人次|万人|人|户|个|家|所|项|件|吨|亩|%|个百分点)")
_RELATIVE_TAIL = re.compile(r"(?:超|比|较|高于|低于)?(?:上年度?|去年|同期)?$")
_NAME_NOISE = re.compile(r"^(?:任务|指标)[0-9一二三四五六七八九十]*[:：]|[(（][^)）]*[)）]|\s+")


def _base(value: Decimal, unit: str) -> tuple[Decimal, str]:
    from desktop.claims.extractor import BASE_UNITS, MAGNITUDES

    if unit in BASE_UNITS:
        return value, unit
    for mag in sorted(MAGNITUDES, key=len, reverse=True):
        if unit.startswith(mag) and len(unit) > len(mag):
            return value * MAGNITUDES[mag], unit[len(mag):]
    return value, unit


def _row_spans(t: ScoreTable) -> list[tuple[int, int]]:
    rows: list[IndicatorRow | BudgetRow] = [*t.indicators, *t.budget]
    return [(r.location.start, r.location.end) for r in rows
            if r.location is not None and r.location.start is not None and r.location.end is not None]


@rule("table_prose")
def table_prose(ctx: Context) -> Iterator[Finding]:
    """The report's own words about an indicator disagree with its row: another figure for the same
    indicator, or an increase (增收 27 万元) its two stated figures do not make."""
    from desktop.checks.rules_prose import subject_key

    spans = sorted(sp for t in ctx.report.tables for sp in _row_spans(t))
    starts = [a for a, _ in spans]
    used = {i for t in ctx.report.tables for r in t.indicators for i in (actual_claim(ctx, r), target_claim(ctx, r))}
    used |= {i for t in ctx.report.tables for b in t.budget for i in budget_claims(ctx, b)}

    def in_a_row(pos: int) -> bool:
        k = bisect.bisect_right(starts, pos) - 1
        return k >= 0 and spans[k][0] <= pos < spans[k][1]

    for t in ctx.report.tables:
        at = t.location.start if t.location and t.location.start is not None else None
        pool = ctx.part_claims(ctx.part_at(at)) if at is not None else ctx.claims
        prose = [c for c in pool if c.origin != "table" and c.id not in used and not c.approx
                 and not in_a_row(c.start or -1)]
        if not prose:
            continue
        for row in t.indicators:
            name = _NAME_NOISE.sub("", row.name or "")
            m = INCREASE.search(row.actual.raw or "") if row.actual is not None else None
            if row.actual is None or row.actual.value is None:
                # a name that swallowed its target and actual (业务收入超上年度增收27万元): the words before them
                inside = INCREASE.search(name)
                if inside and m is None:
                    m = inside
                    name = _RELATIVE_TAIL.sub("", name[:inside.start()])
            if len(name) < 4:
                continue
            related = [c for c in prose if name in subject_key(c.subject)]
            if not related:
                continue
            if m and (row.actual is None or row.actual.value is None):
                n, unit = _base(Decimal(m.group("n")), m.group("unit"))
                vals = sorted({_base(c.value, c.unit)[0]: c for c in related
                               if _base(c.value, c.unit)[1] == unit}.items())
                if len(vals) == 2:
                    (v1, c1), (v2, c2) = vals
                    diff = v2 - v1
                    places = max(c1.decimals, c2.decimals, len(m.group("n").split(".")[1]) if "." in m.group("n") else 0)
                    scale = _base(Decimal(1), m.group("unit"))[0]
                    if abs(diff - n) > ulp(places) * scale * 2:
                        cells = [cell(ctx, t, row, "actual", row.actual.raw if row.actual else m.group(),
                                      row.actual.location if row.actual else row.name_location)]
                        yield finding(ctx, t, "table_prose", WARNING, "table.increase_differs",
                                       {"row": name, "word": m.group("word"), "increase": m.group("n"),
                                        "unit": m.group("unit"), "first": fmt(v1 / scale), "second": fmt(v2 / scale),
                                        "computed": fmt(diff / scale, places)},
                                       cells, [m.group("n"), c1.raw, c2.raw], [c1.id, c2.id])
                continue
            if row.actual is None or row.actual.value is None:
                continue
            known = {_base(x.value, x.unit or (row.target.unit if row.target else ""))
                     for x in (row.actual, row.target) if x is not None and x.value is not None}
            unit = next(iter(known))[1] if known else ""
            values = {v for v, _ in known}
            for c in related:
                cv, cu = _base(c.value, c.unit)
                if cu != unit or cv in values or c.kind not in ("amount", "count", "measure", "percent"):
                    continue
                cells = [cell(ctx, t, row, "actual", row.actual.raw, row.actual.location)]
                yield finding(ctx, t, "table_prose", WARNING, "table.prose_differs",
                               {"row": label(row), "prose": c.raw, "prose_unit": c.unit, "prose_subject": c.subject[-20:],
                                "actual": target_text(row.actual)}, cells, [c.raw, row.actual.text],
                               [c.id, actual_claim(ctx, row)])
                break


#: a number that lost its integer part in conversion: a decimal point right after a Chinese character
#: (``总金额.32.06.5``, ``约.5万元``); a lone ``.8`` after a word is as likely a full stop and a score
FRAGMENT = re.compile(r"(?<=[\u4e00-\u9fff])\.[0-9]+(?=\.[0-9]|万元|亿元|元|%)")


@rule("amount_fragments")
def amount_fragments(ctx: Context) -> Iterator[Finding]:
    """Figures written without their integer part (年度总金额.32.06.5): digits lost in conversion."""
    text = ctx.norm
    for part in ctx.parts:
        hits = list(FRAGMENT.finditer(text, part.start, part.end))
        if hits:
            yield _text_finding(ctx, part, hits, "amount_fragments", "text.fragments", "fragments",
                                context=text[max(part.start, hits[0].start() - 8):hits[0].end()])


def _text_finding(ctx: Context, part, hits: list, rule_id: str, code: str, key: str, **params) -> Finding:
    """One warning per part for the suspicious stretches ``hits`` of its text (the first six shown)."""
    from desktop.checks.model import where_of

    shown = [h.group() for h in hits[:6]]
    where = where_of(ctx.report, start=hits[0].start(), end=hits[-1].end())
    where["part"] = part.name
    return Finding(rule=rule_id, severity=WARNING, code=code,
                   params={"count": len(hits), "shown": "、".join(shown), **params}, values=shown, where=where,
                   identity=[part.name, key])


#: letters OCR puts for digits, next to Chinese text or a unit: 得分 ``IO`` (10), ``M.8万元`` (14.8), ``1O0%``
OCR_TOKEN = re.compile(r"(?<![A-Za-z0-9.])(?:[IlO]{2}|[IlOSZ][0-9][0-9.]*|[0-9]+[IlO][0-9IlO]*|[A-Z]\.[0-9]+)"
                       r"(?=[\u4e00-\u9fff%]|万元|元|$)")


_OCR_LETTER = re.compile(r"[IlOSZA-Z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@rule("ocr_digits")
def ocr_digits(ctx: Context) -> Iterator[Finding]:
    """Figures with letters where digits belong (``IO``, ``M.8万元``): a scan read by OCR, to be checked."""
    text = ctx.norm
    for part in ctx.parts:
        hits = []
        for letter in _OCR_LETTER.finditer(text, part.start, part.end):  # rare in Chinese text: start there
            a = letter.start()
            while a > part.start and (text[a - 1].isascii() and (text[a - 1].isalnum() or text[a - 1] == ".")):
                a -= 1
            if hits and a < hits[-1].end():
                continue
            h = OCR_TOKEN.match(text, a, part.end)
            if h and h.end() > letter.start() and (a == part.start or _CJK.match(text, a - 1)):
                hits.append(h)
        if hits:
            yield _text_finding(ctx, part, hits, "ocr_digits", "text.ocr_digits", "ocr")


#: a 文号 whose year runs into its number (川财社〔2020165号, 万财预〔20211号): the closing 〕 was lost or read
#: as a digit in conversion
BROKEN_DOC_NO = re.compile(r"[〔\[【][ \t]*(?:19|20)[0-9]{2}[0-9]{1,4}[ \t]*号")


@rule("doc_numbers")
def doc_numbers(ctx: Context) -> Iterator[Finding]:
    """Document numbers whose year and serial number run together: to be checked against the original."""
    for part in ctx.parts:
        hits = list(BROKEN_DOC_NO.finditer(ctx.norm, part.start, part.end))
        if hits:
            yield _text_finding(ctx, part, hits, "doc_numbers", "text.doc_numbers", "doc_numbers")


__all__ = ["table_odd_cells", "table_row_text", "table_prose", "amount_fragments", "ocr_digits", "doc_numbers"]
