"""Magnitude and unit sense, and names that drift.

- counts no city can have (``审核企业 18061 万家`` is 1.8 亿家), people beyond any province or country;
- percentages over 100 where a share is meant (满意度 105%), or spending over budget (执行率 103%);
- a year where a count is expected (``完成 2024 个``, the budget year as a count);
- the same figure in 人 and 人次 (or 户 / 户次 …);
- the same office written two ways (财务统计科 in the list of offices, 计财科 later).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterator

from desktop.checks.arith import fmt
from desktop.checks.dates import dates_of
from desktop.checks.context import Context, rule
from desktop.checks.model import ERROR, WARNING, ClaimRef, Finding, where_of

#: units of things a city counts in thousands at most (firms, households, institutions, items)
BOUNDED_UNITS = ("家", "户", "所", "座", "栋", "处", "宗", "村")
CITY_MAX = Decimal(10) ** 7  # more firms / households / items than any city has
PROVINCE_PEOPLE = Decimal(13) * Decimal(10) ** 7  # 1.3 亿: the largest province
WORLD_PEOPLE = Decimal(9) * Decimal(10) ** 9
AMOUNT_MAX = Decimal(10) ** 14  # 100 万亿元: more than the country's GDP

SHARE_WORDS = re.compile(r"占比|比重|覆盖率|覆盖面|满意度|满意率|合格率|知晓率|达标率|参保率|入学率|巩固率|优良率|准确率|"
                         r"正确率|及时率|发放率|接续率|受益率|普及率|出勤率|通过率|签约率|建档率|结余率|知晓度|"
                         r"回收率|处置率|办结率|兑现率")  # not 使用率 / 利用率: 病床使用率 may pass 100 %
SPEND_WORDS = re.compile(r"执行率|到位率|支出率|拨付率")
NOT_A_SHARE = re.compile(r"增长|增幅|提高|提升|下降|降低|同比|环比|超额|完成率|增加|减少|比上年|较上年")


def _one(ctx: Context, rule_id: str, severity: str, code: str, params: dict, claims: list[ClaimRef],
         identity: list | None = None) -> Finding:
    return Finding(rule=rule_id, severity=severity, code=code, params=params, claim_ids=[c.id for c in claims],
                   values=[c.raw for c in claims], where=where_of(ctx.report, claims), identity=identity or [])


@rule("magnitude")
def magnitude(ctx: Context) -> Iterator[Finding]:
    """Counts and amounts no city (or country) can have: 18061 万家 firms, 20 亿人."""
    for c in ctx.claims:
        total = c.base
        base = c.base_unit
        if c.kind == "count" and c.scale > 1 and base in BOUNDED_UNITS and total > CITY_MAX:
            yield _one(ctx, "magnitude", ERROR, "magnitude.count", {
                "raw": c.raw, "unit": c.unit, "subject": c.subject, "total": fmt(total), "base_unit": base}, [c])
        elif c.kind == "count" and c.scale > 1 and base == "个" and total > CITY_MAX:
            # 个 also counts data items and parts: beyond a city, but perhaps not an error
            yield _one(ctx, "magnitude", WARNING, "magnitude.count", {
                "raw": c.raw, "unit": c.unit, "subject": c.subject, "total": fmt(total), "base_unit": base}, [c])
        elif c.kind == "count" and base in ("人", "名") and total > WORLD_PEOPLE:
            yield _one(ctx, "magnitude", ERROR, "magnitude.people_world", {
                "raw": c.raw, "unit": c.unit, "subject": c.subject, "total": fmt(total)}, [c])
        elif c.kind == "count" and base in ("人", "名") and total > PROVINCE_PEOPLE:
            yield _one(ctx, "magnitude", WARNING, "magnitude.people_province", {
                "raw": c.raw, "unit": c.unit, "subject": c.subject, "total": fmt(total)}, [c])
        elif c.kind == "amount" and total > AMOUNT_MAX:
            yield _one(ctx, "magnitude", ERROR, "magnitude.amount", {
                "raw": c.raw, "unit": c.unit, "subject": c.subject}, [c])


#: OCR reads ≥ as 2: ≥90% becomes 290%, ≥95% 295%
_GE_READ_AS_2 = re.compile(r"^2([1-9][0-9](?:\.[0-9]+)?|100(?:\.0+)?)$")


@rule("share_over_100")
def share_over_100(ctx: Context) -> Iterator[Finding]:
    """A share over 100 % (满意度 105%) is impossible; spending over budget (执行率 103%) is worth a word."""
    for c in ctx.claims:
        if c.kind != "percent" or c.unit != "%" or c.value <= 100 or NOT_A_SHARE.search(c.subject):
            continue
        if c.approx and c.approx not in ("约", "近", "左右"):
            continue  # ≥ 100%: a target, not a share
        if SPEND_WORDS.search(c.subject):
            yield _one(ctx, "share_over_100", WARNING, "percent.spend_over", {
                "raw": c.raw, "subject": c.subject}, [c])
        elif SHARE_WORDS.search(c.subject):
            ocr = _GE_READ_AS_2.match(c.raw)
            if ocr and Decimal(ocr.group(1)) <= 100:  # ≥90% scanned as 290%: a misread sign, not a share
                yield _one(ctx, "share_over_100", WARNING, "percent.share_over_ocr",
                           {"raw": c.raw, "subject": c.subject, "meant": ocr.group(1)}, [c])
                continue
            yield _one(ctx, "share_over_100", ERROR, "percent.share_over", {"raw": c.raw, "subject": c.subject}, [c])


@rule("year_as_count")
def year_as_count(ctx: Context) -> Iterator[Finding]:
    """A count that is the budget year or the year around it (``完成 2024 个``): a year where a count was meant."""
    for part in ctx.parts:
        d = dates_of(part, ctx)
        years = {y for y in (d.budget_year, d.report_date.year if d.report_date else None) if y}
        years |= {y + k for y in set(years) for k in (-1, 1)}
        if not years:
            continue
        for c in ctx.part_claims(part):
            raw = c.raw.replace(",", "")
            if c.kind != "count" or c.scale != 1 or c.approx or not raw.isdigit() or len(raw) != 4:
                continue
            if int(raw) in years and not re.search(r"[年届级]$", c.subject):
                yield _one(ctx, "year_as_count", WARNING, "count.looks_like_year", {
                    "raw": c.raw, "unit": c.unit, "subject": c.subject}, [c])


#: a head-count unit and its 次 form: the same figure in both is one of them mislabelled
COUNTED_TWICE = {"人": "人次", "户": "户次"}


@rule("unit_pair")
def unit_pair(ctx: Context) -> Iterator[Finding]:
    """The same figure given in 人 and in 人次 (户 / 户次 …) in one report."""
    for part in ctx.parts:
        by_value: dict[tuple[Decimal, str], dict[str, list[ClaimRef]]] = {}
        for c in ctx.part_claims(part):
            if c.kind != "count" or c.approx:
                continue
            base = c.base_unit
            head = next((h for h, t in COUNTED_TWICE.items() if base in (h, t)), None)
            if head is None or c.base < 10:
                continue
            by_value.setdefault((c.base, head), {}).setdefault(base, []).append(c)
        for (value, head), units in by_value.items():
            times = COUNTED_TWICE[head]
            if head in units and times in units:
                claims = sorted(units[head] + units[times], key=lambda c: c.start or 0)
                a, b = units[head][0], units[times][0]
                yield _one(ctx, "unit_pair", WARNING, "unit.head_and_times", {
                    "value": fmt(value), "unit_a": a.unit, "subject_a": a.subject, "unit_b": b.unit,
                    "subject_b": b.subject, "count_a": len(units[head]), "count_b": len(units[times])},
                    claims, identity=[fmt(value), head, times, part.name])


# --- names that drift -------------------------------------------------------------------------------

ORG_SUFFIXES = ("办公室", "委员会", "中心", "科", "处", "股", "室", "站", "所", "队")
DECLARED = re.compile(r"(?:设有|内设|下设|设立|设置|共设|分设)[^。；;\n]{0,24}?(?:[:：]|具体是|分别是|分别为|包括|即|为)"
                      r"(?P<list>[^。；;\n]{4,400})")
_SPLIT = re.compile(r"[、，,;；]|(?<=[科处股室站所队心会])(?:和|及|以及)")
_ALIAS = re.compile(r"[（(]([^）)]{2,20})[）)]")
#: what may follow an office suffix in a real mention (科室, 科技, 本科学历 are words, not offices)
_NOT_AFTER = {"科": "室学技研目普级长", "处": "理置罚分于在所长级事", "股": "份东权票市金"}


def declared_names(text: str) -> list[tuple[str, int]]:
    """Offices a report lists (``设有 8 个职能科室，具体是办公室、综合服务科、财务统计科…``), aliases in
    brackets included, with their offsets."""
    out: list[tuple[str, int]] = []
    for m in DECLARED.finditer(text):
        pos = m.start("list")
        for item in _SPLIT.split(m.group("list")):
            at = text.find(item, pos)
            pos = max(pos, at + len(item)) if at >= 0 else pos
            names = [_ALIAS.sub("", item).strip()] + [a.strip() for a in _ALIAS.findall(item)]
            for name in names:
                name = re.sub(r"^(?:和|及|以及|等)", "", name)
                if 3 <= len(name) <= 16 and name.endswith(ORG_SUFFIXES) and re.fullmatch(r"[\u4e00-\u9fff]+", name):
                    out.append((name, at))
    return out


def _suffix(name: str) -> str:
    return next(s for s in ORG_SUFFIXES if name.endswith(s))


@rule("name_drift")
def name_drift(ctx: Context) -> Iterator[Finding]:
    """An office named one way in the report's list of offices and another way later (计财科 / 财务统计科)."""
    text = ctx.norm
    declared = declared_names(text)
    if not declared:
        return
    names = {n for n, _ in declared}
    by_suffix: dict[str, list[str]] = {}
    for n in names:
        by_suffix.setdefault(_suffix(n), []).append(n)
    seen: dict[tuple[str, str], list[int]] = {}
    for suffix, group in by_suffix.items():
        if suffix not in _NOT_AFTER:
            continue
        for m in re.finditer(re.escape(suffix), text):
            nxt = text[m.end():m.end() + 1]
            if nxt and nxt in _NOT_AFTER[suffix]:
                continue
            run = re.search(r"[\u4e00-\u9fff]{1,8}$", text[max(0, m.start() - 8):m.start()])
            if not run:
                continue
            r = run.group()
            if any((r + suffix).endswith(n) for n in names):
                continue  # a declared name (or its tail)
            best = None
            for length in range(min(6, len(r)), 1, -1):
                core = r[-length:]
                owners = [n for n in group if set(core) <= set(n[:-len(suffix)]) and core not in n]
                if len(owners) == 1:
                    best = (core + suffix, owners[0])
                    break
            if best:
                seen.setdefault((best[1], best[0]), []).append(m.start() - len(best[0]) + len(suffix))
    for (declared_name, other), starts in seen.items():
        at = next(a for n, a in declared if n == declared_name)
        where = where_of(ctx.report, start=starts[0], end=starts[0] + len(other))
        where["part"] = ctx.part_at(starts[0]).name
        yield Finding(rule="name_drift", severity=WARNING, code="name.drift",
                      params={"declared": declared_name, "other": other, "count": len(starts),
                              "declared_at": at, "first_at": starts[0]},
                      where=where, identity=[declared_name, other])


__all__ = ["declared_names", "BOUNDED_UNITS", "SHARE_WORDS", "SPEND_WORDS"]
