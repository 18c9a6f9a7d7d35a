"""Finding a claim's value among the numbers of evidence files, and judging each place it is found.

A claim's value becomes a few :class:`~desktop.review.matching.Target` intervals; each is one or two
range scans on the ``(mag, sig)`` index of ``evidence_numbers`` (:class:`SqlSearch`), or, for a few
files, a bisect over their numbers held in memory (:class:`MemorySearch`). Both return the same rows for
the same question, so a claim's suggestions do not depend on which one ran.

A place found is a :class:`Place`: the row, the target that found it, how well its unit agrees, whether it
states the claim's value exactly or only rounds to it (:func:`closeness`), and whether the words beside it
name another measure (缺口 where the claim says 收入). :func:`place_order` ranks the places of one file:
places whose words agree first, exact before rounded, then by score.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from db.database import Database
from desktop.review import matching
from desktop.review.matching import ClaimValue, Target
from desktop.review.suggest_words import bigrams, clause, measures, measures_agree, measures_conflict

ROW_COLS = "id, evidence_id, value, raw, unit, is_percent, locator, page, context"
_ROW_COLS_NO_UNIT = "id, evidence_id, value, raw, NULL AS unit, is_percent, locator, page, context"
MAX_RESTRICT_IN_SQL = 20_000  # more ids than this are filtered after the scan, not in its SQL


def row_cols(db: Database) -> str:
    """The columns of a hit (a workspace from before migration 0003, opened read-only, has no unit)."""
    cols = {r[1] for r in db.query("PRAGMA table_xinfo(evidence_numbers)")}
    return ROW_COLS if "unit" in cols else _ROW_COLS_NO_UNIT


def has_digit_index(db: Database) -> bool:
    """Whether migration 0006 is applied (a read-only window on an older workspace has no sig/mag)."""
    cols = {r[1] for r in db.query("PRAGMA table_xinfo(evidence_numbers)")}
    return {"sig", "mag"} <= cols and db.scalar(
        "SELECT count(*) FROM sqlite_master WHERE name = 'evidence_text_vocab'") == 1


def range_sql(mag: int, lo: str, hi: str | None, extra: str = "", params: list | None = None) -> tuple[str, list]:
    if hi is None:
        return (f"SELECT {ROW_COLS} FROM evidence_numbers WHERE mag = ? AND sig = ?{extra}",
                [mag, lo, *(params or [])])
    return (f"SELECT {ROW_COLS} FROM evidence_numbers WHERE mag = ? AND sig >= ? AND sig < ?{extra}",
            [mag, lo, hi, *(params or [])])


def _context_has(row: tuple, like: list[str] | None, at_least: int) -> bool:
    return not like or bool(row[8] and sum(1 for t in like if t in row[8]) >= at_least)


def like_needed(restrict: set[int] | None) -> int:
    """How many of the subject's words must stand beside a small or round number: one in files already
    known to speak of the subject (``restrict``), two anywhere else."""
    return 1 if restrict is not None else 2


class SqlSearch:
    """Range scans on the ``(mag, sig)`` index; optionally only rows whose context holds two terms."""

    def __init__(self, db: Database, only: set[int] | None):
        self.conn = db.conn
        self.only = sorted(only) if only is not None else None

    def scan(self, target: Target, like: list[str] | None, restrict: set[int] | None = None) -> list[tuple]:
        extra, params_extra = "", []
        ids: list[int] | None = None
        if restrict is not None:
            ids = sorted(restrict if self.only is None else restrict & set(self.only))
            if not ids:
                return []
            if len(ids) <= MAX_RESTRICT_IN_SQL:
                extra += f" AND evidence_id IN ({','.join('?' * len(ids))})"
                params_extra += ids
        if like:  # a small or round number: only where the subject's words stand beside it
            extra += " AND (" + " + ".join("(instr(context, ?) > 0)" for _ in like) + ") >= ?"
            params_extra += [*like, like_needed(restrict)]
        if self.only is not None:
            extra += f" AND evidence_id IN ({','.join('?' * len(self.only))})"
            params_extra += self.only
        rows: list[tuple] = []
        for mag, lo, hi in target.ranges:
            rows.extend(self.conn.execute(*range_sql(mag, lo, hi, extra, params_extra)).fetchall())
        if ids is not None and len(ids) > MAX_RESTRICT_IN_SQL:
            keep = set(ids)
            rows = [r for r in rows if r[1] in keep]
        return rows


class MemorySearch:
    """The numbers of a few files, held sorted by (mag, sig): a new file against every claim."""

    def __init__(self, db: Database, only: set[int] | None):
        self._by_mag: dict[int, tuple[list[str], list[tuple]]] = {}
        if not only:
            return
        ids = sorted(only)
        cols = row_cols(db)
        grouped: dict[int, list[tuple[str, tuple]]] = defaultdict(list)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for r in db.query(
                f"SELECT {cols} FROM evidence_numbers WHERE evidence_id IN ({','.join('?' * len(chunk))})", chunk
            ):
                d = matching.to_decimal(r[2])
                sm = matching.sig_mag(d) if d is not None else None
                if sm is not None:
                    grouped[sm[1]].append((sm[0], tuple(r)))
        for mag, items in grouped.items():
            items.sort(key=lambda x: x[0])
            self._by_mag[mag] = ([s for s, _ in items], [row for _, row in items])

    def scan(self, target: Target, like: list[str] | None, restrict: set[int] | None = None) -> list[tuple]:
        out = []
        for mag, lo, hi in target.ranges:
            entry = self._by_mag.get(mag)
            if entry is None:
                continue
            sigs, rows = entry
            end = bisect.bisect_right(sigs, lo) if hi is None else bisect.bisect_left(sigs, hi)
            for row in rows[bisect.bisect_left(sigs, lo) : end]:
                if restrict is not None and row[1] not in restrict:
                    continue
                if _context_has(row, like, like_needed(restrict)):
                    out.append(row)
        return out


# --- judging one place ---------------------------------------------------------------------------


def exact_target(cv: ClaimValue, target: Target) -> Decimal | None:
    """The claim's value read at the target's scale (None for an approximate claim)."""
    if cv.approx:
        return None
    if target.mode == "percent":
        return cv.value
    if target.mode == "fraction":
        assert cv.unit is not None
        return cv.value / matching.PERCENT_UNITS[cv.unit.base]
    return cv.value * cv.scale / target.scale


def closeness(cv: ClaimValue, target: Target, value: str) -> tuple[bool, float]:
    """(states the value exactly, how close within the rounding interval: 1 exact … 0 at its edge)."""
    exact = exact_target(cv, target)
    v = matching.to_decimal(value)
    if exact is None or v is None:
        return False, 0.0
    if v == exact:
        return True, 1.0
    half = (target.hi - target.lo) / 2
    if half <= 0:
        return False, 0.0
    return False, max(0.0, 1.0 - float(abs(v - exact) / half))


@dataclass
class Place:
    """One place in a file where the claim's value is stated (or rounds to it)."""

    row: tuple  # (id, evidence_id, value, raw, unit, is_percent, locator, page, context)
    target: Target
    agreement: matching.Agreement
    near: float  # the claim's words beside it, 0 … 1
    exact: bool
    closeness: float
    conflict: tuple[str, str] | None  # (the claim's measure, the measure beside the number)
    agrees: bool = False  # the words beside it say the claim's own measure
    score: float = 0.0

    def as_json(self) -> dict[str, Any]:
        rid, _, value, raw, unit, _, locator, page, context = self.row
        return {"number_id": rid, "value": value, "raw": raw, "unit": unit, "locator": locator, "page": page,
                "context": context, "exact": self.exact}


def place_order(p: Place) -> tuple:
    """Places of one file, best first: words that agree, then exact before rounded, then score."""
    return (p.conflict is not None, not p.exact, -p.score, p.row[0])


def judge(cv: ClaimValue, target: Target, row: tuple, claim_measures: dict[str, set[str]], near: float
          ) -> Place | None:
    """A row found by ``target`` as a :class:`Place`, or None when its unit says it is something else."""
    agr = matching.agreement(cv, target, raw=row[3], unit=row[4], is_percent=bool(row[5]), context=row[8])
    if agr is None:
        return None
    exact, close = closeness(cv, target, row[2])
    if not claim_measures:
        return Place(row, target, agr, near, exact, close, None)
    found = measures(row[8])
    return Place(row, target, agr, near, exact, close, measures_conflict(claim_measures, found),
                 measures_agree(claim_measures, found))


# --- a table's row numbers -----------------------------------------------------------------------

_CELL = re.compile(r"^(?P<sheet>.+)!(?P<col>[A-Z]+)(?P<row>[0-9]+)$")
_DOCX_CELL = re.compile(r"^(?P<table>表[0-9]+) 第(?P<row>[0-9]+)行第(?P<col>[0-9]+)列$")
_CSV_CELL = re.compile(r"^第(?P<row>[0-9]+)行第(?P<col>[0-9]+)列$")


def neighbour_cells(locator: str) -> tuple[str, str] | None:
    """Locators of the cells above and below a table cell, or None for a page or a paragraph."""
    m = _CELL.match(locator)
    if m:
        r = int(m["row"])
        return f"{m['sheet']}!{m['col']}{r - 1}", f"{m['sheet']}!{m['col']}{r + 1}"
    m = _DOCX_CELL.match(locator)
    if m:
        r = int(m["row"])
        return f"{m['table']} 第{r - 1}行第{m['col']}列", f"{m['table']} 第{r + 1}行第{m['col']}列"
    m = _CSV_CELL.match(locator)
    if m:
        r = int(m["row"])
        return f"第{r - 1}行第{m['col']}列", f"第{r + 1}行第{m['col']}列"
    return None


def is_list_number(db: Database, row: tuple, cache: dict[int, bool]) -> bool:
    """A row number (序号, 第1次) in a table column counting 1, 2, 3 …: not a quantity."""
    rid, eid, value, raw, unit, is_percent, locator, page, context = row
    if is_percent or not locator or "." in value:
        return False
    cached = cache.get(rid)
    if cached is not None:
        return cached
    around = neighbour_cells(locator)
    result = False
    if around:
        v = int(value)
        (up, down) = around
        result = db.scalar(
            "SELECT count(*) FROM evidence_numbers WHERE evidence_id = ?"
            " AND ((locator = ? AND value = ?) OR (locator = ? AND value = ?))",
            (eid, up, str(v - 1), down, str(v + 1)),
        ) > 0
    cache[rid] = result
    return result


# --- for links and flags -------------------------------------------------------------------------


def locate(db: Database, claim_id: int, evidence_id: int) -> dict[str, Any] | None:
    """Where in ``evidence_id`` the claim's value is stated (the best place), for a link's locator; or None.

    Cheap (no name index): the file's numbers are scanned in memory; places are ranked as suggestions
    rank them (:func:`place_order`), by the unit's agreement and the claim's words beside them.
    """
    row = db.query_one("SELECT value, unit, scale, approx, subject, context_before, context_after FROM claims"
                       " WHERE id = ?", (claim_id,))
    if row is None:
        return None
    cv = matching.claim_value(row["value"], row["unit"], row["scale"], row["approx"])
    if cv is None:
        return None
    own = [row["subject"] or "", clause(row["context_before"], last=True), clause(row["context_after"], last=False)]
    words = {bg for text in own for bg in bigrams(text)}
    claim_measures = measures(" ".join(own))
    search = MemorySearch(db, {evidence_id})
    best: Place | None = None
    for target in cv.targets:
        for r in search.scan(target, None):
            near = sum(1 for w in words if r[8] and w in r[8])
            place = judge(cv, target, tuple(r), claim_measures, 0.0)
            if place is None:
                continue
            place.score = place.agreement.factor + 0.1 * near + 0.05 * place.closeness
            if best is None or place_order(place) < place_order(best):
                best = place
    if best is None:
        return None
    return best.as_json()


def claims_with_value(db: Database, claim_evidence: dict[int, list[int]]) -> set[int]:
    """Of ``{claim_id: [evidence ids]}``, the claims whose value appears in one of their files at any scale.

    Units must not contradict (658.83 元 does not state 658.83 万元); context words do not matter here.
    """
    if not claim_evidence:
        return set()
    ids = list(claim_evidence)
    rows = db.query(
        f"SELECT id, value, unit, scale, approx FROM claims WHERE id IN ({','.join('?' * len(ids))})", ids
    )
    found: set[int] = set()
    conn = db.conn
    memory = None if has_digit_index(db) else MemorySearch(db, {e for es in claim_evidence.values() for e in es})
    for r in rows:
        evidence = claim_evidence.get(r["id"]) or []
        cv = matching.claim_value(r["value"], r["unit"], r["scale"], r["approx"])
        if cv is None or not evidence:
            continue
        if memory is not None:
            mine = set(evidence)
            if any(row[1] in mine and matching.agreement(cv, t, raw=row[3], unit=row[4], is_percent=bool(row[5]),
                                                          context=row[8]) is not None
                   for t in cv.targets for row in memory.scan(t, None)):
                found.add(r["id"])
            continue
        marks = ",".join("?" * len(evidence))
        done = False
        for target in cv.targets:
            for mag, lo, hi in target.ranges:
                for row in conn.execute(*range_sql(mag, lo, hi, f" AND evidence_id IN ({marks})", evidence)):
                    if matching.agreement(cv, target, raw=row[3], unit=row[4], is_percent=bool(row[5]),
                                          context=row[8]) is not None:
                        done = True
                        break
                if done:
                    break
            if done:
                break
        if done:
            found.add(r["id"])
    return found


__all__ = ["SqlSearch", "MemorySearch", "Place", "judge", "place_order", "closeness", "exact_target", "locate",
           "claims_with_value", "has_digit_index", "is_list_number", "neighbour_cells", "row_cols", "ROW_COLS"]
