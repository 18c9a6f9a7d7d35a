"""The shared real score tables' hand-labelled rows (``*.rows.jsonl``) as :class:`ScoreTable` records.

The rules are tested on these (what a perfect reader would give) and, separately, on what the readers
make of the same text. 总分 and 自评等级 are not labelled per row; they are read here with one generic
pattern (``自评得分 98`` / ``自评总分(分)97.93`` / ``总分 | 100 | 96 | 优``), as a reader would.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from desktop.claims.scoretable import Actual, BudgetRow, Figure, IndicatorRow, Location, ScoreTable, Target

SHARED = Path(__file__).resolve().parent / "score_tables"
_NUM = re.compile(r"^[0-9]+(?:\.[0-9]+)?$|^\.[0-9]+$")


def _dec(s: str | None) -> Decimal | None:
    if s is None:
        return None
    t = s.strip().rstrip("%")
    if not _NUM.match(t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _fig(s: str | None, body: str, span_at: int, unit: str = "") -> Figure | None:
    if s is None:
        return None
    v = _dec(s)
    m = re.compile(r"(?<![0-9.])" + re.escape(s) + r"(?![0-9])").search(body, max(span_at, 0))
    loc = Location(m.start(), m.end()) if m else None
    return Figure(raw=s, text=s.strip().rstrip("%") if v is not None else None, value=v,
                  unit="%" if s.strip().endswith("%") else unit, location=loc)


def load(name: str) -> tuple[str, ScoreTable]:
    """(the body text, its table) for one shared table."""
    text = (SHARED / f"{name}.txt").read_text(encoding="utf-8")
    body = text.split("\n", 1)[1]
    table = ScoreTable(title=name, source="text")
    pos = 0
    parent = None
    for line in (SHARED / f"{name}.rows.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        span = row["text_span"]
        at = body.find(span, pos)
        if at < 0:
            at = body.find(span)
        pos = max(pos, at) if at >= 0 else pos
        loc = Location(at, at + len(span)) if at >= 0 else None
        if row["kind"] == "budget":
            is_part = bool(re.match(r"^(?:其中|上年|其他|\(2\))", row["name"])) and parent is not None
            b = BudgetRow(name=row["name"], unit=row.get("unit") or "",
                          planned_start=_fig(row.get("planned_start"), body, at, row.get("unit") or ""),
                          planned_full=_fig(row.get("planned_full"), body, at, row.get("unit") or ""),
                          executed=_fig(row.get("executed"), body, at, row.get("unit") or ""),
                          rate=_fig(row.get("rate"), body, at, "%"), weight=_fig(row.get("weight"), body, at),
                          score=_fig(row.get("score"), body, at), part_of=parent.name if is_part else None,
                          location=loc)
            if b.rate is not None and b.rate.value is not None:
                b.rate.unit = "%"
            if not is_part:
                parent = b
            table.budget.append(b)
            continue
        tg = row.get("target")
        target = None
        if row.get("target_raw") is not None:
            target = Target(raw=row["target_raw"], op=(tg or {}).get("op"), text=(tg or {}).get("value"),
                            value=_dec((tg or {}).get("value")), unit=(tg or {}).get("unit") or "")
        ac = row.get("actual")
        actual = None
        if row.get("actual_raw") is not None:
            actual = Actual(raw=row["actual_raw"], text=(ac or {}).get("value"), value=_dec((ac or {}).get("value")),
                            unit=(ac or {}).get("unit") or "", op=row.get("actual_op"))
        table.indicators.append(IndicatorRow(
            name=row["name"], level1=row.get("level1"), level2=row.get("level2"), target=target, actual=actual,
            weight=_fig(row.get("weight"), body, at), score=_fig(row.get("score"), body, at),
            deviation=row.get("deviation"), location=loc))
    m = re.search(r"(?:自评得分|自评总分(?:\(分\))?|总分)[ \t|]*(?:100[ \t]*\|[ \t]*)?(?P<t>[0-9]+(?:\.[0-9]+)?)"
                  r"(?:[ \t]*\|[ \t]*(?P<g>优|良|中|差))?", body)
    if m:
        v = _dec(m.group("t"))
        table.total_score = Figure(raw=m.group("t"), text=m.group("t"), value=v,
                                   location=Location(m.start("t"), m.end("t")))
        table.grade = m.group("g")
    return body, table


def names() -> list[str]:
    return sorted(p.name[: -len(".rows.jsonl")] for p in SHARED.glob("*.rows.jsonl"))
