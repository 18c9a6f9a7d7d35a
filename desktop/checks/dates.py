"""Dates in reports and evidence: a report's budget year and date, the dates a file is written on.

- budget year (评价年度): ``评价年度：2024 年度`` near the top of a report, else a title ``…（2021年度）`` /
  ``2022年度…自评表``, else the year most often written as ``20xx 年度``;
- report date (填报日期 / 报告日期 / 落款): ``填报日期：2025 年 5 月 12 日``, ``填报日期:2023.6.28``;
- an evidence file's dates: every full date (``2024年3月5日``, ``2024-03-05``, ``2024/3/5``), month
  (``2024年3月``) and period (``2024年1-12月``), and the years it names (``2024年度``, ``2024年``).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.checks.context import Context, PartInfo

_Y = r"((?:19|20)[0-9]{2})"
FULL_DATE = re.compile(_Y + r"[ \t]*(?:年[ \t]*([0-9]{1,2})[ \t]*月[ \t]*([0-9]{1,2})[ \t]*[日号]"
                       r"|[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?![0-9]))")
MONTH = re.compile(_Y + r"[ \t]*年[ \t]*(?:[0-9]{1,2}[ \t]*[-~至到—][ \t]*)?([0-9]{1,2})[ \t]*月(?![ \t]*[0-9]{1,2}[ \t]*[日号])")
YEAR = re.compile(_Y + r"[ \t]*年")
BUDGET_YEAR = re.compile(r"(?:评价|预算|绩效|所属|自评)?年度[ \t]*[:：][ \t]*" + _Y)
TITLE_YEAR = re.compile(_Y + r"[ \t]*年度?")
REPORT_DATE = re.compile(r"(?:填报|报告|编制|报送|评价|自评)(?:日期|时间)[ \t]*[:：]?[ \t]*")
TITLE_KIND = re.compile(r"自评表|自评报告|评价报告|申报表|目标表|监控表")


@dataclass
class PartDates:
    budget_year: int | None
    budget_year_source: str | None  # "label" / "title" / "most_common"
    report_date: _dt.date | None
    report_date_at: tuple[int, int] | None


def _date(y: str, m: str, d: str | None) -> _dt.date | None:
    try:
        return _dt.date(int(y), int(m), int(d) if d else 1)
    except ValueError:
        return None


def date_at(text: str, pos: int) -> tuple[_dt.date, int, int] | None:
    m = FULL_DATE.match(text, pos)
    if not m:
        return None
    y, m1, d1, m2, d2 = m.groups()
    d = _date(y, m1 or m2, d1 or d2)
    return (d, m.start(), m.end()) if d else None


def part_dates(text: str, start: int, end: int) -> PartDates:
    head = text[start:min(end, start + 1500)]
    year, source = None, None
    m = BUDGET_YEAR.search(head)
    if m:
        year, source = int(m.group(1)), "label"
    else:
        for line in head.splitlines()[:12]:
            if TITLE_KIND.search(line) or "年度" in line:
                t = re.search(_Y + r"[ \t]*年度", line) or (TITLE_KIND.search(line) and TITLE_YEAR.search(line))
                if t:
                    year, source = int(t.group(1)), "title"
                    break
    if year is None:
        years = Counter(int(y) for y in re.findall(_Y + r"[ \t]*年度", text[start:end]))
        if years:
            year, source = years.most_common(1)[0][0], "most_common"
    rdate, at = None, None
    for m in REPORT_DATE.finditer(text, start, end):
        d = date_at(text, m.end())
        if d:
            rdate, at = d[0], (d[1], d[2])
            break
    return PartDates(year, source, rdate, at)


def report_dates(ctx: "Context") -> dict[int, PartDates]:
    """Budget year and report date of each part of the report, by the part's start offset."""
    return {p.start: part_dates(ctx.norm, p.start, p.end) for p in ctx.parts}


def dates_of(part: "PartInfo", ctx: "Context") -> PartDates:
    return ctx.dates[part.start]


def text_dates(text: str) -> tuple[list[_dt.date], list[int]]:
    """(every full date and month written in ``text``, every year named) — months count as their 1st."""
    dates: list[_dt.date] = []
    taken: list[tuple[int, int]] = []
    for m in FULL_DATE.finditer(text):
        y, m1, d1, m2, d2 = m.groups()
        d = _date(y, m1 or m2, d1 or d2)
        if d:
            dates.append(d)
            taken.append((m.start(), m.end()))
    for m in MONTH.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        d = _date(m.group(1), m.group(2), None)
        if d:
            dates.append(d)
    years = sorted({int(y) for y in YEAR.findall(text)} | {d.year for d in dates})
    return dates, years


__all__ = ["PartDates", "part_dates", "report_dates", "dates_of", "text_dates", "date_at", "FULL_DATE"]
