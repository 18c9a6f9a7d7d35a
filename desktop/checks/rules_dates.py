"""Years and dates: the report's titles agree on its year and kind; linked evidence is dated in the
budget year and not after the report.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Iterator

from desktop.checks.dates import dates_of
from desktop.checks.context import Context, rule
from desktop.checks.model import WARNING, Finding, where_of

_KIND = r"(?P<kind>绩效自评表|自评表|自评报告|评价报告|绩效目标申报表|申报表|目标表)"
TITLE_BEFORE = re.compile(r"(?P<year>(?:19|20)[0-9]{2})[ \t]*年度?[^。\n，,；;：:]{0,40}?" + _KIND)
TITLE_AFTER = re.compile(_KIND + r"[ \t]*[（(][ \t]*(?P<year>(?:19|20)[0-9]{2})[ \t]*年度?[ \t]*[）)]")
_KIND_OF = {"绩效自评表": "自评表", "自评表": "自评表", "自评报告": "自评报告", "评价报告": "自评报告",
            "绩效目标申报表": "申报表", "申报表": "申报表", "目标表": "申报表"}
HEAD = 600


def _titles(text: str, start: int, end: int) -> list[tuple[int, str, int, int]]:
    """(year, kind, start, end) of the titles in a part's head, or standing alone on a line."""
    out = []
    for rx in (TITLE_BEFORE, TITLE_AFTER):
        for m in rx.finditer(text, start, end):
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            line_end = len(text) if line_end < 0 else line_end
            alone = len(text[line_start:line_end].strip(" \t#*|")) <= len(m.group()) + 12
            if m.start() - start > HEAD and not alone:
                continue
            if "根据" in text[max(start, m.start() - 12):m.start()]:
                continue  # a cited document, not this one
            out.append((int(m.group("year")), _KIND_OF[m.group("kind")], m.start(), m.end()))
    return sorted(out, key=lambda t: t[2])


@rule("title_year")
def title_year(ctx: Context) -> Iterator[Finding]:
    """The report's titles (and its 评价年度) name one year and one kind of form (自评表, not 申报表)."""
    text = ctx.norm
    for part in ctx.parts:
        titles = _titles(text, part.start, part.end)
        d = dates_of(part, ctx)
        years = {y for y, _, _, _ in titles}
        label_year = d.budget_year if d.budget_year_source == "label" else None
        if label_year:
            years.add(label_year)
        if len(years) > 1:
            first = titles[0] if titles else None
            where = where_of(ctx.report, start=first[2] if first else None, end=first[3] if first else None)
            where["part"] = part.name
            yield Finding(rule="title_year", severity=WARNING, code="title.year_drift",
                          params={"years": "、".join(str(y) for y in sorted(years)),
                                  "label_year": label_year or ""},
                          where=where, identity=[part.name, sorted(years)])
        kinds = {k for _, k, _, _ in titles}
        if "申报表" in kinds and kinds & {"自评表", "自评报告"}:
            t = next(t for t in titles if t[1] == "申报表")
            where = where_of(ctx.report, start=t[2], end=t[3])
            where["part"] = part.name
            yield Finding(rule="title_year", severity=WARNING, code="title.kind_drift",
                          params={"title": text[t[2]:t[3]]}, where=where, identity=[part.name, "kind"])


@rule("evidence_date", scope="evidence")
def evidence_date(ctx: Context) -> Iterator[Finding]:
    """Linked evidence whose dates all lie outside the budget year, or after the report's date."""
    by_claim = {c.id: c for c in ctx.claims}
    for ev in ctx.evidence:
        claims = [by_claim[i] for i in ev.claim_ids if i in by_claim]
        if not claims:
            continue
        part = ctx.part_at(claims[0].start or 0)
        d = dates_of(part, ctx)
        dates = sorted({_dt.date.fromisoformat(s) for s, _ in ev.dates})
        if d.report_date and dates and dates[-1] > d.report_date:
            late = [x for x in dates if x > d.report_date]
            loc = next((loc for s, loc in ev.dates if s == late[-1].isoformat()), None)
            yield Finding(rule="evidence_date", severity=WARNING, code="evidence_date.after_report",
                          params={"name": ev.name, "date": late[-1].isoformat(), "report_date": d.report_date.isoformat(),
                                  "locator": loc or "", "evidence_id": ev.evidence_id},
                          claim_ids=[c.id for c in claims], values=[late[-1].isoformat()],
                          where=where_of(ctx.report, claims), identity=[ev.evidence_id, "late"])
        year = d.budget_year
        if year and (dates or ev.years) and year not in ev.years and not any(x.year == year for x in dates):
            shown = [x.isoformat() for x in dates[:1] + dates[-1:]] if dates else [str(y) for y in ev.years[:3]]
            yield Finding(rule="evidence_date", severity=WARNING, code="evidence_date.outside_year",
                          params={"name": ev.name, "dates": " 至 ".join(dict.fromkeys(shown)), "year": year,
                                  "evidence_id": ev.evidence_id},
                          claim_ids=[c.id for c in claims], values=list(dict.fromkeys(shown)),
                          where=where_of(ctx.report, claims), identity=[ev.evidence_id, "year"])


_DEADLINE = re.compile(r"(?P<year>(?:19|20)[0-9]{2})[ \t]*年(?:[ \t]*[0-9]{1,2}[ \t]*月(?:[ \t]*[0-9]{1,2}[ \t]*[日号])?)?"
                       r"[ \t]*(?:前|之前|以前|底前?|末前?)")


@rule("table_deadline_year")
def table_deadline_year(ctx: Context) -> Iterator[Finding]:
    """A 时效 target whose deadline (2021年11月30日前) lies before the year the table evaluates: copied from
    an earlier year's form, or the wrong year."""
    from desktop.checks.table_cells import cell, finding, label

    text = ctx.norm
    for t in ctx.report.tables:
        at = t.location.start if t.location and t.location.start is not None else None
        part = next((p for p in ctx.parts if at is not None and p.start <= at < p.end), None)
        if part is None:
            continue
        year = dates_of(part, ctx).budget_year
        titles = [y for y, kind, _, _ in _titles(text, part.start, part.end) if kind == "自评表"]
        year = titles[0] if titles else year
        if not year:
            continue
        for r in t.indicators:
            m = _DEADLINE.search(r.target.raw or "") if r.target is not None else None
            if not m or int(m.group("year")) >= year:
                continue
            c = cell(ctx, t, r, "target", r.target.raw, r.target.location)
            yield finding(ctx, t, "table_deadline_year", WARNING, "table.deadline_year",
                           {"row": label(r), "deadline": m.group().strip(), "year": year}, [c], [m.group().strip()])


__all__ = ["title_year", "evidence_date", "table_deadline_year"]
