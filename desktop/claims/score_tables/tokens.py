"""Cells of a table whose borders were lost: a stretch of text cut into tokens.

Separators, when the text has them, cut first: pipes (``| a | b |``, rows on lines or not), tabs,
newlines (one cell per line) and spaces. What is left of a cell that still mixes words and figures —
cells run together by a conversion, ``完整、准确率100%100%44`` — is cut where a figure starts or ends:
``完整、准确率`` · ``100%`` · ``100%`` · ``44`` (the last one may hold several cells: 分值 4 and 得分 4;
the aligner decides). Dates (``2021年12月完成``), labels (``任务1:``) and relative figures
(``增372人次``, ``减少01万元``) stay inside their words; level names (产出指标, 数量指标) run into the
text after them are cut off it. A cell the text shows empty — ``| |``, a line that is only ``|`` where each
cell ends in a pipe, two tabs, a paragraph holding a space — is an :data:`EMPTY` token, so the cells
after it keep their columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from desktop.claims.lexicon import MAGNITUDE as _MAG
from desktop.claims.lexicon import base_unit_pattern
from desktop.claims.score_tables import cells as C
from desktop.claims.score_tables import vocab as V

# kinds
TEXT, QTY, NUM, RUN, CMP, UNIT, DASH, LVL1, LVL2, LVL12, VOID, EMPTY = (
    "text", "qty", "num", "run", "cmp", "unit", "dash", "lvl1", "lvl2", "lvl12", "void", "empty")


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int
    brk: bool = False  # a line break before it
    glued: bool = False  # no separator on either side: a number here may hold several cells

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.kind}:{self.text!r}"


_OPS = "|".join(re.escape(k) for k in sorted(C.OPS_BEFORE, key=len, reverse=True) if not k.isascii() or len(k) == 1
                or k in (">=", "<="))
_POST = "|".join(re.escape(k) for k in sorted(C.OPS_AFTER, key=len, reverse=True))
_UNIT_RE = rf"(?:(?:{_MAG})?(?:{base_unit_pattern()})|(?:{_MAG})(?![0-9]))"
#: a figure inside run-together text; a digit run (several cells glued) is one match
FIGURE_NO_UNIT_RE = re.compile(rf"(?P<op>{_OPS})?(?P<num>(?:[0-9]+|\.[0-9]+)(?:[.,][0-9]+)*%?)")
FIGURE_RE = re.compile(
    rf"(?P<op>{_OPS})?(?P<num>(?:[0-9]+|\.[0-9]+)(?:[.,][0-9]+)*%?)"
    rf"(?P<unit>{_UNIT_RE})?(?P<post>{_POST})?"
)
DATE_RE = re.compile(
    r"(?:19|20)[0-9]{2}\s*年(?:\s*[0-9]{1,2}\s*月)?(?:\s*[0-9]{1,2}\s*日)?(?:底|末|前|内|以前|之前|初|中)*"
    r"|(?<![0-9.])[0-9]{1,2}\s*月(?:份)?(?:\s*[0-9]{1,2}\s*日)?(?:底|末|前|内|以前|之前)*"
    r"|(?:19|20)[0-9]{2}[.\-/][0-9]{1,2}(?:[.\-/][0-9]{1,2})?"
)
_LABEL_NUM = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z])[0-9]{1,2}(?=[:：、])|^[0-9]{1,2}、")
#: a range inside a name: 0-6岁儿童, 0-36月龄
_RANGE_IN_NAME = re.compile(r"(?<![0-9.])[0-9]{1,3}\s*[-~～—至]\s*[0-9]{1,3}(?=[\u4e00-\u9fff]{2})")
#: a slot label run into its name: 指标1免费发放…, 指标12021年…前完成 (指标1 then a date)
#: (after a level word, a figure or no word: 达成预期指标55 ends a name with 指标 and is followed by figures)
_SLOT_LABEL = re.compile(r"(?:(?<=指标)|(?<=[0-9%])|(?<![\u4e00-\u9fff]))"
                         r"(?:指标[0-9]{1,2}(?=[\u4e00-\u9fff])|指标[0-9](?=(?:19|20)[0-9]{2}\s*年))")
_RELATIVE_BEFORE = tuple(sorted(C.RELATIVE, key=len, reverse=True))
_ANNOTATION = r"\s*[(（][^()（）]{0,16}[)）]"
_LEVEL_RE = re.compile(
    "(?:" + "|".join(re.escape(w[:-2]) + "[ \u3000]?指标" for w in V.LEVEL_SCAN_WORDS if w.endswith("指标")) +
    rf")(?:{_ANNOTATION})*"  # 产出 指标: a level cell wrapped at a space
    "|(?:" + "|".join(re.escape(w) for w in V.LEVEL_SCAN_WORDS if not w.endswith("指标")) + rf")(?:{_ANNOTATION})+"
)
#: placeholders of empty indicator slots: 指标1: 指标2: 指标L
_PLACEHOLDER = re.compile(r"(?:指标(?:[0-9](?=(?:19|20)[0-9]{2}\s*年)|[0-9一二三四五六七八九十LlI]{1,2}(?!级))[:：.]?)+")
_ANNOTATION_RE = re.compile(_ANNOTATION)
_SPACE = re.compile(r"[ \t\u3000]+")
_SEP_PIPE = re.compile(r"[|\t]+|\n")
_SEP_LINE = re.compile(r"[|\t]+|\n(?:[0-9]{1,2}、)?")  # 2、 at a line start: a page marker of a Word preview
_SEP_SPACE = re.compile(r"[ \t\u3000|]+|\n")
_DIGIT = re.compile(r"[0-9]")
_RUN_RE = re.compile(r"\.?[0-9][0-9.,%]*")


@lru_cache(maxsize=8192)
def _kind_of_cell(text: str) -> str:
    """The kind of a whole cell (a piece between separators)."""
    s = text.strip()
    if not s:
        return DASH
    if C.is_dash(s):
        return DASH
    if C.comparator(s):
        return CMP
    lk = V.level_kind(s)
    if lk == "L1":
        return LVL1
    if lk == "L2":
        return LVL2
    if lk == "L12":
        return LVL12
    if len(s) <= 8 and C.unit_only(s) and len(C.key(s)) <= 4:
        return UNIT
    f = C.parse_figure(s)
    if f is not None and not f.unit:
        return NUM
    if C.parse_quantity(s) is not None:
        return QTY
    if _RUN_RE.fullmatch(C.nfkc(s)):
        return RUN
    return TEXT


_PIPE_PART = re.compile(r"\||\n|[^|\n]+")


def _pipe_pieces(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(start, end, line break before) of each cell between pipes, an empty cell (``| |``, or a line
    that is only ``|`` where every cell ends in one) as a piece with ``start == end``. Rows written
    ``| a | b |`` open each line with a pipe: that one borders no cell."""
    lines = [ln.strip() for ln in text[start:end].split("\n") if ln.strip()]
    opened = sum(1 for ln in lines if ln.startswith("|")) * 2 >= len(lines) > 0
    out: list[tuple[int, int, bool]] = []
    brk = False
    content = False  # words since the last pipe
    last_pipe_line = None  # the line number of the last pipe (None: no pipe yet)
    line = 0
    for m in _PIPE_PART.finditer(text, start, end):
        g = m.group()
        if g == "\n":
            brk = True
            line += 1
        elif g == "|":
            if not content and last_pipe_line is not None and (not opened or last_pipe_line == line):
                out.append((m.start(), m.start(), brk))
                brk = False
            content = False
            last_pipe_line = line
        else:
            s, e = _strip(text, m.start(), m.end())
            if e > s:
                out.append((s, e, brk))
                brk = False
                content = True
    return out


def _tab_pieces(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(start, end, line break before) of each cell between tabs, an empty cell (two tabs together, a
    tab at a line's start or end) as a piece with ``start == end``."""
    out: list[tuple[int, int, bool]] = []
    pos = start
    brk = False
    for line_end in [*(m.start() for m in re.finditer("\n", text[start:end])), None]:
        le = end if line_end is None else start + line_end
        if "\t" in text[pos:le]:
            cell = pos
            for m in re.finditer("\t", text[pos:le]):
                a, b = _strip(text, cell, pos + m.start())
                out.append((a, b, brk) if b > a else (pos + m.start(), pos + m.start(), brk))
                brk = False
                cell = pos + m.end()
            a, b = _strip(text, cell, le)
            out.append((a, b, brk) if b > a else (le, le, brk))
            brk = False
        else:
            a, b = _strip(text, pos, le)
            if b > a:
                out.append((a, b, brk))
                brk = False
        if line_end is not None:
            brk = True
        pos = le + 1
    return out


_PARA = re.compile(r"\n[ \t\u3000\xa0]*\n")


def _paragraph_pieces(text: str, start: int, end: int) -> list[tuple[int, int, bool]] | None:
    """One cell per paragraph (a web page's table, cells apart by a blank line): a paragraph that is
    only a space is an empty cell (a piece with ``start == end``). None when the block is not written so."""
    seg = text[start:end]
    paras = len(_PARA.findall(seg))
    if paras < 6 or seg.count("\n") > 2 * paras + paras // 2 + 2:
        return None
    out: list[tuple[int, int, bool]] = []
    pos = start
    for m in [*_PARA.finditer(text, start, end), None]:
        pe = end if m is None else m.start()
        chunk = text[pos:pe]
        if chunk.strip():
            ps = _pieces(text, pos, pe, "line")
            if ps:
                ps[0] = (ps[0][0], ps[0][1], True)  # a break before every paragraph
            out.extend(ps)
        elif chunk and m is not None and pos > start:
            out.append((pos, pos, True))
        pos = m.end() if m is not None else end
    return out


def _pieces(text: str, start: int, end: int, mode: str) -> list[tuple[int, int, bool]]:
    """(start, end, line break before) of each non-empty piece between separators."""
    # a pipe or a tab is a cell border whatever else separates the cells
    if mode in ("pipe", "tab"):
        sep = _SEP_PIPE
    elif mode == "line":
        sep = _SEP_LINE
    else:
        sep = _SEP_SPACE
    out = []
    pos = start
    brk = False
    for m in sep.finditer(text, start, end):
        if m.start() > pos:
            s, e = _strip(text, pos, m.start())
            if e > s:
                out.append((s, e, brk))
                brk = False
        if "\n" in m.group():
            brk = True
        pos = m.end()
    if pos < end:
        s, e = _strip(text, pos, end)
        if e > s:
            out.append((s, e, brk))
    return out


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def separator_mode(text: str, start: int, end: int) -> str:
    seg = text[start:end]
    n = max(1, len(seg))
    pipes, tabs, lines = seg.count("|"), seg.count("\t"), seg.count("\n")
    if pipes >= 6 and pipes * 40 >= n or pipes >= 2 and any(ln.count("|") >= 2 for ln in seg.splitlines()):
        return "pipe"
    if tabs >= 4 and tabs * 40 >= n:
        return "tab"
    if lines >= 6 and lines * 14 >= n:
        return "line"
    spaces = len(_SPACE.findall(seg))
    if spaces >= 6 and spaces * 30 >= n:
        return "space"
    return "line"


def tokenize(text: str, start: int, end: int, *, unit_column: bool = False, mode: str | None = None,
             prose_cells: bool = False) -> list[Token]:
    """Tokens of ``text[start:end]`` (offsets into ``text``). ``prose_cells``: a bordered cell that reads
    as sentences (the 原因 cell of a budget block: ``1.预算执行率=…未达到90%的需说明原因;2.…``) is one
    word, not words and figures."""
    mode = mode or separator_mode(text, start, end)
    out: list[Token] = []
    if mode == "pipe" and "\t" not in text[start:end]:
        pieces = _pipe_pieces(text, start, end)
    elif mode == "tab" and "|" not in text[start:end]:
        pieces = _tab_pieces(text, start, end)
    else:
        pieces = (_paragraph_pieces(text, start, end) if mode == "line" else None) or _pieces(text, start, end, mode)
    # cells with borders of their own: pipes, tabs, or one cell per line (not one run-together line)
    bordered = mode in ("pipe", "tab") or (mode == "line" and text.count("\n", start, end) >= 6)
    for s, e, brk in pieces:
        if s == e:
            out.append(Token(EMPTY, "", s, s, brk))
            continue
        piece = text[s:e]
        kind = _kind_of_cell(piece)
        if kind == TEXT and prose_cells and bordered and is_prose(piece):
            out.append(Token(TEXT, piece, s, e, brk))
            continue
        mixed = kind == TEXT and _DIGIT.search(piece) and _looks_glued(piece) and not (
            mode in ("pipe", "tab") and _words_between_figures(piece))
        if kind == TEXT and not mixed:
            toks = _split_levels(text, s, e) if mode in ("line", "space") or len(piece) > 12 else [
                Token(TEXT, piece, s, e)]
        elif kind != TEXT:
            toks = [Token(kind, piece, s, e)]
        else:
            toks = _segment(text, s, e, unit_column)
        if toks:
            toks[0].brk = brk
            if len(toks) == 1 and kind != TEXT:
                toks[0].glued = False
            out.extend(toks)
    _promote_unknown_levels(out)
    if mode in ("space", "line"):
        out = _points(out)
    if mode == "space":
        out = _join_brackets(text, out)
    if mode in ("space", "line"):
        out = _name_then_target(text, out)
    return _split_trailing_comparators(out)


_CLAUSE = re.compile(r"[，。；]|[,;](?![0-9])")


def is_prose(piece: str) -> bool:
    """Sentences, not a cell's name or value (nor cells run together): long, with clause marks, mostly
    words."""
    return len(piece) >= 24 and len(_CLAUSE.findall(piece)) >= 2 and len(_DIGIT.findall(piece)) * 5 < len(piece)


_ENDING_TARGET = re.compile(rf"(?P<op>[=≤≥<>＝≦≧]|>=|<=)(?P<num>[0-9]+(?:\.[0-9]+)?%?)(?P<unit>{_UNIT_RE})?$")


def _name_then_target(text: str, toks: list[Token]) -> list[Token]:
    """``足额保障率=100%`` / ``科目调整次数≤10次``: a name and a target with its sign run together, the one
    figure of the piece at its end — two cells (a name with a figure inside it has no sign before it)."""
    out: list[Token] = []
    for i, t in enumerate(toks):
        n = C.nfkc(t.text)
        m = _ENDING_TARGET.search(n) if t.kind == TEXT and len(n) == len(t.text) else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if m and nxt is not None and nxt.kind in (QTY, NUM, CMP) and C.parse_quantity(nxt.text) is not None and (
                C.parse_quantity(nxt.text).value == C.parse_quantity(m.group()).value):
            m = None  # 开工率≥90% | ≥90% | 92%: the name holds its target, the target cell follows
        if m and m.start() >= 2 and re.match(r"[\u4e00-\u9fff)）]", n[m.start() - 1]) and not _DIGIT.search(n[:m.start()]):
            cut = t.start + m.start()
            out.append(Token(TEXT, text[t.start:cut], t.start, cut, t.brk, t.glued))
            out.append(Token(QTY, text[cut:t.end], cut, t.end, False, True))
            continue
        out.append(t)
    return out


_OPEN = re.compile(r"[(（][^()（）]{0,8}$")
_CLOSE = re.compile(r"^[^()（）]{0,6}[)）]")


def _join_brackets(text: str, toks: list[Token]) -> list[Token]:
    """``相关性(5 分)`` cut at its space: a bracket opened in one piece and closed in the next, on the same
    line, is one cell."""
    out: list[Token] = []
    for t in toks:
        prev = out[-1] if out else None
        if (prev is not None and not t.brk and prev.kind in (TEXT, LVL1, LVL2, LVL12) and t.kind in (TEXT, UNIT)
                and _OPEN.search(prev.text) and not prev.text.lstrip().startswith(("(", "（")) and _CLOSE.match(t.text) and "\n" not in text[prev.end:t.start]):
            out.pop()
            joined = _split_levels(text, prev.start, t.end) if prev.kind == TEXT else [
                Token(prev.kind, text[prev.start:t.end], prev.start, t.end)]
            joined[0].brk, joined[0].glued = prev.brk, prev.glued
            out.extend(joined)
            continue
        if (prev is not None and not t.brk and prev.kind == TEXT and t.kind == TEXT and _GLOSS.fullmatch(t.text)
                and "\n" not in text[prev.end:t.start]):
            out[-1] = Token(TEXT, text[prev.start:t.end], prev.start, t.end, prev.brk, prev.glued)  # 必要性 (政策依据)
            continue
        out.append(t)
    return out


_GLOSS = re.compile(r"[(（][^()（）0-9]{1,12}[)）]")


def _points(toks: list[Token]) -> list[Token]:
    """``13 分`` cut apart by spaces is one figure (a level's weight); ``计 2 分,没有不得分。`` — a figure
    before 分 and the rest of a sentence — is the words of a scoring rule, not a cell."""
    out: list[Token] = []
    for t in toks:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == NUM and t.kind == TEXT and len(t.text) > 1 and t.text[0] == "分" \
                and not t.brk:
            out[-1] = Token(TEXT, f"{prev.text} {t.text}", prev.start, t.end, prev.brk)
        elif t.kind == UNIT and C.nfkc(t.text).strip() == "分" and out and out[-1].kind == NUM and not t.brk:
            prev = out.pop()
            out.append(Token(QTY, f"{prev.text}分", prev.start, t.end, prev.brk))
        else:
            out.append(t)
    return out


def _split_trailing_comparators(toks: list[Token]) -> list[Token]:
    """``管理率≥`` before a line break and ``70%`` after it: the comparator is a cell of its own."""
    out: list[Token] = []
    for t in toks:
        if t.kind == TEXT and len(t.text) > 1 and C.nfkc(t.text)[-1] in "≥≤><=":
            out.append(Token(TEXT, t.text[:-1], t.start, t.end - 1, t.brk))
            out.append(Token(CMP, t.text[-1], t.end - 1, t.end, glued=True))
        else:
            out.append(t)
    return out


def _promote_unknown_levels(toks: list[Token]) -> None:
    """A short word, a weight and a known second level (``出标产指 25 数量指标``): the word is a first
    level the vocabulary does not know (a garbled or local one)."""
    for i in range(len(toks) - 2):
        a, b, c = toks[i], toks[i + 1], toks[i + 2]
        if a.kind == TEXT and not a.glued and len(C.key(a.text)) <= 8 and not _DIGIT.search(a.text) and b.kind == NUM \
                and b.glued and c.kind in (LVL2, LVL12) and not (c.kind == LVL12 and _WEIGHTED.search(c.text)):
            f = C.parse_figure(b.text)
            if f is not None and f.value <= 100 and not (i and C.key(toks[i - 1].text) == C.key(a.text)):
                a.kind = LVL1  # (a word the cell before repeats is an actual as its target: 不超过预算 ×2)


def _looks_glued(piece: str) -> bool:
    """A cell that holds several cells: two figures or more (a word and a figure alone may be a name:
    任务1, 指标01)."""
    n = C.nfkc(piece)
    dates = [(m.start(), m.end()) for m in DATE_RE.finditer(n)]
    dates += [(m.start(), m.end()) for m in _LABEL_NUM.finditer(n)]  # 指标12: labels a slot
    dates += [(m.start(), m.end()) for m in _RANGE_IN_NAME.finditer(n)]
    figures = [m for m in FIGURE_RE.finditer(n) if not any(a <= m.start() < b for a, b in dates)
               and not _relative_before(n, m.start())]
    return len(figures) >= 2 or any(m.group("num").count(".") >= 2 for m in figures)  # 2.482.48: two amounts


_WEIGHTED = re.compile(r"[(（]\s*[0-9]+(?:\.[0-9]+)?\s*分\s*[)）]")  # 满意度指标(10分): a first level itself
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}")


def _words_between_figures(piece: str) -> bool:
    """Words between a cell's figures (``配套电力设施1250KVA变压器3台``): one cell that is a name or a
    sentence, not cells run together — those hold words before their figures, figures after."""
    n = C.nfkc(piece)
    dates = [(m.start(), m.end()) for m in DATE_RE.finditer(n)]
    figures = [m for m in FIGURE_RE.finditer(n) if not any(a <= m.start() < b for a, b in dates)]
    for a, b in zip(figures, figures[1:]):
        gap = n[a.end():b.start()]
        if _WORD.search(gap) and not C.comparator(gap.strip()):
            return True
    return False


def _bare_before_words(seg: str, m: re.Match[str]) -> bool:
    """A figure with no unit right before words (``显著提升显著提升10满意度指标``): the next cell (a
    score) after a word ending in 提升 / 增加, not a relative figure (``提升10%``, ``增加5人``)."""
    num = m.group("num")
    return not (m.groupdict().get("unit") or num.endswith("%")) and "\u4e00" <= seg[m.end():m.end() + 1] <= "\u9fff"


def _relative_before(s: str, pos: int) -> bool:
    head = s[max(0, pos - 4):pos]
    return head.endswith(_RELATIVE_BEFORE)


def _segment(text: str, s: int, e: int, unit_column: bool) -> list[Token]:
    """Cut a run-together stretch into words and figures."""
    seg = C.nfkc(text[s:e])
    protected: list[tuple[int, int]] = [(m.start(), m.end()) for m in DATE_RE.finditer(seg)]
    protected += [(m.start(), m.end()) for m in _LABEL_NUM.finditer(seg)]
    protected += [(m.start(), m.end()) for m in _RANGE_IN_NAME.finditer(seg)]
    protected += [(m.start(), m.end()) for m in _ANNOTATION_RE.finditer(seg)]
    protected += [(m.start(), m.end()) for m in _SLOT_LABEL.finditer(seg)]

    def inside(a: int, b: int) -> bool:
        return any(ps < b and a < pe for ps, pe in protected)

    out: list[Token] = []
    pos = 0
    for m in (FIGURE_NO_UNIT_RE if unit_column else FIGURE_RE).finditer(seg):
        a, b = m.start(), m.end()
        if _in_prose(seg, a, b):
            continue
        if inside(a, b):
            # a figure that runs into a date: 52021年 → 5 | 2021年
            cut = next((ps for ps, pe in protected if a < ps < b), None)
            if cut is None or not re.fullmatch(r"[0-9.]+", seg[a:cut]) or any(ps <= a < pe for ps, pe in protected):
                continue
            b = cut
        if _relative_before(seg, a) and not _bare_before_words(seg, m) or (a > 0 and seg[a - 1] in "第"):
            continue
        if a > pos:
            out.extend(_text_tokens(text, s + pos, s + a, unit_column))
        piece = seg[a:b]
        kind = _kind_of_cell(piece)
        if kind == TEXT:
            kind = RUN if re.fullmatch(r"[0-9.,%]+", piece) else QTY
        out.append(Token(kind, text[s + a:s + b], s + a, s + b, glued=True))
        pos = b
    if pos < len(seg):
        out.extend(_text_tokens(text, s + pos, e, unit_column))
    return _leading_zero(out)


_ZERO_AHEAD = re.compile(r"0(?=[1-9])")


def _leading_zero(toks: list[Token]) -> list[Token]:
    """No figure is written with a leading zero: ``0100%`` run together is 0 | 100% (an actual of 0 and
    the next column's 100%)."""
    out: list[Token] = []
    for t in toks:
        n = C.nfkc(t.text)
        if t.glued and t.kind in (QTY, RUN, NUM) and _ZERO_AHEAD.match(n):
            rest = n[1:]
            kind = _kind_of_cell(rest)
            if kind == TEXT:
                kind = RUN if re.fullmatch(r"[0-9.,%]+", rest) else QTY
            out.append(Token(NUM, t.text[:1], t.start, t.start + 1, t.brk, True))
            out.append(Token(kind, t.text[1:], t.start + 1, t.end, False, True))
            continue
        out.append(t)
    return out


def _in_prose(seg: str, a: int, b: int) -> bool:
    """A figure inside a sentence (``共计3875人(涉及…``, ``3620人,目前…``): words on both sides, a
    clause mark right after it."""
    before = seg[max(0, a - 6):a]
    if not (len(before) == 6 and all("\u4e00" <= ch <= "\u9fff" for ch in before[-2:]) and b < len(seg)):
        return False
    nxt = seg[b:b + 2]
    return nxt[:1] in ",，、。;；" or (nxt[:1] in "(（" and len(nxt) == 2 and "\u4e00" <= nxt[1] <= "\u9fff")


def _text_tokens(text: str, s: int, e: int, unit_column: bool) -> list[Token]:
    s, e = _strip(text, s, e)
    if e <= s:
        return []
    toks = _split_levels(text, s, e)
    for t in toks:
        if t.kind == TEXT and _kind_of_cell(t.text) == DASH:
            t.kind = DASH
    if toks and toks[-1].kind == TEXT:
        toks[-1:] = _split_word_cells(toks[-1])
    if unit_column and toks and toks[-1].kind == TEXT:
        # 指标名称 and 计量单位 run together: 管护面积万亩 → 管护面积 | 万亩
        last = toks[-1]
        for u in ("%", "‰", "万亩", "万元", "亿元", "万人次", "万人", "人次", "平方米", "公里", "万株", "个", "人", "元",
                  "亩", "次", "项", "天", "户", "家", "株", "吨", "件", "所", "套", "台", "篇", "场"):
            if last.text.endswith(u) and len(last.text) > len(u) + 1:
                cut = last.end - len(u)
                toks[-1] = Token(TEXT, text[last.start:cut], last.start, cut)
                toks.append(Token(UNIT, text[cut:last.end], cut, last.end, glued=True))
                break
    return toks


_DATE_TAIL = re.compile(r"(?:(?:19|20)[0-9]{2}\s*年(?:\s*[0-9]{1,2}\s*月)?(?:\s*[0-9]{1,2}\s*日)?"
                        r"(?:底|末|前|内|以前|之前|初|中)*(?:完成)?){1,2}$")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}\s*年")


def _split_word_cells(t: Token) -> list[Token]:
    """Cells of words run together after a name, before the figures: dates (``项目完成时间2022年12月底前
    2022年11月`` → name | 2022年12月底前 | 2022年11月) and a qualitative target repeated as the actual
    (``环境改善明显改善明显改善`` → 环境改善 | 明显改善 | 明显改善)."""
    s = t.text
    m = _DATE_TAIL.search(s)
    if m and m.start() >= 2 and not s[m.start() - 1].isdigit():
        cuts = [y.start() for y in _YEAR.finditer(s, m.start())][:2]
        bounds = [0, *cuts, len(s)]
        return [Token(TEXT, s[a:b], t.start + a, t.start + b, t.brk and a == 0, t.glued or a > 0)
                for a, b in zip(bounds, bounds[1:]) if b > a]
    for k in range(min(16, len(s) // 2), 1, -1):
        if s[-2 * k:-k] == s[-k:] and not re.search(r"[0-9]", s[-k:]) and len(s) - 2 * k in (0, *range(2, len(s))):
            a, b = len(s) - 2 * k, len(s) - k
            head = [Token(TEXT, s[:a], t.start, t.start + a, t.brk)] if a else []
            return [*head, Token(TEXT, s[a:b], t.start + a, t.start + b, t.brk and not a, glued=True),
                    Token(TEXT, s[b:], t.start + b, t.end, glued=True)]
    return [t]


def _split_levels(text: str, s: int, e: int) -> list[Token]:
    """Level names at the start of a stretch of words become tokens of their own."""
    out: list[Token] = []
    pos = s
    while pos < e:
        p = _PLACEHOLDER.match(C.nfkc(text[pos:e]))
        if p and p.end():
            out.append(Token(VOID, text[pos:pos + p.end()], pos, pos + p.end(), glued=True))
            pos += p.end()
            continue
        m = _LEVEL_RE.match(C.nfkc(text[pos:e]))
        if not m or m.end() == 0:
            break
        kind = {"L1": LVL1, "L2": LVL2, "L12": LVL12}.get(V.level_kind(m.group()) or "", LVL2)
        out.append(Token(kind, text[pos:pos + m.end()], pos, pos + m.end(), glued=True))
        pos += m.end()
        while pos < e and text[pos] in " \t":
            pos += 1
    if pos < e:
        out.append(Token(TEXT, text[pos:e], pos, e))
    elif len(out) >= 2 and out[-1].kind in (LVL2, LVL12) and out[-2].kind in (LVL2, LVL12):
        last = out.pop()  # 服务对象满意度指标服务对象满意度: the second is the indicator's name
        out.append(Token(TEXT, last.text, last.start, last.end))
    return out


def join_comparators(toks: list[Token]) -> list[Token]:
    """A comparator cut off from its figure (``≥`` at a line's end, ``70%`` after a page marker) is one
    cell with it when the form has no 指标性质 column."""
    out: list[Token] = []
    for t in toks:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == CMP and t.kind in (NUM, QTY, RUN) and not re.match(
                r"\s*[≥≤><=]", C.nfkc(t.text)):
            joined = C.nfkc(prev.text).strip() + C.nfkc(t.text).strip()
            kind = QTY if C.parse_quantity(joined) else t.kind
            out[-1] = Token(kind, joined, prev.start, t.end, prev.brk, t.glued)
            continue
        out.append(t)
    return out
