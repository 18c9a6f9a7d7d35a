"""Quantitative claims from report text: number + unit, located, with decimal values.

Pipeline (DESIGN §5):

1. **Normalise** each character with NFKC where that maps one character to one character (full-width
   digits ``３４８１７．０１``, ``％``, ideographic spaces). Compatibility forms that NFKC would expand
   (``㎡`` → ``m2``, ``⑴`` → ``(1)``, ``½``) and enclosed / superscript digits (``①``, ``m²``) are kept
   as written, so a digit in the normalised text is always a digit the reader sees. Because every
   character maps to exactly one character the offset map back to the original is the identity.
2. **Re-join** lines that a PDF conversion wrapped (a number or a unit can be split across lines): a
   line that does not end a sentence is joined to the next one unless either is a heading, a list item,
   a table row or cell. Matching runs on this joined *view*; a segment table maps view offsets back.
3. **Mask** non-claims: document numbers ``〔2025〕2 号``, dates and periods, list markers, ordinals,
   titles in 《》 and short quoted names, programme names (``5 年行动``), identifiers, phone numbers.
4. **Match** ``(约|近|超过)? NUM (range)? (多|余)? MAGNITUDE? UNIT (左右|以上)?`` against a
   longest-first unit lexicon; Chinese numerals only inside a matched span with a short list of units
   (``五天``, ``三等奖``). Thresholds (``超过100万元以上的项目``, ``不足 15 年``) are dropped.
5. Keep value as written, :class:`~decimal.Decimal` value, unit as written (with its magnitude), scale,
   approximation and range separately; flag ``implausible_magnitude``, ``pct_over_100``,
   ``looks_like_year``, ``approx``, ``chinese_numeral``.
6. Subject = the clause before the number with masked dates removed. Every other unmasked number is an
   *unclassified* candidate for the user to confirm or dismiss.

Score tables (``Document.tables``) are read from their structure: each row's target and actual value
are claims with the indicator name as subject (:mod:`desktop.claims.tables`).
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from typing import Iterable

from desktop.claims.document import Document
from desktop.claims.lexicon import (
    AMOUNT,
    APPROX_AFTER,
    APPROX_BEFORE,
    BASE_UNITS,
    CN_UNITS,
    COUNT,
    DURATION,
    MAGNITUDE,
    MAGNITUDES,
    base_unit_pattern,
    NUM,
    PERCENT,
    RANK,
    THRESHOLD_WORDS,
    UNIT_ONLY,
    ExtractedClaim,
    alternation,
    claim_flags,
    cn_to_int,
    normalise,
    to_decimal,
)
from desktop.claims.lines import Line, Sections, document_lines
from desktop.claims.subjects import name_weak_subject

# --- regular expressions -------------------------------------------------------------------------

_NUM_START = r"(?<![0-9A-Za-z.,])"


CLAIM_RE = re.compile(
    rf"(?P<pre>{alternation(APPROX_BEFORE)})?[ \t]*"
    rf"{_NUM_START}(?P<num>{NUM})"
    rf"(?:[ \t]*(?:-|~|～|至|到|—|–)[ \t]*(?P<num2>{NUM}))?"
    rf"[ \t]*(?P<a1>多|余)?[ \t]*(?P<mag>{MAGNITUDE})?(?P<a2>多|余)?[ \t]*"
    rf"(?P<base>{base_unit_pattern()})?"
    rf"(?P<post>{alternation(APPROX_AFTER)})?"
)
#: a run of digits (and dots) glued from several cells, ending in %: 1010100%, 85.584.6298.85%
GLUED_RUN_RE = re.compile(r"(?<![0-9.])(?:[0-9]+(?:\.[0-9]+){2,}|[0-9]{5,})%")
BARE_NUM_RE = re.compile(rf"{_NUM_START}{NUM}(?![0-9])")
CN_NUMERAL = "零〇一二两三四五六七八九十百千"
CN_RE = re.compile(
    rf"(?<![第{CN_NUMERAL}星周初])(?P<cn>[{CN_NUMERAL}]+)(?P<unit>{alternation(CN_UNITS)})"
)

RANK_RE = re.compile(r"第[ \t]*(?P<num>[0-9]{1,3})[ \t]*(?P<unit>名|位)")
#: a number alone in its cell, its unit alone in the next cell (the 度量单位 column of a score table)
UNIT_CELL_RE = re.compile(rf"[ \t]*\|?[ \t]*\n[ \t]*(?P<unit>{UNIT_ONLY})[ \t]*\|?[ \t]*(?=\n|$)")
#: between a target and its actual in a score-table row: only cell separators
_BETWEEN_CELLS = re.compile(r"[ \t]*(?:\|[ \t]*)?(?:\n[ \t]*)?(?:\|[ \t]*)?")
COMPARATORS = ("≥", "≤", ">", "<", "=")
#: a budget table's unit in its header: 项目资金（万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分
BUDGET_UNIT_RE = re.compile(r"[(（][ \t]*(?P<unit>万元|元|亿元)[ \t]*[)）]")
_MONEY_COL = re.compile(r"预算|执行数|决算|支出数|到位|拨付|金额|资金数|实际支出")
_NOT_MONEY_COL = re.compile(r"率|分值|得分|权重|原因|备注|指标|说明")
_TABLE_STOP = re.compile(r"绩效指标|一级指标|年度总体目标|总体目标|绩效目标")

_LIST_START = re.compile(
    r"^(?:[一二三四五六七八九十]+是|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十0-9]+[)）]"
    r"|[0-9]{1,2}[、.．](?![0-9])|[①-⑳]|第[一二三四五六七八九十]+[,，、])"
)
_SENTENCE_END = "。！？!?；;：:"

MASKS: list[re.Pattern[str]] = [
    # document numbers: 湛财绩〔2025〕2 号, 财预[2020]10号, 〔2015〕
    re.compile(r"[〔\[【(][ \t]*(?:19|20)[0-9]{2}[ \t]*[〕\]】)][ \t]*(?:第[ \t]*)?(?:[0-9]+[ \t]*号?)?"),
    re.compile(r"[0-9]+[ \t]*号(?:文|令|文件)?"),
    # dates and periods
    re.compile(r"(?:19|20)[0-9]{2}[ \t]*[-~—至到][ \t]*(?:19|20)?[0-9]{2}[ \t]*年?"),
    # 2024.5, 2024-05-20, 2024/5/20 — but not 2040.56万元 (a month is 1–12, and a date carries no amount)
    re.compile(r"(?:19|20)[0-9]{2}[-/.](?:0?[1-9]|1[0-2])(?:[-/.](?:0?[1-9]|[12][0-9]|3[01]))?(?![0-9])"
               r"(?![ \t]*(?:万|亿|千|元|%|％|‰))"),
    re.compile(r"(?:19|20)[0-9]{2}[ \t]*年(?:[ \t]*[0-9]{1,2}[ \t]*(?:[-~至到—][ \t]*[0-9]{1,2}[ \t]*)?月)?"
               r"(?:[ \t]*[0-9]{1,2}[ \t]*[日号])?"),
    re.compile(r"(?<![0-9.])[0-9]{1,2}[ \t]*(?:[-~至到—][ \t]*[0-9]{1,2}[ \t]*)?月(?:份)?"
               r"(?:[ \t]*[0-9]{1,2}[ \t]*(?:[-~至到—][ \t]*[0-9]{1,2}[ \t]*)?[日号])?"),
    re.compile(r"(?<![0-9.])[0-9]{1,2}[ \t]*(?:[-~至到—][ \t]*[0-9]{1,2}[ \t]*)?日(?![元])"),
    re.compile(r"(?<![0-9])[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?"),
    re.compile(r"[0-9一二三四][ \t]*季度"),
    re.compile(r"(?:19|20)[0-9]{2}[ \t]*(?=届|级|版|款|上半年|下半年)"),
    # ordinals and list markers
    re.compile(r"第[ \t]*[0-9]+(?![ \t]*(?:名|位))"),
    re.compile(r"(?m)(?:^|(?<=[。；;:：!?！？]))[ \t#*>]*[0-9]{1,2}[ \t]*[、.．)）](?![0-9])"),
    re.compile(r"[(（][ \t]*[0-9]{1,2}[ \t]*[)）]"),
    re.compile(r"[①-⒇⑴-⒛⒈-⒛❶-➓]"),
    # 7×24 小时, 1920×1080; weights in score-table headers: 产出指标（50分）, 得分（20分*执行率）
    re.compile(r"[0-9]+(?:\.[0-9]+)?[ \t]*[×*xX][ \t]*[0-9]+(?:\.[0-9]+)?"),
    re.compile(r"[(（][ \t]*[0-9]+(?:\.[0-9]+)?[ \t]*分[^)）\n]{0,8}[)）]"),
    # programme names and slogans: 5 年行动, “1+N”, 《2025 年…》
    re.compile(r"[0-9]+[ \t]*年[ \t]*(?:行动|计划|规划|攻坚|专项|提升|工程)"),
    re.compile(r"[0-9]+[ \t]*\+[ \t]*[0-9A-Za-z]+(?:[ \t]*\+[ \t]*[0-9A-Za-z]+)*"),
    re.compile(r"《[^《》\n]{0,80}》"),
    re.compile(r"“[^“”\n]{0,20}”|\"[^\"\n]{0,20}\"|‘[^‘’\n]{0,20}’|「[^「」\n]{0,20}」"),
    # identifiers, phone numbers, codes
    re.compile(r"(?:索引号|文号|编号|编码|代码|电话|传真|邮编|手机|账号|帐号|备案号|身份证|ICP|项目代码)"
               r"[ \t]*[:：]?[ \t]*[A-Za-z0-9/\-_.]+"),
    re.compile(r"(?<![0-9])0[0-9]{2,3}-[0-9]{7,8}(?![0-9])|(?<![0-9])1[3-9][0-9]{9}(?![0-9])"),
    re.compile(r"[A-Za-z]+[0-9][0-9A-Za-z.\-]*|(?<![0-9.])[0-9]+(?:\.[0-9]+)?[A-Za-z]+[0-9A-Za-z]*"),
]
#: identifiers look like units for a few latin units (4.3m, 100GB): those are kept
_LATIN_UNIT_OK = re.compile(r"^[0-9.]+(?:km|kg|m|hm2?|t|GB|TB|MB|Mbps|kWh|kW)$")

def _joinable(a: Line, b: Line) -> bool:
    if a.kind != "paragraph" or b.kind != "paragraph" or b.heading is not None:
        return False
    if a.text[-1] in _SENTENCE_END or len(a.text) < 12:
        return False
    if a.text.endswith("**") or b.text.startswith(("#", "**", "|", ">")) or _LIST_START.match(b.text):
        return False
    return True


def _view(norm: str, lines: list[Line]) -> tuple[str, list[int], list[int]]:
    """Text with wrapped lines joined; (view, segment view starts, segment norm starts)."""
    pieces: list[str] = []
    vstarts: list[int] = []
    nstarts: list[int] = []
    vpos = 0
    i = 0
    seg_start = 0  # norm offset where the current segment starts
    cut_at: list[tuple[int, int]] = []  # (norm from, norm to) removed by a join
    nonblank = [k for k, ln in enumerate(lines) if ln.kind != "blank"]
    for a_i, b_i in zip(nonblank, nonblank[1:]):
        if b_i - a_i > 2:  # at most one blank line between the halves of a wrapped sentence
            continue
        a, b = lines[a_i], lines[b_i]
        if _joinable(a, b):
            a_end = a.start + len(norm[a.start:a.end].rstrip())
            b_start = b.start + (len(norm[b.start:b.end]) - len(norm[b.start:b.end].lstrip()))
            cut_at.append((a_end, b_start))
    for frm, to in cut_at:
        vstarts.append(vpos)
        nstarts.append(seg_start)
        pieces.append(norm[seg_start:frm])
        vpos += frm - seg_start
        seg_start = to
    vstarts.append(vpos)
    nstarts.append(seg_start)
    pieces.append(norm[seg_start:])
    del i
    return "".join(pieces), vstarts, nstarts


class _Mapper:
    def __init__(self, vstarts: list[int], nstarts: list[int]):
        self.v, self.n = vstarts, nstarts

    def __call__(self, vpos: int) -> int:
        i = bisect.bisect_right(self.v, vpos) - 1
        return self.n[i] + (vpos - self.v[i])

    def end(self, vend: int) -> int:
        """Map an exclusive end offset (the char before it, plus one)."""
        return self(vend - 1) + 1 if vend > 0 else 0


# --- the extractor -------------------------------------------------------------------------------

_CLAUSE_BREAK = set("，,。；;：:！？!?、\n()（）[]【】")
_SUBJECT_LEAD = re.compile(r"^(?:其中|另外|此外|同时|共计|合计|累计|总计|全年共|全年|共|已|均|并|且|和|及|与|为|是|"
                           r"截止|截至|目前|今年|当年|本年|年度|底|末|前|后|内|止|度)+")
_SUBJECT_TRAIL = re.compile(r"(?:达到了|达到|(?<![下送到抵传表])达|为|是|约|近|共计|共|计|合计|累计|总计|实现|"
                            r"超过|逾|了|已|分别|均|和|≥|≤|>|<|=|\s)+$")


def _clean_subject(s: str) -> str:
    prev = None
    while prev != s:
        prev = s
        s = _SUBJECT_LEAD.sub("", s).strip()
        s = _SUBJECT_TRAIL.sub("", s).strip()
    return s


def _subject(view: str, sub: str, vstart: int, vend: int) -> str:
    i = vstart
    while i > 0 and sub[i - 1] not in _CLAUSE_BREAK and vstart - i < 40:
        i -= 1
    # drop masked stretches (dates, document numbers) but keep the words around them
    window = sub[i:vstart]
    if "\x00" in window:
        s = "".join(ch for ch, m in zip(view[i:vstart], window) if m != "\x00")
    else:
        s = view[i:vstart]
    s = s.strip(" *#\t|")
    s = re.sub(r"[ \t]+", " ", s)
    if " " in s:  # a row of table cells run together: the nearest label
        words = [_clean_subject(w) for w in s.split(" ")]
        words = [w for w in words if w and not re.search(r"[0-9]", w)]
        s = words[-1] if words else ""
    s = _clean_subject(s)
    if len(s) == 1 and s in "等设有共计达":
        s = ""
    if not s:
        line_start = view.rfind("\n", 0, vstart) + 1
        if not view[line_start:vstart].strip(" \t|"):
            s = _label_above(view, sub, line_start)
        else:  # 30万元用于基建工程项目审计: the clause after the figure names it
            j = vend
            while j < len(view) and sub[j] not in _CLAUSE_BREAK and j - vend < 30:
                j += 1
            s = view[vend:j].strip()
    return s


_SUBJECT_KEEPS = 17  # masks from this index on (titles, quotes, identifiers) keep their words in subjects
_UNIT_LINE = re.compile(rf"^(?:{UNIT_ONLY}|[≥≤><=]|[0-9.%]+)$")


def _label_above(view: str, sub: str, pos: int) -> str:
    """The subject of a claim alone in its table cell: the nearest label cell above it."""
    end = pos
    for _ in range(6):
        if end <= 0:
            break
        start = view.rfind("\n", 0, end - 1) + 1
        cell = view[start:end].strip().strip("|").strip()
        end = start
        if cell and re.search(r"[\u4e00-\u9fff]", cell) and not _UNIT_LINE.match(cell):
            return cell.strip(" |")[:40]
    return ""


def _blank(segment: str) -> str:
    """``segment`` with every character but newlines replaced by NUL."""
    return "\n".join("\x00" * len(part) for part in segment.split("\n"))


def _apply(view: str, intervals: list[tuple[int, int]]) -> str:
    if not intervals:
        return view
    intervals.sort()
    merged: list[list[int]] = []
    for s, e in intervals:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out.append(view[pos:s])
        out.append(_blank(view[s:e]))
        pos = e
    out.append(view[pos:])
    return "".join(out)


def _mask(view: str, extra: list[tuple[int, int]]) -> tuple[str, str]:
    """(masked view, view with only dates / document numbers / list markers blanked for subjects)."""
    all_iv: list[tuple[int, int]] = []
    sub_iv: list[tuple[int, int]] = []
    for i, rx in enumerate(MASKS):
        for m in rx.finditer(view):
            if m.start() == m.end():
                continue
            if i == len(MASKS) - 1 and _LATIN_UNIT_OK.match(m.group()):
                continue
            all_iv.append((m.start(), m.end()))
            if i < _SUBJECT_KEEPS:
                sub_iv.append((m.start(), m.end()))
    n = len(view)
    all_iv.extend((max(0, s), min(n, e)) for s, e in extra if e > s)
    return _apply(view, all_iv), _apply(view, sub_iv)


def _is_threshold(masked: str, m: re.Match[str], unit: str) -> bool:
    pre = m.group("pre") or ""
    before = masked[max(0, m.start() - 2): m.start()].strip()
    lead = pre if pre in THRESHOLD_WORDS else next((w for w in THRESHOLD_WORDS if before.endswith(w)), "")
    post = m.group("post") or ""
    after = masked[m.end(): m.end() + 1]
    if lead and post in ("以上", "以下"):
        return True  # 超过100万元以上的项目: a threshold stated twice
    if lead and after == "的":
        return True
    if post in ("以上", "以下", "以内") and after == "的":
        return True  # 金额在50万元以上的项目
    if (BASE_UNITS.get(unit) == DURATION and before.endswith("在")
            and masked[m.end(): m.end() + 2].startswith(("内", "以内"))):
        return True  # 在30个工作日内完成: a time limit, not a figure achieved
    return False


def extract(doc: Document) -> list[ExtractedClaim]:
    """Every quantitative claim (confidence 'high') and unclassified number ('unclassified') in ``doc``."""
    return extract_with_tables(doc)[0]


def extract_with_tables(doc: Document) -> tuple[list[ExtractedClaim], list]:
    """The claims of ``doc`` and its score tables (:class:`~desktop.claims.scoretable.ScoreTable`), each
    indicator row linked to its claims by index in the returned list."""
    text = doc.text
    norm, _ = normalise(text)
    lines = document_lines(doc, norm)
    sections = Sections(lines)
    view, vstarts, nstarts = _view(norm, lines)
    to_norm = _Mapper(vstarts, nstarts)

    claims: list[ExtractedClaim] = []
    # score tables: claims from their structure; their cells are then left out of the text rules
    table_spans: list[tuple[int, int]] = []
    from desktop.claims import score_tables as _score_tables
    from desktop.claims import tables as _tables

    found = _score_tables.read_tables(doc, norm)
    row_claims = _score_tables.row_claims(found, doc, sections.at)
    claims.extend(c for c, _, _ in row_claims)
    table_spans.extend(found.masks)
    for tc in _tables.table_claims(doc, norm, skip=found.grid_refs):
        claims.append(tc)
    table_spans.extend(_tables.table_regions(doc, skip=found.grid_refs))
    extra_v: list[tuple[int, int]] = []
    if table_spans:
        nv = sorted(zip(nstarts, vstarts))
        nkeys = [n for n, _ in nv]
        for s, e in table_spans:
            extra_v.append((_norm_to_view(nv, s, nkeys), _norm_to_view(nv, e, nkeys)))
    masked, sub = _mask(view, extra_v)

    taken = bytearray(len(view))

    def add(vs: int, ve: int, *, raw: str, value: Decimal | None, unit: str, scale: int, kind: str,
            approx: str | None, high: str | None, cn: bool, confidence: str, vnum: int) -> None:
        start, end = to_norm(vs), to_norm.end(ve)
        section, part = sections.at(start)
        flags = claim_flags(value, unit, kind, scale, approx, cn) if value is not None else []
        value_s = None if value is None else _fmt(value)
        claims.append(ExtractedClaim(
            quote=text[start:end], start=start, end=end, value_raw=raw, value=value_s, unit=unit,
            scale=str(scale), kind=kind, section=section, part=part,
            subject=name_weak_subject(_subject(view, sub, vnum, ve), view, sub, vnum, ve, section),
            page=doc.page_at(start), approx=approx, value_high=None if high is None else _fmt(to_decimal(high)),
            flags=flags, confidence=confidence,
            context_before=text[max(0, start - 24):start], context_after=text[end:end + 24],
        ))
        taken[vs:ve] = b"\x01" * (ve - vs)

    for m in RANK_RE.finditer(masked):
        add(m.start(), m.end(), raw=m.group("num"), value=to_decimal(m.group("num")), unit=m.group("unit"),
            scale=1, kind=RANK, approx=None, high=None, cn=False, confidence="high", vnum=m.start())

    for row in _budget_cells(masked):
        vs, ve, raw, unit, subject = row
        add(vs, ve, raw=raw, value=to_decimal(raw), unit=unit, scale=MAGNITUDES.get(unit[:-1], 1), kind=AMOUNT,
            approx=None, high=None, cn=False, confidence="high", vnum=vs)
        claims[-1].subject = subject

    # 预算数 执行数 执行率 glued together by a conversion: 1010100% → 10 | 10 | 100%
    for m in GLUED_RUN_RE.finditer(masked):
        split = _split_budget_run(masked, m.start(), m.end() - 1)
        if not split:
            continue
        money_unit = _budget_unit_before(masked, m.start())
        label = re.search(r"[\u4e00-\u9fff]{2,20}$", masked[max(0, m.start() - 20):m.start()])
        names = ("预算数", "执行数", "执行率")
        for k, (s0, e0, part) in enumerate(split):
            is_rate = k == 2
            u = "%" if is_rate else money_unit
            add(s0, e0 + (1 if is_rate else 0), raw=part, value=to_decimal(part), unit=u,
                scale=1 if is_rate else MAGNITUDES.get(u[:-1], 1), kind=PERCENT if is_rate else AMOUNT,
                approx=None, high=None, cn=False, confidence="high" if u else "unclassified", vnum=s0)
            claims[-1].flags.append("split_from_run")
            if label:
                claims[-1].subject = f"{label.group()} {names[k]}"

    targets: dict[int, tuple[str, int, str]] = {}  # view end of a score-table target -> (unit, scale, kind)
    for m in CLAIM_RE.finditer(masked):
        mag, base = m.group("mag"), m.group("base")
        if not mag and not base:
            continue
        if any(taken[m.start("num"):m.end("num")]):
            continue
        if mag and not base:
            nxt = masked[m.end(): m.end() + 1]
            if nxt and nxt not in _CLAUSE_BREAK and not nxt.isspace() and nxt not in "的":
                continue  # 5.6 万人口: not a unit we know
        unit = (mag or "") + (base or "")
        if base and unit.startswith("千") and base in ("米", "克", "瓦"):
            continue
        kind = BASE_UNITS.get(base or "", COUNT) if base else COUNT
        if base and base.startswith("元/"):
            kind = AMOUNT
        if base and base.startswith("元") and base not in BASE_UNITS:
            kind = AMOUNT
        scale = MAGNITUDES.get(mag or "", 1)
        if _is_threshold(masked, m, unit):
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            continue
        pre = m.group("pre")
        approx = pre if pre in APPROX_BEFORE and pre not in ("超过",) or pre == "超过" else None
        approx = approx or m.group("a1") or m.group("a2") or m.group("post")
        raw = m.group("num")
        value = to_decimal(raw)
        vs = m.start("pre") if pre else m.start("num")
        confidence = "high"
        if kind == PERCENT and unit == "%" and value > 1000 and "." not in raw:
            confidence = "unclassified"  # 1010100%: cells of a score table that ran together
        add(vs, m.end(), raw=raw, value=value, unit=unit, scale=scale, kind=kind, approx=approx,
            high=m.group("num2"), cn=False, confidence=confidence, vnum=m.start("num"))
        if pre in COMPARATORS or masked[max(0, vs - 3):vs].rstrip(" \t|\n").endswith(COMPARATORS):
            targets[m.end()] = (unit, scale, kind)

    for m in CN_RE.finditer(masked):
        cn, unit = m.group("cn"), m.group("unit")
        if any(taken[m.start():m.end()]):
            continue
        v = cn_to_int(cn)
        if v is None or cn in ("百", "千", "万", "十百"):
            continue
        if v < 2 and unit != "等奖":
            continue  # 一人一档, 一次办: idioms
        if cn[0] in "百千":
            continue
        if unit == "等奖" and re.match(r"[ \t]*[0-9]", masked[m.end(): m.end() + 3]):
            continue  # 获一等奖1项: the grade names a category, the count is the claim
        add(m.start(), m.end(), raw=cn, value=Decimal(v), unit=unit, scale=1,
            kind=RANK if unit == "等奖" else BASE_UNITS.get(unit, COUNT), approx=None, high=None, cn=True,
            confidence="high", vnum=m.start())

    # threshold numbers without a known unit (不足 15 年, 满 60 周岁) are masked, not candidates
    for m in BARE_NUM_RE.finditer(masked):
        if any(taken[m.start():m.end()]):
            continue
        before = masked[max(0, m.start() - 3): m.start()].rstrip()
        if any(before.endswith(w) for w in THRESHOLD_WORDS):
            continue
        raw = m.group()
        cell = UNIT_CELL_RE.match(masked, m.end())
        if cell:  # 100 | % : the unit sits in the next cell
            unit = cell.group("unit")
            mag = next((k for k in sorted(MAGNITUDES, key=len, reverse=True) if unit.startswith(k)), "")
            base = unit[len(mag):]
            kind = BASE_UNITS.get(base, COUNT) if base else COUNT
            add(m.start(), cell.end(), raw=raw, value=to_decimal(raw), unit=unit, scale=MAGNITUDES.get(mag, 1),
                kind=kind, approx=None, high=None, cn=False, confidence="high", vnum=m.start())
            targets[cell.end()] = (unit, MAGNITUDES.get(mag, 1), kind)
            continue
        inherited = _target_before(targets, masked, m.start())
        if inherited:  # ≥45个 47: the actual takes its target's unit
            unit, scale, kind = inherited
            add(m.start(), m.end(), raw=raw, value=to_decimal(raw), unit=unit, scale=scale, kind=kind,
                approx=None, high=None, cn=False, confidence="high", vnum=m.start())
            claims[-1].flags.append("unit_from_target")
            continue
        nxt = masked[m.end(): m.end() + 1].strip()
        unit = nxt if nxt and "\u4e00" <= nxt <= "\u9fff" else ""
        add(m.start(), m.end(), raw=raw, value=to_decimal(raw), unit=unit, scale=1, kind="number",
            approx=None, high=None, cn=False, confidence="unclassified", vnum=m.start())

    claims.sort(key=lambda c: (c.start, c.end))
    _score_tables.link(found, row_claims, claims)
    return claims, found.tables


def _split_budget_run(masked: str, s: int, e: int) -> list[tuple[int, int, str]] | None:
    """Split a digit run glued from 预算数, 执行数 and 执行率 (``1010100`` + ``%``) into the three cells:
    the one split where 执行数 / 预算数 × 100 equals the rate (to its rounding). None if not exactly one."""
    run = masked[s:e]
    if len(run) < 4 or len(run) > 24:
        return None
    cell = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]{1,2})?")
    found = []
    for i in range(1, len(run) - 1):
        a = run[:i]
        if not cell.fullmatch(a):
            continue
        for j in range(i + 1, len(run)):
            b, r = run[i:j], run[j:]
            if not (cell.fullmatch(b) and cell.fullmatch(r)):
                continue
            da, db, dr = Decimal(a), Decimal(b), Decimal(r)
            if da <= 0 or db <= 0 or dr <= 0 or dr > 200:
                continue
            places = len(r.split(".")[1]) if "." in r else 0
            if abs(db / da * 100 - dr) <= Decimal(5).scaleb(-places - 1) + Decimal("0.0001"):
                found.append(((s, s + i, a), (s + i, s + j, b), (s + j, e, r)))
    return list(found[0]) if len(found) == 1 else None


def _budget_unit_before(masked: str, pos: int) -> str:
    """The money unit of the nearest budget header (``预算数（万元）``) before ``pos``, if any."""
    last = None
    for m in BUDGET_UNIT_RE.finditer(masked, max(0, pos - 600), pos):
        last = m
    return last.group("unit") if last else ""


def _target_before(targets: dict[int, tuple[str, int, str]], masked: str, vstart: int):
    """The unit of a score-table target that ends right before ``vstart`` (only cell separators between)."""
    for end in range(vstart, max(0, vstart - 12) - 1, -1):
        if end in targets and _BETWEEN_CELLS.fullmatch(masked[end:vstart] + ""):
            return targets.pop(end)
    return None


def _budget_cells(masked: str) -> list[tuple[int, int, str, str, str]]:
    """Budget rows of a table flattened to text: money columns take the header's unit.

    ``项目资金（万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 85 85 84.62 10 …``
    gives 85, 85 and 84.62 万元 for 年度资金总额. Returns (view start, view end, raw, unit, subject).
    """
    out = []
    for a in BUDGET_UNIT_RE.finditer(masked):
        unit = a.group("unit")
        tokens = [(t.start(), t.end(), t.group()) for t in re.finditer(r"[^\s|:：,，;；]+", masked[a.end():a.end() + 600])]
        cols: list[tuple[str, bool]] = []
        i = 0
        while i < len(tokens) and not re.search(r"[0-9]", tokens[i][2]) and len(cols) < 10:
            word = tokens[i][2].strip("()（）")
            cols.append((word, bool(_MONEY_COL.search(word)) and not _NOT_MONEY_COL.search(word)))
            i += 1
        # the word right before the first number is the first row's label, not a column
        label = cols.pop()[0] if cols else None
        if not any(money for _, money in cols):
            continue
        label_cols = cols
        rows = 1
        col = 0
        while i < len(tokens) and rows <= 8:
            s, e, tok = tokens[i]
            if "\x00" in tok:
                break
            if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?%?", tok):
                if label is not None and col < len(label_cols):
                    name, money = label_cols[col]
                    if money and not tok.endswith("%"):
                        out.append((a.end() + s, a.end() + e, tok, unit, f"{label} {name}"))
                    col += 1
            elif re.search(r"[0-9]", tok) or len(tok) > 14 or _TABLE_STOP.search(tok):
                break
            else:
                label = tok
                col = 0
                rows += 1
            i += 1
    return out


def _norm_to_view(nv: list[tuple[int, int]], npos: int, keys: list[int] | None = None) -> int:
    keys = keys if keys is not None else [n for n, _ in nv]
    i = bisect.bisect_right(keys, npos) - 1
    n0, v0 = nv[max(i, 0)]
    return v0 + (npos - n0)


def _fmt(value: Decimal) -> str:
    """Decimal as plain ASCII digits, never exponent notation."""
    s = format(value, "f")
    return s


def high_confidence(claims: Iterable[ExtractedClaim]) -> list[ExtractedClaim]:
    return [c for c in claims if c.confidence == "high"]
