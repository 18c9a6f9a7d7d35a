"""Score-table rules over rows and the budget block: 得分 against 分值 and the target, the 执行率 score
as the profile computes it, the budget's 执行率 recomputed, 年度资金总额 against its 其中 parts.

A rule that needs a figure cut out of digits run together (``2810810``) says 警告, not 错误, and a
missed-target verdict is not drawn from such a cut at all (see :func:`~desktop.checks.table_cells.glued`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterator

from desktop.checks.arith import HUNDRED, fmt, q, rate, rate_matches, ulp, within_rounding
from desktop.checks.context import Context, rule
from desktop.checks.model import ROUNDING, SEVERITIES, WARNING, Finding
from desktop.checks.table_cells import (
    actual_claim, cell, decimals_of, direction, fig_cell, fig_value, finding, fragment, glued, label, met, no_deviation,
    same_unit, sure, table_key, target_claim, target_text,
)
from desktop.claims.scoretable import BudgetRow, Figure, IndicatorRow, Location, ScoreTable

@rule("table_score_over_weight")
def table_score_over_weight(ctx: Context) -> Iterator[Finding]:
    """得分 above 分值 on a row."""
    for t in ctx.report.tables:
        rows: list[IndicatorRow | BudgetRow] = [*t.budget, *t.indicators]
        for row in rows:
            w, s = fig_value(row.weight), fig_value(row.score)
            if w is None or s is None or w <= 0 or s <= w:
                continue
            cells = [fig_cell(ctx, t, row, "weight", row.weight), fig_cell(ctx, t, row, "score", row.score)]
            yield finding(ctx, t, "table_score_over_weight", sure(ctx, row.weight, row.score),
                           "table.score_over_weight",
                           {"row": row.name, "weight": row.weight.text, "score": row.score.text}, cells,
                           [row.weight.text, row.score.text],
                           [actual_claim(ctx, row)])


@rule("table_missed_full_marks")
def table_missed_full_marks(ctx: Context) -> Iterator[Finding]:
    """A target missed (by its direction) but full marks; a target missed with no 偏差原因."""
    for t in ctx.report.tables:
        for row in t.indicators:
            if met(row) is not False or row.target is None or row.actual is None:
                continue
            if glued(ctx, row.target, row.actual, row.weight, row.score):
                continue  # 2810810: a target of 28 and an actual of 8 may be a wrong cut of the digits
            w, s = fig_value(row.weight), fig_value(row.score)
            op = direction(row) or ">="
            cells = [cell(ctx, t, row, "target", row.target.raw, row.target.location),
                     cell(ctx, t, row, "actual", row.actual.raw, row.actual.location)]
            params = {"row": label(row), "target": target_text(row.target), "op": op,
                      "actual": target_text(row.actual),
                      "weight": row.weight.text if row.weight else "", "score": row.score.text if row.score else ""}
            claim_ids = [actual_claim(ctx, row), target_claim(ctx, row)]
            if w is not None and s is not None and s >= w:
                cells.append(fig_cell(ctx, t, row, "score", row.score))
                yield finding(ctx, t, "table_missed_full_marks", WARNING, "table.missed_full_marks", params,
                               cells, [row.target.text, row.actual.text, row.score.text], claim_ids)
            elif no_deviation(row):
                cells.append(cell(ctx, t, row, "deviation", row.deviation, row.deviation_location))
                yield finding(ctx, t, "table_missed_no_deviation", WARNING, "table.missed_no_deviation", params,
                               cells, [row.target.text, row.actual.text], claim_ids)


@rule("table_met_marked_down")
def table_met_marked_down(ctx: Context) -> Iterator[Finding]:
    """A target met by its figures (or a qualitative target achieved as written, with no reason given) but
    points taken off."""
    for t in ctx.report.tables:
        for row in t.indicators:
            w, s = fig_value(row.weight), fig_value(row.score)
            if w is None or s is None or s >= w:
                continue
            if re.search(r"执行率", row.name or "") and row.actual is not None and row.actual.value is not None:
                continue  # scored by the execution-rate rule
            if met(row) is not True:
                continue
            if same_unit(row) is None and not no_deviation(row):
                continue  # a qualitative target with a reason for the deduction
            a = row.actual
            if a is not None and a.value is not None and a.unit == "%" and a.value <= 100 \
                    and q(a.value / HUNDRED * w, max(decimals_of(row.score), 0)) == s:
                continue  # 满意度 93% scored 9.3 → 9 of 10: scored in proportion, a common convention
            cells = [cell(ctx, t, row, "actual", row.actual.raw if row.actual else None,
                           row.actual.location if row.actual else None),
                     fig_cell(ctx, t, row, "weight", row.weight), fig_cell(ctx, t, row, "score", row.score)]
            params = {"row": label(row), "target": target_text(row.target),
                      "actual": target_text(row.actual), "weight": row.weight.text,
                      "score": row.score.text}
            yield finding(ctx, t, "table_met_marked_down", WARNING, "table.met_marked_down", params, cells,
                           [row.weight.text, row.score.text], [actual_claim(ctx, row)])


def _execution_check(ctx: Context, t: ScoreTable, row, rate_value: Decimal, rate_raw: str,
                     weight: Figure, score: Figure, rate_cell: dict) -> Finding | None:
    prof = ctx.profile
    capped = min(rate_value, prof.execution_cap)
    expected = capped / HUNDRED * weight.value
    places = max(decimals_of(score), 0)
    if q(expected, places) == score.value or abs(expected - score.value) < Decimal("0.005"):
        return None
    diff = abs(expected - score.value)
    # full execution with points taken off is wrong under any scoring; below it, places score by bands
    # (执行率 ≥ 90% 得满分 …), so a difference from 执行率 × 分值 is a warning
    full = rate_value >= prof.execution_cap and score.value < weight.value
    severity = ROUNDING if diff <= max(ulp(places) / 2, Decimal("0.01")) else \
        sure(ctx, weight, score) if full else WARNING
    cells = [rate_cell, fig_cell(ctx, t, row, "weight", weight), fig_cell(ctx, t, row, "score", score)]
    params = {"row": row.name, "rate": rate_raw, "weight": weight.text, "expected": fmt(expected, max(places, 2)),
              "score": score.text, "profile": prof.name, "capped": rate_value > prof.execution_cap}
    return finding(ctx, t, "table_execution_score", severity, "table.execution_score", params, cells,
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
            value, raw, rate_at = r
            f = _execution_check(ctx, t, b, value, raw, b.weight, b.score, cell(ctx, t, b, "rate", raw, rate_at))
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
                                 cell(ctx, t, row, "actual", a.raw, a.location))
            if f:
                yield f


def _budget_rate(b: BudgetRow) -> tuple[Decimal, str, Location | None] | None:
    if fragment(b.executed, b.planned_full, b.planned_start):
        return None if b.rate is None or b.rate.value is None else (b.rate.value, b.rate.raw, b.rate.location)
    if b.rate is not None and b.rate.value is not None:
        return b.rate.value, b.rate.raw, b.rate.location
    ex, plan = fig_value(b.executed), fig_value(b.planned_full) or fig_value(b.planned_start)
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
            if fragment(ex, b.planned_full, b.planned_start, stated):
                continue
            if stated is not None and stated.value is not None and ex is not None and ex.value is not None and plans:
                verdicts = [(rate_matches(stated.value, decimals_of(stated), ex.value, decimals_of(ex), p.value,
                                          decimals_of(p)), p) for p in plans]
                if not any(v == "ok" for v, _ in verdicts):
                    v, plan = next(((v, p) for v, p in verdicts if v == "rounding"), verdicts[0])
                    computed = rate(ex.value, plan.value) or Decimal(0)
                    cells = [fig_cell(ctx, t, b, "executed", ex), fig_cell(ctx, t, b, "planned", plan),
                             fig_cell(ctx, t, b, "rate", stated)]
                    yield finding(ctx, t, "table_budget_rate",
                                   ROUNDING if v == "rounding" else sure(ctx, ex, plan, stated),
                                   "table.budget_rate", {"row": b.name, "executed": ex.text, "planned": plan.text,
                                                         "computed": fmt(computed, max(decimals_of(stated), 2)),
                                                         "stated": stated.raw}, cells,
                                   [ex.text, plan.text, stated.text])
                    continue
            if not plans and not fig_value(ex) and not b.part_of and stated is not None and stated.value is not None:
                f = _rate_from_parts(ctx, t, b, stated)
                if f:
                    yield f
                    continue
            over = None
            if stated is not None and stated.value is not None and stated.value > HUNDRED:
                over = (stated.raw, [fig_cell(ctx, t, b, "rate", stated)], [stated.text])
            elif ex is not None and ex.value is not None and plans and ex.value > max(p.value for p in plans):
                p = max(plans, key=lambda p: p.value)
                r = rate(ex.value, p.value) or Decimal(0)
                over = (fmt(r, 2) + "%", [fig_cell(ctx, t, b, "executed", ex), fig_cell(ctx, t, b, "planned", p)],
                        [ex.text, p.text])
            if over is not None and not b.part_of:
                yield finding(ctx, t, "table_budget_rate", WARNING, "table.budget_over",
                               {"row": b.name, "rate": over[0]}, over[1], over[2])


def _rate_from_parts(ctx: Context, t: ScoreTable, total: BudgetRow, stated: Figure) -> Finding | None:
    """A total line left at 0 (年度资金总额 0 / 0 / 0, 执行率 0) whose 其中 lines were spent: the rate its parts give."""
    parts = next((ps for tot, ps in _totals_and_parts(t) if tot is total), [])
    spent = [(p, p.executed, p.planned_full if fig_value(p.planned_full) else p.planned_start) for p in parts]
    spent = [(p, ex, plan) for p, ex, plan in spent if fig_value(ex) is not None and fig_value(plan)]
    if not spent or fragment(*(f for _, ex, plan in spent for f in (ex, plan))):
        return None
    ex_sum = sum((ex.value for _, ex, _ in spent), Decimal(0))
    plan_sum = sum((plan.value for _, _, plan in spent), Decimal(0))
    places = max(decimals_of(f) for _, ex, plan in spent for f in (ex, plan))
    verdict = rate_matches(stated.value, decimals_of(stated), ex_sum, places, plan_sum, places)
    if verdict == "ok":
        return None
    computed = rate(ex_sum, plan_sum) or Decimal(0)
    cells = [fig_cell(ctx, t, total, "rate", stated)]
    for p, ex, plan in spent:
        cells += [fig_cell(ctx, t, p, "executed", ex), fig_cell(ctx, t, p, "planned", plan)]
    return finding(ctx, t, "table_budget_rate", ROUNDING if verdict == "rounding" else sure(ctx, stated, *(f for _, ex, plan in spent for f in (ex, plan))),
                   "table.budget_rate_parts", {"row": total.name, "executed": fmt(ex_sum, places),
                                               "planned": fmt(plan_sum, places),
                                               "computed": fmt(computed, max(decimals_of(stated), 2)),
                                               "stated": stated.raw},
                   cells, [stated.text or ""] + [f.text or "" for _, ex, plan in spent for f in (ex, plan)])


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
                if fragment(tf, *(f for _, f in pfs)):
                    continue
                given = [(p, f) for p, f in pfs if f is not None and f.value is not None]
                if not given or tf is None or tf.value is None:
                    continue
                tv = tf.value
                places = max([decimals_of(tf)] + [decimals_of(f) for _, f in given])
                s = sum((f.value for _, f in given), Decimal(0))
                if s == tv:
                    continue
                if within_rounding(s - tv, len(given), places):
                    severity = ROUNDING
                elif s > tv or len(given) == len(parts):
                    severity = sure(ctx, tf, *(f for _, f in given))
                elif tv and (tv - s) / tv < Decimal("0.001"):
                    severity = WARNING  # 1157.9 under 1157.97 and the other lines blank: meant to add up
                else:
                    continue  # some parts blank and the rest short of the total: not told apart
                if SEVERITIES.index(severity) < SEVERITIES.index(worst):
                    worst = severity
                expr = " + ".join(f.text or f.raw for _, f in given)
                if len(given) == 1:
                    expr = f"{given[0][0].name} {expr}"
                off.append({"field": field_name, "expr": expr, "computed": fmt(s, places), "stated": tf.text or "",
                            "diff": fmt(abs(s - tv), places)})
                cells += [fig_cell(ctx, t, total, field_name, tf)] + [fig_cell(ctx, t, p, field_name, f)
                                                                       for p, f in given]
                values += [tf.text or ""] + [f.text or "" for _, f in given]
            if off:
                yield finding(ctx, t, "table_budget_parts", worst, "table.budget_parts",
                               {"row": total.name, "columns": off, "unit": total.unit or t.budget_unit or ""},
                               cells, values, identity=[table_key(ctx, t), total.name, "parts"])


@rule("table_budget_missing")
def table_budget_missing(ctx: Context) -> Iterator[Finding]:
    """A budget block with the budget but no 执行数 and no 执行率: execution cannot be scored."""
    for t in ctx.report.tables:
        totals = [b for b in t.budget if b.part_of is None]
        if not totals:
            continue
        if any(fig_value(b.executed) is not None or fig_value(b.rate) is not None for b in t.budget):
            continue
        b = totals[0]
        cells = [cell(ctx, t, b, "executed", None, b.location)]
        yield finding(ctx, t, "table_budget_missing", WARNING, "table.budget_no_execution", {"row": b.name}, cells,
                       [f.text for f in (b.planned_full, b.planned_start) if f is not None])


@rule("table_budget_unscored")
def table_budget_unscored(ctx: Context) -> Iterator[Finding]:
    """The budget total line has its 分值 and its 执行率 but no 得分, while the table is otherwise scored or
    shows a total: the execution was not scored."""
    for t in ctx.report.tables:
        b = next((b for b in t.budget if b.part_of is None), None)
        if b is None or fig_value(b.weight) is None or fig_value(b.rate) is None or b.score is not None:
            continue
        if not (any(r.score is not None for r in t.indicators) or t.total_score is not None):
            continue
        cells = [fig_cell(ctx, t, b, "weight", b.weight), fig_cell(ctx, t, b, "rate", b.rate),
                 cell(ctx, t, b, "score", None, b.location)]
        yield finding(ctx, t, "table_budget_unscored", WARNING, "table.budget_unscored",
                       {"row": b.name, "weight": b.weight.text, "rate": b.rate.raw}, cells,
                       [b.weight.text, b.rate.text])


__all__ = ["table_budget_unscored", "table_score_over_weight", "table_missed_full_marks", "table_met_marked_down", "table_execution_score",
           "table_budget_rate", "table_budget_parts", "table_budget_missing"]
