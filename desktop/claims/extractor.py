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
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

from desktop.claims.document import Document
from desktop.claims.subjects import name_weak_subject

# --- units ---------------------------------------------------------------------------------------

AMOUNT, COUNT, PERCENT, SCORE, RANK, MEASURE, DURATION, RATIO = (
    "amount", "count", "percent", "score", "rank", "measure", "duration", "ratio")

#: base unit as written -> kind. Magnitudes (万, 亿 …) are matched separately in front of these.
BASE_UNITS: dict[str, str] = {
    # money
    "元": AMOUNT, "美元": AMOUNT, "欧元": AMOUNT, "港元": AMOUNT, "元人民币": AMOUNT,
    # percentages and rates
    "%": PERCENT, "‰": PERCENT, "百分比": PERCENT, "个百分点": PERCENT, "百分点": PERCENT,
    # people and units of work
    "人次": COUNT, "人": COUNT, "所次": COUNT, "校次": COUNT, "户次": COUNT, "户": COUNT, "家次": COUNT, "家": COUNT, "名": COUNT,
    "个": COUNT, "次": COUNT, "条": COUNT, "项": COUNT, "批次": COUNT, "批": COUNT, "件次": COUNT,
    "件": COUNT, "份": COUNT, "册": COUNT, "本": COUNT, "套": COUNT, "台套": COUNT, "台": COUNT,
    "辆": COUNT, "艘": COUNT, "架": COUNT, "张": COUNT, "幅": COUNT, "部": COUNT, "篇": COUNT,
    "场次": COUNT, "场": COUNT, "期": COUNT, "轮": COUNT, "所": COUNT, "座": COUNT, "栋": COUNT,
    "间": COUNT, "处": COUNT, "宗": COUNT, "起": COUNT, "笔": COUNT, "支": COUNT, "类": COUNT,
    "种": COUNT, "头": COUNT, "只": COUNT, "株": COUNT, "棵": COUNT, "床": COUNT, "张床": COUNT,
    "人日": COUNT,
    "剂次": COUNT, "剂": COUNT, "针次": COUNT, "例次": COUNT, "台次": COUNT, "车次": COUNT, "架次": COUNT,
    "艘次": COUNT, "班次": COUNT, "趟": COUNT, "课时": COUNT, "学时": COUNT, "门": COUNT, "例": COUNT, "班": COUNT, "期次": COUNT,
    # measures
    "亩": MEASURE, "公顷": MEASURE, "平方米": MEASURE, "平方公里": MEASURE, "㎡": MEASURE,
    "m²": MEASURE, "m³": MEASURE, "㎞": MEASURE, "公里": MEASURE, "千米": MEASURE, "km": MEASURE,
    "米": MEASURE, "延米": MEASURE, "m": MEASURE, "吨": MEASURE, "千克": MEASURE, "公斤": MEASURE,
    "kg": MEASURE, "立方米": MEASURE, "方": MEASURE, "千瓦时": MEASURE, "千瓦": MEASURE,
    "兆瓦": MEASURE, "kWh": MEASURE, "kW": MEASURE, "GB": MEASURE, "TB": MEASURE, "MB": MEASURE,
    "Mbps": MEASURE, "度电": MEASURE, "标准亩": MEASURE,
    # time
    "个工作日": DURATION, "工作日": DURATION, "个月": DURATION, "天": DURATION, "小时": DURATION,
    "分钟": DURATION, "周": DURATION,
    # scores, ranks, ratios
    "分": SCORE, "等奖": RANK, "倍": RATIO,
}

#: characters that may not follow a unit (the "unit" was the start of another word)
_NOT_AFTER = {
    "人": "民员口才社大均工为们事",
    "元": "旦素件首",
    "个": "人体性别案",
    "次": "要日序生",
    "分": "钟析别类局为期配布管享担之成批摊项解值数段散级",
    "名": "单称义额誉",
    "项": "目",
    "条": "例件款",
    "家": "庭属长乡",
    "期": "间末初限",
    "部": "门分署",
    "处": "理置室罚长",
    "起": "来草点步",
    "支": "出付持部队",
    "类": "似型别",
    "种": "植养类子",
    "门": "诊户槛",
    "方": "面式案法向针位",
    "头": "条",
    "班": "子组",
    "间": "隔断",
    "场": "所地景",
    "本": "级单部年次",
    "周": "期边转年岁",
    "户": "籍口外",
    "台": "账",
    "米": "面",
    "m": "abcdefghijklnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
}

MAGNITUDES: dict[str, int] = {
    "万亿": 10**12, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3,
}

#: units a Chinese numeral may carry (五天, 三等奖). Idioms (一件事, 两条线, 四位一体) stay out.
CN_UNITS = ("等奖", "个月", "天", "周", "场", "期", "批次", "批", "名", "人", "家", "所", "轮", "座", "台", "辆", "艘",
            "栋", "处")

APPROX_BEFORE = ("约合", "大约", "将近", "接近", "超过", "约", "近", "逾", "≥", "≤", ">", "<")
APPROX_AFTER = ("左右", "以上", "上下", "之多")
THRESHOLD_WORDS = ("超过", "不足", "未满", "不满", "满", "低于", "高于", "大于", "小于", "以下")

# --- regular expressions -------------------------------------------------------------------------

NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_NUM_START = r"(?<![0-9A-Za-z.,])"


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _base_pattern() -> str:
    parts = []
    for u in sorted(BASE_UNITS, key=len, reverse=True):
        p = re.escape(u)
        if u == "元":
            p += r"(?:/(?:人·月|人·年|人/月|人/年|人次|人|户|月|年|次|亩|吨|平方米|㎡|天|日|个|件|小时|公里|份|套|[\u4e00-\u9fff](?![\u4e00-\u9fff])))?"
        if u in _NOT_AFTER:
            p += f"(?![{re.escape(_NOT_AFTER[u])}])"
        parts.append(p)
    return "|".join(parts)


_MAG = r"万亿|千万|百万|亿|万(?!分)|千(?![米克瓦])"
CLAIM_RE = re.compile(
    rf"(?P<pre>{_alt(APPROX_BEFORE)})?[ \t]*"
    rf"{_NUM_START}(?P<num>{NUM})"
    rf"(?:[ \t]*(?:-|~|～|至|到|—|–)[ \t]*(?P<num2>{NUM}))?"
    rf"[ \t]*(?P<a1>多|余)?[ \t]*(?P<mag>{_MAG})?(?P<a2>多|余)?[ \t]*"
    rf"(?P<base>{_base_pattern()})?"
    rf"(?P<post>{_alt(APPROX_AFTER)})?"
)
#: a run of digits (and dots) glued from several cells, ending in %: 1010100%, 85.584.6298.85%
GLUED_RUN_RE = re.compile(r"(?<![0-9.])(?:[0-9]+(?:\.[0-9]+){2,}|[0-9]{5,})%")
BARE_NUM_RE = re.compile(rf"{_NUM_START}{NUM}(?![0-9])")
CN_NUMERAL = "零〇一二两三四五六七八九十百千"
CN_RE = re.compile(
    rf"(?<![第{CN_NUMERAL}星周初])(?P<cn>[{CN_NUMERAL}]+)(?P<unit>{_alt(CN_UNITS)})"
)

RANK_RE = re.compile(rf"第[ \t]*(?P<num>[0-9]{{1,3}})[ \t]*(?P<unit>名|位)")
_UNIT_ONLY = rf"(?:(?:{_MAG})?(?:{_alt(BASE_UNITS)})|{_MAG})"
#: a number alone in its cell, its unit alone in the next cell (the 度量单位 column of a score table)
UNIT_CELL_RE = re.compile(rf"[ \t]*\|?[ \t]*\n[ \t]*(?P<unit>{_UNIT_ONLY})[ \t]*\|?[ \t]*(?=\n|$)")
#: between a target and its actual in a score-table row: only cell separators
_BETWEEN_CELLS = re.compile(r"[ \t]*(?:\|[ \t]*)?(?:\n[ \t]*)?(?:\|[ \t]*)?")
COMPARATORS = ("≥", "≤", ">", "<", "=")
#: a budget table's unit in its header: 项目资金（万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分
BUDGET_UNIT_RE = re.compile(r"[(（][ \t]*(?P<unit>万元|元|亿元)[ \t]*[)）]")
_MONEY_COL = re.compile(r"预算|执行数|决算|支出数|到位|拨付|金额|资金数|实际支出")
_NOT_MONEY_COL = re.compile(r"率|分值|得分|权重|原因|备注|指标|说明")
_TABLE_STOP = re.compile(r"绩效指标|一级指标|年度总体目标|总体目标|绩效目标")

_HEADING_MARK = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]"
    r"|[0-9]{1,2}[、.．](?![0-9])|[(（][0-9]{1,2}[)）])"
)
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
    re.compile(r"(?:19|20)[0-9]{2}[-/.][0-9]{1,2}(?:[-/.][0-9]{1,2})?(?![0-9])"),
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
_LATIN_UNIT_OK = re.compile(r"^[0-9.]+(?:km|kg|m|GB|TB|MB|Mbps|kWh|kW)$")

# --- data ----------------------------------------------------------------------------------------


@dataclass
class ExtractedClaim:
    quote: str
    start: int
    end: int
    value_raw: str
    value: str | None
    unit: str
    scale: str
    kind: str
    subject: str = ""
    section: str | None = None
    part: str | None = None
    page: int | None = None
    approx: str | None = None
    value_high: str | None = None
    flags: list[str] = field(default_factory=list)
    confidence: str = "high"
    context_before: str = ""
    context_after: str = ""
    origin: str = "extracted"
    ref: str | None = None


# --- normalisation -------------------------------------------------------------------------------

_KEEP = set("，、") | {chr(c) for c in range(0x2460, 0x2500)} | {chr(c) for c in range(0x2776, 0x2794)} \
    | {"\u00b2", "\u00b3", "\u00b9"} | {chr(c) for c in range(0x2070, 0x20a0)} \
    | {chr(c) for c in range(0x3251, 0x3260)} | {chr(c) for c in range(0x32b1, 0x32c0)}
_NORM_CACHE: dict[str, str] = {}


def _norm_char(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 and ch not in _KEEP else ch


def normalise(text: str) -> tuple[str, list[int] | None]:
    """NFKC per character where it maps one character to one; the offset map is then the identity.

    Returns the normalised text and ``None`` for the map (identity), kept in the signature so callers
    can rely on ``back[i]`` semantics if a future rule needs a real map.
    """
    table = {}
    for ch in set(text):
        if ord(ch) < 128:
            continue
        n = _NORM_CACHE.get(ch)
        if n is None:
            n = _NORM_CACHE[ch] = _norm_char(ch)
        if n != ch:
            table[ord(ch)] = n
    return (text.translate(table) if table else text), None


def to_decimal(raw: str) -> Decimal:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(raw) from exc


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS_VAL = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}


def cn_to_int(s: str) -> int | None:
    """Small Chinese numerals (五, 十二, 二十三, 一百零五, 三千) to an int; None if malformed."""
    if not s:
        return None
    if all(ch in _CN_DIGITS for ch in s) and len(s) > 1:  # 二〇二四 style
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS_VAL:
            u = _CN_UNITS_VAL[ch]
            if u >= 10**4:
                section = (section + (digit or 0)) * u
                total += section
                section = 0
            else:
                section += (1 if digit is None else digit) * u
            digit = None
        else:
            return None
    return total + section + (digit or 0)


# --- lines, view, sections -----------------------------------------------------------------------


@dataclass
class _Line:
    start: int
    end: int  # without the newline
    text: str  # stripped normalised text
    heading: str | None  # section title when the line is (or starts with) a heading
    kind: str  # paragraph / heading / cell / row / blank


def _clean_title(s: str) -> str:
    s = re.sub(r"[*#>]+", "", s).strip()
    return s.rstrip("。.:：;；，, ").strip()


def _heading_of(stripped: str, span_kind: str | None) -> str | None:
    """The section title a line opens, or None."""
    if not stripped:
        return None
    if stripped.startswith("#"):
        return _clean_title(stripped) or None
    if span_kind == "heading":
        return _clean_title(stripped)
    if stripped.startswith("**"):
        m = re.match(r"^\*\*(.+?)\*\*", stripped)
        if m and len(_clean_title(m.group(1))) <= 40:
            return _clean_title(m.group(1))
    body = stripped.strip("* ")
    if len(body) <= 40 and _part_of(body) and not re.search(r"[《》，,。；;、]", body):
        return _clean_title(body)  # 项目支出绩效自评报告: a report's title line
    m = _HEADING_MARK.match(body)
    if not m:
        return None
    arabic = body[0].isdigit() or body[:2] in ("(1", "（1")
    head = re.split(r"[。：:;；]", body, maxsplit=1)[0]
    if arabic:
        # "1. 项目背景" is a heading; "1、贯彻执行国家……" is a list item
        return _clean_title(body) if len(body) <= 30 and not body.endswith("。") else None
    return _clean_title(head) if len(head) <= 40 else None


def _part_of(title: str) -> str | None:
    if len(title) > 40 or not re.search(r"绩效.{0,4}(?:评价|自评)报告|自评表|评价报告", title):
        return None
    if "项目" in title:
        return "项目支出"
    if any(w in title for w in ("部门", "整体", "单位")):
        return "部门整体"
    return None


def _lines(doc: Document, norm: str) -> list[_Line]:
    out = []
    pos = 0
    n = len(norm)
    while pos <= n:
        nl = norm.find("\n", pos)
        end = n if nl < 0 else nl
        raw = norm[pos:end]
        stripped = raw.strip()
        span = doc.span_at(pos + (len(raw) - len(raw.lstrip()))) if stripped else None
        skind = span.kind if span else None
        if not stripped:
            kind = "blank"
        elif skind == "cell" or stripped.startswith("|") or "\t" in raw.strip():
            kind = "cell"
        else:
            kind = "paragraph"
        heading = _heading_of(stripped, skind) if kind != "cell" else None
        if heading is not None and (stripped.startswith("#") or skind == "heading" or len(stripped) <= 40):
            kind = "heading"
        out.append(_Line(pos, end, stripped, heading, kind))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _joinable(a: _Line, b: _Line) -> bool:
    if a.kind != "paragraph" or b.kind != "paragraph" or b.heading is not None:
        return False
    if a.text[-1] in _SENTENCE_END or len(a.text) < 12:
        return False
    if a.text.endswith("**") or b.text.startswith(("#", "**", "|", ">")) or _LIST_START.match(b.text):
        return False
    return True


def _view(norm: str, lines: list[_Line]) -> tuple[str, list[int], list[int]]:
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
_UNIT_LINE = re.compile(rf"^(?:{_UNIT_ONLY}|[≥≤><=]|[0-9.%]+)$")


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
    return False


def _flags(value: Decimal, unit: str, kind: str, scale: int, approx: str | None, cn: bool) -> list[str]:
    flags = []
    if kind == PERCENT and unit in ("%", "‰") and value > 100:
        flags.append("pct_over_100")
    if value == value.to_integral_value() and 1900 <= value <= 2100 and scale == 1:
        flags.append("looks_like_year")
    total = value * scale
    if kind == COUNT and scale > 1 and (
        (unit.endswith(("家", "户", "个", "项", "所", "条", "件")) and total > 10**7)
        or total > 2 * 10**9
    ):
        flags.append("implausible_magnitude")
    if kind == AMOUNT and total > 10**14:
        flags.append("implausible_magnitude")
    if approx:
        flags.append("approx")
    if cn:
        flags.append("chinese_numeral")
    return flags


class _Sections:
    def __init__(self, lines: list[_Line]):
        self.offsets: list[int] = []
        self.items: list[tuple[str | None, str | None]] = []
        part = None
        for ln in lines:
            if ln.heading is None:
                continue
            p = _part_of(ln.heading)
            if p:
                part = p
            self.offsets.append(ln.start)
            self.items.append((ln.heading, part))

    def at(self, offset: int) -> tuple[str | None, str | None]:
        i = bisect.bisect_right(self.offsets, offset) - 1
        return self.items[i] if i >= 0 else (None, None)


def extract(doc: Document) -> list[ExtractedClaim]:
    """Every quantitative claim (confidence 'high') and unclassified number ('unclassified') in ``doc``."""
    return extract_with_tables(doc)[0]


def extract_with_tables(doc: Document) -> tuple[list[ExtractedClaim], list]:
    """The claims of ``doc`` and its score tables (:class:`~desktop.claims.scoretable.ScoreTable`), each
    indicator row linked to its claims by index in the returned list."""
    text = doc.text
    norm, _ = normalise(text)
    lines = _lines(doc, norm)
    sections = _Sections(lines)
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
        flags = _flags(value, unit, kind, scale, approx, cn) if value is not None else []
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
