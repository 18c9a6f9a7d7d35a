"""The vocabulary claims are read with, shared by the text rules (:mod:`desktop.claims.extractor`) and the
score-table reader (:mod:`desktop.claims.tables`): units and their kinds, magnitudes, the number pattern,
per-character normalisation, decimal and Chinese-numeral values, the claim record and its flags."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

# --- units ---------------------------------------------------------------------------------------

AMOUNT, COUNT, PERCENT, SCORE, RANK, MEASURE, DURATION, RATIO = (
    "amount", "count", "percent", "score", "rank", "measure", "duration", "ratio")

#: base unit as written -> kind. Magnitudes (万, 亿 …) are matched separately in front of these.
BASE_UNITS: dict[str, str] = {
    # money
    "元": AMOUNT, "美元": AMOUNT, "欧元": AMOUNT, "港元": AMOUNT, "元人民币": AMOUNT,
    # percentages and rates
    "%": PERCENT, "‰": PERCENT, "百分比": PERCENT, "个百分点": PERCENT, "百分点": PERCENT,
    "个千分点": PERCENT, "千分点": PERCENT,
    # people and units of work
    "人次": COUNT, "人": COUNT, "所次": COUNT, "校次": COUNT, "户次": COUNT, "户": COUNT, "家次": COUNT, "家": COUNT, "名": COUNT,
    "个": COUNT, "次": COUNT, "条": COUNT, "项": COUNT, "批次": COUNT, "批": COUNT, "件次": COUNT,
    "件": COUNT, "份": COUNT, "册": COUNT, "本": COUNT, "套": COUNT, "台套": COUNT, "台": COUNT,
    "辆": COUNT, "艘": COUNT, "架": COUNT, "张": COUNT, "幅": COUNT, "部": COUNT, "篇": COUNT,
    "场次": COUNT, "场": COUNT, "期": COUNT, "轮": COUNT, "所": COUNT, "座": COUNT, "栋": COUNT,
    "间": COUNT, "处": COUNT, "宗": COUNT, "起": COUNT, "笔": COUNT, "支": COUNT, "类": COUNT,
    "种": COUNT, "头": COUNT, "只": COUNT, "株": COUNT, "棵": COUNT, "床": COUNT, "张床": COUNT,
    "人日": COUNT, "块": COUNT, "面": COUNT, "段": COUNT, "盏": COUNT,
    # archives: 卷, 盒, 盘 (audio-visual), 页
    "卷": COUNT, "盒": COUNT, "盘": COUNT, "页": COUNT,
    # seeds, tubers, tablets: 万粒
    "粒": COUNT,
    "剂次": COUNT, "剂": COUNT, "针次": COUNT, "例次": COUNT, "台次": COUNT, "车次": COUNT, "架次": COUNT,
    "艘次": COUNT, "班次": COUNT, "趟": COUNT, "课时": COUNT, "学时": COUNT, "门": COUNT, "例": COUNT, "班": COUNT, "期次": COUNT,
    # measures
    "亩": MEASURE, "公顷": MEASURE, "平方米": MEASURE, "平方公里": MEASURE, "㎡": MEASURE,
    "m²": MEASURE, "m³": MEASURE, "㎞": MEASURE, "公里": MEASURE, "千米": MEASURE, "km": MEASURE,
    "米": MEASURE, "厘米": MEASURE, "毫米": MEASURE, "延米": MEASURE, "m": MEASURE, "吨": MEASURE, "千克": MEASURE, "公斤": MEASURE,
    "kg": MEASURE, "立方米": MEASURE, "方": MEASURE, "千瓦时": MEASURE, "千瓦": MEASURE,
    "兆瓦": MEASURE, "kWh": MEASURE, "kW": MEASURE, "GB": MEASURE, "TB": MEASURE, "MB": MEASURE,
    "Mbps": MEASURE, "度电": MEASURE, "标准亩": MEASURE,
    # speeds: 设计速度80公里/小时
    "公里/小时": MEASURE, "千米/小时": MEASURE, "km/h": MEASURE,
    # hectares and tonnes in Latin letters (hm² often loses its ² in conversion: 1429.39hm)
    "hm²": MEASURE, "hm2": MEASURE, "hm": MEASURE, "t": MEASURE,
    # time
    "个工作日": DURATION, "工作日": DURATION, "个月": DURATION, "天": DURATION, "小时": DURATION,
    "分钟": DURATION, "周": DURATION,
    # scores, ranks, ratios
    "分": SCORE, "等奖": RANK, "倍": RATIO,
}

#: characters that may not follow a unit (the "unit" was the start of another word)
NOT_AFTER = {
    "人": "民员口才社大均工为们事",
    "元": "旦素件首",
    "个": "人体性别案",
    "次": "要日序生",
    "分": "钟析别类局为期配布管享担之成批摊项解值数段散级",
    "名": "单称义额誉",
    "项": "目",
    "条": "例件款",
    "家": "庭属长",  # 15家乡镇卫生院: after a number 家乡 is 家 + 乡镇
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
    "块": "钱",
    "段": "落时",
    "卷": "烟宗入",
    "盒": "子饭",
    "盘": "点活查",
    "页": "面码",
    "hm": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "t": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "面": "积临向对上下前",
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

NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"


def alternation(words: Iterable[str]) -> str:
    """A regular-expression alternation of ``words``, longest first (so 万人次 wins over 万人)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

MAGNITUDE = r"万亿|千万|百万|亿|万(?!分)|千(?![米克瓦])"
#: a unit as written, with or without its magnitude (万元, 人次, %), or a magnitude alone
UNIT_ONLY = rf"(?:(?:{MAGNITUDE})?(?:{alternation(BASE_UNITS)})|{MAGNITUDE})"


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


def claim_flags(value: Decimal, unit: str, kind: str, scale: int, approx: str | None, cn: bool) -> list[str]:
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


def base_unit_pattern() -> str:
    """Every base unit, longest first, as a regex alternation (元/人 and the like included; a unit that is
    the start of another word, such as 人 in 人民, does not match)."""
    parts = []
    for u in sorted(BASE_UNITS, key=len, reverse=True):
        p = re.escape(u)
        if u == "元":
            p += r"(?:/(?:人·月|人·年|人/月|人/年|人次|人|户|月|年|次|亩|吨|平方米|㎡|天|日|个|件|小时|公里|份|套|[\u4e00-\u9fff](?![\u4e00-\u9fff])))?"
        if u in NOT_AFTER:
            p += f"(?![{re.escape(NOT_AFTER[u])}])"
        parts.append(p)
    return "|".join(parts)
