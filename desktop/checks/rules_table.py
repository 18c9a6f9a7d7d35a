"""Rules over score tables (绩效自评表): scores against weights and targets, totals, the budget block,
grades, and cells that cannot be what they say.

Tables found on the web are often cut off part-way; a rule that needs the whole table (weights adding
up to 100, 总分 = the sum of 得分) either knows the table is whole (its 总分 line comes after the last
row) or reasons with bounds: the stated 总分 can be no more than the scores shown plus every point not
yet shown.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from typing import Any, Iterable, Iterator

from desktop.checks.arith import HUNDRED, fmt, q, rate, rate_matches, ulp, within_rounding
from desktop.checks.engine import Context, rule
from desktop.checks.model import ERROR, ROUNDING, SEVERITIES, WARNING, Finding
from desktop.claims.scoretable import BudgetRow, Figure, IndicatorRow, Location, ScoreTable

LOWER_IS_BETTER = re.compile(r"成本|费用|单价|造价|发生率|受害率|成灾率|事故|投诉|差错|失误|超支|空置|违规|死亡|病死|"
                             r"感染率|损失|结余率|误差|返工|故障|污染|排放|能耗|延误|超标|欠费|流失|辍学|不合格")
DONE_WORDS = re.compile(r"^(?:已?完成|全部完成|按期完成|按时完成|达成|达成目标值?|达到目标|全部达成|已达成|已达到|达标|"
                        r"已实现|实现|是|有效|良好|满意|合格|按规定执行|已公开|全覆盖)$")
NOT_DONE = re.compile(r"未|没有|尚未|部分|延迟|滞后|不足|下降")
EMPTY_DEVIATION = re.compile(r"^(?:无|0|-|—|/|／|无偏差|没有偏差|未偏差)?$")
GROUP_WEIGHT = re.compile(r"[(（][ \t]*(?P<w>[0-9]+(?:\.[0-9]+)?)[ \t]*分[ \t]*[)）]")
#: letters OCR puts for digits: IO = 10, M.8 = 14.8, S = 5 (a unit such as TB or km is not one)
OCR_DIGITS = re.compile(r"^(?=.*[IlOoSZBM])[0-9IlOoSZBM.]{1,8}%?$")


def _v(f: Figure | None) -> Decimal | None:
    return f.value if f is not None else None


def _places(f: Figure | None) -> int:
    if f is None or not f.text:
        return 0
    return len(f.text.split(".", 1)[1]) if "." in f.text else 0


def _loc(loc: Location | None) -> dict[str, Any]:
    if loc is None:
        return {"start": None, "end": None, "page": None, "ref": None}
    return {"start": loc.start, "end": loc.end, "page": loc.page, "ref": loc.ref}


def _table_key(ctx: Context, t: ScoreTable) -> str:
    """The table's place among the report's tables (its title is text a revision may touch)."""
    return f"表{ctx.report.tables.index(t) + 1}"


def _cell(ctx: Context, t: ScoreTable, row: IndicatorRow | BudgetRow | None, field: str, raw: str | None,
          loc: Location | None) -> dict[str, Any]:
    kind = "budget" if isinstance(row, BudgetRow) else "indicator" if row is not None else "table"
    name = row.name if row is not None else ""
    return {"key": f"{_table_key(ctx, t)}/{kind}:{name}/{field}", "table": t.title, "row": name, "row_kind": kind,
            "field": field, "raw": raw, **_loc(loc)}


def _fig_cell(ctx, t, row, field: str, f: Figure | None) -> dict[str, Any]:
    return _cell(ctx, t, row, field, f.raw if f else None, f.location if f else None)


def _where(ctx: Context, t: ScoreTable, cells: list[dict[str, Any]]) -> dict[str, Any]:
    starts = [c["start"] for c in cells if c.get("start") is not None]
    ends = [c["end"] for c in cells if c.get("end") is not None]
    start = min(starts) if starts else (t.location.start if t.location else None)
    end = max(ends) if ends else (t.location.end if t.location else None)
    part = ctx.part_at(start).name if start is not None else None
    return {"report_id": ctx.report.report_id, "report": ctx.report.name, "part": part, "section": t.title,
            "page": next((c["page"] for c in cells if c.get("page") is not None), t.page), "start": start,
            "end": end, "table": t.title}


def _finding(ctx: Context, t: ScoreTable, rule_id: str, severity: str, code: str, params: dict,
             cells: list[dict[str, Any]], values: Iterable[str | None], claim_ids: Iterable[int | None] = (),
             identity: list | None = None) -> Finding:
    return Finding(rule=rule_id, severity=severity, code=code, params={"table": t.title or "", **params},
                   claim_ids=[i for i in claim_ids if i is not None], cells=cells,
                   values=[v for v in values if v is not None], where=_where(ctx, t, cells),
                   identity=identity or [c["key"] for c in cells])


def _claim_id(ctx: Context, index: int | None) -> int | None:
    """The claim id of an extractor index (a row's actual or target claim)."""
    if index is None:
        return None
    ids = ctx.report.claim_index_ids
    return index if ids is None else ids.get(index)


def _label(row: IndicatorRow) -> str:
    return row.name or row.level2 or row.level1 or "（无名称）"


# --- direction: was the target met? -------------------------------------------------------------------


def direction(row: IndicatorRow) -> str | None:
    """The target's comparator: written, or ``<=`` for costs and rates where less is better, else ``>=``."""
    t = row.target
    if t is None or t.value is None:
        return None
    if t.op:
        return t.op
    text = " ".join(x for x in (row.level2, row.name) if x)
    return "<=" if LOWER_IS_BETTER.search(text) else ">="


def _same_unit(row: IndicatorRow) -> tuple[Decimal, Decimal] | None:
    """(target, actual) in the target's unit, or None when their units cannot be compared."""
    t, a = row.target, row.actual
    if t is None or a is None or t.value is None or a.value is None:
        return None
    tu, au = t.unit or "", a.unit or ""
    if not au or not tu or tu == au:
        return t.value, a.value
    from desktop.claims.extractor import MAGNITUDES

    def split(u: str) -> tuple[int, str]:
        for mag in sorted(MAGNITUDES, key=len, reverse=True):
            if u.startswith(mag) and len(u) > len(mag):
                return MAGNITUDES[mag], u[len(mag):]
        return 1, u

    ts, tb = split(tu)
    as_, ab = split(au)
    if tb != ab:
        return None
    return t.value, a.value * Decimal(as_) / Decimal(ts)


def met(row: IndicatorRow) -> bool | None:
    """True / False when the row's target is known to be met or missed, None when it cannot be told."""
    pair = _same_unit(row)
    if pair is not None:
        target, actual = pair
        op = direction(row)
        if row.actual is not None and row.actual.op in (">=", ">") and op in (">=", ">"):
            return actual >= target
        return {">=": actual >= target, ">": actual > target, "<=": actual <= target, "<": actual < target,
                "=": actual == target}.get(op or ">=")
    a = row.actual
    t = row.target
    if a is None or not (a.raw or "").strip():
        return None
    araw = re.sub(r"\s+", "", a.raw)
    if NOT_DONE.search(araw):
        return None
    if t is not None and t.raw and re.sub(r"\s+", "", t.raw) == araw and t.value is None:
        return True
    if DONE_WORDS.match(araw):
        return True
    return None


def _glued(ctx: Context, *items) -> bool:
    """A figure whose digits touch another cell's digits in the text (``2810810``, ``101001009.34``): the
    reader had to guess where one cell ends, so what is computed from it is not certain."""
    text = ctx.norm
    for f in items:
        loc = getattr(f, "location", None)
        if loc is None or loc.start is None or loc.end is None:
            continue
        before = text[loc.start - 1:loc.start] if loc.start > 0 else ""
        raw = text[loc.start:loc.end]
        after = text[loc.end:loc.end + 1]
        if before.isdigit() or before == "." or (raw[-1:].isdigit() and (after.isdigit() or after == ".")):
            return True
    return False


def _sure(ctx: Context, *items) -> str:
    """错误 when every figure involved stands in its own cell; 警告 when one was cut out of run-together digits."""
    return WARNING if _glued(ctx, *items) else ERROR


def _score_tolerance(terms: int, places: int) -> Decimal:
    """Scores written with decimals may each be rounded by one unit in the last place; whole-number scores
    are exact."""
    return ulp(places) * terms if places > 0 else Decimal(0)


def _fragment(*figs: Figure | None) -> bool:
    """A figure that lost its integer part in conversion (``.32``): nothing can be computed from it."""
    return any(f is not None and f.raw and f.raw.strip().startswith(".") for f in figs)


def _target_text(t) -> str:
    """A target or actual as one short string: ``=72890元``, ``≥95%``, or its text."""
    if t is None:
        return ""
    if t.value is not None and t.text is not None:
        op = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}.get(getattr(t, "op", None) or "", "")
        return f"{op}{t.text}{t.unit or ''}"
    return re.sub(r"\s*\|\s*", "", (t.raw or "").strip())


def _no_deviation(row: IndicatorRow) -> bool:
    return EMPTY_DEVIATION.match(re.sub(r"\s+", "", row.deviation or "")) is not None


# --- rows ----------------------------------------------------------------------------------------------


@rule("table_score_over_weight")
def table_score_over_weight(ctx: Context) -> Iterator[Finding]:
    """得分 above 分值 on a row."""
    for t in ctx.report.tables:
        rows: list[IndicatorRow | BudgetRow] = [*t.budget, *t.indicators]
        for row in rows:
            w, s = _v(row.weight), _v(row.score)
            if w is None or s is None or w <= 0 or s <= w:
                continue
            cells = [_fig_cell(ctx, t, row, "weight", row.weight), _fig_cell(ctx, t, row, "score", row.score)]
            yield _finding(ctx, t, "table_score_over_weight", _sure(ctx, row.weight, row.score),
                           "table.score_over_weight",
                           {"row": row.name, "weight": row.weight.text, "score": row.score.text}, cells,
                           [row.weight.text, row.score.text],
                           [_claim_id(ctx, getattr(row, "claim_index", None))])


@rule("table_missed_full_marks")
def table_missed_full_marks(ctx: Context) -> Iterator[Finding]:
    """A target missed (by its direction) but full marks; a target missed with no 偏差原因."""
    for t in ctx.report.tables:
        for row in t.indicators:
            if met(row) is not False or row.target is None or row.actual is None:
                continue
            if _glued(ctx, row.target, row.actual, row.weight, row.score):
                continue  # 2810810: a target of 28 and an actual of 8 may be a wrong cut of the digits
            w, s = _v(row.weight), _v(row.score)
            op = direction(row) or ">="
            cells = [_cell(ctx, t, row, "target", row.target.raw, row.target.location),
                     _cell(ctx, t, row, "actual", row.actual.raw, row.actual.location)]
            params = {"row": _label(row), "target": _target_text(row.target), "op": op,
                      "actual": _target_text(row.actual),
                      "weight": row.weight.text if row.weight else "", "score": row.score.text if row.score else ""}
            claim_ids = [_claim_id(ctx, row.claim_index), _claim_id(ctx, row.target_claim_index)]
            if w is not None and s is not None and s >= w:
                cells.append(_fig_cell(ctx, t, row, "score", row.score))
                yield _finding(ctx, t, "table_missed_full_marks", WARNING, "table.missed_full_marks", params,
                               cells, [row.target.text, row.actual.text, row.score.text], claim_ids)
            elif _no_deviation(row):
                cells.append(_cell(ctx, t, row, "deviation", row.deviation, row.deviation_location))
                yield _finding(ctx, t, "table_missed_no_deviation", WARNING, "table.missed_no_deviation", params,
                               cells, [row.target.text, row.actual.text], claim_ids)


@rule("table_met_marked_down")
def table_met_marked_down(ctx: Context) -> Iterator[Finding]:
    """A target met by its figures (or a qualitative target achieved as written, with no reason given) but
    points taken off."""
    for t in ctx.report.tables:
        for row in t.indicators:
            w, s = _v(row.weight), _v(row.score)
            if w is None or s is None or s >= w:
                continue
            if re.search(r"执行率", row.name or "") and row.actual is not None and row.actual.value is not None:
                continue  # scored by the execution-rate rule
            if met(row) is not True:
                continue
            if _same_unit(row) is None and not _no_deviation(row):
                continue  # a qualitative target with a reason for the deduction
            a = row.actual
            if a is not None and a.value is not None and a.unit == "%" and a.value <= 100 \
                    and q(a.value / HUNDRED * w, max(_places(row.score), 0)) == s:
                continue  # 满意度 93% scored 9.3 → 9 of 10: scored in proportion, a common convention
            cells = [_cell(ctx, t, row, "actual", row.actual.raw if row.actual else None,
                           row.actual.location if row.actual else None),
                     _fig_cell(ctx, t, row, "weight", row.weight), _fig_cell(ctx, t, row, "score", row.score)]
            params = {"row": _label(row), "target": _target_text(row.target),
                      "actual": _target_text(row.actual), "weight": row.weight.text,
                      "score": row.score.text}
            yield _finding(ctx, t, "table_met_marked_down", WARNING, "table.met_marked_down", params, cells,
                           [row.weight.text, row.score.text], [_claim_id(ctx, row.claim_index)])


def _execution_check(ctx: Context, t: ScoreTable, row, rate_value: Decimal, rate_raw: str,
                     weight: Figure, score: Figure, rate_cell: dict) -> Finding | None:
    prof = ctx.profile
    capped = min(rate_value, prof.execution_cap)
    expected = capped / HUNDRED * weight.value
    places = max(_places(score), 0)
    if q(expected, places) == score.value or abs(expected - score.value) < Decimal("0.005"):
        return None
    diff = abs(expected - score.value)
    severity = ROUNDING if diff <= max(ulp(places) / 2, Decimal("0.01")) else _sure(ctx, weight, score)
    cells = [rate_cell, _fig_cell(ctx, t, row, "weight", weight), _fig_cell(ctx, t, row, "score", score)]
    params = {"row": row.name, "rate": rate_raw, "weight": weight.text, "expected": fmt(expected, max(places, 2)),
              "score": score.text, "profile": prof.name, "capped": rate_value > prof.execution_cap}
    return _finding(ctx, t, "table_execution_score", severity, "table.execution_score", params, cells,
                    [rate_raw, weight.text, score.text], identity=[c["key"] for c in cells])


@rule("table_execution_score")
def table_execution_score(ctx: Context) -> Iterator[Finding]:
    """执行率 得分 = 执行率 × 分值 (capped at the 分值), as the profile scores it (财预〔2020〕10号)."""
    if ctx.profile.execution_formula != "proportional":
        return
    for t in ctx.report.tables:
        for b in t.budget:
            if b.weight is None or b.score is None or b.weight.value is None or b.score.value is None:
                continue
            r = _budget_rate(b)
            if r is None:
                continue
            value, raw, cell = r
            f = _execution_check(ctx, t, b, value, raw, b.weight, b.score, _cell(ctx, t, b, "rate", raw, cell))
            if f:
                yield f
        for row in t.indicators:
            if not re.search(r"预算执行率|资金执行率|^执行率", row.name or "") or row.actual is None:
                continue
            a = row.actual
            if a.value is None or (a.unit and a.unit != "%") or row.weight is None or row.score is None:
                continue
            if row.weight.value is None or row.score.value is None:
                continue
            f = _execution_check(ctx, t, row, a.value, a.raw, row.weight, row.score,
                                 _cell(ctx, t, row, "actual", a.raw, a.location))
            if f:
                yield f


def _budget_rate(b: BudgetRow) -> tuple[Decimal, str, Location | None] | None:
    if _fragment(b.executed, b.planned_full, b.planned_start):
        return None if b.rate is None or b.rate.value is None else (b.rate.value, b.rate.raw, b.rate.location)
    if b.rate is not None and b.rate.value is not None:
        return b.rate.value, b.rate.raw, b.rate.location
    ex, plan = _v(b.executed), _v(b.planned_full) or _v(b.planned_start)
    if ex is None or not plan:
        return None
    r = rate(ex, plan)
    return (q(r, 2), fmt(r, 2) + "%", None) if r is not None else None


# --- the budget block ----------------------------------------------------------------------------------


@rule("table_budget_rate")
def table_budget_rate(ctx: Context) -> Iterator[Finding]:
    """执行率 = 全年执行数 / 全年预算数 (or 年初预算数); spending above the budget is worth a word."""
    for t in ctx.report.tables:
        for b in t.budget:
            ex = b.executed
            plans = [p for p in (b.planned_full, b.planned_start) if p is not None and p.value]
            stated = b.rate
            if _fragment(ex, b.planned_full, b.planned_start, stated):
                continue
            if stated is not None and stated.value is not None and ex is not None and ex.value is not None and plans:
                verdicts = [(rate_matches(stated.value, _places(stated), ex.value, _places(ex), p.value,
                                          _places(p)), p) for p in plans]
                if not any(v == "ok" for v, _ in verdicts):
                    v, plan = next(((v, p) for v, p in verdicts if v == "rounding"), verdicts[0])
                    computed = rate(ex.value, plan.value) or Decimal(0)
                    cells = [_fig_cell(ctx, t, b, "executed", ex), _fig_cell(ctx, t, b, "planned", plan),
                             _fig_cell(ctx, t, b, "rate", stated)]
                    yield _finding(ctx, t, "table_budget_rate",
                                   ROUNDING if v == "rounding" else _sure(ctx, ex, plan, stated),
                                   "table.budget_rate", {"row": b.name, "executed": ex.text, "planned": plan.text,
                                                         "computed": fmt(computed, max(_places(stated), 2)),
                                                         "stated": stated.raw}, cells,
                                   [ex.text, plan.text, stated.text])
                    continue
            over = None
            if stated is not None and stated.value is not None and stated.value > HUNDRED:
                over = (stated.raw, [_fig_cell(ctx, t, b, "rate", stated)], [stated.text])
            elif ex is not None and ex.value is not None and plans and ex.value > max(p.value for p in plans):
                p = max(plans, key=lambda p: p.value)
                r = rate(ex.value, p.value) or Decimal(0)
                over = (fmt(r, 2) + "%", [_fig_cell(ctx, t, b, "executed", ex), _fig_cell(ctx, t, b, "planned", p)],
                        [ex.text, p.text])
            if over is not None and not b.part_of:
                yield _finding(ctx, t, "table_budget_rate", WARNING, "table.budget_over",
                               {"row": b.name, "rate": over[0]}, over[1], over[2])


def _totals_and_parts(t: ScoreTable) -> list[tuple[BudgetRow, list[BudgetRow]]]:
    out: list[tuple[BudgetRow, list[BudgetRow]]] = []
    for b in t.budget:
        if b.part_of is None:
            out.append((b, []))
        elif out:
            out[-1][1].append(b)
    return [(total, parts) for total, parts in out if parts]


@rule("table_budget_parts")
def table_budget_parts(ctx: Context) -> Iterator[Finding]:
    """年度资金总额 = 当年财政拨款 + 上年结转 + 其他资金, column by column; no part above its total. One
    finding per total row, naming each column that does not add up."""
    for t in ctx.report.tables:
        for total, parts in _totals_and_parts(t):
            off: list[dict[str, Any]] = []
            cells: list[dict[str, Any]] = []
            values: list[str] = []
            worst = ROUNDING
            for field_name in ("planned_start", "planned_full", "executed"):
                tf: Figure | None = getattr(total, field_name)
                pfs = [(p, getattr(p, field_name)) for p in parts]
                if _fragment(tf, *(f for _, f in pfs)):
                    continue
                given = [(p, f) for p, f in pfs if f is not None and f.value is not None]
                if not given or tf is None or tf.value is None:
                    continue
                tv = tf.value
                places = max([_places(tf)] + [_places(f) for _, f in given])
                s = sum((f.value for _, f in given), Decimal(0))
                if s == tv:
                    continue
                if within_rounding(s - tv, len(given), places):
                    severity = ROUNDING
                elif s > tv or len(given) == len(parts):
                    severity = _sure(ctx, tf, *(f for _, f in given))
                else:
                    continue  # some parts blank and the rest short of the total: not told apart
                if SEVERITIES.index(severity) < SEVERITIES.index(worst):
                    worst = severity
                expr = " + ".join(f.text or f.raw for _, f in given)
                if len(given) == 1:
                    expr = f"{given[0][0].name} {expr}"
                off.append({"field": field_name, "expr": expr, "computed": fmt(s, places), "stated": tf.text or "",
                            "diff": fmt(abs(s - tv), places)})
                cells += [_fig_cell(ctx, t, total, field_name, tf)] + [_fig_cell(ctx, t, p, field_name, f)
                                                                       for p, f in given]
                values += [tf.text or ""] + [f.text or "" for _, f in given]
            if off:
                yield _finding(ctx, t, "table_budget_parts", worst, "table.budget_parts",
                               {"row": total.name, "columns": off, "unit": total.unit or t.budget_unit or ""},
                               cells, values, identity=[_table_key(ctx, t), total.name, "parts"])


@rule("table_budget_missing")
def table_budget_missing(ctx: Context) -> Iterator[Finding]:
    """A budget block with the budget but no 执行数 and no 执行率: execution cannot be scored."""
    for t in ctx.report.tables:
        totals = [b for b in t.budget if b.part_of is None]
        if not totals:
            continue
        if any(_v(b.executed) is not None or _v(b.rate) is not None for b in t.budget):
            continue
        b = totals[0]
        cells = [_cell(ctx, t, b, "executed", None, b.location)]
        yield _finding(ctx, t, "table_budget_missing", WARNING, "table.budget_no_execution", {"row": b.name}, cells,
                       [f.text for f in (b.planned_full, b.planned_start) if f is not None])


# --- the table as a whole ------------------------------------------------------------------------------


def _scored_rows(t: ScoreTable) -> list[IndicatorRow | BudgetRow]:
    return [b for b in t.budget if b.part_of is None] + list(t.indicators)


def _complete(t: ScoreTable) -> bool:
    """The 总分 line comes after the last row: the table is whole, not cut off."""
    if t.total_score is None or t.total_score.location is None or t.total_score.location.start is None:
        return False
    last = max((r.location.start for r in t.indicators if r.location and r.location.start is not None), default=None)
    return last is not None and t.total_score.location.start > last


@rule("table_total")
def table_total(ctx: Context) -> Iterator[Finding]:
    """总分 = the sum of 得分; when the table is cut off, 总分 ≤ the scores shown + every point not shown."""
    prof = ctx.profile
    for t in ctx.report.tables:
        total = t.total_score
        if total is None or total.value is None:
            continue
        rows = _scored_rows(t)
        scores = [(r, r.score) for r in rows if r.score is not None and r.score.value is not None]
        if not scores:
            continue
        places = max([_places(total)] + [_places(s) for _, s in scores])
        shown = sum((s.value for _, s in scores), Decimal(0))
        cells = [_fig_cell(ctx, t, None, "total_score", total)]
        params = {"total": total.text, "sum": fmt(shown, places), "rows": len(scores),
                  "expr": " + ".join(s.text or "" for _, s in scores[:40]) + (" + …" if len(scores) > 40 else "")}
        if _complete(t):
            diff = shown - total.value
            weights = [r.weight.value for r in rows if r.weight is not None and r.weight.value is not None]
            every = all(r.weight is not None and r.weight.value is not None for r, _ in scores)
            params["weights"] = fmt(sum(weights, Decimal(0))) if weights and every else ""
            if diff != 0:
                severity = ROUNDING if abs(diff) <= _score_tolerance(len(scores), places) else \
                    _sure(ctx, total, *(sc for _, sc in scores))
                yield _finding(ctx, t, "table_total", severity, "table.total_sum",
                               {**params, "diff": fmt(abs(diff), places)}, cells, [total.text, fmt(shown, places)])
            continue
        if shown - total.value > _score_tolerance(len(scores), places):
            yield _finding(ctx, t, "table_total", _sure(ctx, total, *(sc for _, sc in scores)), "table.total_below_shown",
                           {**params, "diff": fmt(shown - total.value, places)}, cells, [total.text, fmt(shown, places)])
            continue
        # every row with a weight: the points not shown are what the weights leave of the profile's total
        weighted = [r for r in rows if r.weight is not None and r.weight.value is not None]
        if not weighted or any(r.score is not None and r.score.value is not None and (r.weight is None or
                                                                                        r.weight.value is None)
                               for r in rows):
            continue
        unreadable = sum((r.weight.value for r in weighted if r.score is None or r.score.value is None), Decimal(0))
        weights = sum((r.weight.value for r in weighted), Decimal(0))
        if weights > prof.total:
            continue  # the weights are wrong themselves (another rule)
        most = shown + unreadable + (prof.total - weights)
        if total.value - most > _score_tolerance(len(scores), places):
            sure = _sure(ctx, total, *(sc for _, sc in scores), *(r.weight for r in weighted))
            yield _finding(ctx, t, "table_total", sure, "table.total_above_possible",
                           {**params, "most": fmt(most, places), "unshown": fmt(prof.total - weights + unreadable,
                                                                                 places),
                            "profile_total": fmt(prof.total)}, cells, [total.text, fmt(most, places)])


@rule("table_weights")
def table_weights(ctx: Context) -> Iterator[Finding]:
    """Weights add up: rows to their 一级 / 二级 group's stated points (产出指标（40分）), the table to 100."""
    prof = ctx.profile
    for t in ctx.report.tables:
        groups: dict[tuple[str, str], list[IndicatorRow]] = {}
        order: list[tuple[str, str]] = []
        for row in t.indicators:
            for level, name in (("level1", row.level1), ("level2", row.level2)):
                if name and GROUP_WEIGHT.search(name):
                    k = (level, name)
                    if k not in groups:
                        order.append(k)
                    groups.setdefault(k, []).append(row)
        last_row = t.indicators[-1] if t.indicators else None
        for k in order:
            rows = groups[k]
            stated = Decimal(GROUP_WEIGHT.search(k[1]).group("w"))  # type: ignore[union-attr]
            field_name = "weight" if all(r.weight is not None and r.weight.value is not None for r in rows) else None
            if field_name is None:
                if any(r.weight is not None for r in rows):
                    continue
                field_name = "score"  # no 分值 column: the scores may not exceed the group's points
            figs = [getattr(r, field_name) for r in rows]
            vals = [f.value for f in figs if f is not None and f.value is not None]
            s = sum(vals, Decimal(0))
            whole = last_row not in rows and not _complete_maybe_cut(t, rows)
            wrong = s > stated or (field_name == "weight" and whole and s != stated)
            if not wrong:
                continue
            cells = [_fig_cell(ctx, t, r, field_name, getattr(r, field_name)) for r in rows
                     if getattr(r, field_name) is not None]
            severity = _sure(ctx, *figs) if s > stated or whole else WARNING
            yield _finding(ctx, t, "table_weights", severity, "table.group_weights",
                           {"group": k[1], "stated": fmt(stated), "sum": fmt(s),
                            "expr": " + ".join(f.text or "" for f in figs if f is not None and f.value is not None),
                            "field": field_name}, cells, [fmt(stated), fmt(s)], identity=[_table_key(ctx, t), k[1]])
        scored = [r for r in _scored_rows(t) if r.score is not None and r.score.value is not None]
        weighted = [r for r in _scored_rows(t) if r.weight is not None and r.weight.value is not None]
        total_w = sum((r.weight.value for r in weighted), Decimal(0))
        every_row_weighted = bool(weighted) and all(r.weight is not None and r.weight.value is not None
                                                    for r in scored)
        if every_row_weighted and not _total_off(t) and (
                total_w > prof.total or (_complete(t) and total_w != prof.total)):
            cells = [_fig_cell(ctx, t, r, "weight", r.weight) for r in weighted]
            yield _finding(ctx, t, "table_weights", _sure(ctx, *(r.weight for r in weighted)), "table.weights_total",
                           {"sum": fmt(total_w), "total": fmt(prof.total), "profile": prof.name}, cells,
                           [fmt(total_w)], identity=[_table_key(ctx, t), "total"])
        if prof.level1_weights_enforced:
            yield from _level1_shares(ctx, t)


def _total_off(t: ScoreTable) -> bool:
    """The table is whole and its 总分 is not the sum of its 得分 (``table_total`` says so, and names the
    weights: one missing row shows as both, and is reported once)."""
    if not _complete(t) or t.total_score is None or t.total_score.value is None:
        return False
    scores = [r.score.value for r in _scored_rows(t) if r.score is not None and r.score.value is not None]
    return bool(scores) and sum(scores, Decimal(0)) != t.total_score.value


def _complete_maybe_cut(t: ScoreTable, rows: list[IndicatorRow]) -> bool:
    """True when the group may be cut off (it is the last group of a table without a 总分 line after it)."""
    return not _complete(t) and rows[-1] is t.indicators[-1]


def _level1_shares(ctx: Context, t: ScoreTable) -> Iterator[Finding]:
    prof = ctx.profile
    sums: dict[str, Decimal] = {}
    for row in t.indicators:
        key = next((k for k in prof.level1_weights if row.level1 and k in row.level1), None)
        if key and row.weight is not None and row.weight.value is not None:
            sums[key] = sums.get(key, Decimal(0)) + row.weight.value
    if not _complete(t):
        return
    for key, expected in prof.level1_weights.items():
        got = sums.get(key)
        if got is not None and got != expected:
            yield _finding(ctx, t, "table_weights", WARNING, "table.level1_share",
                           {"level1": key, "sum": fmt(got), "expected": fmt(expected), "profile": prof.name}, [],
                           [fmt(got), fmt(expected)], identity=[_table_key(ctx, t), "share", key])


@rule("table_grade")
def table_grade(ctx: Context) -> Iterator[Finding]:
    """自评等级 matches 总分 under the profile's grade bands."""
    prof = ctx.profile
    for t in ctx.report.tables:
        if not t.grade or t.total_score is None or t.total_score.value is None:
            continue
        band = prof.band(t.grade.strip())
        if band is None:
            continue
        low, high = band
        v = t.total_score.value
        if v >= low and (high is None or v < high):
            continue
        off = low - v if v < low else v - high  # type: ignore[operator]
        cells = [_fig_cell(ctx, t, None, "total_score", t.total_score), _cell(ctx, t, None, "grade", t.grade, None)]
        yield _finding(ctx, t, "table_grade", _sure(ctx, t.total_score) if off >= 5 else WARNING, "grade.mismatch",
                       {"score": t.total_score.text, "grade": t.grade, "expected": prof.grade_for(v),
                        "profile": prof.name, "low": fmt(low), "high": fmt(high) if high is not None else ""},
                       cells, [t.total_score.text, t.grade])


@rule("table_unscored")
def table_unscored(ctx: Context) -> Iterator[Finding]:
    """A group of indicator rows (二级指标) with no 得分 at all while the rest of the table is scored."""
    for t in ctx.report.tables:
        if not any(r.score is not None for r in t.indicators):
            continue
        groups: dict[tuple[str | None, str | None], list[IndicatorRow]] = {}
        for r in t.indicators:
            groups.setdefault((r.level1, r.level2), []).append(r)
        last = t.indicators[-1]
        for (l1, l2), rows in groups.items():
            if l2 is None or last in rows or any(r.score is not None for r in rows):
                continue
            if not any((r.target and r.target.raw) or (r.actual and r.actual.raw) for r in rows):
                continue
            cells = [_cell(ctx, t, r, "score", None, r.location) for r in rows]
            yield _finding(ctx, t, "table_unscored", WARNING, "table.unscored",
                           {"group": l2, "level1": l1 or "", "rows": "、".join(_label(r) for r in rows)}, cells, [],
                           identity=[_table_key(ctx, t), l1, l2])


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
                    yield _finding(ctx, t, "table_odd_cells", WARNING, "table.garbled",
                                   {"row": row.name, "field": field_name, "raw": f.raw},
                                   [_fig_cell(ctx, t, row, field_name, f)], [f.raw])
                elif re.match(r"^\.[0-9]", raw):
                    yield _finding(ctx, t, "table_odd_cells", WARNING, "table.fragment",
                                   {"row": row.name, "field": field_name, "raw": f.raw},
                                   [_fig_cell(ctx, t, row, field_name, f)], [f.raw])
            if not isinstance(row, IndicatorRow):
                continue
            for field_name in ("target", "actual"):
                v = getattr(row, field_name)
                if v is None or v.value is not None or not v.raw:
                    continue
                m = re.match(r"^[ \t]*([0-9A-Za-z.]{1,8})[ \t]*([\u4e00-\u9fff%]{0,3})[ \t]*$", v.raw)
                if m and OCR_DIGITS.match(m.group(1)) and re.search(r"[0-9]", m.group(1)):
                    yield _finding(ctx, t, "table_odd_cells", WARNING, "table.garbled",
                                   {"row": _label(row), "field": field_name, "raw": v.raw},
                                   [_cell(ctx, t, row, field_name, v.raw, v.location)], [v.raw])
            a = row.actual
            if a is not None and a.op:
                yield _finding(ctx, t, "table_odd_cells", WARNING, "table.actual_as_target",
                               {"row": _label(row), "raw": a.raw}, [_cell(ctx, t, row, "actual", a.raw, a.location)],
                               [a.text], [_claim_id(ctx, row.claim_index)])


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
            cells = [_cell(ctx, t, row, "name", row.name, row.name_location),
                     _cell(ctx, t, row, "actual", row.actual.raw, row.actual.location),
                     _fig_cell(ctx, t, row, "score", row.score)]
            yield _finding(ctx, t, "table_row_text", WARNING, "table.row_text_partial",
                           {"row": _label(row)[:30], "done": fmt(d), "goal": fmt(g), "unit": u,
                            "share": fmt(share, 2), "actual": row.actual.raw, "score": row.score.text},
                           cells, [fmt(d), fmt(g), row.actual.text], [_claim_id(ctx, row.claim_index)])


# --- the report's prose against the table ------------------------------------------------------------

INCREASE = re.compile(r"(?P<word>增收|增加|增长|提高|新增|多|减少|下降|节约|降低)[ \t]*(?P<n>[0-9]+(?:\.[0-9]+)?)[ \t]*"
                      r"(?P<unit>万元|元|亿元|万人次|人次|万人|人|户|个|家|所|项|件|吨|亩|%|个百分点)")
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
    used = {_claim_id(ctx, i) for t in ctx.report.tables for r in t.indicators
            for i in (r.claim_index, r.target_claim_index)}
    used |= {_claim_id(ctx, i) for t in ctx.report.tables for b in t.budget for i in b.claim_indexes}

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
            if len(name) < 4 or row.actual is None:
                continue
            related = [c for c in prose if name in subject_key(c.subject)]
            if not related:
                continue
            m = INCREASE.search(row.actual.raw or "")
            if m and row.actual.value is None:
                n, unit = _base(Decimal(m.group("n")), m.group("unit"))
                vals = sorted({_base(c.value, c.unit)[0]: c for c in related
                               if _base(c.value, c.unit)[1] == unit}.items())
                if len(vals) == 2:
                    (v1, c1), (v2, c2) = vals
                    diff = v2 - v1
                    places = max(c1.decimals, c2.decimals, len(m.group("n").split(".")[1]) if "." in m.group("n") else 0)
                    scale = _base(Decimal(1), m.group("unit"))[0]
                    if abs(diff - n) > ulp(places) * scale * 2:
                        cells = [_cell(ctx, t, row, "actual", row.actual.raw, row.actual.location)]
                        yield _finding(ctx, t, "table_prose", WARNING, "table.increase_differs",
                                       {"row": _label(row), "word": m.group("word"), "increase": m.group("n"),
                                        "unit": m.group("unit"), "first": fmt(v1 / scale), "second": fmt(v2 / scale),
                                        "computed": fmt(diff / scale, places)},
                                       cells, [m.group("n"), c1.raw, c2.raw], [c1.id, c2.id])
                continue
            if row.actual.value is None:
                continue
            known = {_base(x.value, x.unit or (row.target.unit if row.target else ""))
                     for x in (row.actual, row.target) if x is not None and x.value is not None}
            unit = next(iter(known))[1] if known else ""
            values = {v for v, _ in known}
            for c in related:
                cv, cu = _base(c.value, c.unit)
                if cu != unit or cv in values or c.kind not in ("amount", "count", "measure", "percent"):
                    continue
                cells = [_cell(ctx, t, row, "actual", row.actual.raw, row.actual.location)]
                yield _finding(ctx, t, "table_prose", WARNING, "table.prose_differs",
                               {"row": _label(row), "prose": c.raw, "prose_unit": c.unit, "prose_subject": c.subject[-20:],
                                "actual": _target_text(row.actual)}, cells, [c.raw, row.actual.text],
                               [c.id, _claim_id(ctx, row.claim_index)])
                break


__all__ = ["direction", "met"]
