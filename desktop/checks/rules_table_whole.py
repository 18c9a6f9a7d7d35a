"""Score-table rules over the table as a whole: 总分 against the 得分 (with bounds when the table is cut
off), weights adding up to their groups and to the profile's total, the grade, groups left unscored.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterator

from desktop.checks.arith import fmt
from desktop.checks.context import Context, rule
from desktop.checks.model import ROUNDING, WARNING, Finding
from desktop.checks.table_cells import (
    GROUP_WEIGHT, cell, complete, decimals_of, fig_cell, finding, label, score_tolerance, scored_rows, sure, table_key,
)
from desktop.claims.scoretable import IndicatorRow, ScoreTable

@rule("table_total")
def table_total(ctx: Context) -> Iterator[Finding]:
    """总分 = the sum of 得分; when the table is cut off, 总分 ≤ the scores shown + every point not shown."""
    prof = ctx.profile
    for t in ctx.report.tables:
        total = t.total_score
        if total is None or total.value is None:
            continue
        rows = scored_rows(t)
        scores = [(r, r.score) for r in rows if r.score is not None and r.score.value is not None]
        if not scores:
            continue
        places = max([decimals_of(total)] + [decimals_of(s) for _, s in scores])
        shown = sum((s.value for _, s in scores), Decimal(0))
        cells = [fig_cell(ctx, t, None, "total_score", total)]
        params = {"total": total.text, "sum": fmt(shown, places), "rows": len(scores),
                  "expr": " + ".join(s.text or "" for _, s in scores[:40]) + (" + …" if len(scores) > 40 else "")}
        if complete(t):
            diff = shown - total.value
            weights = [r.weight.value for r in rows if r.weight is not None and r.weight.value is not None]
            every = all(r.weight is not None and r.weight.value is not None for r, _ in scores)
            params["weights"] = fmt(sum(weights, Decimal(0))) if weights and every else ""
            if diff != 0:
                # every row there (its weights make the profile's total) and each figure in its own cell: an
                # error; otherwise a row may have been lost in reading, and the finding is a warning
                all_rows = every and sum(weights, Decimal(0)) == prof.total
                severity = ROUNDING if abs(diff) <= score_tolerance(len(scores), places) else \
                    sure(ctx, total, *(sc for _, sc in scores)) if all_rows else WARNING
                yield finding(ctx, t, "table_total", severity, "table.total_sum",
                               {**params, "diff": fmt(abs(diff), places)}, cells, [total.text, fmt(shown, places)])
            continue
        if shown - total.value > score_tolerance(len(scores), places):
            yield finding(ctx, t, "table_total", sure(ctx, total, *(sc for _, sc in scores)), "table.total_below_shown",
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
        if total.value - most > score_tolerance(len(scores), places):
            severity = sure(ctx, total, *(sc for _, sc in scores), *(r.weight for r in weighted))
            yield finding(ctx, t, "table_total", severity, "table.total_above_possible",
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
            cells = [fig_cell(ctx, t, r, field_name, getattr(r, field_name)) for r in rows
                     if getattr(r, field_name) is not None]
            severity = sure(ctx, *figs) if s > stated else WARNING  # short: perhaps a row not read
            yield finding(ctx, t, "table_weights", severity, "table.group_weights",
                           {"group": k[1], "stated": fmt(stated), "sum": fmt(s),
                            "expr": " + ".join(f.text or "" for f in figs if f is not None and f.value is not None),
                            "field": field_name}, cells, [fmt(stated), fmt(s)], identity=[table_key(ctx, t), k[1]])
        scored = [r for r in scored_rows(t) if r.score is not None and r.score.value is not None]
        weighted = [r for r in scored_rows(t) if r.weight is not None and r.weight.value is not None]
        total_w = sum((r.weight.value for r in weighted), Decimal(0))
        every_row_weighted = bool(weighted) and all(r.weight is not None and r.weight.value is not None
                                                    for r in scored)
        if every_row_weighted and not _total_off(t) and (
                total_w > prof.total or (complete(t) and total_w != prof.total)):
            cells = [fig_cell(ctx, t, r, "weight", r.weight) for r in weighted]
            severity = sure(ctx, *(r.weight for r in weighted)) if total_w > prof.total else WARNING
            yield finding(ctx, t, "table_weights", severity, "table.weights_total",
                           {"sum": fmt(total_w), "total": fmt(prof.total), "profile": prof.name}, cells,
                           [fmt(total_w)], identity=[table_key(ctx, t), "total"])
        if prof.level1_weights_enforced:
            yield from _level1_shares(ctx, t)


def _total_off(t: ScoreTable) -> bool:
    """The table is whole and its 总分 is not the sum of its 得分 (``table_total`` says so, and names the
    weights: one missing row shows as both, and is reported once)."""
    if not complete(t) or t.total_score is None or t.total_score.value is None:
        return False
    scores = [r.score.value for r in scored_rows(t) if r.score is not None and r.score.value is not None]
    return bool(scores) and sum(scores, Decimal(0)) != t.total_score.value


def _complete_maybe_cut(t: ScoreTable, rows: list[IndicatorRow]) -> bool:
    """True when the group may be cut off (it is the last group of a table without a 总分 line after it)."""
    return not complete(t) and rows[-1] is t.indicators[-1]


def _level1_shares(ctx: Context, t: ScoreTable) -> Iterator[Finding]:
    prof = ctx.profile
    sums: dict[str, Decimal] = {}
    for row in t.indicators:
        key = next((k for k in prof.level1_weights if row.level1 and k in row.level1), None)
        if key and row.weight is not None and row.weight.value is not None:
            sums[key] = sums.get(key, Decimal(0)) + row.weight.value
    if not complete(t):
        return
    for key, expected in prof.level1_weights.items():
        got = sums.get(key)
        if got is not None and got != expected:
            yield finding(ctx, t, "table_weights", WARNING, "table.level1_share",
                           {"level1": key, "sum": fmt(got), "expected": fmt(expected), "profile": prof.name}, [],
                           [fmt(got), fmt(expected)], identity=[table_key(ctx, t), "share", key])


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
        cells = [fig_cell(ctx, t, None, "total_score", t.total_score), cell(ctx, t, None, "grade", t.grade, None)]
        # places draw their bands a few points apart (优 from 85 or 90): 错误 only when no band system fits
        yield finding(ctx, t, "table_grade", sure(ctx, t.total_score) if off >= 10 else WARNING, "grade.mismatch",
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
            cells = [cell(ctx, t, r, "score", None, r.location) for r in rows]
            yield finding(ctx, t, "table_unscored", WARNING, "table.unscored",
                           {"group": l2, "level1": l1 or "", "rows": "、".join(label(r) for r in rows)}, cells, [],
                           identity=[table_key(ctx, t), l1, l2])


@rule("table_unfilled")
def table_unfilled(ctx: Context) -> Iterator[Finding]:
    """A form whose indicator rows state their targets but no row states an actual value or a 得分: the
    self-evaluation was not filled in (a 申报表 or an empty template handed in as the 自评表)."""
    for t in ctx.report.tables:
        rows = [r for r in t.indicators if r.target is not None and r.target.value is not None]
        if len(rows) < 2 or len(rows) < len(t.indicators) / 2:
            continue
        if any(r.score is not None and r.score.value is not None for r in t.indicators):
            continue
        if any(r.actual is not None and (r.actual.value is not None or (r.actual.raw or "").strip("—-/ "))
               for r in t.indicators):
            continue
        cells = [cell(ctx, t, r, "actual", None, r.location) for r in rows]
        yield finding(ctx, t, "table_unfilled", WARNING, "table.unfilled",
                       {"rows": len(t.indicators), "shown": "、".join(label(r) for r in rows[:4])}, cells, [],
                       identity=[table_key(ctx, t), "unfilled"])


_PERCENT_NAME = re.compile(r"[(（]\s*(?:%|％|百分比)\s*[)）]\s*$")


@rule("table_percent_name")
def table_percent_name(ctx: Context) -> Iterator[Finding]:
    """A row named in % (产值（%）) whose target and actual are plain figures over 100: the unit in the name
    or the figures are wrong."""
    for t in ctx.report.tables:
        for r in t.indicators:
            if not _PERCENT_NAME.search(r.name or ""):
                continue
            figs = [f for f in (r.target, r.actual) if f is not None and f.value is not None]
            if not figs or any(f.unit == "%" for f in figs) or not all(f.value > 100 for f in figs):
                continue
            cells = [cell(ctx, t, r, k, f.raw, f.location) for k, f in (("target", r.target), ("actual", r.actual))
                     if f is not None and f.value is not None]
            yield finding(ctx, t, "table_percent_name", WARNING, "table.percent_name",
                           {"row": label(r), "figures": "、".join(f.raw for f in figs)}, cells, [f.text for f in figs])


__all__ = ["table_total", "table_weights", "table_grade", "table_unscored", "table_unfilled", "table_percent_name"]
