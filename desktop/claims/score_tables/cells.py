"""What one cell of a 绩效自评表 holds: a quantity with a direction (``≥95%``, ``95%以上``, ``小于5%``,
``100%覆盖``), a bare number (``735``, ``10.00``), a comparator alone (``≧``, ``═``), a unit alone
(``%``, ``人次``), a dash, a level name (产出指标, 数量指标) or text.

Matching keys (:func:`key`) fold what does not change a word's meaning: NFKC, whitespace, the pinyin
annotations some mirror sites insert (``項(xiàng)目``) and the Traditional forms of the characters the
form's vocabulary uses, so ``年初預(yù)算數(shù)`` is found as 年初预算数.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from desktop.claims.lexicon import MAGNITUDE as _MAG
from desktop.claims.lexicon import base_unit_pattern

# --- text keys -----------------------------------------------------------------------------------

#: Traditional forms of the characters the form's vocabulary uses, and their Simplified ones
_TRAD_CHARS = "標級實際預數執資總額單計質時滿產經濟會態續響務對當財撥結轉績進與達現項義設說調後權評價決過覽環應據員險護區體維衛補費規劃驗門構導圖書館領處類屬測報審準確問題條個萬億戶參蓋營養學醫療農業電網絡頭責違為們況場則齡圍壓點開關聯貧難復"
_SIMP_CHARS = "标级实际预数执资总额单计质时满产经济会态续响务对当财拨结转绩进与达现项义设说调后权评价决过览环应据员险护区体维卫补费规划验门构导图书馆领处类属测报审准确问题条个万亿户参盖营养学医疗农业电网络头责违为们况场则龄围压点开关联贫难复"
_TRAD = str.maketrans(_TRAD_CHARS, _SIMP_CHARS)
_PAGE_MARK = re.compile(r"\s*\n[0-9]{1,2}、")  # a Word preview's page number inside a cell
_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,8}[)）]")
_SPACE = re.compile(r"\s+")
_KEEP_CHARS = set("，、①②③④⑤⑥⑦⑧⑨⑩")
_CMP_CHARS = str.maketrans({"≧": "≥", "⩾": "≥", "≦": "≤", "⩽": "≤", "═": "=", "﹦": "=", "＝": "=", "＞": ">",
                            "＜": "<", "〉": ">", "〈": "<"})


_NFKC_TABLE: dict[int, str] = {}
_HAS_TRAD = re.compile(f"[{_TRAD_CHARS}]")


def simplified(text: str) -> str:
    """``text`` with the form's Traditional characters made Simplified (one for one)."""
    return text.translate(_TRAD) if _HAS_TRAD.search(text) else text


@lru_cache(maxsize=8192)
def nfkc(text: str) -> str:
    """NFKC where it maps one character to one (offsets stay valid), comparators made plain."""
    if text.isascii():
        return text
    for ch in set(text):
        o = ord(ch)
        if o < 128 or o in _NFKC_TABLE:
            continue
        n = unicodedata.normalize("NFKC", ch)
        _NFKC_TABLE[o] = n if len(n) == 1 and ch not in _KEEP_CHARS else ch
    return text.translate(_NFKC_TABLE).translate(_CMP_CHARS)


@lru_cache(maxsize=8192)
def key(text: str | None) -> str:
    """A matching key: NFKC, no whitespace, no pinyin annotations, Simplified forms."""
    if not text:
        return ""
    s = _PINYIN.sub("", nfkc(text))
    return _SPACE.sub("", s).translate(_TRAD)


def strip_page_marks(text: str | None) -> str:
    """A cell without the page numbers a Word preview puts in it (``按规定公\n2、开``)."""
    return _PAGE_MARK.sub("", text or "")


def clean(text: str | None) -> str:
    """A cell's text for display: whitespace runs made single spaces, trimmed."""
    return _SPACE.sub(" ", text or "").strip()


# --- quantities ----------------------------------------------------------------------------------

NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_EXTRA_UNITS = ("周岁", "岁", "年", "月", "日", "分", "台件", "件套", "人/次")
UNIT = rf"(?:(?:{_MAG})?(?:{base_unit_pattern()}|{'|'.join(re.escape(u) for u in _EXTRA_UNITS)})|{_MAG})"
#: a unit word alone in a cell (度量单位 column, or a unit that ran into its own cell)
UNIT_ONLY_RE = re.compile(rf"{UNIT}|万[a-zA-Z²³]+|[a-zA-Z²³/]{{1,6}}")

OPS_BEFORE = {
    "≥": ">=", ">=": ">=", "=>": ">=", "大于等于": ">=", "大于或等于": ">=", "不低于": ">=", "不少于": ">=",
    "不小于": ">=", "达到": ">=", "至少": ">=", "≤": "<=", "<=": "<=", "=<": "<=", "小于等于": "<=",
    "小于或等于": "<=", "不高于": "<=", "不超过": "<=", "不大于": "<=", "不多于": "<=", "控制在": "<=", "至多": "<=",
    ">": ">", "大于": ">", "高于": ">", "超过": ">", "多于": ">", "<": "<", "小于": "<", "低于": "<", "少于": "<",
    "=": "=", "==": "=", "等于": "=",
}
OPS_AFTER = {"以上": ">=", "及以上": ">=", "或以上": ">=", "以下": "<=", "及以下": "<=", "或以下": "<=", "以内": "<="}
_OPS_BEFORE_RE = "|".join(re.escape(k) for k in sorted(OPS_BEFORE, key=len, reverse=True))
_OPS_AFTER_RE = "|".join(re.escape(k) for k in sorted(OPS_AFTER, key=len, reverse=True))
#: words before a number that make it relative (增372人次, 超上年2%, 下降1%): not a target or an actual
RELATIVE = ("增加", "增长", "增收", "增", "减少", "减", "下降", "降低", "提高", "提升", "上升", "超上年", "比上年",
            "较上年", "同比", "环比", "节约", "节省")
_QTY_RE = re.compile(
    rf"\s*(?P<op>{_OPS_BEFORE_RE})?\s*(?P<num>{NUM})\s*(?P<unit>{UNIT})?\s*(?P<post>{_OPS_AFTER_RE})?"
    rf"\s*(?P<gloss>[(（][^()（）0-9]{{1,8}}[)）]|[\u4e00-\u9fff]{{1,2}})?\s*"
)
_DIGIT = re.compile(r"[0-9]")
_AMOUNT_RE = re.compile(rf"(?P<num>{NUM}|\.[0-9]+)\s*(?P<unit>(?:万|亿|千)?元)?")
_DASH_RUN = re.compile(r"[-—–－/\\]+")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff·/]+")
_FIGURE_RE = re.compile(rf"\s*(?P<num>{NUM}|\.[0-9]+)\s*(?P<unit>%|分)?\s*")
_DATE_RE = re.compile(r"(?:19|20)[0-9]{2}\s*年|[0-9]{1,2}\s*月(?:底|末|前|份|[0-9]{1,2}\s*日)|(?:19|20)[0-9]{2}[.\-/][0-9]{1,2}")
_GLOSS_OK = re.compile(r"^(?:覆盖|完成|达标|合格|全覆盖|以上|左右|\(.*\)|（.*）)$")
_DASHES = {"—", "-", "－", "–", "一", "——", "/", "\\", "无", "/", "×", "x", "X", "——", "--", "/"}
CMP_ONLY = {"≥", "≤", "=", ">", "<", ">=", "<=", "大于", "小于", "大于等于", "小于等于", "不低于", "不高于", "不少于",
            "不超过", "等于", "定性", "定量", "正向", "反向"}


@dataclass(frozen=True)
class Quantity:
    """A number with its direction and unit as written in one cell."""

    op: str | None
    text: str  # the number with normalised digits, separators dropped
    value: Decimal
    unit: str
    gloss: str = ""


def _number(raw: str) -> tuple[str, Decimal] | None:
    text = raw.replace(",", "")
    try:
        return text, Decimal(text)
    except InvalidOperation:
        return None


@lru_cache(maxsize=8192)
def parse_quantity(cell: str | None) -> Quantity | None:
    """``≥95%`` → (>=, 95, %); ``95%以上`` → (>=, 95, %); ``100%覆盖`` → (None, 100, %); ``735`` →
    (None, 735, ""). None for text, dates, ranges, relative (增372人次) or compound values."""
    if not cell:
        return None
    s = nfkc(_PAGE_MARK.sub("", cell)).strip()
    if not s or not _DIGIT.search(s):
        return None
    s = re.sub(r"\(含\)(?=以上|以下|以内)", "", s)  # 90%(含)以上
    m = _QTY_RE.fullmatch(s)
    if not m:
        return None
    if _DATE_RE.search(s):
        return None
    gloss = m.group("gloss") or ""
    if gloss and not (_GLOSS_OK.match(gloss) or gloss.startswith(("(", "（"))):
        return None
    num = _number(m.group("num"))
    if num is None:
        return None
    op = OPS_BEFORE.get(m.group("op")) if m.group("op") else None
    unit = m.group("unit") or ""
    if not unit and gloss[:1] in ("(", "（"):
        g = re.fullmatch(r"[(（]\s*(?P<u>[^()（）]{1,6})\s*[)）]", gloss)
        if g and unit_only(g.group("u")):
            unit = unit_only(g.group("u"))  # 50（个）: the unit in brackets after the figure
    if unit in ("月", "日") or (unit == "年" and num[1] >= 100):
        return None  # 12月, 2024年: dates, not quantities (≥15年 is a duration)
    post = m.group("post")
    if post and op is None:
        op = OPS_AFTER[post]
    if gloss in ("以上",) and op is None:
        op = ">="
    return Quantity(op, num[0], num[1], unit, gloss)


@dataclass(frozen=True)
class FigureValue:
    text: str
    value: Decimal
    unit: str  # "%" or "分" or ""


@lru_cache(maxsize=8192)
def parse_figure(cell: str | None) -> FigureValue | None:
    """A 分值 / 得分 / 执行率 / amount cell: a bare number, optionally with % or 分."""
    if not cell:
        return None
    m = _FIGURE_RE.fullmatch(nfkc(cell))
    if not m:
        return None
    num = _number(m.group("num"))
    if num is None:
        return None
    return FigureValue(num[0], num[1], m.group("unit") or "")


@lru_cache(maxsize=4096)
def parse_amount(cell: str | None) -> FigureValue | None:
    """A budget amount: a number, optionally followed by 万元 / 元 (the unit is the block's)."""
    if not cell:
        return None
    s = nfkc(cell).strip()
    m = _AMOUNT_RE.fullmatch(s)
    if not m:
        return None
    num = _number(m.group("num"))
    if num is None:
        return None
    return FigureValue(num[0], num[1], m.group("unit") or "")


def is_dash(cell: str | None) -> bool:
    s = key(cell)
    return bool(s) and (s in _DASHES or bool(_DASH_RUN.fullmatch(s)))


def comparator(cell: str | None) -> str | None:
    """A 指标性质 cell: ``≧`` → ``>=``; ``═`` → ``=``; None when it is not a comparator."""
    s = key(cell)
    if not s:
        return None
    return OPS_BEFORE.get(s)


@lru_cache(maxsize=4096)
def unit_only(cell: str | None, *, column: bool = False) -> str | None:
    """A 度量单位 cell: the unit as written (magnitudes kept: 万元, 万亩), None when not a unit. In a unit
    column (``column``) any short word is taken as written (台件, 批次, 人·次)."""
    s = nfkc(cell or "").strip()
    if not s or len(s) > 8 or _DIGIT.search(s):
        return None
    s = s.strip("()（）")
    if s in ("百分比", "百分率"):
        return s
    m = UNIT_ONLY_RE.fullmatch(s)
    if m:
        return s
    if column and len(s) <= 3 and _CJK_WORD.fullmatch(s) and not is_dash(s) and (
            s[-1] in _MEASURE_WORDS or "/" in s or "·" in s):
        return s
    return None


#: the last character of a counting unit the lexicon may not list (台件, 人·次, 元/公里)
_MEASURE_WORDS = set("件次个台套批起人户家所项场元亩吨米株头只份册本篇座辆艘架张幅部间处宗笔支类种床剂针例班门期轮趟组盏眼口孔棵栋")


_NAME_UNIT = re.compile(
    rf"[(（]\s*(?:[≥≤><=]\s*)?(?:\*+|[0-9.]*)\s*(?P<unit>{UNIT}|百分比|%)\s*[)）]\s*$"
)


def unit_from_name(name: str | None) -> str | None:
    """The unit an indicator's name states: ``数量（个）`` → 个, ``时限(月)`` → 月, ``(≥**平方米)`` → 平方米."""
    if not name:
        return None
    m = _NAME_UNIT.search(nfkc(name))
    if not m:
        return None
    unit = m.group("unit")
    return "%" if unit == "百分比" else unit


def op_from_name(name: str | None) -> str | None:
    """A comparator that only the name's template gives: ``面积(≥**平方米)`` → >=."""
    m = re.search(r"[(（]\s*([≥≤><=])\s*\*", nfkc(name or ""))
    return OPS_BEFORE.get(m.group(1)) if m else None


def is_date_like(cell: str | None) -> bool:
    return bool(_DATE_RE.search(nfkc(cell or "")))
