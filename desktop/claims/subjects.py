"""Naming a claim whose subject is one weak word: "同比增长", "设有", "召开", "支出" say nothing alone.

The extractor takes the clause before the number as a claim's subject (``基金总收入``). Some clauses hold
only a verb or a bare measure: ``同比增长 5.35%``, ``设有 8 个职能科室``, ``已支出7000万元``. This module
names such a claim by the nearest noun phrase:

1. the thing counted, when it follows the figure in the same clause: ``设有 8 个职能科室`` → ``设有职能科室``,
   ``召开 14 次党委会`` → ``召开党委会``;
2. otherwise the subject of the nearest earlier clause of the paragraph that states a figure:
   ``基金总收入 313.53 亿元，同比增长 5.35%`` → ``基金总收入同比增长``; ``市财政补助资金下达7000万元。截止…，
   已支出7000万元`` → ``市财政补助资金支出``;
3. otherwise the section's title: ``资金执行情况`` → ``资金执行情况 支出``.

Only weak subjects are touched, so a well-named claim keeps exactly the name it had. Values and units
never change here (the extractor's precision and recall do not depend on it).
"""

from __future__ import annotations

import re

# verbs and bare measures that name nothing on their own
WEAK_WORDS = frozenset(
    "设有 召开 接收 支出 收入 增长 下降 增加 减少 提高 降低 完成 发放 开展 举办 组织 达到 实现 新增 办理 共有 拥有 有 "
    "拨付 下达 到位 使用 投入 安排 支付 派出 培训 处理 受理 审核 录入 核查 追回 签订 建立 建成 覆盖 参加 参与".split()
)
_CHANGE = re.compile(r"^(?:同比|环比|较上年|比上年|较去年|比去年|较同期|比同期)?(?:增长|下降|增加|减少|提高|降低|上升)(?:了)?$")
_BREAKS = "，,。；;：:！？!?、\n()（）[]【】"
_SENTENCE_ENDS = "。；;！？!?\n"
_LEAD = re.compile(r"^(?:其中|另外|此外|同时|共计|合计|累计|总计|全年共|全年|共|已|均|并|且|和|及|与|为|是|截止|截至|目前)+")
_TRAIL = re.compile(r"(?:达到了|达到|达|为|是|约|近|共计|共|计|合计|累计|总计|实现|超过|逾|了|已|分别|均|下达|拨付|安排|"
                    r"\s)+$")
_NOUN_AFTER = re.compile(r"[\u4e00-\u9fff“”\"]{2,24}")
_NUMBERING = re.compile(r"^[\s#*]*(?:[（(]?[一二三四五六七八九十0-9]+[)）、.．]\s*)+")
_MAX_BACK = 160  # characters of the paragraph searched for an earlier clause


def is_weak(subject: str | None) -> bool:
    """Whether a subject names nothing on its own (a verb, a bare measure, one or two characters)."""
    s = (subject or "").strip()
    if not s:
        return False
    return len(s) <= 1 or s in WEAK_WORDS or bool(_CHANGE.match(s))


def _visible(view: str, sub: str, a: int, b: int) -> str:
    """``view[a:b]`` without masked stretches (dates, document numbers, list markers)."""
    return "".join(ch for ch, m in zip(view[a:b], sub[a:b]) if m != "\x00")


def _clean(s: str) -> str:
    prev = None
    s = s.strip(" *#\t|")
    while prev != s:
        prev = s
        s = _LEAD.sub("", s).strip()
        s = _TRAIL.sub("", s).strip()
    return s


def _noun_after(view: str, sub: str, end: int) -> str:
    """The words right after the figure in its own clause (``个职能科室`` → ``职能科室``), or ''."""
    j = end
    while j < len(view) and view[j] in " \t":
        j += 1
    stop = j
    while stop < len(view) and view[stop] not in _BREAKS and stop - j < 24 and not view[stop].isdigit():
        stop += 1
    m = _NOUN_AFTER.match(_visible(view, sub, j, stop))
    if not m:
        return ""
    words = m.group()
    for particle in ("的", "和", "及", "与", "等"):
        k = words.find(particle)
        if k >= 2:
            words = words[:k]
    return words if len(words) >= 2 and words not in WEAK_WORDS else ""


def _noun_before(view: str, sub: str, clause_start: int) -> str:
    """The subject of the nearest earlier clause in the paragraph that states a figure, or ''."""
    para = view.rfind("\n", 0, clause_start) + 1
    floor = max(para, clause_start - _MAX_BACK)
    end = clause_start
    while end > floor:
        start = end - 1
        while start > floor and view[start - 1] not in _BREAKS:
            start -= 1
        clause = _visible(view, sub, start, end).strip(_BREAKS + " ")
        digit = re.search(r"[0-9]", clause)
        if digit:
            name = _clean(clause[: digit.start()])
            name = re.sub(r"[^\u4e00-\u9fff“”\"A-Za-z]+$", "", name)
            if len(name) >= 2 and not is_weak(name):
                return name
        end = start - 1 if start > floor else floor
    return ""


def _section_name(section: str | None) -> str:
    name = _NUMBERING.sub("", section or "").strip(" *#。.")
    return name[:20]


def name_weak_subject(subject: str, view: str, sub: str, number_start: int, claim_end: int,
                      section: str | None) -> str:
    """``subject`` if it names something; else the weak word with the nearest noun phrase.

    ``view`` is the text the extractor reads, ``sub`` the same text with dates and document numbers
    blanked (NUL), ``number_start`` / ``claim_end`` the figure's place in it, ``section`` its heading.
    """
    if not is_weak(subject):
        return subject
    change = bool(_CHANGE.match(subject))
    if not change:
        after = _noun_after(view, sub, claim_end)
        if after:
            return subject + after
    clause_start = number_start
    while clause_start > 0 and view[clause_start - 1] not in _BREAKS:
        clause_start -= 1
    before = _noun_before(view, sub, clause_start - 1 if clause_start > 0 else 0)
    if before:
        return before + subject
    section_name = _section_name(section)
    if section_name and section_name != subject:
        return f"{section_name} {subject}"
    return subject


__all__ = ["is_weak", "name_weak_subject", "WEAK_WORDS"]
