"""Score tables in text whose cells lost their borders (copied from PDF or web pages, Word previews,
OCR): found by their header, read in the header's column order.

1. **Headers.** Runs of the form's column words with nothing but separators, annotations (``(A)``,
   ``(万元)``, ``(20分)``) or one unknown short word between them: 一级指标 二级指标 三级指标 年度指标值
   实际完成值 分值 得分 偏差原因分析及改进措施 (indicator block), 年初预算数 全年预算数 全年执行数 分值 执行率 得分
   (budget block). Matching folds Traditional characters and pinyin annotations (:func:`cells.key`).
   A PDF or xlsx conversion that detached the cells may print the header's words among the first rows'
   cells, out of order (:func:`find_scattered_headers`), or the indicator rows' values before or apart
   from their names: such a block is read as detached, and a row may start at its figures.
2. **Blocks.** A block runs from its header to the next header, the goals (年度总体目标), the total
   (总分 / 合计), the form's foot (其他需要说明事项, 项目负责人) or prose.
3. **Rows.** The block's tokens (:mod:`.tokens`) are aligned to the columns (:mod:`.align`), and each
   row's cells become a record (:mod:`.rows`). A budget block and the indicator blocks after it, up to
   the next form, are one :class:`ScoreTable`.
4. **Budget lines** (:mod:`.budget`). A line is a name and its figures; the 原因 column's note (the form's instructions,
   or a short reason) and headings over lines (按收入性质分:) do not end the block, and a 其中 line's
   run-together amounts are cut by its total. A scrambled PDF may print the first lines' figures right
   under the header and their names further on (or among the header's words): the figures, cut into
   lines written alike, go to the names that have none, and figures printed apart (执行数 after the
   names, 执行率 among the goals) join the total's line where the block's arithmetic bears them out.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from typing import Callable, Iterator

from desktop.claims.score_tables import align as A
from desktop.claims.score_tables import cells as C
from desktop.claims.score_tables import tokens as T
from desktop.claims.score_tables import vocab as V
from desktop.claims.score_tables.budget import read_budget
from desktop.claims.score_tables.grid import finish_roles, is_budget_header, is_indicator_header
from desktop.claims.score_tables.header import Header
from desktop.claims.score_tables.rows import Cell, Context, build_indicator, header_unit
from desktop.claims.scoretable import Figure, Location, ScoreTable

_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,8}[)）]")
_WORDS = sorted({*V.INDICATOR_HEADER, *V.BUDGET_HEADER}, key=len, reverse=True)
#: a header word as written, or (failing that) wrapped inside its cell: 一級 指標
_FIRST = "".join(sorted({w[0] for w in _WORDS}))
HEADER_RE = re.compile(f"(?=[{re.escape(_FIRST)}])(?:" + "|".join(
    r"\s{0,2}".join(re.escape(ch) for ch in w) if len(w) >= 3 and "(" not in w else re.escape(w)
    for w in _WORDS) + ")")  # longest first, wrapped or not: 偏差原因分析及改进措 施 is one word
_DIGIT = re.compile(r"[0-9]")
_ANNOTATION_AFTER = re.compile(r"(?:\s*[(（][^()（）\n]{0,8}[)）])*")
_GAP_OK = re.compile(r"(?:[\s|:：]|[(（][^()（）\n]{0,16}[)）]|[(（][A-Za-z/]{1,5}[1lI](?![)）]))*")  # (B/A1: OCR lost the )
_GAP_UNKNOWN = re.compile(r"[\s|]*[\u4e00-\u9fff]{1,4}[\s|]*")
#: a longer unknown cell between header words, once three words make the run a header (OCR garble)
_GAP_GARBLED = re.compile(r"[\s|]*[\u4e00-\u9fff]{5,8}[\s|]*")
_BUDGET_STOP = re.compile(r"年度总体目标|总体目标|年度目标|绩效目标|实际完成情况|预期目标|年度绩效目标")
_HEADING_LINE = re.compile(r"(?m)^\s*(?:#{1,6}\s|[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])")
_TOTAL_RE = re.compile(r"(?:自评总分|自评得分|综合得分|总得分|总分|合计|总计)(?:\s*[(（]\s*分\s*[)）])?")
_GRADE_RE = re.compile(r"(?:自评等级|绩效等级|评价等级|评价结果|等级)\s*[|:：]?\s*[“\"]?(?P<g>优秀|良好|不合格|合格|优|良|中|差)")
_TITLE_WORD = re.compile(r"自评表|评价表|评分表|自评情况表|得分表")
_TITLE_TAIL = re.compile(r"\s*[(（][^()（）\n]{0,12}[)）]")
MAX_INDICATOR_BLOCK = 12000
MAX_BUDGET_BLOCK = 1500


class _Folded:
    """The text with Traditional characters made Simplified and pinyin annotations dropped, with a map
    back to offsets in the text."""

    def __init__(self, text: str):
        #: the text with Simplified characters, one for one (offsets unchanged)
        self.simplified = t = C.simplified(text)
        self.words: list[re.Match[str]] | None = None  # header words (:func:`header_words`)
        if ("(" not in t and "（" not in t) or not _PINYIN.search(t):
            self.text, self._f, self._o = t, [0], [0]
            return
        parts, fs, os_ = [], [], []
        pos = fpos = 0
        for m in _PINYIN.finditer(t):
            parts.append(t[pos:m.start()])
            fs.append(fpos)
            os_.append(pos)
            fpos += m.start() - pos
            pos = m.end()
        parts.append(t[pos:])
        fs.append(fpos)
        os_.append(pos)
        self.text, self._f, self._o = "".join(parts), fs, os_

    def orig(self, fpos: int) -> int:
        i = bisect.bisect_right(self._f, fpos) - 1
        return self._o[i] + (fpos - self._f[i])

    def orig_end(self, fend: int) -> int:
        return self.orig(fend - 1) + 1 if fend > 0 else 0


def find_headers(text: str, folded: _Folded) -> list[Header]:
    out: list[Header] = []
    run: list[re.Match[str]] = []
    unknown: list[int] = []  # run positions after which an unknown column sits

    def close() -> None:
        if len(run) >= 2:
            h = _header_of(run, unknown, folded)
            if h is not None:
                out.append(h)

    ft = folded.text
    starts: list[tuple[int, int]] = []  # 年初预算数 words: (start, end) in the folded text
    for m in header_words(folded):
        if V.BUDGET_HEADER.get(_word(m)) == V.B_START:
            starts.append((m.start(), m.end()))
        if run:
            a, b = run[-1].end(), m.start()
            if b - a <= 48:
                if _GAP_OK.fullmatch(ft, a, b):
                    run.append(m)
                    continue
                if (len(run) >= 2 and _GAP_UNKNOWN.fullmatch(ft, a, b) or _garbled_value_cell(run, ft, a, b)) and not (
                        _DIGIT.search(ft, a, b)):
                    unknown.append(len(run) - 1)
                    run.append(m)
                    continue
            close()
        run = [m]
        unknown = []
    close()
    for h in out:
        if h.kind == "budget" and V.B_START not in h.roles and h.roles[0] == V.B_FULL:
            _detached_start_column(h, starts, folded)
    return out


def _garbled_value_cell(run: list[re.Match[str]], ft: str, a: int, b: int) -> bool:
    """A longer unknown cell among the value columns of a header three words long already (OCR printed
    全年完成值 as 年成值全完值); not among the name columns, where a first row's name may stand."""
    return len(run) >= 3 and bool(_GAP_GARBLED.fullmatch(ft, a, b)) and any(
        V.INDICATOR_HEADER.get(_word(m)) in (V.TARGET, V.TVALUE, V.ADJUSTED) for m in run)


def header_words(folded: _Folded) -> list[re.Match[str]]:
    """Every header word of the text (found once per text)."""
    if folded.words is None:
        folded.words = list(HEADER_RE.finditer(folded.text))
    return folded.words


_WS = re.compile(r"\s+")


def _word(m: re.Match[str]) -> str:
    return _WS.sub("", m.group())


def _detached_start_column(h: Header, starts: list[tuple[int, int]], folded: _Folded) -> None:
    """``年初预算数 (万元) 年度资金总额 其中:当年财政拨款 实施单位 全年预算数 全年执行数 …``: an xlsx printed to
    PDF put the first amount column's word among the row names before the rest of the header. The
    column is the block's first."""
    for a, b in reversed(starts):
        o = folded.orig_end(b)
        if o <= h.start and h.start - o <= 100:
            h.roles = [V.B_START, *h.roles]
            h.names[V.B_START] = V.strip_annotations(re.sub(r"\s+", "", folded.text[a:b]))
            return
        if o <= h.start - 100:
            return


_FIGURES = re.compile(r"[0-9]+(?:\.[0-9]+)?")
#: a scattered header: at most this many characters between two of its words
SCATTER_GAP = 80
_SCATTER_LEVELS = (V.L1, V.L2, V.NAME)
_SCATTER_ORDER = (V.L1, V.L2, V.NAME, V.NATURE, V.TARGET, V.TVALUE, V.UNITCOL, V.ACTUAL, V.WEIGHT, V.SCORE,
                  V.DEVIATION)
#: columns a scattered header keeps only where it was printed in order
_SCATTER_TAIL = (V.REVIEW, V.METHOD)


def find_scattered_headers(text: str, folded: _Folded, found: list[Header]) -> list[Header]:
    """Indicator headers whose words a conversion (xlsx or PDF to text) printed among the cells, out of
    order: ``一级指标 — 年度 实际 指标值 完成值 指标1:… 38508人 二级指标 三级指标 指标5:… 分值 得分``. The words
    of the 一级 / 二级 / 三级指标 and the value columns (指标值 / 完成值 / 分值 / 得分) stand close together
    with cells, not sentences, between them. The columns are read in the form's order (levels, name,
    target, actual, 分值, 得分, 偏差原因), and the cells between the words belong to the block."""
    matches = [(m, V.INDICATOR_HEADER.get(_word(m))) for m in header_words(folded)]
    starts = [h.start for h in found]  # found whole, in the text's order
    replaced: list[Header] = []
    out: list[Header] = []
    i = 0
    while i < len(matches):
        m, role = matches[i]
        if role not in _SCATTER_LEVELS:
            i += 1
            continue
        cluster = [(m, role)]
        j = i + 1
        while j < len(matches) and matches[j][0].start() - cluster[-1][0].end() <= SCATTER_GAP:
            if matches[j][1] is None:
                break  # a budget column word: another block
            if matches[j][1] in [r for _m, r in cluster if r != V.GROUP_INDICATOR]:
                break  # a column named twice: a word in a cell (没有不得分), or the next block
            cluster.append(matches[j])
            j += 1
        i = j
        while len(cluster) > 1 and cluster[-1][1] not in _SCATTER_ORDER + _SCATTER_TAIL:
            cluster.pop()
        roles = [r for _m, r in cluster if r in _SCATTER_ORDER + _SCATTER_TAIL]
        levels = {r for r in roles if r in _SCATTER_LEVELS}
        values = {r for r in roles if r in (V.TARGET, V.TVALUE, V.ACTUAL, V.WEIGHT, V.SCORE)}
        if not (len(levels) >= 2 and len(values) >= 2 and values & {V.TARGET, V.TVALUE, V.ACTUAL}) and not (
                V.NAME in levels and ({V.WEIGHT, V.SCORE} <= values or len(values) >= 3)):
            continue
        words = [(folded.orig(x.start()), folded.orig_end(x.end())) for x, r in cluster
                 if r in _SCATTER_ORDER + _SCATTER_TAIL or r == V.GROUP_INDICATOR]
        a, b = words[0][0], words[-1][1]
        gaps = [(e1, s2) for (_s1, e1), (s2, _e2) in zip(words, words[1:]) if s2 > e1]
        if any(re.search(r"[。，；,;]", text[g0:g1]) for g0, g1 in gaps):
            continue  # sentences between the words: prose that names the columns
        if len(_FIGURES.findall(text, a, b + 200)) < 3:
            continue  # no cells' figures among or after them: a list of the columns' names
        # in the form's order when printed so (the first row's cells between the header's words), else
        # the usual order of the columns
        known = [r for r in dict.fromkeys(roles) if r in _SCATTER_ORDER]
        schema = _schema(list(dict.fromkeys(roles)) if known == order_roles(roles) else order_roles(roles))
        # headers found whole that this one holds (or ends): replaced when this one has more columns
        overlap = []
        k = bisect.bisect_left(starts, b) - 1
        while k >= 0 and (found[k].end > a or found[k].start >= a - 4000):
            if found[k].start < b and a < found[k].end:
                overlap.append(found[k])
            k -= 1
        inside = [h for h in overlap if h.end <= b and h.kind == "indicator"]
        if overlap and (len(inside) < len(overlap) or not all(
                set(schema) > set(h.roles) and set(schema) - set(h.roles) - {V.DEVIATION, V.COMPLETION}
                for h in inside)):
            continue  # (a 备注 / 说明 in the first row's cells is no header word)
        if inside:
            a = min(a, *(h.start for h in inside))
        out.append(Header("indicator", schema, a, b, words, gaps=gaps, detached=True))
        replaced += inside  # part of this one: 二级指标 三级指标 分值 得分 without the value columns
    for x in replaced:
        found.remove(x)
    return out


def order_roles(roles: list[str]) -> list[str]:
    return [r for r in _SCATTER_ORDER if r in roles]


_HEADER_HEADS = {w[:n] for w in V.INDICATOR_HEADER for n in (2, 3) if len(w) > n + 1} - {"完成", "完成值"}


def _header_fragment(t: T.Token) -> bool:
    """The first line of a header word wrapped in its cell (``年度`` of 年度 / 指标值, ``实际`` of 实际 /
    完成值), printed among the cells of a scattered header."""
    return t.kind == T.TEXT and C.key(t.text) in _HEADER_HEADS


def _header_of(run: list[re.Match[str]], unknown: list[int], folded: _Folded) -> Header | None:
    words = [re.sub(r"\s+", "", m.group()) for m in run]
    ind = [V.INDICATOR_HEADER.get(w) for w in words]
    bud = [V.BUDGET_HEADER.get(w) for w in words]
    spans = [(folded.orig(m.start()), folded.orig_end(m.end())) for m in run]
    ind_roles = {i: r for i, r in enumerate(ind) if r}
    bud_roles = {i: r for i, r in enumerate(bud) if r}
    # a trailing annotation belongs to the last word: 得分 (20分*执行率)
    tail = re.match(r"(?:\s*\|?\s*[(（][^()（）\n]{0,16}[)）])+", folded.text[run[-1].end():run[-1].end() + 40])
    if tail:
        spans[-1] = (spans[-1][0], folded.orig_end(run[-1].end() + tail.end()))
    if is_indicator_header(ind_roles):
        seq = []
        for i, r in enumerate(ind):
            seq.append(r or A.UNKNOWN)
            if i in unknown:
                seq.append(A.UNKNOWN)
        h = Header("indicator", _schema(seq), spans[0][0], spans[-1][1], spans)
        # a unit in a column's header: 指标值（%）, 实际完成值（万元）
        for m, r in zip(run, ind):
            unit = header_unit(_ANNOTATION_AFTER.match(folded.text, m.end()).group()) if r else None
            if unit:
                h.units[V.TARGET if r == V.TVALUE else r] = unit
        return h
    if V.B_RATE not in bud:
        # 分值执行率得分 run together reads 执行率得分 first: split it when there is no 执行率 column otherwise
        for i, w in enumerate(words):
            if w in ("执行率得分", "执行率权重"):
                words[i:i + 1] = ["执行率", w[3:]]
                bud[i:i + 1] = [V.B_RATE, V.B_SCORE if w.endswith("得分") else V.B_WEIGHT]
                bud_roles = {k: r for k, r in enumerate(bud) if r}
                break
    if is_budget_header(bud_roles):
        roles = [r for r in bud if r]
        # 年度预算数(万元) over 年初预算 | 调整后预算数: a group heading, not a column of its own
        if len(roles) > 2 and roles[0] in A.AMOUNTS and roles[0] in roles[1:] and roles[1] in A.AMOUNTS:
            roles = roles[1:]
        h = Header("budget", roles, spans[0][0], spans[-1][1], spans)
        h.names = {r: V.strip_annotations(w) for w, r in zip(words, bud) if r}
        return h
    return None


def _schema(seq: list[str]) -> list[str]:
    """Column order from the header words, two-row headers flattened: 绩效指标 | 年度指标值 | … then
    一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 → 一级 二级 三级 性质 指标值 单位 实际 …"""
    seq = list(seq)
    # columns before the first level / name column belong to something else (自评权重 of a 分解目标)
    first = next((i for i, r in enumerate(seq) if r in (V.L1, V.L2, V.NAME, V.GROUP_INDICATOR)), 0)
    seq = _unnamed_actual([r for i, r in enumerate(seq) if i >= first or r == A.UNKNOWN])
    if V.GROUP_INDICATOR in seq:
        g = seq.index(V.GROUP_INDICATOR)
        children = [r for r in seq[g + 1:] if r in (V.L1, V.L2, V.NAME)]
        if children:
            rest = [r for i, r in enumerate(seq) if i > g and r not in children]
            seq = seq[:g] + children + rest
    if V.TARGET in seq:
        t = seq.index(V.TARGET)
        children = [r for r in seq[t + 1:] if r in (V.NATURE, V.TVALUE, V.UNITCOL)]
        after_actual = V.ACTUAL in seq and seq.index(V.ACTUAL) < min(
            (seq.index(c) for c in children), default=len(seq))
        if children and after_actual:
            rest = [r for i, r in enumerate(seq) if i > t and r not in children]
            seq = seq[:t] + children + rest
    roles = finish_roles({i: r for i, r in enumerate(seq) if r != A.UNKNOWN})
    out = []
    for i, r in enumerate(seq):
        if r == A.UNKNOWN:
            out.append(A.UNKNOWN)
        elif i in roles:
            out.append(roles[i])
    while out and out[-1] == A.UNKNOWN:
        out.pop()
    unknown = [i for i, r in enumerate(out) if r == A.UNKNOWN]
    if len(unknown) == 1 and V.SCORE in out and V.WEIGHT not in out:
        out[unknown[0]] = V.WEIGHT  # an unreadable header word (OCR) where 分值 belongs
    if V.NAME in out and V.L1 not in out:
        out = ([V.L1] if V.L2 in out else [V.L1, V.L2]) + out
    elif V.NAME in out and V.L2 not in out:
        out.insert(out.index(V.NAME), V.L2)
    return [A.UNKNOWN if r == V.UNREAD else r for r in out]


def _unnamed_actual(seq: list[str]) -> list[str]:
    """A header with a target column, 分值 / 得分 and no actual column, and an unknown word between
    them (OCR garbled 全年完成值 into 年成值全完值; a form's own wording): that word is the actual."""
    if V.ACTUAL in seq or A.UNKNOWN not in seq:
        return seq
    targets = [i for i, r in enumerate(seq) if r in (V.TARGET, V.TVALUE)]
    values = [i for i, r in enumerate(seq) if r in (V.WEIGHT, V.SCORE)]
    if not targets or not values:
        return seq
    for i in range(targets[0] + 1, values[0]):
        if seq[i] == A.UNKNOWN:
            return [*seq[:i], V.ACTUAL, *seq[i + 1:]]
        if seq[i] not in (V.TARGET, V.TVALUE, V.NATURE, V.UNITCOL, V.UNREAD, V.ADJUSTED, V.COEF):
            return seq
    return seq


def _block_end(text: str, folded: _Folded, start: int, limit: int, kind: str) -> tuple[int, str]:
    """Where a block that starts at ``start`` ends, and why (``total`` / ``stop`` / ``limit``)."""
    seg_end = min(len(text), limit)
    window = folded.simplified[start:seg_end]
    best, why = len(window), "limit"
    if kind == "budget":
        m = _BUDGET_STOP.search(window)
        if m and m.start() < best:
            best, why = m.start(), "stop"
    else:
        m = _TOTAL_RE.search(window)
        while m and not _total_here(window, m):
            m = _TOTAL_RE.search(window, m.end())
        if m and m.start() < best:
            best, why = m.start(), "total"
        for w in V.END_WORDS:
            i = window.find(w)
            if 0 <= i < best:
                best, why = i, "stop"
    h = _HEADING_LINE.search(window)
    if h and h.start() < best:
        best, why = h.start(), "stop"
    # prose: a line of sentences with no cell separators
    for pm in re.finditer(r"(?m)^[^\n|\t]{60,}$", window[:best]):
        line = pm.group()
        if line.count("。") >= 1 and (line.count("，") + line.count("。")) >= 3 and not re.search(
                r"[0-9]%[0-9]", line) and not _cells_on_a_line(line):
            best, why = pm.start(), "stop"
            break
    return start + best, why


def _cells_on_a_line(line: str) -> bool:
    """A PDF page's table flattened onto one line, its criteria sentences among the cells: many pieces
    between spaces, a fifth of them bare figures (分值 2, 得分 2), is not prose."""
    pieces = line.split()
    figures = sum(1 for p in pieces if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?%?", p))
    return len(pieces) >= 12 and figures * 5 >= len(pieces)


def _total_here(window: str, m: re.Match[str]) -> bool:
    """总分 / 合计 as a cell of its own (not inside a name): a separator or a figure right after it."""
    after = window[m.end():m.end() + 3]
    before = window[max(0, m.start() - 1):m.start()]
    return bool(re.match(r"\s*[|:：\t\n 0-9]", after) or not after) and (not before or not re.match(
        r"[\u4e00-\u9fff]", before) or m.group().startswith(("自评", "综合")))


def read_text(text: str, *, exclude: list[tuple[int, int]] | None = None,
              page_at: Callable[[int], int | None] | None = None,
              original: str | None = None) -> Iterator[tuple[ScoreTable, list[tuple[int, int]]]]:
    """Score tables in ``text`` (normalised: NFKC one character for one) outside the ``exclude``
    stretches (grid tables already read), each with the stretches it used (headers, totals) that the
    text rules should leave. Cells keep the ``original`` text as written (same offsets)."""
    exclude = sorted(exclude or [])
    orig = original if original is not None and len(original) == len(text) else text
    folded = _Folded(text)
    headers = find_headers(text, folded)
    scattered = find_scattered_headers(text, folded, headers)  # drops the headers that are part of one
    headers = sorted(headers + scattered + _cut_before_header(text, headers + scattered), key=lambda h: h.start)
    headers = [h for h in headers if not any(s <= h.start < e for s, e in exclude)]
    if not headers:
        return
    page_at = page_at or (lambda _o: None)
    table: ScoreTable | None = None
    masks: list[tuple[int, int]] = []
    last_end = 0
    detached = False
    for n, h in enumerate(headers):
        next_start = headers[n + 1].start if n + 1 < len(headers) else len(text)
        for s, e in exclude:
            if h.end <= s < next_start:
                next_start = s
        title_m = _title_before(folded.simplified, last_end, h.start)
        if table is None or title_m is not None or h.start - last_end > 4000 or (
                h.kind == "budget" and (table.budget or table.indicators)):
            if table is not None and _plausible(table, detached):
                yield table, masks
            table = ScoreTable(source="text", page=page_at(h.start))
            detached = False
            table.title = C.clean(orig[title_m[0]:title_m[1]]).strip("|:：# *") if title_m else None
            masks = []
            _head_facts(text, table, max(last_end, h.start - 600), h.start, masks)
        masks.append((h.start, h.end))
        detached = detached or h.detached
        if h.kind == "budget":
            end, _ = _block_end(text, folded, h.end, min(next_start, h.end + MAX_BUDGET_BLOCK), "budget")
            read_budget(text, orig, table, h, end, next_start)
        else:
            end, why = _block_end(text, folded, h.end, min(next_start, h.end + MAX_INDICATOR_BLOCK), "indicator")
            detached = _read_indicators(text, orig, table, h, end, page_at) or detached
            if why == "total":
                end = _read_total(text, table, end, masks)
        last_end = max(end, h.end)
        start = table.location.start if table.location else h.start
        table.location = Location(start, last_end, table.page, None)
    if table is not None and _plausible(table, detached):
        _cut_short(table, text)
        yield table, masks


#: an excerpt that starts inside an indicator block: a first level and a second level run together
#: (产出指标数量指标…) within the first characters of the text, no header before them
_EXCERPT_HEAD = 200
_FIRST_ROWS = re.compile("(?:" + "|".join(re.escape(w) for w in V.LEVEL1_WORDS if w.endswith("指标")) + r")\s*(?:"
                         + "|".join(re.escape(w) for w in V.LEVEL2_WORDS if w.endswith("指标")) + ")")
#: the columns of the common form (一级 二级 三级 年度指标值 实际完成值 分值 得分 偏差原因)
_COMMON_FORM = [V.L1, V.L2, V.NAME, V.TARGET, V.ACTUAL, V.WEIGHT, V.SCORE, V.DEVIATION]


def _cut_before_header(text: str, headers: list[Header]) -> list[Header]:
    """An excerpt cut after the header, inside the indicator rows (a page of a longer form): read under
    the common form's columns, from its first level on."""
    head = C.simplified(text[:_EXCERPT_HEAD + 20])
    m = _FIRST_ROWS.search(head) or _FIRST_WEIGHTED.search(head)
    if m is None or m.start() > _EXCERPT_HEAD or any(h.start <= m.start() + 400 for h in headers):
        return []
    figures = [C.nfkc(x.group()) for x in _BARE_OR_NOT.finditer(text, m.start(), m.start() + 800)]
    if len(figures) >= 6 and sum(1 for f in figures if re.fullmatch(r"[0-9]{1,2}(?:\.[0-9])?", f)) >= 0.85 * len(figures):
        # bare small numbers (5 5, 3 2), no quantities: a score sheet, 分值 and 得分
        return [Header("indicator", [V.L1, V.L2, V.NAME, V.WEIGHT, V.SCORE], m.start(), m.start())]
    if _FIRST_ROWS.match(head, m.start()) is None:
        return []  # a level with its points and no score sheet after it: a sentence, not rows
    return [Header("indicator", list(_COMMON_FORM), m.start(), m.start())]


#: a first level with its points (项目决策(10 分)): a score sheet's first row
_FIRST_WEIGHTED = re.compile("(?:" + "|".join(re.escape(w) for w in V.LEVEL1_WORDS) + r")\s*[(（]\s*[0-9]+\s*分\s*[)）]")
#: the figures of a block (annotations such as (10 分) and page numbers aside)
_BARE_OR_NOT = re.compile(r"(?<![(（0-9.])[0-9][0-9.,]*(?:%|[\u4e00-\u9fff]{0,2})(?![0-9)）]|\s*分)")


def _plausible(table: ScoreTable, detached: bool = False) -> bool:
    """A form, not prose that happened to name its columns: rows were read, and most indicator rows hold
    a figure (a target, an actual, 分值 or 得分). ``detached``: names and values were printed apart
    (a scattered header), so rows of a name alone are expected; a third with figures will do."""
    if not table.budget and not table.indicators:
        return False
    if table.indicators:
        with_figures = sum(1 for r in table.indicators if any(
            f is not None and f.value is not None for f in (r.target, r.actual, r.weight, r.score)))
        if detached and with_figures >= 2 and with_figures * 3 >= len(table.indicators):
            return True
        if with_figures * 2 < len(table.indicators):
            return bool(table.budget) and (with_figures > 0 or _budget_with_figures(table))
    return True


def _budget_with_figures(table: ScoreTable) -> bool:
    """Two budget lines with amounts: the block is a form whatever its indicator block holds (an excerpt
    cut in the indicator header leaves a word or two of it, no row)."""
    return sum(1 for b in table.budget if any(f is not None and f.value is not None for f in (
        b.planned_start, b.planned_full, b.executed))) >= 2


def _title_before(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    window_start = max(lo, hi - 1500)
    window = text[window_start:hi]  # Simplified already
    last = None
    for m in _TITLE_WORD.finditer(window):
        last = m
    if last is None:
        return None
    a = last.start()
    while a > 0 and last.start() - a < 40 and window[a - 1] not in "\n|。":
        a -= 1
    e = _TITLE_TAIL.match(window, last.end())
    return window_start + a, window_start + (e.end() if e else last.end())


def _head_facts(text: str, table: ScoreTable, lo: int, hi: int, masks: list[tuple[int, int]]) -> None:
    """自评得分 98 / 自评总分(分) 97.93 / 自评等级 优 in the form's head."""
    seg = text[lo:hi]
    m = re.search(r"(?:自评得分|自评总分|总得分)(?:\s*[(（]\s*分\s*[)）])?\s*[|:：\t ]*\s*(?P<n>[0-9]+(?:\.[0-9]+)?)", seg)
    if m and C.parse_figure(m.group("n")):
        f = C.parse_figure(m.group("n"))
        s, e = lo + m.start("n"), lo + m.end("n")
        table.total_score = Figure(raw=m.group("n"), text=f.text, value=f.value, location=Location(s, e))
        masks.append((s, e))
    g = _GRADE_RE.search(seg)
    if g:
        table.grade = g.group("g")


def _read_total(text: str, table: ScoreTable, pos: int, masks: list[tuple[int, int]]) -> int:
    """``总分 | 100 | 96 | 优`` / ``总分 99.96`` / ``合计 | 100 |``: the table's score (the last figure; a
    lone figure equal to the weights' sum is that sum, not a score) and grade."""
    m = _TOTAL_RE.match(text, pos)
    if not m:
        return pos
    end = m.end()
    figs = []
    for fm in re.finditer(r"\s*[|:：\t]*\s*([0-9]+(?:\.[0-9]+)?)(?![0-9.])", text[end:end + 60]):
        if fm.start() != 0 and figs and fm.start() != figs[-1][2]:
            break
        if fm.start() != 0 and not figs:
            break
        figs.append((end + fm.start(1), end + fm.end(1), fm.end()))
    masks.append((m.start(), m.end()))
    stop = end + (figs[-1][2] if figs else 0)
    if figs:
        s, e, _ = figs[-1]
        f = C.parse_figure(text[s:e])
        weights = sum((r.weight.value for r in table.indicators if r.weight and r.weight.value is not None), 0)
        weights += sum((b.weight.value for b in table.budget if b.weight and b.weight.value is not None), 0)
        scores = sum((r.score.value for r in table.indicators if r.score and r.score.value is not None), 0)
        for head in dict.fromkeys((format(weights, "f"), "100")):  # the weights' sum, or the form's 100
            rest = text[s + len(head):e]
            if len(figs) == 1 and weights and text[s:e].startswith(head) and C.parse_figure(rest) and (
                    C.parse_figure(rest).value <= Decimal(head)):
                s, f = s + len(head), C.parse_figure(rest)  # 总分 100 96 run together: 10096
                break
        lone_weight_sum = len(figs) == 1 and f.value == weights and weights != scores
        if not lone_weight_sum:
            table.total_score = Figure(raw=text[s:e], text=f.text, value=f.value, location=Location(s, e))
        masks.extend((a, b) for a, b, _ in figs)
    g = re.match(r"\s*[|:：\t]*\s*[“\"]?(优秀|良好|不合格|合格|优|良|中|差)", text[stop:stop + 12])
    if g:
        table.grade = g.group(1)
        stop += g.end()
    return stop


def _read_indicators(text: str, orig: str, table: ScoreTable, h: Header, end: int,
                     page_at: Callable[[int], int | None]) -> bool:
    """Rows of the indicator block under ``h`` into ``table``; whether its values stood apart from
    their names."""
    schema = h.roles
    mode = T.separator_mode(text, h.end, end)
    toks = [t for a, b in h.gaps for t in T.tokenize(text, a, b, unit_column=V.UNITCOL in schema, mode=mode)
            if not _header_fragment(t)]
    toks += T.tokenize(text, h.end, end, unit_column=V.UNITCOL in schema, mode=mode)
    if not toks:
        return h.detached
    if V.UNITCOL in schema and not _unit_after_figures(schema):
        toks = _units_of_figures(toks)
    toks = _durations(toks)
    if mode in ("line", "space") and [r for r in schema if r in A.NUMERIC_ROLES and r not in (V.WEIGHT, V.SCORE)] == [
            V.TARGET, V.ACTUAL]:
        toks = _figure_ending_a_name(text, toks)
    if V.NATURE not in schema:
        toks = T.join_comparators(toks)
    lines = max(1, sum(1 for t in toks if t.brk))
    row_hint = mode in ("pipe", "tab") and len(toks) / lines >= 2.5
    ctx = Context(header_units=dict(h.units), has_weight_column=V.WEIGHT in schema)
    level1 = level2 = None
    first_row = len(table.indicators)
    lead = [t.kind for t in toks[:6] if t.kind not in (T.DASH, T.VOID)][:2]
    # values first, their names after them (or before the header): a conversion detached the cells
    detached = h.detached or (len(lead) == 2 and all(k in (T.NUM, T.QTY, T.CMP, T.RUN) for k in lead))
    for row in A.align_indicators(toks, schema, row_hint, lenient=mode in ("line", "space"), detached=detached,
                                  wraps=mode == "space"):
        cells: dict[str, Cell] = {}
        l1 = l2 = None
        for role, tok, extra in row:
            if role == "__multi__":
                roles, (score, parts, ambiguous) = extra
                for r, cell in zip(roles, _split_cells(tok, parts, orig)):
                    if ambiguous and r in (V.TARGET, V.TVALUE, V.ACTUAL):
                        continue
                    cells[r] = cell
                continue
            if role == V.L1:
                l1 = tok
            elif role == V.L2:
                l2 = tok
            elif role in cells and role in (V.DEVIATION, V.METHOD, V.COMPLETION):
                s0 = cells[role].start  # the rest of a wrapped cell
                cells[role] = Cell(orig[s0:tok.end], s0, tok.end, page=cells[role].page)
            elif tok.kind not in (T.DASH, T.EMPTY):
                cells[role] = Cell(orig[tok.start:tok.end], tok.start, tok.end, page=page_at(tok.start))
        if l1 is not None:
            level1 = _level_text(orig[l1.start:l1.end])
            level2 = None
        if l2 is not None:
            level2 = _level_text(orig[l2.start:l2.end])
        if V.NAME not in cells and not any(r in cells for r in (V.TARGET, V.TVALUE, V.ACTUAL, V.SCORE)):
            continue
        if detached and V.NAME not in cells and l1 is None and l2 is None and sum(
                1 for r in (V.TARGET, V.TVALUE, V.ACTUAL, V.WEIGHT, V.SCORE) if r in cells) < 3:
            continue  # two figures apart from any name: the total's (100 94), not a row
        if V.NAME in cells and not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", cells[V.NAME].text) and not any(
                r in cells for r in (V.TARGET, V.TVALUE, V.ACTUAL)):
            continue  # a bracket of a wrapped annotation (``(`` … ``10 )``), no name
        table.indicators.append(build_indicator(cells, level1, level2, ctx))
    if V.SCORE in schema and not any(r in schema for r in (V.WEIGHT, V.TARGET, V.TVALUE, V.ACTUAL)):
        table.indicators[first_row:] = _score_sheet(table.indicators[first_row:], orig)
    return detached


_NAME_POINTS = re.compile(r"[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]\s*$")


def _score_sheet(rows: list, orig: str) -> list:
    """A score sheet (三级指标 | 得分, 分值 printed in the names: ``相关性(5 分) 5``): a name with its points
    and no 得分 is a heading over the rows after it (目标任务(15 分); two in a row are 一级 and 二级, a
    word before one its first line: 部门决 / 策(25 分)); a row's 分值 is the points in its name."""
    out = []
    heads: list[str] = []
    stub: str | None = None  # a short word with nothing else: the first line of the heading after it
    level1 = level2 = None
    for r in rows:
        m = _NAME_POINTS.search(r.name or "")
        bare = not any(f is not None and f.value is not None for f in (r.target, r.actual, r.weight, r.score))
        if bare and m:
            heads.append((stub or "") + re.sub(r"\s+", "", r.name))
            stub = None
            continue
        if bare and len(C.key(r.name)) <= 4 and r.level1 is None and r.level2 is None:
            stub = (stub or "") + C.key(r.name)
            continue
        stub = None
        if heads:
            if len(heads) >= 2:
                level1, level2 = heads[-2], heads[-1]
            elif r.level2 is not None and r.level1 is None:
                level1, level2 = heads[-1], None  # the second level is a word the vocabulary knows
            else:
                level2 = heads[-1]
            heads = []
        if r.level1 is None and r.level2 is None:
            r.level1, r.level2 = level1, level2
        elif r.level1 is None:
            r.level1 = level1
        if m and r.weight is None and r.name_location is not None:
            a, b = r.name_location.start, r.name_location.end
            k = orig.rfind(m.group(1), a, b)
            f = C.parse_figure(m.group(1))
            if f is not None:
                r.weight = Figure(raw=m.group(1), text=f.text, value=f.value,
                                  location=Location(k, k + len(m.group(1))) if k >= 0 else None)
        out.append(r)
    return out


def _unit_after_figures(schema: list[str]) -> bool:
    """A 度量单位 column after a value column: a unit right after a figure may be that column's cell. One
    before every value column (计量单位 | 指标性质 | 年初指标值 | 全年完成值) leaves a unit after a figure
    to the figure (26次 | 12次)."""
    if V.UNITCOL not in schema:
        return False
    values = [i for i, r in enumerate(schema) if r in (V.TVALUE, V.TARGET, V.ACTUAL)]
    return not values or schema.index(V.UNITCOL) > values[0]


def _figure_ending_a_name(text: str, toks: list[T.Token]) -> list[T.Token]:
    """Run together under a target and an actual column, a name, three quantities of one unit, the first
    two the same, and 得分 (``每年财政补助1000万元1000万元1000万元10``): two columns hold two of them, so
    the first ends the name (每年财政补助1000万元 | 1000万元 | 1000万元 | 10)."""
    out: list[T.Token] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        w = toks[i + 1:i + 5]
        if t.kind == T.TEXT and len(w) == 4 and all(x.kind == T.QTY for x in w[:3]) and w[3].kind == T.NUM and (
                w[0].start == t.end and not w[0].brk):
            f = [C.parse_quantity(x.text) for x in w[:3]]
            if all(x is not None for x in f) and f[0].value == f[1].value and f[0].unit == f[1].unit == f[2].unit:
                out.append(T.Token(T.TEXT, text[t.start:w[0].end], t.start, w[0].end, t.brk, t.glued))
                i += 2
                continue
        out.append(t)
        i += 1
    return out


def _durations(toks: list[T.Token]) -> list[T.Token]:
    """``1年`` cut into 1 and 年 (年 is no unit of the figure reader, for dates): a small whole number and
    a cell of 年 alone right after it are a duration, one quantity (时效 1年 | 1年)."""
    out: list[T.Token] = []
    for t in toks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == T.NUM and t.kind == T.TEXT and C.nfkc(t.text).strip() == "年"
                and t.start == prev.end and re.fullmatch(r"[1-9][0-9]?", C.nfkc(prev.text).strip())):
            out[-1] = T.Token(T.QTY, prev.text + t.text, prev.start, t.end, prev.brk, prev.glued)
            continue
        out.append(t)
    return out


def _units_of_figures(toks: list[T.Token]) -> list[T.Token]:
    """Under a 度量单位 column printed before the value columns, a unit right after a figure (``26`` ``次``
    cut apart by the unit column's reading) is the figure's own: one cell, 26次."""
    out: list[T.Token] = []
    for t in toks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == T.NUM and t.kind in (T.TEXT, T.UNIT) and t.start == prev.end
                and not t.brk and C.unit_only(t.text) == C.nfkc(t.text).strip()):
            out[-1] = T.Token(T.QTY, prev.text + t.text, prev.start, t.end, prev.brk, prev.glued)
            continue
        out.append(t)
    return out


def _cut_short(table: ScoreTable, text: str) -> None:
    """The text stops inside the table's last row (an excerpt cut mid-table) after its 指标值, before
    the 度量单位 and every later column: the target's unit is not known, so its value is not asserted
    (the text stays in ``raw``)."""
    from desktop.claims.scoretable import Target

    if not table.indicators:
        return
    row = table.indicators[-1]
    t = row.target
    if (t is None or t.value is None or t.unit or " | " not in t.raw or row.location is None
            or row.location.end < len(text.rstrip()) - 3 or any((row.actual, row.weight, row.score))):
        return
    row.target = Target(raw=t.raw, location=t.location)


def _level_text(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _split_cells(tok: T.Token, parts: tuple[str, ...], orig: str) -> list[Cell]:
    """Cells for the parts of a figure that held several: the comparator goes with the first, the unit
    with the last."""
    s = C.nfkc(tok.text)
    first_digit = next((i for i, ch in enumerate(s) if ch.isdigit() or ch == "."), 0)
    pos = first_digit
    out = []
    for k, p in enumerate(parts):
        a = tok.start + (0 if k == 0 else pos)
        pos += len(p)
        b = tok.start + (len(s) if k == len(parts) - 1 else pos)
        out.append(Cell(text=orig[a:b], start=a, end=b))
    return out
