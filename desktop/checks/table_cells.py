"""What the score-table rules share: cells and where they are, a row's direction and whether its target
was met, and how sure a figure is (a figure cut out of digits run together is not)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable

from desktop.checks.arith import ulp
from desktop.checks.context import Context
from desktop.checks.model import ERROR, WARNING, Finding
from desktop.claims.scoretable import BudgetRow, Figure, IndicatorRow, Location, ScoreTable

LOWER_IS_BETTER = re.compile(r"成本|费用|单价|造价|发生率|受害率|成灾率|事故|投诉|差错|失误|超支|空置|违规|死亡|病死|"
                             r"感染率|损失|结余率|误差|返工|故障|污染|排放|能耗|延误|超标|欠费|流失|辍学|不合格")
DONE_WORDS = re.compile(r"^(?:已?完成|全部完成|按期完成|按时完成|达成|达成目标值?|达到目标|全部达成|已达成|已达到|达标|"
                        r"已实现|实现|是|有效|良好|满意|合格|按规定执行|已公开|全覆盖)$")
NOT_DONE = re.compile(r"未|没有|尚未|部分|延迟|滞后|不足|下降")
#: an actual that says the work is still under way: a figure target (1 个) is then not met
IN_PROGRESS = re.compile(r"^(?:正在)?[\u4e00-\u9fff]{0,6}(?:建设|施工|实施|推进|进行|办理|招标|采购|调试|验收)中$|^(?:未|尚未|暂未)完成")
EMPTY_DEVIATION = re.compile(r"^(?:无|0|-|—|/|／|无偏差|没有偏差|未偏差)?$")
GROUP_WEIGHT = re.compile(r"[(（][ \t]*(?P<w>[0-9]+(?:\.[0-9]+)?)[ \t]*分[ \t]*[)）]")
#: letters OCR puts for digits: IO = 10, M.8 = 14.8, S = 5 (a unit such as TB or km is not one)
OCR_DIGITS = re.compile(r"^(?=.*[IlOoSZBM])[0-9IlOoSZBM.]{1,8}%?$")


def fig_value(f: Figure | None) -> Decimal | None:
    return f.value if f is not None else None


def decimals_of(f: Figure | None) -> int:
    if f is None or not f.text:
        return 0
    return len(f.text.split(".", 1)[1]) if "." in f.text else 0


def loc_json(loc: Location | None) -> dict[str, Any]:
    if loc is None:
        return {"start": None, "end": None, "page": None, "ref": None}
    return {"start": loc.start, "end": loc.end, "page": loc.page, "ref": loc.ref}


def table_key(ctx: Context, t: ScoreTable) -> str:
    """The table's place among the report's tables (its title is text a revision may touch)."""
    return f"表{ctx.report.tables.index(t) + 1}"


def cell(ctx: Context, t: ScoreTable, row: IndicatorRow | BudgetRow | None, field: str, raw: str | None,
          loc: Location | None) -> dict[str, Any]:
    kind = "budget" if isinstance(row, BudgetRow) else "indicator" if row is not None else "table"
    name = row.name if row is not None else ""
    return {"key": f"{table_key(ctx, t)}/{kind}:{name}/{field}", "table": t.title, "row": name, "row_kind": kind,
            "field": field, "raw": raw, **loc_json(loc)}


def fig_cell(ctx, t, row, field: str, f: Figure | None) -> dict[str, Any]:
    return cell(ctx, t, row, field, f.raw if f else None, f.location if f else None)


def table_where(ctx: Context, t: ScoreTable, cells: list[dict[str, Any]]) -> dict[str, Any]:
    starts = [c["start"] for c in cells if c.get("start") is not None]
    ends = [c["end"] for c in cells if c.get("end") is not None]
    start = min(starts) if starts else (t.location.start if t.location else None)
    end = max(ends) if ends else (t.location.end if t.location else None)
    part = ctx.part_at(start).name if start is not None else None
    return {"report_id": ctx.report.report_id, "report": ctx.report.name, "part": part, "section": t.title,
            "page": next((c["page"] for c in cells if c.get("page") is not None), t.page), "start": start,
            "end": end, "table": t.title}


def doubtful(ctx: Context, t: ScoreTable) -> bool:
    """Whether the table as read contradicts itself in ways a real form rarely does — 得分 above 分值 in two
    rows or more, or weights adding up to half again the profile's total — so that a misread table (a
    scoring rubric, cells scrambled in conversion) is the likelier explanation than the form's mistakes.
    Its findings are then 警告 that say so, never 错误."""
    key = ("doubtful", id(t))
    if key in ctx.cache:
        return bool(ctx.cache[key])
    over = sum(1 for r in t.indicators if r.weight is not None and r.score is not None
               and r.weight.value is not None and r.score.value is not None and r.score.value > r.weight.value)
    weights = sum((r.weight.value for r in t.indicators if r.weight is not None and r.weight.value is not None),
                  Decimal(0))
    weights += sum((b.weight.value for b in t.budget if b.weight is not None and b.weight.value is not None
                    and b.part_of is None), Decimal(0))
    total = ctx.profile.total or Decimal(100)
    result = over >= 2 or weights > total * Decimal("1.5")
    ctx.cache[key] = result
    return result


def finding(ctx: Context, t: ScoreTable, rule_id: str, severity: str, code: str, params: dict,
            cells: list[dict[str, Any]], values: Iterable[str | None], claim_ids: Iterable[int | None] = (),
            identity: list | None = None) -> Finding:
    if severity == ERROR and doubtful(ctx, t):
        severity, params = WARNING, {**params, "doubtful_read": True}
    return Finding(rule=rule_id, severity=severity, code=code, params={"table": t.title or "", **params},
                   claim_ids=[i for i in claim_ids if i is not None], cells=cells,
                   values=[v for v in values if v is not None], where=table_where(ctx, t, cells),
                   identity=identity or [c["key"] for c in cells])


def claim_id(ctx: Context, index: int | None) -> int | None:
    """The claim id of an extractor index (a row's actual or target claim)."""
    if index is None:
        return None
    ids = ctx.report.claim_index_ids
    return index if ids is None else ids.get(index)



def actual_claim(ctx: Context, row: IndicatorRow | BudgetRow) -> int | None:
    """The claim id of a row's actual: stored with the row in a workspace, else through its claim index."""
    if not isinstance(row, IndicatorRow):
        return None
    return row.claim_id if row.claim_id is not None else claim_id(ctx, row.claim_index)


def target_claim(ctx: Context, row: IndicatorRow) -> int | None:
    return row.target_claim_id if row.target_claim_id is not None else claim_id(ctx, row.target_claim_index)


def budget_claims(ctx: Context, b: BudgetRow) -> list[int | None]:
    if b.claim_ids:
        return list(b.claim_ids.values())
    return [claim_id(ctx, i) for i in b.claim_indexes]

def label(row: IndicatorRow) -> str:
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


def same_unit(row: IndicatorRow) -> tuple[Decimal, Decimal] | None:
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
    pair = same_unit(row)
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
    if t is not None and t.value is not None and a.value is None and IN_PROGRESS.search(araw):
        return False  # 新建中心 1 个 — 建设中
    if NOT_DONE.search(araw):
        return None
    if t is not None and t.raw and re.sub(r"\s+", "", t.raw) == araw and t.value is None:
        return True
    if DONE_WORDS.match(araw):
        return True
    return None


def glued(ctx: Context, *items) -> bool:
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


def sure(ctx: Context, *items) -> str:
    """错误 when every figure involved stands in its own cell; 警告 when one was cut out of run-together digits."""
    return WARNING if glued(ctx, *items) else ERROR


def score_tolerance(terms: int, places: int) -> Decimal:
    """Scores written with decimals may each be rounded by one unit in the last place; whole-number scores
    are exact."""
    return ulp(places) * terms if places > 0 else Decimal(0)


def fragment(*figs: Figure | None) -> bool:
    """A figure that lost its integer part in conversion (``.32``): nothing can be computed from it."""
    return any(f is not None and f.raw and f.raw.strip().startswith(".") for f in figs)


def target_text(t) -> str:
    """A target or actual as one short string: ``=72890元``, ``≥95%``, or its text."""
    if t is None:
        return ""
    if t.value is not None and t.text is not None:
        op = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}.get(getattr(t, "op", None) or "", "")
        return f"{op}{t.text}{t.unit or ''}"
    return re.sub(r"\s*\|\s*", "", (t.raw or "").strip())


def no_deviation(row: IndicatorRow) -> bool:
    return EMPTY_DEVIATION.match(re.sub(r"\s+", "", row.deviation or "")) is not None


def scored_rows(t: ScoreTable) -> list[IndicatorRow | BudgetRow]:
    return [b for b in t.budget if b.part_of is None] + list(t.indicators)


def complete(t: ScoreTable) -> bool:
    """The 总分 line comes after the last row: the table is whole, not cut off."""
    if t.total_score is None or t.total_score.location is None or t.total_score.location.start is None:
        return False
    last = max((r.location.start for r in t.indicators if r.location and r.location.start is not None), default=None)
    return last is not None and t.total_score.location.start > last


__all__ = ["GROUP_WEIGHT", "OCR_DIGITS", "actual_claim", "budget_claims", "cell", "claim_id", "target_claim", "complete", "decimals_of", "direction", "fig_cell",
           "fig_value", "finding", "fragment", "glued", "label", "met", "no_deviation", "same_unit", "score_tolerance",
           "scored_rows", "sure", "table_key", "target_text"]
