"""The words side of suggestions: bigrams, a claim's clause and sentence, measure words, years.

No word segmenter: words are compared as character bigrams, weighted by how rare they are. Two things a
bigram cannot tell are judged here by small lexicons:

* **measure words**: a figure beside 缺口 is not the claim's 收入, whatever the shared domain words
  (机关事业单位养老保险) say. :func:`measures` sorts the words beside a number and a claim's own words into
  groups (flows of money, budget or final accounts, kinds of rate); :func:`measures_conflict` tells
  when both speak within a group and never agree.
* **years**: a file about 2023 (its name, folder or title says so) does not back a 2024 claim, however
  well the figure and the words match (:func:`years_in`, :func:`report_year`, :func:`claim_year`).
"""

from __future__ import annotations

import re
from collections import Counter

# characters that make a bigram meaningless when both of its characters are among them
STOP_CHARS = set("的了和与及等共全为是在对将已达到有其中各本我局年月日并由于从以之而或被把向就都也还又再上下内外"
                 "个次万亿元人条项名家户件批多余约近超过计累合总第该此每")
_CJK = re.compile(r"[\u3400-\u9fff]+")


def bigrams(text: str | None) -> list[str]:
    out = []
    for run in _CJK.findall(text or ""):
        for i in range(len(run) - 1):
            bg = run[i : i + 2]
            if bg[0] in STOP_CHARS and bg[1] in STOP_CHARS:
                continue
            out.append(bg)
    return out


def trigrams(texts: list[str], limit: int = 12) -> list[str]:
    out: list[str] = []
    for text in texts:
        for run in _CJK.findall(text or ""):
            for i in range(len(run) - 2):
                tri = run[i : i + 3]
                if sum(ch in STOP_CHARS for ch in tri) >= 2 or tri in out:
                    continue
                out.append(tri)
    return out[:limit]


def words_from(text: str, matched: set[str]) -> list[str]:
    """Maximal runs of ``text`` covered by matched bigrams: the words to show to a person."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n - 1:
        if text[i : i + 2] in matched:
            j = i + 1
            while j < n - 1 and text[j : j + 2] in matched:
                j += 1
            word = text[i : j + 1]
            if word not in out:
                out.append(word)
            i = j + 1
        else:
            i += 1
    return out


def sentence(text: str, start: int | None, end: int | None) -> str:
    """The sentence around a claim in its report (the claim's own number left out)."""
    if not text or start is None or end is None:
        return ""
    a = max(text.rfind(ch, 0, start) for ch in "。；！？\n") + 1
    ends = [i for i in (text.find(ch, end) for ch in "。；！？\n") if i >= 0]
    b = min(ends) if ends else len(text)
    return text[a:start] + " " + text[end:b]


def clause(text: str | None, *, last: bool) -> str:
    """The words of the claim's own clause on one side of its number (nothing past a comma)."""
    parts = re.split(r"[，。；：、,;:！？!?\n（）()]", text or "")
    return (parts[-1] if last else parts[0]).strip()


# --- measure words -------------------------------------------------------------------------------

# group -> canonical measure -> the words that say it. Within a group, two different measures are two
# different figures: money coming in is not money going out, a budget is not the final accounts, a
# 到位率 is not a 使用率.
MEASURE_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "flow": {
        "收入": ("收入", "下达", "到位资金", "拨入", "收到", "筹集"),
        "支出": ("支出", "支付", "发放", "付款", "报销", "使用"),
        "缺口": ("缺口", "缺额", "赤字"),
        "结余": ("结余", "余额", "结转", "盈余"),
    },
    "accounts": {
        "预算": ("预算",),
        "决算": ("决算",),
    },
    "rate": {
        "到位": ("到位率",),
        "使用": ("使用率",),
        "执行": ("执行率",),
        "发放": ("发放率",),
        "覆盖": ("覆盖率",),
        "接续": ("接续率",),
        "满意": ("满意度", "满意率"),
        "增长": ("增长", "增幅", "增减", "同比", "比上年"),
    },
}


def measures(text: str | None) -> dict[str, set[str]]:
    """``{group: {canonical measures}}`` said in ``text``."""
    out: dict[str, set[str]] = {}
    if not text:
        return out
    for group, canon in MEASURE_GROUPS.items():
        for name, words in canon.items():
            if any(w in text for w in words):
                out.setdefault(group, set()).add(name)
    return out


def measures_conflict(claim: dict[str, set[str]], found: dict[str, set[str]]) -> tuple[str, str] | None:
    """(the claim's measure, the one found) when, within one group, both say one and none agrees."""
    for group, mine in claim.items():
        theirs = found.get(group)
        if theirs and not (mine & theirs):
            return sorted(mine)[0], sorted(theirs)[0]
    return None


def measures_agree(claim: dict[str, set[str]], found: dict[str, set[str]]) -> bool:
    """Whether the words beside a number say the claim's own measure (支出 beside a claim of 支出)."""
    return any(mine & found.get(group, set()) for group, mine in claim.items())


# --- years ---------------------------------------------------------------------------------------

_YEAR_ANY = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_YEAR_WRITTEN = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*年")
_YEAR_FIRST = 1990
_YEAR_LAST = 2100


def years_in(text: str | None, *, written: bool = False) -> set[int]:
    """Years a name or a title speaks of: ``2023`` in a file name, ``2023年`` (``written``) in a title."""
    rx = _YEAR_WRITTEN if written else _YEAR_ANY
    return {int(y) for y in rx.findall(text or "") if _YEAR_FIRST <= int(y) <= _YEAR_LAST}


def report_year(name: str | None, text: str | None) -> int | None:
    """The year a report is about: the one its title and opening name most often (``2024年度…``)."""
    counts: Counter[int] = Counter()
    for y in years_in(name):
        counts[y] += 3
    opening = (text or "")[:3000]
    for y in _YEAR_WRITTEN.findall(opening):
        if _YEAR_FIRST <= int(y) <= _YEAR_LAST:
            counts[int(y)] += 1
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def claim_year(sentence_text: str, default: int | None) -> int | None:
    """The year a claim is about: the one its sentence names (when it names one), else the report's."""
    years = years_in(sentence_text, written=True)
    return next(iter(years)) if len(years) == 1 else default


__all__ = ["bigrams", "trigrams", "words_from", "sentence", "clause", "measures", "measures_conflict", "measures_agree",
           "years_in",
           "report_year", "claim_year", "STOP_CHARS"]
