"""Tokens to rows under a header that tells the column order.

Indicator blocks are aligned by dynamic programming: each token either fills a column after the last one
its row filled, starts a new row (at 一级, 二级 or 三级指标: the level cells merged over several rows
appear only on the first), or is left out. What a token is (a level name, words, a figure with a unit, a
comparator, a unit) and what a column takes give each choice a score; columns a row leaves empty cost a
little (a merged 一级指标 nothing, a missing name a lot). A figure that holds several cells run together
(``44`` for 分值 4 and 得分 4; ``2010010020`` for 20 | 100 | 100 | 20) may fill several columns: its
splits are scored by what the form makes likely (得分 ≤ 分值, often equal; the actual near the target).

Budget rows are simpler — a name, then figures — and are assigned by trying every order-preserving
placement, scored by the block's own arithmetic (执行数 / 预算数 = 执行率, 得分 = 分值 × 执行率).
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from desktop.claims.score_tables import cells as C
from desktop.claims.score_tables import tokens as T
from desktop.claims.score_tables import vocab as V

NUMERIC_ROLES = (V.TVALUE, V.TARGET, V.ACTUAL, V.WEIGHT, V.SCORE)
UNKNOWN = "unknown"

SKIP = {V.L1: 0.0, V.L2: 0.0, V.NAME: -2.5, V.NATURE: -0.3, V.TVALUE: -1.0, V.UNITCOL: -0.3, V.TARGET: -0.8,
        V.ACTUAL: -0.8, V.WEIGHT: -0.6, V.SCORE: -0.6, V.DEVIATION: -0.05, V.METHOD: -0.05, V.COMPLETION: -0.1,
        UNKNOWN: -0.1, V.REVIEW: -0.1}
SKIP[V.COEF] = -0.1
SKIP[V.ADJUSTED] = -0.02  # left empty where the target was not adjusted: before any other column
NEW_ROW = -0.5
TAIL_FACTOR = 0.7
MULTI_GAIN = 1.0  # per column a figure run together with others fills
LEVELS = (T.LVL1, T.LVL2, T.LVL12)
ROW_HINT = 0.8
PAIR_EQUAL = 1.0  # 得分 equal to the 分值 just before it
PAIR_LESS = 0.3
CONTINUE = 0.1  # a words cell wrapped onto another line
#: values detached from their names: a lone figure before 分值 / 得分 is the actual printed beside them
#: (the targets went with the names), not a target whose actual is missing
DETACHED_ACTUAL = 0.3
LEVEL_INSIDE = 1.0  # a level name between a row's name and its values (a merged cell's text, centred)


_WEIGHTED = re.compile(r"[(（]\s*[0-9]+(?:\.[0-9]+)?\s*分\s*[)）]")


_DIGIT = re.compile(r"[0-9]")
_OCR_DIGITS = re.compile(r"[0-9IOlo.]{1,5}")
_NATURE_WORDS = ("正向", "反向", "定性", "定量", "正向指标", "反向指标")


def _short_text(tok: T.Token) -> bool:
    return len(C.key(tok.text)) <= 12 and not _DIGIT.search(tok.text)


def _num(tok: T.Token) -> Decimal | None:
    f = C.parse_figure(tok.text)
    return f.value if f is not None else None


def emissions(tok: T.Token, schema: tuple[str, ...]) -> list[float | None]:
    """:func:`emit` for every column, memoised on what the token is (kind and text)."""
    return list(_emissions(tok.kind, tok.text, schema))


@lru_cache(maxsize=16384)
def _emissions(kind: str, text: str, schema: tuple[str, ...]) -> tuple[float | None, ...]:
    tok = T.Token(kind, text, 0, len(text))
    return tuple(emit(tok, r) for r in schema)


def emit(tok: T.Token, role: str) -> float | None:
    """How well ``tok`` fits a column playing ``role`` (None: it cannot)."""
    k = tok.kind
    if k == T.VOID:
        return None
    if k == T.EMPTY:  # a cell the table shows empty: it fills its column, but heads no row
        return None if role in (V.L1, V.L2, V.NAME) else 0.0
    if role == V.L1:
        if k == T.LVL12 and _WEIGHTED.search(tok.text):
            return 2.5  # 满意度指标(10分): a first level carries its weight
        return {T.LVL1: 3.0, T.LVL12: 1.9, T.LVL2: -1.5}.get(k, -1.5 if k == T.TEXT and _short_text(tok) else None)
    if role == V.L2:
        return {T.LVL2: 3.0, T.LVL12: 2.0, T.LVL1: -1.5}.get(k, -1.5 if k == T.TEXT and _short_text(tok) else None)
    if role == V.NAME:
        return {T.TEXT: 1.0, T.LVL2: -0.5, T.LVL12: -0.5, T.LVL1: -1.0, T.QTY: -2.5, T.DASH: -2.0,
                T.NUM: -3.0}.get(k)
    if role == V.NATURE:
        if k == T.TEXT and C.key(tok.text) in _NATURE_WORDS:
            return 1.0
        return {T.CMP: 3.0, T.DASH: 0.2}.get(k)
    if role == V.UNITCOL:
        if k == T.TEXT and C.unit_only(tok.text, column=True):
            return 1.0  # 台件, 批次: a word the lexicon does not know, in the unit column
        if k == T.TEXT and len(C.key(tok.text)) <= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", C.key(tok.text)):
            return 0.3  # a measure word nothing lists, where the unit stands
        return {T.UNIT: 3.0, T.DASH: 0.2}.get(k)
    if role == V.TVALUE:
        return {T.NUM: 2.0, T.QTY: 1.5, T.DASH: 0.2, T.TEXT: 0.0}.get(k)
    if role == V.TARGET:
        return {T.QTY: 2.0, T.NUM: 1.2, T.TEXT: 0.3, T.DASH: 0.5}.get(k)
    if role == V.ACTUAL:
        return {T.QTY: 2.0, T.NUM: 1.5, T.TEXT: 0.3, T.DASH: 0.5}.get(k)
    if role in (V.WEIGHT, V.SCORE):
        if k == T.NUM:
            v = _num(tok)
            return 1.5 if v is not None and v <= 100 else None
        if k == T.QTY:
            f = C.parse_figure(tok.text)
            return 1.5 if f is not None and f.unit == "分" and f.value <= 100 else None
        if k == T.DASH:
            return 0.3
        if k == T.TEXT and _OCR_DIGITS.fullmatch(C.key(tok.text)):
            return 0.5  # OCR: IO for 10
        return None
    if role == V.COEF:
        f = C.parse_figure(tok.text) if k == T.QTY else None
        if f is not None and f.unit == "%" and f.value is not None and f.value <= 100:
            return 2.5  # a percentage where 得分系数 stands: the coefficient before the target or actual
    if role in (UNKNOWN, V.REVIEW, V.ADJUSTED, V.COEF):
        return {T.TEXT: 0.2, T.DASH: 0.3, T.NUM: 0.3, T.QTY: 0.0}.get(k)
    # deviation, method, completion: words
    return {T.TEXT: 0.2, T.DASH: 0.3, T.NUM: -1.0, T.QTY: -1.0}.get(k)


def junk(tok: T.Token, prev_kind: str | None) -> float:
    if tok.kind in (T.VOID, T.EMPTY):
        return 0.0  # 指标2: a placeholder of an empty slot; a cell left empty
    if tok.kind in (T.NUM, T.QTY) and prev_kind in (T.LVL1, T.LVL2, T.LVL12):
        return -0.6  # 管理指标 30: a level's own weight
    if tok.kind == T.DASH:
        return -0.3
    if tok.kind in (T.LVL1, T.LVL2, T.LVL12):
        return -0.8  # a level with no indicator under it (生态效益指标 | | |)
    return -2.5


# --- figures run together ------------------------------------------------------------------------

_PART = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def _places(s: str) -> int:
    return len(s.split(".")[1]) if "." in s else 0


@lru_cache(maxsize=4096)
def split_run(digits: str, roles: tuple[str, ...], target: Decimal | None = None
              ) -> tuple[float, tuple[str, ...], bool] | None:
    """The best cut of ``digits`` into one number per role: (score, parts, ambiguous) or None.
    ``target``: the row's target when it stands in a cell of its own before the run."""
    n = len(roles)
    if n < 2 or len(digits) < n or len(digits) > 24:
        return None
    scored: list[tuple[float, tuple[str, ...]]] = []
    for cuts in itertools.combinations(range(1, len(digits)), n - 1):
        parts = tuple(digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits))))
        if not all(_PART.fullmatch(p) for p in parts):
            continue
        s = _split_score(parts, roles, target)
        if s is not None:
            scored.append((s, parts))
    if not scored:
        return None
    scored.sort(key=lambda x: -x[0])
    best = scored[0]
    ambiguous = _contradicts(best[1], roles)
    if len(scored) > 1 and best[0] - scored[1][0] < 0.3:
        other = scored[1][1]
        ambiguous = any(best[1][i] != other[i] for i in range(n))
    return best[0], best[1], ambiguous


def _contradicts(parts: tuple[str, ...], roles: tuple[str, ...]) -> bool:
    """A cut that reads full marks for an actual far from its target (28 | 10 | 8 | 10): the digits were
    cut wrong, or lost a decimal point; either way the values are not to be asserted."""
    vals = dict(zip(roles, parts))
    t, a = vals.get(V.TARGET, vals.get(V.TVALUE)), vals.get(V.ACTUAL)
    w, s = vals.get(V.WEIGHT), vals.get(V.SCORE)
    if None in (t, a, w, s) or Decimal(w) != Decimal(s) or Decimal(t) == 0:
        return False
    ratio = Decimal(a) / Decimal(t)
    return ratio < Decimal("0.5") or ratio > 2


def _split_score(parts: tuple[str, ...], roles: tuple[str, ...], target: Decimal | None = None) -> float | None:
    vals = {}
    score = 0.0
    for p, r in zip(parts, roles):
        try:
            v = Decimal(p)
        except InvalidOperation:
            return None
        vals[r] = v
        if r in (V.WEIGHT, V.SCORE):
            if v > 100 or _places(p) > 2:
                return None
    w, s = vals.get(V.WEIGHT), vals.get(V.SCORE)
    if w is not None:
        if w <= 0:
            return None
        if w > 40:
            score -= 1.0
        if w < 2:
            score -= 1.5
        if w <= 20:
            score += 0.3
        if w == w.to_integral_value() or (w * 2) == (w * 2).to_integral_value():
            score += 0.3
    if s is not None:
        if w is not None:
            if s > w:
                return None
            if s == w:
                score += 2.0
        if s == 0:
            score -= 2.0
    t = vals.get(V.TARGET, vals.get(V.TVALUE, target))
    a = vals.get(V.ACTUAL)
    for r in (V.TARGET, V.TVALUE, V.ACTUAL):
        if r in vals and _places(parts[roles.index(r)]) > 3:
            score -= 1.0
    if t is not None and a is not None:
        if t == a:
            score += 1.0
        elif t > 0 and Decimal("0.5") <= a / t <= 2:
            score += 0.5
        else:
            score -= 0.5
    return score


def _run_digits(tok: T.Token) -> tuple[str, str, str] | None:
    """(op, digits, unit) of a figure that may hold several cells."""
    s = C.nfkc(tok.text).strip()
    m = re.fullmatch(r"(?P<op>[^0-9.]*?)(?P<d>[0-9][0-9.]*)(?P<u>\D*)", s)
    if not m or len(m.group("d")) < 2:
        return None
    return m.group("op"), m.group("d"), m.group("u")


# --- indicator rows ------------------------------------------------------------------------------

NEG = float("-inf")


def align_indicators(tokens: list[T.Token], schema: list[str], row_hint: bool,
                     lenient: bool = False, detached: bool = False,
                     wraps: bool = False) -> list[list[tuple[str, T.Token, object]]]:
    """Rows of (role, token, split) for the indicator block ``tokens``. ``lenient``: cells ran together,
    so a word target and a word actual may have run into the name (an empty target costs less).
    ``detached``: the conversion printed values apart from their names, so a row may start at its
    target or its actual (at the cost of a missing name). ``wraps``: a line break may fall inside a
    cell (a PDF page's lines), so words on the next line may go on a words cell."""
    m = len(schema)
    if not tokens or not m:
        return []
    NONE = m  # before the first row
    prefix = [0.0] * (m + 1)  # prefix[j + 1] = skip costs of columns 0..j
    for j, r in enumerate(schema):
        cost = SKIP.get(r, -0.1)
        if lenient and r in (V.TARGET, V.ACTUAL):
            cost = -0.3
        prefix[j + 1] = prefix[j] + cost
    # leaving the columns after j empty: a row cut short (truncated, or merged cells below) costs less
    # than a gap inside it
    tail = [TAIL_FACTOR * (prefix[m] - prefix[j + 1]) for j in range(m)]
    first_content = next((j for j, r in enumerate(schema) if r not in (V.L1, V.L2)), 0)
    starts = [j for j in range(first_content + 1)]
    if detached:
        starts += [j for j, r in enumerate(schema) if j > first_content and r in (
            V.NATURE, V.TVALUE, V.TARGET, V.ACTUAL) and all(x in (V.NATURE, V.TVALUE, V.UNITCOL, V.TARGET, V.ACTUAL)
                                                            for x in schema[first_content + 1:j])]
    numeric = [r in NUMERIC_ROLES for r in schema]
    # runs of numeric columns one figure may fill together: (first column, last column, their roles);
    # a column that is only words (得分计算方法) may sit empty between them
    multi_ranges = []
    for k in range(m):
        if not numeric[k]:
            continue
        roles_k = [schema[k]]
        for e in range(k + 1, m):
            if numeric[e]:
                roles_k.append(schema[e])
                if len(roles_k) > 5:
                    break
                multi_ranges.append((k, e, tuple(roles_k), prefix[e] - prefix[k + 1] - sum(
                    SKIP.get(schema[x], -0.1) for x in range(k + 1, e) if numeric[x])))
            elif schema[e] not in (V.METHOD, UNKNOWN, V.COMPLETION, V.REVIEW, V.ADJUSTED, V.COEF):
                break

    word_cols = [k for k, r in enumerate(schema) if r in (V.DEVIATION, V.METHOD, V.COMPLETION)]
    name_col = schema.index(V.NAME) if V.NAME in schema and (V.L1 in schema or V.L2 in schema) else None
    dp = [NEG] * (m + 1)
    dp[NONE] = 0.0
    back: list[list[tuple | None]] = []
    score_col = schema.index(V.SCORE) if V.SCORE in schema and schema.index(V.SCORE) > 0 and schema[
        schema.index(V.SCORE) - 1] == V.WEIGHT else -1
    pair_value: Decimal | None = None  # the previous token's value, when a 分值 it may be
    prev_kind = None
    prev_value: Decimal | None = None
    schema_t = tuple(schema)
    for i_tok, t in enumerate(tokens):
        em = emissions(t, schema_t)
        if prev_kind in LEVELS and t.kind in (T.NUM, T.QTY):
            # 项目管理 13分: a level's own weight more likely than a row's 分值 / 得分
            em = [e - 1.0 if e is not None and schema[k] in (V.WEIGHT, V.SCORE) else e for k, e in enumerate(em)]
        nxt = tokens[i_tok + 1] if i_tok + 1 < len(tokens) else None
        if nxt is not None and t.kind in LEVELS and nxt.kind in LEVELS:
            # two level names in a row: the first heads no indicator unless the second is its child
            for k, r in enumerate(schema):
                if em[k] is not None and r in (V.L1, V.L2) and not (
                        r == V.L1 and t.kind in (T.LVL1, T.LVL12) and nxt.kind in (T.LVL2, T.LVL12)):
                    em[k] -= 0.5
        new = [NEG] * (m + 1)
        bp: list[tuple | None] = [None] * (m + 1)
        jk = junk(t, prev_kind)
        for j in range(m + 1):
            if dp[j] > NEG and dp[j] + jk > new[j]:
                new[j] = dp[j] + jk
                bp[j] = (j, "junk", None)
        # same row: best over j < k of dp[j] - prefix[j + 1], plus prefix[k]
        best, best_j = NEG, None
        before: list[tuple[float, int | None]] = [(NEG, None)] * (m + 1)  # that best, for every k
        for k in range(m):
            if k > 0 and dp[k - 1] > NEG and dp[k - 1] - prefix[k] > best:
                best, best_j = dp[k - 1] - prefix[k], k - 1
            before[k] = (best, best_j)
            if best_j is not None and em[k] is not None:
                v = best + prefix[k] + em[k]
                if v > new[k]:
                    new[k] = v
                    bp[k] = (best_j, "fill", None)
            if k == score_col and em[k] is not None and dp[k - 1] > NEG and pair_value is not None and (
                    back and back[-1][k - 1] is not None and back[-1][k - 1][1] != "junk"):
                # 得分 right after 分值: the same figure (full marks) or a smaller one
                v0 = _num(t) if t.kind == T.NUM and not t.glued else None
                if v0 is not None and v0 <= pair_value:
                    v = dp[k - 1] + em[k] + (PAIR_EQUAL if v0 == pair_value else PAIR_LESS)
                    if v > new[k]:
                        new[k] = v
                        bp[k] = (k - 1, "fill", None)
        # words wrapped onto a second line of a words column (偏差原因): the same cell goes on
        if t.kind == T.TEXT and (wraps or not t.brk):
            for k in word_cols:
                if dp[k] > NEG and dp[k] + CONTINUE > new[k]:
                    new[k] = dp[k] + CONTINUE
                    bp[k] = (k, "cont", None)
        # a merged level cell printed on the line of a middle row, between its name and its values
        if t.kind in LEVELS and name_col is not None and dp[name_col] > NEG:
            v = dp[name_col] + LEVEL_INSIDE
            if v > new[name_col]:
                new[name_col] = v
                bp[name_col] = (name_col, "level", None)
        # a new row
        end_best, end_j = dp[NONE], NONE
        for j in range(m):
            if dp[j] > NEG and dp[j] + tail[j] > end_best:
                end_best, end_j = dp[j] + tail[j], j
        bonus = NEW_ROW + (ROW_HINT if row_hint and t.brk else 0.0)
        for k in starts:
            if em[k] is not None:
                v = end_best + bonus + (prefix[k] - prefix[0] if schema[k] not in (V.L1, V.L2) else 0.0) + em[k] + (
                    DETACHED_ACTUAL if detached and schema[k] == V.ACTUAL else 0.0)
                if v > new[k]:
                    new[k] = v
                    bp[k] = (end_j, "row", None)
        # one figure over several numeric columns
        rd = _run_digits(t) if t.glued and t.kind in (T.NUM, T.RUN, T.QTY) else None
        if rd is not None:
            op, unit = rd[0].strip(), rd[2].strip()
            for k, e, roles, skipped in multi_ranges:
                b, bj = before[k]
                if bj is None or (op and roles[0] in (V.WEIGHT, V.SCORE)):
                    continue
                if unit and unit != "分" and roles[-1] in (V.WEIGHT, V.SCORE):
                    continue  # 97%: a percent ends in a value column, not in 得分
                sp = split_run(rd[1], roles, prev_value)
                if sp is None:
                    continue
                # from the best state before k in the same row; word columns left empty between cost theirs
                v = b + prefix[k] + skipped + sp[0] + MULTI_GAIN * len(roles)
                if v > new[e]:
                    new[e] = v
                    bp[e] = (bj, "multi", (roles, sp))
        dp = new
        back.append(bp)
        if t.kind == T.EMPTY:
            continue
        pair_value = _num(t) if t.kind == T.NUM and not t.glued else None
        prev_kind = t.kind
        prev_value = None
        if t.kind in (T.QTY, T.NUM) and not t.glued or t.kind == T.QTY:
            q = C.parse_quantity(t.text)
            prev_value = q.value if q is not None else None
    # best final state
    final, fj = dp[NONE], NONE
    for j in range(m):
        if dp[j] > NEG and dp[j] + tail[j] > final:
            final, fj = dp[j] + tail[j], j
    # backtrack
    actions: list[tuple[int, str, object, int]] = []
    j = fj
    for i in range(len(tokens) - 1, -1, -1):
        step = back[i][j]
        if step is None:
            break
        prev, action, extra = step
        actions.append((i, action, extra, j))
        j = prev
    actions.reverse()
    rows: list[list[tuple[str, T.Token, str | None]]] = []
    for i, action, extra, state in actions:
        t = tokens[i]
        if action == "junk":
            continue
        if action == "row" or not rows:
            rows.append([])
        if action == "multi":
            roles, sp = extra
            rows[-1].append(("__multi__", t, (roles, sp)))
        elif action == "level":
            rows[-1].append((V.L2 if t.kind == T.LVL2 else V.L1, t, None))
        else:
            rows[-1].append((schema[state], t, None))
    return rows


# --- budget rows ---------------------------------------------------------------------------------

AMOUNTS = (V.B_START, V.B_FULL, V.B_EXEC)


def _budget_values(tok: T.Token) -> list[list[tuple[str, int, int]]]:
    """Ways to read one figure token as budget cells: [(text, start offset in token, end)]."""
    s = C.nfkc(tok.text)
    if tok.kind == T.EMPTY:
        return [[("", 0, 0)], []]  # a cell shown empty, or padding where cells were merged
    if tok.kind == T.DASH:
        return [[("", 0, len(s))]]
    if tok.kind in (T.NUM, T.QTY) and not tok.glued:
        return [[(s, 0, len(s))]]
    m = re.fullmatch(r"([0-9.,]+)(%?)", s)
    whole = (C.parse_amount(s) or C.parse_figure(s)) and not (tok.glued and re.match(r"0[0-9]", s))
    out = [[(s, 0, len(s))]] if whole else []  # 00 is no amount: 0 | 0 run together
    if not m or not tok.glued:
        return out
    digits, pct = m.group(1), m.group(2)
    for n in range(2, 7):
        for bounds in _cuts(digits, n):
            cells = [(digits[a:b], a, b) for a, b in bounds]
            if pct:
                p, a, b = cells[-1]
                cells[-1] = (p + "%", a, b + 1)
            out.append(cells)
        if len(out) > 400:
            break
    return out


_CELL_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]{1,2})?")


@lru_cache(maxsize=2048)
def _cuts(s: str, n: int, start: int = 0) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Every way to cut ``s[start:]`` into ``n`` numbers of at most two decimals (as amounts, rates and
    scores are written), as (start, end) pairs."""
    if n == 1:
        return (((start, len(s)),),) if _CELL_NUMBER.fullmatch(s, start) else ()
    out = []
    for m_end in range(start + 1, len(s)):
        if not _CELL_NUMBER.fullmatch(s, start, m_end) or s[m_end] == ".":
            continue
        for rest in _cuts(s, n - 1, m_end):
            out.append(((start, m_end), *rest))
    return tuple(out)


def assign_budget(values: list[T.Token], columns: list[str], total: dict[str, Decimal] | None = None
                  ) -> dict[str, tuple[T.Token, int, int, str]]:
    """The best placement of a budget row's figures in the header's columns: role -> (token, start, end,
    text) with start/end inside the token's text. ``total``: the amounts of the block's 年度资金总额 line
    when this row is one of its 其中 parts (a part is at most its total, often all of it)."""
    fit = budget_fit(values, columns, total)
    return fit[1] if fit else {}


def split_budget_rows(values: list[T.Token], columns: list[str], most: int) -> list[list[T.Token]] | None:
    """Figures of up to ``most`` budget rows printed one after another with their names elsewhere (a
    scrambled PDF): the cut into rows whose placements fit best, or None."""
    best: tuple[float, list[list[T.Token]]] | None = None
    n = len(values)
    for k in range(1, min(most, n) + 1):
        for cuts in itertools.combinations(range(1, n), k - 1):
            groups = [values[a:b] for a, b in zip((0, *cuts), (*cuts, n))]
            fits = [budget_fit(g, columns) for g in groups]
            if any(f is None for f in fits):
                continue
            s = sum(f[0] - ALIKE * _unlike_amounts(f[1]) for f in fits)
            if best is None or s > best[0]:
                best = (s, groups)
    return best[1] if best else None


ALIKE = 0.6  # a line's amounts are written alike (all with decimals, or none)


def _unlike_amounts(placed: dict) -> int:
    """How many of a line's amounts are written unlike the others (9 among 65.66 and 65.07)."""
    marks = [("." in txt) for role, (_t, _a, _b, txt) in placed.items() if role in AMOUNTS and txt]
    if len(marks) < 2:
        return 0
    return min(marks.count(True), marks.count(False))


def budget_fit(values: list[T.Token], columns: list[str], total: dict[str, Decimal] | None = None
               ) -> tuple[float, dict[str, tuple[T.Token, int, int, str]]] | None:
    """(score, placement) of :func:`assign_budget`, None when the figures fit no placement."""
    options = [_budget_values(t) for t in values]
    if not values or any(not o for o in options):
        return None
    best: tuple[float, dict] | None = None
    count = 0
    for combo in itertools.product(*options):
        flat = [(values[i], a, b, txt) for i, cells in enumerate(combo) for (txt, a, b) in cells]
        if len(flat) > len(columns):
            continue
        extra = len(flat) - len(values) + sum(1 for cells in combo if not cells)
        for cols in itertools.combinations(range(len(columns)), len(flat)):
            placed = {columns[c]: f for c, f in zip(cols, flat)}
            s = _budget_score(placed, columns, extra, total)
            count += 1
            if s is not None and (best is None or s > best[0]):
                best = (s, placed)
            if count > 20000:
                break
    return best


def _budget_score(placed: dict, columns: list[str], extra: int = 0,
                  total: dict[str, Decimal] | None = None) -> float | None:
    """``extra``: how many more cells than tokens (figures split apart); a split must be borne out by
    the block's arithmetic, or by the total the row is part of (``2020`` under 年度资金总额 20 | 20 is
    20 | 20)."""
    vals: dict[str, Decimal] = {}
    score = 0.0
    confirmed = False
    for role, (_tok, _a, _b, txt) in placed.items():
        if not txt:
            score += -0.2 if role in AMOUNTS else 0.0
            continue
        pct = txt.endswith("%")
        try:
            v = Decimal(txt.rstrip("%").replace(",", ""))
        except InvalidOperation:
            return None
        if pct and role != V.B_RATE or role == V.B_REASON:
            return None
        if role == V.B_RATE:
            score += 2.0 if pct else 0.0
            if v > 300:
                return None
        elif role in (V.B_WEIGHT, V.B_SCORE):
            if v > 100:
                return None
            score += 0.5
        else:
            score += 1.0
        vals[role] = v
    for role in columns:
        if role not in placed:
            # a lone figure after the rate is 分值 rather than 得分 (a form left unscored leaves 得分 empty)
            score += {V.B_START: -0.2, V.B_FULL: -0.6, V.B_EXEC: -0.6, V.B_WEIGHT: -0.45}.get(role, -0.4)
    full = vals.get(V.B_FULL, vals.get(V.B_START))
    ex, rate = vals.get(V.B_EXEC), vals.get(V.B_RATE)
    if full and ex and rate:
        rate_text = placed[V.B_RATE][3].rstrip("%")
        places = _places(rate_text)
        if abs(ex / full * 100 - rate) <= Decimal(5).scaleb(-places - 1) + Decimal("0.0001"):
            score += 3.0
            confirmed = True
        elif _rate_as_fraction(ex / full, rate_text):
            score += 2.5  # 执行率 written as a fraction: 1 for 100%, 0.95 for 95%
            confirmed = True
        else:
            score -= 1.0
    as_total = 0  # amounts equal to the total's: each bears out one cut
    if total:
        for role in AMOUNTS:
            v, whole = vals.get(role), total.get(role)
            if v is None or whole is None:
                continue
            if v > whole:
                score -= 3.0  # a part larger than its total
            elif v == whole and v > 0:
                score += 0.5
                as_total += 1
    if extra:
        score -= 2.0 * sum(1 for role, f in placed.items() if f[3] in ("0", "0%"))
    w, sc = vals.get(V.B_WEIGHT), vals.get(V.B_SCORE)
    if w is not None and sc is not None:
        if sc > w:
            return None
        if rate is not None and abs(w * min(rate, Decimal(100)) / 100 - sc) <= Decimal("0.06"):
            score += 1.5
            confirmed = True
    if extra and not confirmed:
        score -= 3.0 * max(0, extra - max(0, as_total - 1))
    amounts = [vals[r] for r in AMOUNTS if r in vals]
    if amounts and w is not None and max(amounts) < w and max(amounts) > 0 and len(amounts) >= 2:
        score -= 0.5
    if extra:
        score += _same_places(placed)
    return score


def _rate_as_fraction(ratio: Decimal, rate_text: str) -> bool:
    """``1`` / ``0.95`` in the 执行率 column, no % written: the rate as a fraction, borne out by the
    amounts."""
    if "%" in rate_text:
        return False
    try:
        rate = Decimal(rate_text)
    except InvalidOperation:
        return False
    return rate <= Decimal("1.5") and abs(ratio - rate) <= Decimal(5).scaleb(-_places(rate_text) - 1) + Decimal(
        "0.0001")


def _same_places(placed: dict) -> float:
    """Amounts cut apart from one run (``2456.182456.182456.18``): a row writes its amounts to the same
    number of decimals, so the cut that keeps them so (2456.18 | 2456.18 | 2456.18, not 2456.1 |
    82456.1 | 82456.18, whose ratio rounds to the same rate) is the likelier."""
    places = {_places(placed[r][3]) for r in AMOUNTS if r in placed and placed[r][3]}
    n = sum(1 for r in AMOUNTS if r in placed and placed[r][3])
    return 0.5 if n >= 2 and len(places) == 1 else 0.0


def place_with_strays(values: list[T.Token], strays: list[T.Token], columns: list[str]
                      ) -> dict[str, tuple[T.Token, int, int, str]] | None:
    """A scrambled PDF prints some of a budget line's figures apart from the others (执行数 after the
    names, 执行率 among the goals): the placement of ``values`` (in their order) and some of the
    ``strays`` (anywhere) that the block's arithmetic bears out — 执行数 / 预算数 = 执行率 or
    分值 × 执行率 = 得分 — and that fits better than ``values`` alone; None when there is none."""
    if not strays or len(strays) > 4 or len(values) + len(strays) > 9 or any(
            t.kind not in (T.NUM, T.QTY, T.DASH) for t in values):
        return None
    cells = [(t, 0, len(t.text), C.nfkc(t.text) if t.kind != T.DASH else "") for t in values]
    base = budget_fit(values, columns)
    best: tuple[float, dict] | None = None
    n = len(columns)
    for k in range(1, len(strays) + 1):
        for chosen in itertools.combinations(strays, k):
            extra = [(t, 0, len(t.text), C.nfkc(t.text)) for t in chosen]
            allc = cells + extra
            if len(allc) > n:
                continue
            for cols in itertools.permutations(range(n), len(allc)):
                lead_cols = cols[:len(cells)]
                if any(a > b for a, b in zip(lead_cols, lead_cols[1:])):
                    continue
                placed = {columns[c]: f for c, f in zip(cols, allc)}
                if len(placed) < len(allc):
                    continue
                sc = _budget_score(placed, columns)
                if sc is None or not _borne_out(placed):
                    continue
                if best is None or sc > best[0]:
                    best = (sc, placed)
    if best is None or (base is not None and best[0] <= base[0]):
        return None
    return best[1]


def _borne_out(placed: dict) -> bool:
    vals = {}
    for role, (_t, _a, _b, txt) in placed.items():
        if txt:
            try:
                vals[role] = Decimal(txt.rstrip("%").replace(",", ""))
            except InvalidOperation:
                return False
    full, ex, rate = vals.get(V.B_FULL, vals.get(V.B_START)), vals.get(V.B_EXEC), vals.get(V.B_RATE)
    w, sc = vals.get(V.B_WEIGHT), vals.get(V.B_SCORE)
    if full and ex is not None and rate is not None and abs(ex / full * 100 - rate) <= Decimal("0.006"):
        return True
    return bool(w and sc is not None and rate is not None and abs(w * min(rate, Decimal(100)) / 100 - sc) <= Decimal("0.006"))
