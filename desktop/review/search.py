"""Searching the evidence library: names, paths, extracted text — and numbers, whatever their format.

A person searches a figure as the report writes it (``21099``, ``658.83``, ``658.83万``) while the file
states it in its own way (``21,099``; ``6,588,300.00`` 元). So a query is split into words, and every word
that is a number is also looked up in the number index the suggestions use (``evidence_numbers``), by
value: separators stripped, read at the scales evidence is written in (元 / 千元 / 万元 / 亿元,
and 2.1099万 for 21099), to the precision typed (``658.83`` finds 6,588,312 元 too, as rounding).

* A bare number (``658.83``) may be in any unit: it matches the numbers that state it at any scale, the
  same scale first (``21099`` finds 21,099 and 2.1099万). A small or round one (``14``, ``2000``) is everywhere at other scales, so it is
  matched only as written.
* A number with a unit (``658.83万``, ``6588300元``, ``89%``) matches numbers whose own unit (beside them
  or in their column header) agrees with the scale read, or that have none.
* Every word is also searched as text, as the library always did (FTS5 trigram for three characters or
  more, ``LIKE`` for fewer), so ``〔2024〕41号`` or a name fragment still works.

A file must match every word of the query. Results are one per file, best first (a number stated exactly
above one that rounds to it, a name above a path, a number above text), each with where it matched
(locator) and a snippet. :class:`SearchResult` also says what was searched, so an empty result can say
what to try (``desktop.text.search``).

:func:`search_evidence_ids` is a drop-in for the library's old ``set`` of matching ids.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from db.database import Database
from desktop.review import matching
from desktop.review.number_search import ROW_COLS, closeness, has_digit_index, range_sql

ONE = Decimal(1)
# the scales evidence writes amounts in (元, 千元, 万元, 亿元), and the ratios a bare number may be read at
SCALES = (ONE, Decimal(1_000), Decimal(10_000), Decimal(100_000_000))
BARE_RATIOS = tuple(sorted({a / b for a in SCALES for b in SCALES}))
SNIPPET_BEFORE, SNIPPET_AFTER = 24, 36
MAX_ROWS_PER_WORD = 5_000

_NUMBER = re.compile(
    r"^(?:¥|人民币)?(?P<num>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|\.[0-9]+)\s*"
    r"(?P<unit>百万元|千万元|亿元|万元|千元|元|百万|千万|亿|万|千|万人次|人次|万人|人|万户|户|万家|家|万条|条|万件|件|"
    r"个百分点|百分点|个|项|次|批次|名|份|台|套|所|座|辆|天|笔|张|篇|场|%|‰)?$"
)


def _normalise(text: str) -> str:
    """NFKC (full-width digits, ％, ，) without changing ASCII."""
    return "".join(ch if ord(ch) < 128 else unicodedata.normalize("NFKC", ch) for ch in text)


@dataclass(frozen=True)
class NumberWord:
    """A word of the query that is a number: its value as typed, the unit typed (if any)."""

    text: str  # as typed
    value: Decimal
    unit: str | None

    def claim_value(self) -> matching.ClaimValue | None:
        """With a unit, the number as the suggestion matcher reads a claim: ``658.83万`` is 658.83 at
        10,000, found as 6,588,300.00 元 or 658.83 万元; ``89%`` as 89 % or 0.89."""
        unit = matching.parse_unit(self.unit)
        if unit is None:
            return None
        if unit.dim == "bare":  # 658.83万: an amount or a count, at that scale
            return matching.claim_value(str(self.value), None, str(unit.scale))
        return matching.claim_value(str(self.value), self.unit, str(unit.scale))

    def bare_readings(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """Without a unit: (lo, hi, ratio) intervals of the evidence numbers that state the value at some
        scale (6,588,300 for 658.83 read as 万). A small or round value only as written."""
        q = matching.quantum(self.value)
        lo, hi = self.value - q / 2, self.value + q / 2
        ratios = BARE_RATIOS if matching.value_weight(self.value) >= 0.4 else (ONE,)
        return [(lo * r, hi * r, r) for r in ratios]


def parse_query(query: str) -> tuple[list[str], list[NumberWord | None]]:
    """The words of a query, and for each the number it is (None for a word that is not one)."""
    words = [w for w in re.split(r"[\s\u3000]+", _normalise(query).strip()) if w]
    numbers: list[NumberWord | None] = []
    for w in words:
        m = _NUMBER.match(w.replace("，", ","))
        value = None
        if m:
            try:
                value = Decimal(m["num"].replace(",", ""))
            except InvalidOperation:
                value = None
        numbers.append(NumberWord(w, value, m["unit"]) if value is not None and value > 0 else None)
    return words, numbers


@dataclass
class SearchHit:
    evidence_id: int
    name: str
    path: str | None
    locator: str | None
    snippet: str
    score: float
    matched: str  # number / name / path / text

    def as_json(self) -> dict[str, Any]:
        return {"evidence_id": self.evidence_id, "name": self.name, "path": self.path, "locator": self.locator,
                "snippet": self.snippet}


@dataclass
class SearchResult:
    query: str
    words: list[str]  # what was searched as text
    numbers: list[str] = field(default_factory=list)  # the words also searched as numbers
    results: list[SearchHit] = field(default_factory=list)
    pending: int = 0  # files whose text is not extracted yet (they cannot be found by their text)

    @property
    def ids(self) -> set[int]:
        return {h.evidence_id for h in self.results}

    def as_json(self) -> dict[str, Any]:
        return {"query": self.query, "results": [h.as_json() for h in self.results]}


# --- one word ------------------------------------------------------------------------------------


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _snippet(text: str | None, at: int, length: int) -> str:
    if not text:
        return ""
    a = max(0, at - SNIPPET_BEFORE)
    b = min(len(text), at + length + SNIPPET_AFTER)
    return ("…" if a else "") + text[a:b].replace("\n", " ").strip() + ("…" if b < len(text) else "")


Candidate = tuple[float, str, str | None, str]  # (score, matched, locator, snippet)


def _text_matches(db: Database, word: str) -> dict[int, Candidate]:
    """Files whose name, path or text holds ``word`` as written."""
    out: dict[int, Candidate] = {}
    like = _like(word)

    def add(eid: int, cand: Candidate) -> None:
        if eid not in out or cand[0] > out[eid][0]:
            out[eid] = cand

    for r in db.query("SELECT id, name FROM evidence WHERE name LIKE ? ESCAPE '\\'", (like,)):
        add(r[0], (0.9, "name", None, r[1]))
    for r in db.query("SELECT evidence_id, path FROM evidence_paths WHERE path LIKE ? ESCAPE '\\'", (like,)):
        add(r[0], (0.4, "path", None, r[1]))
    if len(word) >= 3:
        sql = ("SELECT evidence_id, locator, text FROM evidence_text WHERE evidence_text MATCH ? LIMIT ?",
               ('"' + word.replace('"', '""') + '"', MAX_ROWS_PER_WORD))
    else:
        sql = ("SELECT evidence_id, locator, text FROM evidence_text WHERE text LIKE ? ESCAPE '\\' LIMIT ?",
               (like, MAX_ROWS_PER_WORD))
    for r in db.query(*sql):
        text = r[2] or ""
        at = text.find(word)
        if at < 0:
            at = text.lower().find(word.lower())
        add(int(r[0]), (0.6, "text", r[1], _snippet(text, max(at, 0), len(word))))
    return out


def _number_snippet(row: tuple) -> str:
    """The words around a number found (its context, cut to the snippet's width around the number itself)."""
    raw, context = (row[3] or "").strip(), (row[8] or "").strip()
    if not context:
        return raw
    at = context.find(raw) if raw else -1
    return _snippet(context, at, len(raw)) if at >= 0 else context


def _keep(out: dict[int, Candidate], eid: int, cand: Candidate) -> None:
    if eid not in out or cand[0] > out[eid][0]:
        out[eid] = cand


def _number_matches(db: Database, word: NumberWord, indexed: bool) -> dict[int, Candidate]:
    """Files that state the number ``word`` at some scale (the best place per file).

    Stated exactly at the scale typed scores 1.0; rounded, at another scale, or with no unit to go by, less.
    """
    out: dict[int, Candidate] = {}
    cv = word.claim_value()
    if cv is not None:  # a unit typed: the suggestion matcher's targets, and its judgement of each unit
        for target in cv.targets:
            for row in _scan(db, target.lo, target.hi, indexed):
                v = matching.to_decimal(row[2])
                if v is None or not (target.lo <= v < target.hi):
                    continue
                agr = matching.agreement(cv, target, raw=row[3], unit=row[4], is_percent=bool(row[5]),
                                         context=row[8])
                if agr is None:
                    continue
                exact, _ = closeness(cv, target, row[2])
                score = (1.0 if exact else 0.85) - (0.0 if target.scale == cv.scale else 0.05) \
                    - (0.05 if agr.how == "assumed" else 0.0)
                _keep(out, row[1], (score, "number", row[6], _number_snippet(row)))
        return out
    for lo, hi, ratio in word.bare_readings():
        for row in _scan(db, lo, hi, indexed):
            v = matching.to_decimal(row[2])
            if v is None or not (lo <= v < hi) or (row[5] and ratio != ONE):
                continue
            score = (1.0 if v == word.value * ratio else 0.85) - (0.0 if ratio == ONE else 0.05)
            _keep(out, row[1], (score, "number", row[6], _number_snippet(row)))
    return out


def _scan(db: Database, lo: Decimal, hi: Decimal, indexed: bool) -> list[tuple]:
    if lo <= 0 or hi <= lo:
        return []
    if not indexed:  # an older workspace opened read-only: no (mag, sig) index
        rows = db.query(f"SELECT {ROW_COLS} FROM evidence_numbers")
        return [tuple(r) for r in rows]
    rows: list[tuple] = []
    for mag, s_lo, s_hi in matching.decade_ranges(lo, hi):
        sql, params = range_sql(mag, s_lo, s_hi, " LIMIT ?", [MAX_ROWS_PER_WORD])
        rows.extend(tuple(r) for r in db.query(sql, params))
    return rows


# --- the query -----------------------------------------------------------------------------------


def search_evidence(db: Database, query: str, *, limit: int | None = 200) -> SearchResult:
    """Files matching every word of ``query`` (by name, path, text, or — for a number — its value), best first."""
    words, numbers = parse_query(query)
    result = SearchResult(query, words, [n.text for n in numbers if n is not None])
    if not words:
        return result
    indexed = has_digit_index(db)
    with db.snapshot():
        per_word: list[dict[int, Candidate]] = []
        for word, number in zip(words, numbers):
            found = _text_matches(db, word)
            if number is not None:
                for eid, cand in _number_matches(db, number, indexed).items():
                    if eid not in found or cand[0] > found[eid][0]:
                        found[eid] = cand
            per_word.append(found)
        ids = set(per_word[0])
        for found in per_word[1:]:
            ids &= set(found)
        ranked = sorted(ids, key=lambda e: (-sum(f[e][0] for f in per_word), -e))
        if limit:
            ranked = ranked[:limit]
        meta = _files(db, ranked)
        for eid in ranked:
            best = max((f[eid] for f in per_word), key=lambda c: c[0])
            name, path = meta.get(eid, ("", None))
            result.results.append(SearchHit(eid, name, path, best[2], best[3], round(sum(f[eid][0] for f in per_word), 3),
                                            best[1]))
        result.pending = db.scalar("SELECT count(*) FROM evidence WHERE text_status = 'pending'") or 0
    return result


def _files(db: Database, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    out: dict[int, tuple[str, str | None]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for r in db.query(
            f"SELECT e.id, e.name, (SELECT p.path FROM evidence_paths p WHERE p.evidence_id = e.id AND p.present = 1"
            f" ORDER BY p.id DESC LIMIT 1) FROM evidence e WHERE e.id IN ({marks})", chunk
        ):
            out[r[0]] = (r[1], r[2])
    return out


def search_evidence_ids(db: Database, query: str) -> set[int]:
    """The ids of the files :func:`search_evidence` finds (what the library's list filters by)."""
    return search_evidence(db, query, limit=None).ids


__all__ = ["search_evidence", "search_evidence_ids", "parse_query", "SearchResult", "SearchHit", "NumberWord"]
