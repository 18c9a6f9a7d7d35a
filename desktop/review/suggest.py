"""Suggestions: which evidence file backs which claim, how strongly, and why.

For each claim, evidence is ranked by three things (DESIGN §6):

1. **the value** found among the file's numbers at any scale and format, to the precision the report
   wrote (:mod:`desktop.review.matching`), weighted by how telling the value is (21099 is, 14 is not),
   by how well the unit beside the number or in its column header agrees, and by how exactly it states
   the value (3,140,000 万元 states 314 亿元; 3,135,300 万元 only rounds to it);
2. **the subject's words near the hit**: the number's context (its line, ±30 characters, or for a
   spreadsheet its row and column header) holds words of the claim's subject;
3. **the file's name and folder** hold the subject's words (``指标3.1_追回待遇_银行回单.pdf``).

Every place a file states the value is kept (:class:`Suggestion.places`), best first: places whose words
agree, then exact before rounded (:func:`desktop.review.number_search.place_order`); the first is the
suggestion's locator.

Words are compared as character bigrams (no word segmenter: jieba adds nothing here), weighted down when
common among the report's claims or among the file names (:mod:`desktop.review.suggest_words`).

A suggestion is ``strong`` only when the value is found *and* words agree (in the context or the file
name); a value alone, or a name alone, is at most ``possible`` — and a small integer or a year (which
occur everywhere) needs both context and name to be strong. Never strong, and ranked down: a file about
another year (``2023年…`` in its name, folder or title, for a claim about 2024), and a place whose words
name another measure than the claim's (a 缺口 of 7000 万元 for a claim of 补助收入 7000 万元). Already linked
and rejected pairs, files with a newer version and files that failed to ingest are never suggested.

One computation: each (claim, file) pair is judged from the file's own numbers and the engine's word
weights only, so asking by claim (``suggest --claim``) and by file (``suggest --evidence``) agree.

Reasons are structured codes with parameters; :mod:`desktop.text.messages` turns them into Chinese.

Speed: a claim's value becomes a few range scans on ``evidence_numbers(mag, sig)``; names go through an
inverted bigram index built once per :class:`SuggestionEngine`. For one new file the numbers of that
file are scanned in memory against every claim (:meth:`SuggestionEngine.for_evidence`). (Long: ranking
and its indexes are one engine; a split belongs with the next change to it, kept under 800 lines.)
"""

from __future__ import annotations

import heapq
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from db.database import Database
from desktop.claims.subjects import is_weak
from desktop.review import matching
from desktop.review.matching import ClaimValue
from desktop.review.number_search import (
    MemorySearch,
    Place,
    SqlSearch,
    claims_with_value,
    exact_target,
    has_digit_index,
    is_list_number,
    judge,
    locate,
    place_order,
)
from desktop.review.text_units import TextUnits
from desktop.review.suggest_words import (
    bigrams,
    claim_year,
    clause,
    measures,
    report_year,
    sentence,
    trigrams,
    words_from,
    years_in,
)

STRONG, POSSIBLE = "strong", "possible"
DEFAULT_LIMIT = 5
MIN_SCORE = 0.12
NEAR_FULL = 2.0  # bigram weight that counts as "the subject is right there"
MAX_LIKE_TERMS = 16
SENTENCE_WEIGHT = 0.25  # words of the claim's sentence beyond its own clause
SECTION_WEIGHT = 0.15  # words of the section's title
WEAK_SECTION_WEIGHT = 0.3  # … for a claim whose subject is one weak word
COMMON_NAME_SHARE = 0.05  # name bigrams in more files than this only rank, they do not find candidates
CLOSE_BONUS = 0.1  # an exact statement of the value over one that only rounds to it
MEASURE_BONUS = 0.1  # the words beside the number say the claim's measure (支出 for 已支出)
HEAD_CHARS = 4  # the end of a subject, where a Chinese noun phrase keeps its head (…资金收入)
CONFLICT_NEAR = 0.3  # what words beside a number still count for when they name another measure
OTHER_YEAR = 0.5  # a file about another year: its score is scaled by this
CONFLICT = 0.7  # a file whose best place names another measure: its score is scaled by this
MAX_PLACES = 8  # places listed per suggestion


# --- data ----------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    claim_id: int
    evidence_id: int
    score: float
    strength: str  # strong / possible
    locator: str | None
    reasons: list[dict[str, Any]]
    hit: dict[str, Any] | None = None  # the number found: raw, value, unit, locator, page, context, exact
    places: list[dict[str, Any]] = field(default_factory=list)  # every place found, best first (hit first)

    def as_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "evidence_id": self.evidence_id,
            "score": round(self.score, 3),
            "strength": self.strength,
            "locator": self.locator,
            "reasons": self.reasons,
            "places": [{"locator": p["locator"], "raw": p["raw"], "exact": p["exact"]} for p in self.places],
        }


@dataclass
class _Claim:
    id: int
    value: ClaimValue | None
    value_text: str  # "658.83 万元" as the report wrote it
    unit: str | None
    anchors: dict[str, float]  # bigram -> weight (after claim-IDF)
    texts: list[str]  # the texts the anchors came from (to show matched words)
    like_terms: list[str] = field(default_factory=list)
    trigrams: list[str] = field(default_factory=list)  # for the full-text index (trigram tokenizer)
    has_sentence: bool = False  # texts[-1] is the claim's sentence
    measures: dict[str, set[str]] = field(default_factory=dict)  # of its own words (subject and clause)
    year: int | None = None  # the year the claim is about
    anchor_total: float = 0.0

    def __post_init__(self) -> None:
        self.anchor_total = sum(self.anchors.values())


@dataclass
class _Evidence:
    id: int
    name: str
    ext: str
    status: str
    text_status: str
    superseded: bool
    name_bigrams: dict[str, float]  # bigram -> 1.0 (name) or 0.8 (folder)
    name_text: str
    folder_text: str
    years: set[int] = field(default_factory=set)  # years its name, folder or title speak of


# --- the engine ----------------------------------------------------------------------------------


class SuggestionEngine:
    """Suggestions over one workspace database. Holds claim and file-name indexes; cheap to refresh."""

    def __init__(self, db: Database):
        self.db = db
        self._signature: tuple | None = None
        self._claims: dict[int, _Claim] = {}
        self._claim_order: list[int] = []
        self._evidence: dict[int, _Evidence] = {}
        self._name_index: dict[str, dict[int, float]] = {}
        self._name_idf: dict[str, float] = {}
        self._list_cache: dict[int, bool] = {}
        self._unusable: set[int] = set()
        self._indexed = True
        self._text = TextUnits(db)  # titles and trigram lookups, kept up to date across calls

    # -- loading ---------------------------------------------------------------------------------

    def _current_signature(self) -> tuple:
        row = self.db.query_one(
            """SELECT (SELECT count(*) FROM evidence), (SELECT max(id) FROM evidence),
                      (SELECT count(*) FROM evidence WHERE status = 'error'),
                      (SELECT count(*) FROM evidence WHERE text_status = 'pending'),
                      (SELECT count(*) FROM evidence_paths WHERE present = 1), (SELECT max(id) FROM evidence_paths),
                      (SELECT count(*) FROM claims), (SELECT max(updated_at) FROM claims),
                      (SELECT count(*) FROM reports WHERE state = 'active'), (SELECT max(id) FROM reports)"""
        )
        return tuple(row)

    def refresh(self, *, force: bool = False) -> None:
        """Re-read claims and files if anything changed since the last call (or always, with ``force``)."""
        sig = self._current_signature()
        if not force and sig == self._signature:
            return
        with self.db.snapshot():
            self._indexed = has_digit_index(self.db)
            self._text.sync()
            self._load_claims()
            self._load_evidence()
        self._list_cache = {}
        self._signature = sig

    def _load_claims(self) -> None:
        rows = self.db.query(
            """SELECT c.id, c.report_id, c.start, c."end", c.value, c.value_raw, c.unit, c.scale, c.approx,
                      c.subject, c.section, c.context_before, c.context_after
               FROM claims c JOIN reports r ON r.id = c.report_id
               WHERE c.state = 'active' AND r.state = 'active'
               ORDER BY c.report_id, c.start, c.id"""
        )
        reports: dict[int, tuple[str, int | None]] = {}
        raw: list[tuple[Any, dict[str, float], list[str], str, int | None]] = []
        df: dict[str, int] = defaultdict(int)
        for r in rows:
            subject = r["subject"] or ""
            before = clause(r["context_before"], last=True)
            after = clause(r["context_after"], last=False)
            if r["report_id"] not in reports:
                rep = self.db.query_one("SELECT name, text FROM reports WHERE id = ?", (r["report_id"],))
                text = (rep["text"] if rep else "") or ""
                reports[r["report_id"]] = (text, report_year(rep["name"] if rep else None, text))
            text, year = reports[r["report_id"]]
            said = sentence(text, r["start"], r["end"])
            # 支出 alone: the section says what is spent
            section_weight = WEAK_SECTION_WEIGHT if is_weak(subject) else SECTION_WEIGHT
            weighted = [(subject, 1.0), (before, 0.6), (after, 0.6), (said, SENTENCE_WEIGHT),
                        (r["section"] or "", section_weight)]
            weights: dict[str, float] = {}
            for part, w in weighted:
                for bg in bigrams(part):
                    if weights.get(bg, 0.0) < w:
                        weights[bg] = w
            for bg in weights:
                df[bg] += 1
            own = [t for t in (subject, before, after) if t.strip()]
            raw.append((r, weights, own, said if said.strip() else "", claim_year(said, year)))
        n = max(len(rows), 1)
        claims: dict[int, _Claim] = {}
        for r, weights, own, said, year in raw:
            anchors = {}
            for bg, w in weights.items():
                idf = math.log((n + 1) / (df[bg] + 0.5)) / math.log(n + 1) if n > 1 else 1.0
                anchors[bg] = w * max(0.15, min(1.0, idf))
            cv = matching.claim_value(r["value"], r["unit"], r["scale"], r["approx"])
            value_text = f"{r['value_raw'] or r['value'] or ''} {r['unit'] or ''}".strip()
            like = sorted(anchors, key=lambda b: -anchors[b])[:MAX_LIKE_TERMS]
            like += [bg for bg in bigrams(r["subject"][-HEAD_CHARS:] if r["subject"] else "") if bg not in like]
            texts = own + [said] if said else own
            claims[r["id"]] = _Claim(r["id"], cv, value_text, r["unit"], anchors, texts, like, trigrams(own),
                                     bool(said), measures(" ".join(own)), year)
        self._claims = claims
        self._claim_order = [r["id"] for r in rows]

    def _load_evidence(self) -> None:
        watch = self.db.get_setting("watch_dir")
        superseded = {r[0] for r in self.db.query("SELECT DISTINCT supersedes FROM evidence WHERE supersedes IS NOT NULL")}
        paths: dict[int, list[str]] = defaultdict(list)
        for p in self.db.query("SELECT evidence_id, path FROM evidence_paths WHERE present = 1 ORDER BY id"):
            paths[p[0]].append(p[1])
        evidence: dict[int, _Evidence] = {}
        index: dict[str, dict[int, float]] = defaultdict(dict)
        for r in self.db.query("SELECT id, name, ext, status, text_status FROM evidence ORDER BY id"):
            eid = r[0]
            stem = os.path.splitext(r[1])[0]
            folders = []
            for p in paths.get(eid, []):
                folders.extend(_folders(p, watch))
            folder_text = " ".join(dict.fromkeys(folders))
            nb: dict[str, float] = {}
            for bg in bigrams(folder_text):
                nb[bg] = 0.8
            for bg in bigrams(stem):
                nb[bg] = 1.0
            years = years_in(stem) | years_in(folder_text) | years_in(self._text.title(eid), written=True)
            evidence[eid] = _Evidence(eid, r[1], r[2] or "", r[3], r[4], eid in superseded, nb, stem, folder_text,
                                      years)
            for bg, fw in nb.items():
                index[bg][eid] = fw
        n = max(len(evidence), 1)
        self._name_idf = {bg: max(0.1, math.log((n + 1) / (len(ids) + 0.5)) / math.log(n + 1)) if n > 1 else 1.0
                          for bg, ids in index.items()}
        self._evidence = evidence
        # the report itself dropped among the evidence states every claim: it proves none of them
        reports = self.db.query("SELECT sha256, name FROM reports")
        report_hashes = {r[0] for r in reports}
        report_stems = {os.path.splitext(r[1])[0] for r in reports}
        copies = {r[0] for r in self.db.query("SELECT id, sha256 FROM evidence") if r[1] in report_hashes}
        copies |= {eid for eid, e in evidence.items() if e.name_text in report_stems}
        self._unusable = {eid for eid, e in evidence.items() if e.superseded or e.status == "error"} | copies
        self._name_index = dict(index)

    # -- queries ---------------------------------------------------------------------------------

    def claim_ids(self) -> list[int]:
        self.refresh()
        return list(self._claim_order)

    def for_claims(
        self,
        claim_ids: Iterable[int] | None = None,
        *,
        evidence_ids: Iterable[int] | None = None,
        limit: int | None = DEFAULT_LIMIT,
    ) -> dict[int, list[Suggestion]]:
        """Suggestions per claim (all active claims, or ``claim_ids``), best first.

        With ``evidence_ids``, only those files are considered (a new file against every claim); a pair
        gets the same suggestion either way.
        """
        self.refresh()
        ids = self._claim_order if claim_ids is None else [i for i in claim_ids if i in self._claims]
        only = None if evidence_ids is None else {e for e in evidence_ids if e in self._evidence}
        if only is not None and not only:
            return {cid: [] for cid in ids}
        excluded = self._excluded(ids if claim_ids is not None else None)
        self._text.sync()
        if only is not None and len(only) <= 200:
            searcher: SqlSearch | MemorySearch = MemorySearch(self.db, only)
        elif self._indexed:
            searcher = SqlSearch(self.db, only)
        else:  # an older workspace opened read-only: correct, just slower
            searcher = MemorySearch(self.db, only if only is not None else set(self._evidence))
        out: dict[int, list[Suggestion]] = {}
        for cid in ids:
            claim = self._claims[cid]
            found = self._score_claim(claim, searcher, only, excluded.get(cid, set()), limit=limit or None)
            found.sort(key=lambda s: (-s.score, s.evidence_id))
            out[cid] = found
        return out

    def for_evidence(self, evidence_ids: Iterable[int], *, limit: int | None = DEFAULT_LIMIT
                     ) -> dict[int, list[Suggestion]]:
        """Claims that new or changed files may back: ``{claim_id: [suggestions among those files]}``."""
        res = self.for_claims(evidence_ids=list(evidence_ids), limit=limit)
        return {cid: s for cid, s in res.items() if s}

    def _excluded(self, claim_ids: list[int] | None) -> dict[int, set[int]]:
        where, params = "", []
        if claim_ids is not None:
            if not claim_ids:
                return {}
            where = f" WHERE claim_id IN ({','.join('?' * len(claim_ids))})"
            params = list(claim_ids)
        out: dict[int, set[int]] = defaultdict(set)
        for table in ("links", "suggestion_rejections"):
            for r in self.db.query(f"SELECT claim_id, evidence_id FROM {table}{where}", params):
                out[r[0]].add(r[1])
        return out

    # -- scoring ---------------------------------------------------------------------------------

    def _usable(self, eid: int) -> bool:
        return eid in self._evidence and eid not in self._unusable

    def _other_year(self, claim: _Claim, eid: int) -> list[int]:
        """The years a file is about, when the claim's year is not among them (else [])."""
        years = self._evidence[eid].years
        if claim.year is None or not years or claim.year in years:
            return []
        return sorted(years)

    def _text_candidates(self, claim: _Claim) -> set[int]:
        """Files whose text holds a three-character run of the claim's words (the full-text index)."""
        common = max(20, int(len(self._evidence) * COMMON_NAME_SHARE))
        out: set[int] = set()
        for tri in claim.trigrams:
            out |= self._text.files_with(tri, common)
        return out

    def _places(self, claim: _Claim, searcher, only: set[int] | None, excluded: set[int],
                name_rough: dict[int, float]) -> dict[int, list[Place]]:
        """Every place each usable file states the claim's value, scored, best first per file."""
        cv = claim.value
        per_file: dict[int, list[Place]] = defaultdict(list)
        if cv is None or not cv.targets:
            return per_file
        like = claim.like_terms if cv.low_info else None
        restrict = None
        if cv.low_info and self._indexed:
            # a small or round number is everywhere: look only in files that speak of the subject
            restrict = self._text_candidates(claim) | {e for e, r in name_rough.items() if r >= 0.2}
            if only is not None:
                restrict &= only
        if cv.low_info and (len(like or ()) < 2 or restrict == set()):
            return per_file
        for target in cv.targets:
            for row in searcher.scan(target, like, restrict):
                eid = row[1]
                if eid in excluded or not self._usable(eid):
                    continue
                near = self._near(claim, row[8])
                place = judge(cv, target, tuple(row), claim.measures, near)
                if place is None:
                    continue
                words = near * (CONFLICT_NEAR if place.conflict else 1.0)
                place.score = (0.5 * cv.weight * place.agreement.factor + 0.3 * words + CLOSE_BONUS * place.closeness
                               + MEASURE_BONUS * place.agrees)
                per_file[eid].append(place)
        for places in per_file.values():
            places.sort(key=place_order)
        return per_file

    def _file_score(self, claim: _Claim, eid: int, place: Place) -> float:
        score = place.score + 0.2 * self._name_score(claim, eid)[0]
        if place.conflict:
            score *= CONFLICT
        return score * OTHER_YEAR if self._other_year(claim, eid) else score

    def _score_claim(self, claim: _Claim, searcher, only: set[int] | None, excluded: set[int],
                     limit: int | None = None) -> list[Suggestion]:
        # 1. the value: every place, grouped by file, best first
        name_rough = self._name_candidates(claim, only)
        per_file = self._places(claim, searcher, only, excluded, name_rough)
        # 2. rank cheaply, then make suggestions best first (checking row numbers only for those shown)
        heap: list[tuple[float, int, int]] = []  # (-score, evidence id, index of the place in its list)
        for eid, places in per_file.items():
            heap.append((-self._file_score(claim, eid, places[0]), eid, 0))
        for eid, rough in name_rough.items():
            if rough < 0.35 or eid in per_file or eid in excluded or not self._usable(eid):
                continue
            heap.append((-self._name_only_score(claim, eid, rough), eid, -1))
        heapq.heapify(heap)
        out: list[Suggestion] = []
        while heap and (limit is None or len(out) < limit):
            neg, eid, i = heapq.heappop(heap)
            if i >= 0:
                places = per_file[eid]
                if is_list_number(self.db, places[i].row, self._list_cache):
                    if i + 1 < len(places) and i < 8:
                        heapq.heappush(heap, (-self._file_score(claim, eid, places[i + 1]), eid, i + 1))
                    elif eid in name_rough and name_rough[eid] >= 0.35:
                        heapq.heappush(heap, (-self._name_only_score(claim, eid, name_rough[eid]), eid, -1))
                    continue
                shown = [places[i]] + [p for p in places[i + 1 :] if not is_list_number(self.db, p.row, self._list_cache)]
                sug = self._value_suggestion(claim, eid, shown)
            else:
                sug = self._name_suggestion(claim, eid)
            if sug is not None:
                out.append(sug)
        return out

    def _name_only_score(self, claim: _Claim, eid: int, name: float) -> float:
        score = 0.2 * name + 0.02
        return score * OTHER_YEAR if self._other_year(claim, eid) else score

    def _value_suggestion(self, claim: _Claim, eid: int, places: list[Place]) -> Suggestion | None:
        cv = claim.value
        assert cv is not None
        best = places[0]
        name, name_m, folder_m = self._name_score(claim, eid)
        score = self._file_score(claim, eid, best)
        value_part = cv.weight * best.agreement.factor
        # words must agree for "strong"; the less telling the value, the more words it takes
        needed = 0.3 if cv.weight >= 0.85 else 0.5
        near = best.near
        strong = (best.agreement.how != "unit_differs" and best.conflict is None
                  and not self._other_year(claim, eid)
                  and ((value_part >= 0.4 and max(near, name) >= needed) or (near >= 0.6 and name >= 0.35)))
        if score < MIN_SCORE and not strong:
            return None
        return self._suggestion(claim, eid, score, STRONG if strong else POSSIBLE, places[:MAX_PLACES], name_m,
                                folder_m)

    def _name_suggestion(self, claim: _Claim, eid: int) -> Suggestion | None:
        name, name_m, folder_m = self._name_score(claim, eid)
        if name < 0.35:
            return None
        return self._suggestion(claim, eid, self._name_only_score(claim, eid, name), POSSIBLE, [], name_m, folder_m)

    def _near(self, claim: _Claim, context: str | None) -> float:
        if not context or not claim.anchors:
            return 0.0
        got = sum(w for bg, w in claim.anchors.items() if bg in context)
        return min(1.0, got / min(claim.anchor_total, NEAR_FULL)) if got else 0.0

    def _name_score(self, claim: _Claim, eid: int) -> tuple[float, set[str], set[str]]:
        e = self._evidence[eid]
        if not claim.anchors or not e.name_bigrams:
            return 0.0, set(), set()
        got = 0.0
        in_name: set[str] = set()
        in_folder: set[str] = set()
        for bg, w in claim.anchors.items():
            fw = e.name_bigrams.get(bg)
            if fw:
                got += w * fw * self._name_idf.get(bg, 1.0)
                (in_name if fw >= 1.0 else in_folder).add(bg)
        if not got:
            return 0.0, in_name, in_folder
        return min(1.0, got / min(claim.anchor_total, NEAR_FULL)), in_name, in_folder

    def _name_candidates(self, claim: _Claim, only: set[int] | None) -> dict[int, float]:
        """Files sharing the subject's less common words in name or folder, with a rough name score."""
        if not claim.anchors:
            return {}
        limit = max(20, int(len(self._evidence) * COMMON_NAME_SHARE))
        acc: dict[int, float] = defaultdict(float)
        for bg, w in claim.anchors.items():
            postings = self._name_index.get(bg)
            if not postings or len(postings) > limit:
                continue
            wi = w * self._name_idf.get(bg, 1.0)
            for eid, fw in postings.items():
                if only is None or eid in only:
                    acc[eid] += wi * fw
        denom = min(claim.anchor_total, NEAR_FULL)
        return {eid: min(1.0, v / denom) for eid, v in acc.items()}

    def _suggestion(self, claim: _Claim, eid: int, score: float, strength: str, places: list[Place],
                    name_m: set[str], folder_m: set[str]) -> Suggestion:
        reasons: list[dict[str, Any]] = []
        hit_json = None
        locator = None
        if places:
            best = places[0]
            rid, _, value, raw, unit, is_percent, loc, page, context = best.row
            locator = loc
            shown_unit = None if unit and raw.endswith(unit) else (best.agreement.unit or unit)
            reason: dict[str, Any] = {"code": "value_found", "locator": loc, "raw": raw, "unit": shown_unit,
                                      "how": best.agreement.how}
            cv = claim.value
            assert cv is not None
            exact = exact_target(cv, best.target)
            v = Decimal(value)
            if best.target.mode == "fraction" or best.target.scale != cv.scale or (exact is not None and v != exact):
                reason["claim"] = claim.value_text
                reason["rounded"] = exact is not None and v != exact
            if cv.approx:
                reason["approx"] = cv.approx
            reasons.append(reason)
            if best.near > 0 and context:
                words = self._matched_words(claim, {bg for bg in claim.anchors if bg in context})
                if words:
                    reasons.append({"code": "near_words", "words": words})
            if best.conflict:
                reasons.append({"code": "words_differ", "claim": best.conflict[0], "found": best.conflict[1]})
            if best.agreement.how == "unit_differs":
                reasons.append({"code": "unit_differs", "unit": unit, "claim_unit": claim.unit})
            if len(places) > 1:
                reasons.append({"code": "more_places", "count": len(places) - 1,
                                "exact": sum(1 for p in places[1:] if p.exact)})
            hit_json = best.as_json()
        if name_m:
            reasons.append({"code": "name_words", "words": self._matched_words(claim, name_m)})
        if folder_m:
            reasons.append({"code": "folder_words", "words": self._matched_words(claim, folder_m)})
        other = self._other_year(claim, eid)
        if other:
            reasons.append({"code": "other_year", "years": other, "claim_year": claim.year})
        return Suggestion(claim.id, eid, round(min(score, 1.0), 4), strength, locator, reasons, hit_json,
                          [p.as_json() for p in places])

    def _matched_words(self, claim: _Claim, matched: set[str]) -> list[str]:
        words: list[str] = []
        # the claim's own words first; the rest of its sentence only when they alone matched
        for texts in (claim.texts[:-1] if claim.has_sentence else claim.texts, claim.texts[-1:]):
            for text in texts:
                for w in words_from(text, matched):
                    if w not in words:
                        words.append(w)
            if words or not claim.has_sentence:
                break
        # the longest words, in the order found, none a part of another
        words = [w for w in words if not any(w != x and w in x for x in words)]
        return words[:4]

    # -- names for the UI ------------------------------------------------------------------------

    def evidence_name(self, evidence_id: int) -> str | None:
        e = self._evidence.get(evidence_id)
        return e.name if e else None


def _folders(path: str, watch: str | None) -> list[str]:
    """The folders a file sits in: below the watched folder, or else its two nearest parents."""
    if watch:
        w = watch.rstrip("/\\")
        if path.startswith(w) and len(path) > len(w) and path[len(w)] in "/\\":
            return [p for p in re.split(r"[/\\]", path[len(w) + 1 :])[:-1] if p]
    parts = [p for p in re.split(r"[/\\]", path) if p]
    return parts[-3:-1]


def suggest(db: Database, *, claim_ids: Iterable[int] | None = None, evidence_ids: Iterable[int] | None = None,
            limit: int | None = DEFAULT_LIMIT) -> list[Suggestion]:
    """All suggestions, grouped by claim in report order, best first within a claim."""
    engine = SuggestionEngine(db)
    res = engine.for_claims(claim_ids, evidence_ids=evidence_ids, limit=limit)
    return [s for cid in res for s in res[cid]]


__all__ = ["Suggestion", "SuggestionEngine", "suggest", "claims_with_value", "locate", "has_digit_index", "STRONG",
           "POSSIBLE", "bigrams", "words_from"]
