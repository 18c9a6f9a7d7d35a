"""Rules over the report's prose claims: breakdowns, income and spending, totals stated twice, rates,
and the self-score against what the budget execution allows.

Each rule is deliberately narrow: it speaks only when it has found both sides of the comparison in the
same report part (部门整体 / 项目支出) and close together in the text, and a rule that is unsure says
警告, not 错误.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterator

from desktop.checks.arith import HUNDRED, fmt, fmt_min, places_of, q, rate, rate_matches, ulp, within_rounding
from desktop.checks.context import Context, PartInfo, rule
from desktop.checks.model import ERROR, ROUNDING, WARNING, ClaimRef, Finding, where_of

SENTENCE_END = frozenset("。！？；!?;")  # where a total's sentence ends
MARKER = re.compile(r"其中[ \t]*[：:，,、]?|包括[ \t]*[：:]?|包含[ \t]*[：:]?")
TOTAL_KINDS = ("amount", "count", "measure")

#: breakdowns whose parts, when every part names one of these, are the whole (so a gap is an error)
EXHAUSTIVE_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("基本支出", "项目支出", "上缴上级支出", "对附属单位补助支出", "经营支出", "其他支出"),
    ("一般公共预算", "政府性基金", "国有资本经营", "财政专户", "社会保险基金", "事业收入", "经营收入",
     "其他收入", "上年结转", "附属单位上缴", "上级补助", "财政拨款", "单位资金", "非财政"),
    ("人员经费", "公用经费", "日常公用经费", "对个人和家庭的补助"),
    ("当年财政拨款", "上年结转", "其他资金"),
)
_LEVEL_FUND = re.compile(r"^(?:中央|省级?|市级?|县级?|区级?|乡镇|镇级?|本级)(?:财政|资金|补助|配套|专项|衔接|投入)")


def _finding(ctx: Context, rule_id: str, severity: str, code: str, params: dict, claims: list[ClaimRef], *,
             values: list[str] | None = None, identity: list | None = None) -> Finding:
    return Finding(rule=rule_id, severity=severity, code=code, params=params, claim_ids=[c.id for c in claims],
                   values=values if values is not None else [c.raw for c in claims],
                   where=where_of(ctx.report, claims), identity=identity or [])


def _paren_depth(text: str) -> int:
    return sum(text.count(o) for o in "（(") - sum(text.count(c) for c in "）)")


def converted(c: ClaimRef, to: ClaimRef) -> tuple[Decimal, int]:
    """``c``'s value in ``to``'s unit, and the decimal places it then has."""
    if c.scale == to.scale:
        return c.value, c.decimals
    ratio = Decimal(c.scale) / Decimal(to.scale)
    extra = max(0, -ratio.normalize().as_tuple().exponent)  # 元 → 万元 adds 4 places
    return c.value * ratio, c.decimals + extra


def compatible(a: ClaimRef, b: ClaimRef) -> bool:
    """Same kind of quantity, comparable after scaling: 元 with 万元, 人 with 万人, not 人 with 人次."""
    if a.kind != b.kind or a.kind not in TOTAL_KINDS:
        return False
    if a.kind == "amount":
        return a.base_unit.startswith("元") and b.base_unit.startswith("元") and "/" not in a.unit + b.unit
    return a.base_unit == b.base_unit and bool(a.base_unit)


@dataclass
class Breakdown:
    marker: str
    total: ClaimRef
    parts: list[ClaimRef]
    marker_at: int


def _exhaustive(parts: list[ClaimRef]) -> bool:
    subjects = [p.subject for p in parts]
    for family in EXHAUSTIVE_FAMILIES:
        if all(any(w in s for w in family) for s in subjects):
            return True
    return len(subjects) >= 2 and all(_LEVEL_FUND.match(s) for s in subjects)


HARD_END = frozenset("。！？!?")
SOFT_END = frozenset("；;")


PER_UNIT = re.compile(r"人均|户均|标准|每|单价|平均")
CHANGE = re.compile(r"比上年|较上年|同比|环比|增加|减少|增长|下降|提高|降低|节约|超支|增收|减收")


def _is_total_like(c: ClaimRef) -> bool:
    return bool(_TOTAL_FLOW.match(re.sub(r"\s+", "", c.subject))) or bool(re.search(r"总|合计|共计|全年", c.subject))


def _opens_total(c: ClaimRef) -> bool:
    """A total by the words right before its figure (the subject may still hold the previous figure when a
    sentence break was lost: 其他资金859.6万元2023年支出)."""
    tail = re.split(r"[0-9.,]+[ \t]*(?:万亿|亿|千万|百万|万|千)?(?:元|%|人次|人|个|项)", c.subject)[-1]
    return _is_total_like(c) or bool(_TOTAL_FLOW.match(re.sub(r"\s+", "", tail)))


def _stray_number(ctx: Context, a: int, b: int) -> bool:
    """A digit between ``a`` and ``b`` that belongs to no claim: cells of a table run together."""
    text = ctx.norm
    covered = [(c.start, c.end) for c in ctx.claims_between(max(0, a - 40), b) if c.end and c.end > a]
    for i in range(a, b):
        if "0" <= text[i] <= "9" and not any(s <= i < e for s, e in covered):
            return True
    return False


def breakdowns(ctx: Context) -> list[Breakdown]:
    """Every ``总数 …，其中 A a，B b`` in the text: the total (the nearest figure before the marker in the
    same sentence, or ending the sentence right before ``。其中``) and its parts (the compatible figures
    after it, up to the end of the sentence or of the brackets the marker stands in; past a ``；`` only
    while no new total begins). A sentence with a second, unbracketed marker is left alone: its
    structure cannot be told; so are table cells run together."""
    cached = ctx.cache.get("breakdowns")
    if cached is not None:
        return cached  # type: ignore[return-value]
    text = ctx.norm
    out: list[Breakdown] = []
    markers = list(MARKER.finditer(text))
    marker_starts = [m.start() for m in markers]
    for k, m in enumerate(markers):
        pos = m.start()
        total = None
        lead = text[max(0, pos - 3):pos].strip()
        crossed = bool(lead) and lead[-1] in HARD_END  # 共申请预算资金85万元。其中：…
        for c in reversed(ctx.claims_between(max(0, pos - 160), pos)):
            if c.end is None or c.end > pos:
                continue
            gap = text[c.end:pos]
            ends = [ch for ch in gap if ch in HARD_END or ch in SOFT_END]
            if len(gap) > 40 or (ends and not (crossed and len(ends) == 1 and gap.strip()[-1:] in HARD_END)):
                break
            if c.kind in TOTAL_KINDS and c.approx is None and not CHANGE.search(c.subject):
                total = c
                if not crossed or not ends:
                    break  # same sentence: the nearest figure; across 。: the first one of that sentence
        if total is None or _stray_number(ctx, total.end or pos, pos) or _paren_depth(text[total.end:pos]) < 0:
            continue  # table cells run together, or a figure in brackets before the marker
        limit = min(len(text), m.end() + 200)
        end = next((i for i in range(m.end(), limit) if text[i] in HARD_END), limit)
        inside = _paren_depth(text[total.end:pos]) > 0
        if inside:  # （其中：…）: the parts end with the bracket
            end = min((i for i in (text.find("）", m.end(), end), text.find(")", m.end(), end)) if i >= 0),
                      default=end)
        else:
            later = [o for o in markers[k + 1:bisect.bisect_left(marker_starts, end)]
                     if _paren_depth(text[m.end():o.start()]) == 0]
            if later:
                # …其他资金859.6万元2023年支出2310.4万元，其中…: a new total opens the second list (a lost
                # sentence break); otherwise outer and inner parts cannot be told apart
                nxt = next((c for c in reversed(ctx.claims_between(m.end(), later[0].start()))
                            if c.end is not None and c.end <= later[0].start()), None)
                if nxt is None or len(text[nxt.end:later[0].start()]) > 3 or not _opens_total(nxt):
                    continue
                end = nxt.start
        parts: list[ClaimRef] = []
        for c in ctx.claims_between(m.end(), end):
            if _paren_depth(text[m.end():c.start]) != 0:
                continue  # a nested breakdown in brackets
            if parts and any(ch in SOFT_END for ch in text[parts[-1].end:c.start]) and _is_total_like(c):
                break  # ；支出 X 万元: a new total, not a part
            if compatible(c, total) and not PER_UNIT.search(c.subject):
                parts.append(c)
        if not parts or any(not re.search(r"[\u4e00-\u9fff]", text[a.end:b.start]) for a, b in zip(parts, parts[1:])):
            continue  # no words between the figures: table cells
        if any("split_from_run" in p.flags for p in [total, *parts]):
            continue
        out.append(Breakdown(m.group().rstrip("：:，,、 \t"), total, parts, pos))
    ctx.cache["breakdowns"] = out
    return out


def _items(b: Breakdown) -> tuple[str, ...]:
    return tuple(subject_key(p.subject) for p in b.parts)


def _adds_up(b: Breakdown) -> bool:
    return not any(p.approx for p in b.parts) and \
        sum((converted(p, b.total)[0] for p in b.parts), Decimal(0)) == b.total.value


@rule("breakdown_sum")
def breakdown_sum(ctx: Context) -> Iterator[Finding]:
    """其中 / 包括 breakdowns add up to their total (one unit in the last place per term is 舍入差异)."""
    found = breakdowns(ctx)
    # the same items broken down twice (申请 … 其中 A, B, C; 完成 … 其中 A, B, C): where one list adds up
    # exactly it names every part, so its twin that does not add up is short of the same whole
    complete = {_items(b) for b in found if len(b.parts) >= 3 and _adds_up(b)}
    for b in found:
        if any(p.approx for p in b.parts):
            continue
        terms = [converted(p, b.total) for p in b.parts]
        places = max([b.total.decimals] + [pl for _, pl in terms])
        shown = max([b.total.decimals] + [p.decimals for p in b.parts if p.scale == b.total.scale])
        total_sum = sum((v for v, _ in terms), Decimal(0))
        diff = total_sum - b.total.value
        if diff == 0:
            continue
        # whole numbers are exact, except in 亿 (313 亿元 is a rounded figure)
        rounding_possible = places > 0 or b.total.scale >= 10**8
        tolerance = sum((ulp(pl) for _, pl in terms), Decimal(0))
        exhaustive = _exhaustive(b.parts) or (len(b.parts) >= 3 and _items(b) in complete)
        if rounding_possible and abs(diff) <= tolerance:
            severity = ROUNDING
        elif exhaustive:
            severity = ERROR
        elif diff > 0 and total_sum <= 2 * b.total.value:
            severity = WARNING  # the parts may overlap (女性 300 人次，青年 250 人次)
        elif diff > 0:
            continue  # parts far above the total: the total is not the figure they break down
        elif b.total.value and abs(diff) / b.total.value < Decimal("0.01"):
            severity = WARNING  # a hair short of the total: meant to add up
        else:
            continue  # a few of the parts listed, not all
        expr = " + ".join(fmt(v) if p.scale != b.total.scale else p.raw.replace(",", "")
                          for (v, _), p in zip(terms, b.parts))
        params = {"subject": b.total.subject, "marker": b.marker, "expr": expr,
                  "computed": fmt_min(total_sum, shown), "stated": b.total.raw.replace(",", ""),
                  "diff": fmt_min(abs(diff), shown), "unit": b.total.unit,
                  "direction": "over" if diff > 0 else "under", "exhaustive": exhaustive}
        yield _finding(ctx, "breakdown_sum", severity, "breakdown.sum", params, [b.total, *b.parts])


#: the 转移支付 template's second section lists how the allocation was spent: 资金安排是：支持A 5万元，…
ALLOCATION = re.compile(r"资金(?:安排|分配)(?:情况)?(?:是|为|如下)[:：]?|资金(?:安排|分配)如下|分解下达(?:情况)?(?:是|为|如下)[:：]?")
_ALLOCATED = re.compile(r"下达|拨付|安排|分配")


def _clause_before(text: str, at: int) -> str:
    begin = max(text.rfind(ch, 0, at) for ch in "。；;\n") + 1
    return text[begin:at]


@rule("allocation_sum")
def allocation_sum(ctx: Context) -> Iterator[Finding]:
    """资金安排是：A a，B b，… adds up to the allocation stated before it (省下达我县…资金 63.2 万元)."""
    text = ctx.norm
    in_breakdowns = {id(p) for b in breakdowns(ctx) for p in [b.total, *b.parts]}
    for m in ALLOCATION.finditer(text):
        end = next((i for i in range(m.end(), min(len(text), m.end() + 400)) if text[i] in HARD_END),
                   min(len(text), m.end() + 400))
        parts = [c for c in ctx.claims_between(m.end(), end) if c.kind == "amount" and not c.approx
                 and not PER_UNIT.search(c.subject)]
        if len(parts) < 3 or any(id(p) in in_breakdowns for p in parts):
            continue
        total = next((c for c in reversed(ctx.claims_between(max(0, m.start() - 600), m.start()))
                      if c.kind == "amount" and not c.approx and c.end is not None and c.end <= m.start()
                      and _ALLOCATED.search(_clause_before(text, c.start or 0))
                      and all(compatible(p, c) for p in parts)), None)
        if total is None:
            continue
        terms = [converted(p, total) for p in parts]
        places = max([total.decimals] + [pl for _, pl in terms])
        got = sum((v for v, _ in terms), Decimal(0))
        diff = got - total.value
        if diff == 0 or got > total.value * 2:
            continue
        severity = ROUNDING if places > 0 and abs(diff) <= ulp(places) * len(terms) else WARNING
        expr = " + ".join(fmt(v) if p.scale != total.scale else p.raw.replace(",", "") for (v, _), p in zip(terms, parts))
        params = {"subject": total.subject, "stated": total.raw.replace(",", ""), "unit": total.unit, "expr": expr,
                  "computed": fmt_min(got, places), "diff": fmt_min(abs(diff), places)}
        yield _finding(ctx, "allocation_sum", severity, "allocation.sum", params, [total, *parts])


# --- income, spending, balance --------------------------------------------------------------------

_TOTAL_FLOW = re.compile(r"^(?:(?:19|20)[0-9]{2}年?)?(?:年初|年末|全年|本年度?|当年|部门|单位|整体|全部|实际|合计|"
                         r"各级财政补助资金|资金|总)*(?P<flow>收入|支出)(?:预算|决算|总额|合计|金额|数|总计)*")


def _flow(c: ClaimRef) -> tuple[str, str] | None:
    """(income / spending, budget / final) of a total income or spending figure, or None."""
    return _flow_of(c.kind, c.subject) if c.kind == "amount" else None


_STAGE_FINAL = re.compile(r"决算|实际|已支出|执行数|年末")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def _flow_of(kind: str, subject: str) -> tuple[str, str] | None:
    s = _SPACES.sub("", subject)
    m = _TOTAL_FLOW.search(s)
    if not m or ("收入" in s and "支出" in s):
        return None
    flow = "income" if m.group("flow") == "收入" else "spending"
    if "预算" in s:
        stage = "budget"
    elif _STAGE_FINAL.search(s):
        stage = "final"
    else:
        return None
    return flow, stage


def _parts_of_breakdowns(ctx: Context) -> set[int]:
    parts = ctx.cache.get("breakdown_parts")
    if parts is None:
        parts = ctx.cache["breakdown_parts"] = {id(p) for b in breakdowns(ctx) for p in b.parts}
    return parts  # type: ignore[return-value]


@rule("income_spending")
def income_spending(ctx: Context) -> Iterator[Finding]:
    """Spending above income at the same stage (预算 / 决算) with no 上年结转 stated that covers it."""
    in_parts = _parts_of_breakdowns(ctx)
    for part in ctx.parts:
        firsts: dict[tuple[str, str], ClaimRef] = {}
        carry: list[ClaimRef] = []
        for c in ctx.part_claims(part):
            if c.kind == "amount" and re.search(r"结转|结余", c.subject) and "率" not in c.subject:
                carry.append(c)
            if id(c) in in_parts:
                continue
            fs = _flow(c)
            if fs and fs not in firsts:
                firsts[fs] = c
        for stage in ("budget", "final"):
            inc, spend = firsts.get(("income", stage)), firsts.get(("spending", stage))
            if not inc or not spend or not compatible(inc, spend):
                continue
            sv, sp = converted(spend, inc)
            places = max(inc.decimals, sp)
            gap = sv - inc.value
            if gap <= 0 or within_rounding(gap, 2, places):
                continue
            if any(compatible(k, inc) and converted(k, inc)[0] >= gap for k in carry):
                continue  # 上年结转 / 结余 stated: it may cover the gap
            params = {"income_subject": inc.subject, "income": inc.raw, "spending_subject": spend.subject,
                      "spending": fmt(sv, places) if spend.scale != inc.scale else spend.raw,
                      "diff": fmt(gap, places), "unit": inc.unit, "stage": stage}
            yield _finding(ctx, "income_spending", WARNING, "income_spending.over", params, [spend, inc])


@rule("balance")
def balance(ctx: Context) -> Iterator[Finding]:
    """A stated 结余 equals income − spending (决算), when all three are stated close together."""
    in_parts = _parts_of_breakdowns(ctx)
    for part in ctx.parts:
        claims = [c for c in ctx.part_claims(part) if id(c) not in in_parts]
        finals = {(_flow(c) or ("", ""))[0]: c for c in reversed(claims) if (_flow(c) or ("", ""))[1] == "final"}
        inc, spend = finals.get("income"), finals.get("spending")
        if not inc or not spend:
            continue
        for c in claims:
            s = c.subject
            if c.kind != "amount" or "结余" not in s or re.search(r"率|结转结余资金管理|上年|以前年度|年初", s):
                continue
            near = max(inc.start, spend.start) if inc.start and spend.start else None
            if near is None or abs((c.start or 0) - near) > 300 or not compatible(c, inc):
                continue
            sv, sp = converted(spend, inc)
            cv, cp = converted(c, inc)
            places = max(inc.decimals, sp, cp)
            expected = inc.value - sv
            diff = cv - expected
            if diff == 0:
                continue
            severity = ROUNDING if within_rounding(diff, 3, places) else WARNING
            params = {"income": inc.raw, "spending": fmt(sv, places) if spend.scale != inc.scale else spend.raw,
                      "computed": fmt(expected, places), "stated": c.raw, "diff": fmt(abs(diff), places),
                      "unit": inc.unit}
            yield _finding(ctx, "balance", severity, "balance.mismatch", params, [inc, spend, c])


# --- the same figure stated twice -----------------------------------------------------------------

_SPECIFIC = re.compile(r"预算|决算|收入|支出|资金|金额|总额|总数|合计|缺口|人数|户数|得分|执行率|到位率|使用率|"
                       r"面积|里程|投资")
_SHARE = re.compile(r"占|比重|比例|增长|下降|同比")
_GENERIC_TAIL = re.compile(r"(?:同比|增长|下降|提高|减少|增加|增幅|降幅|占比|比重|分别)$")


@lru_cache(maxsize=4096)
def subject_key(subject: str) -> str:
    s = re.sub(r"\s+|[“”\"'《》()（）·:：,，、]", "", subject)
    s = re.sub(r"(?:19|20)[0-9]{2}年度?|[0-9]+月(?:底|末)?|截[止至]|年底|年末$|…+|\.{2,}", "", s)
    return s[-12:]  # the clause before a figure may start anywhere: its last words name it


_DOC_OR_DATE = re.compile(r"[〔\[【(（][ \t]*(?:19|20)[0-9]{2}[ \t]*[〕\]】)）][ \t]*[0-9]+[ \t]*号"
                         r"|(?:19|20)[0-9]{2}[ \t]*年[ \t]*[0-9]{1,2}[ \t]*月(?:[ \t]*[0-9]{1,2}[ \t]*日)?")


def _tranche(ctx: Context, c: ClaimRef) -> frozenset[str]:
    """The document numbers and dates in the clause that states ``c`` (〔2020〕90号 下达…463142万元;
    2021年4月21日…下达…163455万元): two clauses with different ones are two allocations, not one total
    stated twice."""
    if c.start is None:
        return frozenset()
    text = ctx.norm
    begin = max(text.rfind(ch, 0, c.start) for ch in "。；;\n") + 1
    return frozenset(re.sub(r"\s", "", m.group()) for m in _DOC_OR_DATE.finditer(text, begin, c.start))


@rule("same_total")
def same_total(ctx: Context) -> Iterator[Finding]:
    """The same total (same subject, same part) stated twice with different values."""
    whole_of = {id(p): b.total for b in breakdowns(ctx) for p in b.parts}
    for part in ctx.parts:
        groups: dict[tuple[str, str, str], list[ClaimRef]] = {}
        short: dict[tuple[str, str, str], list[str]] = {}  # (last 4 characters, kind, unit) → group keys
        for c in ctx.part_claims(part):
            if c.origin == "table" or c.approx or "target" in c.flags or c.kind == "rank":
                continue
            key = subject_key(c.subject)
            if len(key) < 4 or not _SPECIFIC.search(key) or _GENERIC_TAIL.search(key) or _SHARE.search(key):
                continue
            if id(c) in whole_of:  # a 其中 part: 基本支出 of the budget is not 基本支出 of the final accounts
                key = subject_key(whole_of[id(c)].subject) + "/" + key
            dim = "元" if c.kind == "amount" and c.base_unit.startswith("元") else c.base_unit
            bucket = short.setdefault((key[-4:], c.kind, dim), [])
            # 年初预算数 and ……工作完成情况……年初预算数 name the same thing: one key ends the other
            same = next((k for k in bucket if k.endswith(key) or key.endswith(k)), None)
            if same is None:
                bucket.append(key)
                same = key
            groups.setdefault((same, c.kind, dim), []).append(c)
        for (key, _, _), cs in groups.items():
            if len(cs) < 2:
                continue
            first = cs[0]
            for other in cs[1:]:
                marks = (_tranche(ctx, first), _tranche(ctx, other))
                if all(marks) and marks[0] != marks[1]:
                    continue  # each by its own document or date: separate allocations
                ov, op = converted(other, first)
                places = min(first.decimals, op)
                if ov == first.value:
                    continue
                if q(ov, places) == q(first.value, places) or within_rounding(ov - first.value, 1, places):
                    severity = ROUNDING
                else:
                    severity = WARNING
                params = {"subject": first.subject, "first": first.raw, "second": other.raw, "unit": first.unit,
                          "second_unit": other.unit, "diff": fmt(abs(ov - first.value), max(first.decimals, op))}
                yield _finding(ctx, "same_total", severity, "same_total.differs", params, [first, other])
                break


# --- rates recomputed from their parts ------------------------------------------------------------

#: rate subject → (numerator words, denominator words)
RATE_PARTS: tuple[tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"执行率|支出率|使用率"), re.compile(r"支出|执行|使用|实际|拨付"),
     re.compile(r"预算|下达|安排|计划|到位")),
    (re.compile(r"到位率"), re.compile(r"到位|收入|下达|拨付|拨入"), re.compile(r"预算|计划|安排|应到")),
    (re.compile(r"完成率"), re.compile(r"完成|实际|已"), re.compile(r"目标|计划|任务")),
)
_NOT_RATE = re.compile(r"同比|增长|下降|平均|综合")


def _previous_sentence_start(text: str, pos: int) -> int:
    """Start of the sentence before the one ``pos`` is in (a line break ends a sentence too)."""
    seen = 0
    i = pos - 1
    while i >= 0:
        if text[i] in HARD_END or text[i] == "\n":
            if text[i] == "\n" and text[i - 1:i] == "\n":
                return i + 1  # a paragraph break
            seen += 1
            if seen == 2:
                return i + 1
        i -= 1
    return 0


@rule("rate_recompute")
def rate_recompute(ctx: Context) -> Iterator[Finding]:
    """执行率 / 到位率 / 完成率 stated in the prose agree with the amounts they are computed from."""
    text = ctx.norm
    for c in ctx.claims:
        if c.kind != "percent" or c.unit != "%" or c.origin == "table" or c.approx or _NOT_RATE.search(c.subject):
            continue
        spec = next((s for s in RATE_PARTS if s[0].search(c.subject)), None)
        if spec is None:
            continue
        _, num_rx, den_rx = spec
        part = ctx.part_at(c.start or 0)
        window_start = max(part.start, (c.start or 0) - 240, _previous_sentence_start(text, c.start or 0))
        cands = [x for x in ctx.claims_between(window_start, c.start or 0) if x.kind == "amount"
                 and x.origin != "table" and not x.approx]
        if "\n#" in text[window_start:c.start]:  # a heading between: another topic
            continue
        num = next((x for x in reversed(cands) if num_rx.search(x.subject) and not den_rx.search(x.subject)), None)
        den = next((x for x in reversed(cands) if den_rx.search(x.subject) and x is not num
                    and (num is None or compatible(x, num))), None)
        if num is None or den is None or not compatible(num, den):
            continue
        nv, npl = converted(num, den)
        verdict = rate_matches(c.value, c.decimals, nv, npl, den.value, den.decimals)
        if verdict == "ok":
            continue
        computed = rate(nv, den.value)
        if computed is None:
            continue
        places = max(c.decimals, 2)
        params = {"rate_subject": c.subject, "num_subject": num.subject, "num": num.raw,
                  "den_subject": den.subject, "den": den.raw, "computed": fmt(computed, places),
                  "stated": c.raw, "unit": den.unit}
        severity = ROUNDING if verdict == "rounding" else WARNING
        yield _finding(ctx, "rate_recompute", severity, "rate.differs", params, [num, den, c])


_SHARE_OF = re.compile(r"占")


@rule("share_recompute")
def share_recompute(ctx: Context) -> Iterator[Finding]:
    """占比 stated after a 其中 part (基本支出 183.92 万元，占总支出的 84.12%) is the part over its total."""
    for b in breakdowns(ctx):
        for k, p in enumerate(b.parts):
            end = b.parts[k + 1].start if k + 1 < len(b.parts) else (p.end or 0) + 30
            share = next((c for c in ctx.claims_between(p.end or 0, end or 0)
                          if c.kind == "percent" and c.unit == "%" and _SHARE_OF.search(c.subject) and not c.approx),
                         None)
            if share is None or b.total.value == 0:
                continue
            pv, pp = converted(p, b.total)
            verdict = rate_matches(share.value, share.decimals, pv, pp, b.total.value, b.total.decimals)
            if verdict == "ok":
                continue
            computed = rate(pv, b.total.value) or Decimal(0)
            params = {"rate_subject": share.subject, "num_subject": p.subject, "num": p.raw,
                      "den_subject": b.total.subject, "den": b.total.raw,
                      "computed": fmt(computed, max(share.decimals, 2)), "stated": share.raw}
            yield _finding(ctx, "share_recompute", ROUNDING if verdict == "rounding" else WARNING, "rate.differs",
                           params, [p, b.total, share])


_GROWTH = re.compile(r"(?P<dir>增长|增加|提高|上升|下降|减少|降低)")
_PREVIOUS = re.compile(r"上年|去年|上一年|上年度|同期|前一年")


@rule("growth_recompute")
def growth_recompute(ctx: Context) -> Iterator[Finding]:
    """同比增长 / 比上年下降 R% agrees with this year's and last year's figures, when both are stated."""
    text = ctx.norm
    for c in ctx.claims:
        m = _GROWTH.search(c.subject)
        if c.kind != "percent" or c.unit != "%" or not m or c.approx or c.origin == "table":
            continue
        start = _previous_sentence_start(text, c.start or 0)
        sentence = [x for x in ctx.claims_between(start, c.start or 0) if x.kind in TOTAL_KINDS and not x.approx]
        if any(ch in HARD_END for ch in text[start:c.start]) and sentence and \
                any(ch in HARD_END for ch in text[sentence[-1].end:c.start]):
            continue  # the figures are in an earlier sentence
        changes = [x for x in sentence if CHANGE.search(x.subject)]
        previous = [x for x in sentence if _PREVIOUS.search(x.subject) and x not in changes]
        current = [x for x in sentence if x not in previous and x not in changes]
        sign = -1 if m.group("dir") in ("下降", "减少", "降低") else 1
        if len(previous) == 1 and current:
            prev = previous[0]
            cur = next((x for x in reversed(current) if compatible(x, prev)), None)
            if cur is None or prev.value == 0:
                continue
            cv, cp = converted(cur, prev)
            pv, pp = prev.value, prev.decimals
            den_subject, den_raw = prev.subject, prev.raw
            involved = [cur, prev, c]
        elif not previous and len(changes) == 1 and current:
            # 合计 1.86 万元，比上年减少 0.42 万元，下降 18.42%: last year was 1.86 + 0.42
            change = changes[0]
            cur = next((x for x in reversed(current) if compatible(x, change)), None)
            if cur is None:
                continue
            dv, dp = converted(change, cur)
            down = bool(re.search(r"减少|下降|降低|节约|减收", change.subject))
            pv, pp = cur.value + (dv if down else -dv), max(cur.decimals, dp)
            cv, cp = cur.value, cur.decimals
            if pv <= 0:
                continue
            den_subject, den_raw = f"{cur.subject} {'+' if down else '−'} {change.raw}", fmt(pv)
            involved = [cur, change, c]
        else:
            continue
        stated = c.value * sign
        verdict = rate_matches(stated + HUNDRED, c.decimals, cv, cp, pv, pp)
        if verdict == "ok":
            continue
        computed = (rate(cv, pv) or HUNDRED) - HUNDRED
        params = {"rate_subject": c.subject, "num_subject": cur.subject, "num": cur.raw, "den_subject": den_subject,
                  "den": den_raw, "computed": fmt(computed, max(c.decimals, 2)), "stated": fmt(stated)}
        yield _finding(ctx, "growth_recompute", ROUNDING if verdict == "rounding" else WARNING, "growth.differs",
                       params, involved)


# --- self-score against budget execution ----------------------------------------------------------

_SELF_SCORE = re.compile(r"自评得分|自评分|自我评价得分|评价得分|自评总分|综合得分|总得分|绩效得分|得分")
GRADE_AFTER = re.compile(r"^[^。；;\n]{0,30}?(?:等级|等次|评级|评价为|结果为)[^。；;\n“\"「]{0,6}[“\"「]?"
                         r"(?P<grade>优秀|良好|合格|不合格|中等|较差|一般|优|良|中|差)")


def self_scores(ctx: Context, part: PartInfo) -> list[tuple[ClaimRef, str | None]]:
    """The part's stated self-scores (自评得分 99 分) with the grade written after them, if any."""
    out = []
    for c in ctx.part_claims(part):
        if c.kind != "score" or c.origin == "table" or not _SELF_SCORE.search(c.subject) or c.value > 100:
            continue
        m = GRADE_AFTER.search(ctx.norm[c.end:(c.end or 0) + 60])
        out.append((c, m.group("grade") if m else None))
    return out


def stated_execution(ctx: Context, part: PartInfo) -> tuple[Decimal, list[ClaimRef], dict] | None:
    """The part's budget execution: a stated 预算执行率, else 支出决算 ÷ 支出预算 (or 收入预算)."""
    for c in ctx.part_claims(part):
        if c.kind == "percent" and c.unit == "%" and re.search(r"预算执行率|资金执行率|^执行率", c.subject) \
                and c.origin != "table" and not c.approx:
            return c.value, [c], {"how": "stated", "rate": c.raw}
    in_parts = _parts_of_breakdowns(ctx)
    firsts: dict[tuple[str, str], ClaimRef] = {}
    for c in ctx.part_claims(part):
        fs = _flow(c)
        if fs and id(c) not in in_parts and fs not in firsts:
            firsts[fs] = c
    spent = firsts.get(("spending", "final"))
    planned = firsts.get(("spending", "budget")) or firsts.get(("income", "budget"))
    if not spent or not planned or not compatible(spent, planned) or planned.value == 0:
        return None
    sv, _ = converted(spent, planned)
    r = rate(sv, planned.value)
    if r is None:
        return None
    return r, [spent, planned], {"how": "computed", "spent_subject": spent.subject, "spent": spent.raw,
                                 "planned_subject": planned.subject, "planned": planned.raw, "unit": planned.unit}


@rule("score_vs_execution")
def score_vs_execution(ctx: Context) -> Iterator[Finding]:
    """A self-score higher than the budget execution allows under the profile (执行率 × 分值)."""
    prof = ctx.profile
    for part in ctx.parts:
        scores = self_scores(ctx, part)
        if not scores:
            continue
        ex = stated_execution(ctx, part)
        if ex is None:
            continue
        r, claims, info = ex
        capped = min(r, prof.execution_cap)
        lost = prof.execution_weight * (1 - capped / HUNDRED)
        most = prof.total - lost
        for score, grade in scores:
            if score.value <= q(most, 2) + Decimal("0.01"):
                continue
            params = {**info, "rate_computed": fmt(r, 2), "weight": fmt(prof.execution_weight),
                      "points": fmt(prof.execution_weight * capped / HUNDRED, 2),
                      "total": fmt(prof.total), "most": fmt(most, 2), "score": score.raw,
                      "grade": grade or "", "profile": prof.name}
            yield _finding(ctx, "score_vs_execution", WARNING, "score.above_execution", params, [*claims, score])


@rule("grade_vs_score")
def grade_vs_score(ctx: Context) -> Iterator[Finding]:
    """The grade written after a self-score (得分 85 分，等级为“优”) is the profile's grade for it."""
    prof = ctx.profile
    for part in ctx.parts:
        for score, grade in self_scores(ctx, part):
            if not grade:
                continue
            band = prof.band(grade)
            if band is None:
                continue
            low, high = band
            v = score.value
            if v >= low and (high is None or v < high):
                continue
            off = low - v if v < low else v - high  # type: ignore[operator]
            severity = ERROR if off >= 10 else WARNING  # bands differ by a few points from place to place
            params = {"score": score.raw, "grade": grade, "expected": prof.grade_for(v), "profile": prof.name,
                      "low": fmt(low), "high": fmt(high) if high is not None else ""}
            yield _finding(ctx, "grade_vs_score", severity, "grade.mismatch", params, [score],
                           identity=[score.id, grade])


__all__ = ["breakdowns", "converted", "compatible", "self_scores", "stated_execution", "subject_key",
           "EXHAUSTIVE_FAMILIES", "ulp", "places_of"]
