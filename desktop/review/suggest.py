"""Suggestions: which evidence file backs which claim, how strongly, and why.

For each claim, evidence is ranked by three things (DESIGN §6):

1. **the value** found among the file's numbers at any scale and format, to the precision the report
   wrote (:mod:`desktop.review.matching`), weighted by how telling the value is (21099 is, 14 is not)
   and by how well the unit beside the number or in its column header agrees;
2. **the subject's words near the hit**: the number's context (its line, ±30 characters, or for a
   spreadsheet its row and column header) holds words of the claim's subject;
3. **the file's name and folder** hold the subject's words (``指标3.1_追回待遇_银行回单.pdf``).

Words are compared as character bigrams (no word segmenter: jieba adds nothing here), weighted down when
common among the report's claims or among the file names.

A suggestion is ``strong`` only when the value is found *and* words agree (in the context or the file
name); a value alone, or a name alone, is at most ``possible`` — and a small integer or a year (which
occur everywhere) needs both context and name to be strong. Already linked and rejected pairs, files
with a newer version and files that failed to ingest are never suggested.

Reasons are structured codes with parameters; :mod:`desktop.text.messages` turns them into Chinese.

Speed: a claim's value becomes a few range scans on ``evidence_numbers(mag, sig)``; names go through an
inverted bigram index built once per :class:`SuggestionEngine`. For one new file the numbers of that
file are scanned in memory against every claim (:meth:`SuggestionEngine.for_evidence`). (Long: ranking
and its indexes are one engine; a split belongs with the next change to it, kept under 800 lines.)
"""

from __future__ import annotations

import bisect
import heapq
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from db.database import Database
from desktop.review import matching
from desktop.review.matching import ClaimValue, Target

STRONG, POSSIBLE = "strong", "possible"
DEFAULT_LIMIT = 5
MIN_SCORE = 0.12
NEAR_FULL = 2.0  # bigram weight that counts as "the subject is right there"
MAX_LIKE_TERMS = 16
SENTENCE_WEIGHT = 0.25  # words of the claim's sentence beyond its own clause
COMMON_NAME_SHARE = 0.05  # name bigrams in more files than this only rank, they do not find candidates

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


def _trigrams(texts: list[str], limit: int = 12) -> list[str]:
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


def _sentence(text: str, start: int | None, end: int | None) -> str:
    """The sentence around a claim in its report (the claim's own number left out)."""
    if not text or start is None or end is None:
        return ""
    a = max(text.rfind(ch, 0, start) for ch in "。；！？\n") + 1
    ends = [i for i in (text.find(ch, end) for ch in "。；！？\n") if i >= 0]
    b = min(ends) if ends else len(text)
    return text[a:start] + " " + text[end:b]


def _clause(text: str | None, *, last: bool) -> str:
    """The words of the claim's own clause on one side of its number (nothing past a comma)."""
    parts = re.split(r"[，。；：、,;:！？!?\n（）()]", text or "")
    return (parts[-1] if last else parts[0]).strip()


# --- data ----------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    claim_id: int
    evidence_id: int
    score: float
    strength: str  # strong / possible
    locator: str | None
    reasons: list[dict[str, Any]]
    hit: dict[str, Any] | None = None  # the number found: raw, value, unit, locator, page, context

    def as_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "evidence_id": self.evidence_id,
            "score": round(self.score, 3),
            "strength": self.strength,
            "locator": self.locator,
            "reasons": self.reasons,
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


@dataclass
class _Hit:
    row: tuple  # (id, evidence_id, value, raw, unit, is_percent, locator, page, context)
    target: Target
    agreement: matching.Agreement


_ROW_COLS = "id, evidence_id, value, raw, unit, is_percent, locator, page, context"
_ROW_COLS_NO_UNIT = "id, evidence_id, value, raw, NULL AS unit, is_percent, locator, page, context"


def _row_cols(db: Database) -> str:
    """The columns of a hit (a workspace from before migration 0003, opened read-only, has no unit)."""
    cols = {r[1] for r in db.query("PRAGMA table_xinfo(evidence_numbers)")}
    return _ROW_COLS if "unit" in cols else _ROW_COLS_NO_UNIT


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
        self._fts_cache: dict[str, set[int]] = {}

    # -- loading ---------------------------------------------------------------------------------

    def _current_signature(self) -> tuple:
        row = self.db.query_one(
            """SELECT (SELECT count(*) FROM evidence), (SELECT max(id) FROM evidence),
                      (SELECT count(*) FROM evidence WHERE status = 'error'),
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
            self._load_claims()
            self._load_evidence()
        self._list_cache = {}
        self._signature = sig

    def _load_claims(self) -> None:
        rows = self.db.query(
            """SELECT c.id, c.report_id, c.start, c."end", c.value, c.value_raw, c.unit, c.scale, c.approx,
                      c.subject, c.context_before, c.context_after
               FROM claims c JOIN reports r ON r.id = c.report_id
               WHERE c.state = 'active' AND r.state = 'active'
               ORDER BY c.report_id, c.start, c.id"""
        )
        texts_by_report: dict[int, str] = {}
        raw: list[tuple[Any, dict[str, float], list[str], str]] = []
        df: dict[str, int] = defaultdict(int)
        for r in rows:
            subject = r["subject"] or ""
            before = _clause(r["context_before"], last=True)
            after = _clause(r["context_after"], last=False)
            if r["report_id"] not in texts_by_report:
                texts_by_report[r["report_id"]] = self.db.scalar(
                    "SELECT text FROM reports WHERE id = ?", (r["report_id"],)) or ""
            sentence = _sentence(texts_by_report[r["report_id"]], r["start"], r["end"])
            weights: dict[str, float] = {}
            for text, w in ((subject, 1.0), (before, 0.6), (after, 0.6), (sentence, SENTENCE_WEIGHT)):
                for bg in bigrams(text):
                    if weights.get(bg, 0.0) < w:
                        weights[bg] = w
            for bg in weights:
                df[bg] += 1
            own = [t for t in (subject, before, after) if t.strip()]
            raw.append((r, weights, own, sentence if sentence.strip() else ""))
        n = max(len(rows), 1)
        claims: dict[int, _Claim] = {}
        for r, weights, own, sentence in raw:
            anchors = {}
            for bg, w in weights.items():
                idf = math.log((n + 1) / (df[bg] + 0.5)) / math.log(n + 1) if n > 1 else 1.0
                anchors[bg] = w * max(0.15, min(1.0, idf))
            cv = matching.claim_value(r["value"], r["unit"], r["scale"], r["approx"])
            text = f"{r['value_raw'] or r['value'] or ''} {r['unit'] or ''}".strip()
            like = sorted(anchors, key=lambda b: -anchors[b])[:MAX_LIKE_TERMS]
            texts = own + [sentence] if sentence else own
            claims[r["id"]] = _Claim(r["id"], cv, text, r["unit"], anchors, texts, like, _trigrams(own),
                                     bool(sentence))
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
            evidence[eid] = _Evidence(eid, r[1], r[2] or "", r[3], r[4], eid in superseded, nb, stem, folder_text)
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

        With ``evidence_ids``, only those files are considered (a new file against every claim).
        """
        self.refresh()
        ids = self._claim_order if claim_ids is None else [i for i in claim_ids if i in self._claims]
        only = None if evidence_ids is None else {e for e in evidence_ids if e in self._evidence}
        if only is not None and not only:
            return {cid: [] for cid in ids}
        excluded = self._excluded(ids if claim_ids is not None else None)
        self._fts_cache = {}
        if only is not None and len(only) <= 200:
            searcher: _SqlSearch | _MemorySearch = _MemorySearch(self.db, only)
        elif self._indexed:
            searcher = _SqlSearch(self.db, only)
        else:  # an older workspace opened read-only: correct, just slower
            searcher = _MemorySearch(self.db, only if only is not None else set(self._evidence))
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

    def _text_candidates(self, claim: _Claim) -> set[int]:
        """Files whose text holds a three-character run of the claim's words (the full-text index)."""
        out: set[int] = set()
        common = max(20, int(len(self._evidence) * COMMON_NAME_SHARE))
        for tri in claim.trigrams:
            ids = self._fts_cache.get(tri)
            if ids is None:
                units = self.db.scalar("SELECT doc FROM evidence_text_vocab WHERE term = ?", (tri,)) or 0
                if units == 0 or units > common:  # nowhere, or everywhere: no help
                    ids = set()
                else:
                    ids = {r[0] for r in self.db.query(
                        "SELECT DISTINCT evidence_id FROM evidence_text WHERE evidence_text MATCH ?", (f'"{tri}"',))}
                self._fts_cache[tri] = ids
            out |= ids
        return out

    def _score_claim(self, claim: _Claim, searcher, only: set[int] | None, excluded: set[int],
                     limit: int | None = None) -> list[Suggestion]:
        cv = claim.value
        # 1. the value: every hit, grouped by file, best first
        per_file: dict[int, list[tuple[float, float, _Hit]]] = defaultdict(list)
        name_rough = self._name_candidates(claim, only)
        if cv is not None and cv.targets:
            like = claim.like_terms if cv.low_info else None
            restrict = None
            if cv.low_info and isinstance(searcher, _SqlSearch) and self._indexed:
                # a small or round number is everywhere: look only in files that speak of the subject
                restrict = self._text_candidates(claim) | {e for e, r in name_rough.items() if r >= 0.2}
            if not (cv.low_info and (len(like or ()) < 2 or restrict == set())):
                for target in cv.targets:
                    for row in searcher.scan(target, like, restrict):
                        eid = row[1]
                        if eid in excluded or not self._usable(eid):
                            continue
                        agr = matching.agreement(cv, target, raw=row[3], unit=row[4], is_percent=bool(row[5]),
                                                 context=row[8])
                        if agr is None:
                            continue
                        near = self._near(claim, row[8])
                        per_file[eid].append((0.5 * cv.weight * agr.factor + 0.3 * near, near, _Hit(row, target, agr)))
        # 3. rank cheaply, then make suggestions best first (checking row numbers only for those shown)
        heap: list[tuple[float, int, int]] = []  # (-score, evidence id, index of the hit in its list)
        for eid, hits in per_file.items():
            hits.sort(key=lambda h: (-h[0], h[2].row[0]))
            heap.append((-(hits[0][0] + 0.2 * self._name_score(claim, eid)[0]), eid, 0))
        for eid, rough in name_rough.items():
            if rough < 0.35 or eid in per_file or eid in excluded or not self._usable(eid):
                continue
            heap.append((-(0.2 * rough + 0.02), eid, -1))
        heapq.heapify(heap)
        out: list[Suggestion] = []
        while heap and (limit is None or len(out) < limit):
            neg, eid, i = heapq.heappop(heap)
            if i >= 0:
                hits = per_file[eid]
                hit_score, near, hit = hits[i]
                if self._is_list_number(hit.row):
                    if i + 1 < len(hits) and i < 8:
                        heapq.heappush(heap, (-(hits[i + 1][0] + 0.2 * self._name_score(claim, eid)[0]), eid, i + 1))
                    elif eid in name_rough and name_rough[eid] >= 0.35:
                        heapq.heappush(heap, (-(0.2 * name_rough[eid] + 0.02), eid, -1))
                    continue
                sug = self._value_suggestion(claim, eid, hit_score, near, hit)
            else:
                sug = self._name_suggestion(claim, eid)
            if sug is not None:
                out.append(sug)
        return out

    def _value_suggestion(self, claim: _Claim, eid: int, hit_score: float, near: float, hit: _Hit
                          ) -> Suggestion | None:
        cv = claim.value
        assert cv is not None
        name, name_m, folder_m = self._name_score(claim, eid)
        score = hit_score + 0.2 * name
        value_part = cv.weight * hit.agreement.factor
        # words must agree for "strong"; the less telling the value, the more words it takes
        needed = 0.3 if cv.weight >= 0.85 else 0.5
        strong = hit.agreement.how != "unit_differs" and (
            (value_part >= 0.4 and max(near, name) >= needed) or (near >= 0.6 and name >= 0.35)
        )
        if score < MIN_SCORE and not strong:
            return None
        return self._suggestion(claim, eid, score, STRONG if strong else POSSIBLE, hit, near, name_m, folder_m)

    def _name_suggestion(self, claim: _Claim, eid: int) -> Suggestion | None:
        name, name_m, folder_m = self._name_score(claim, eid)
        if name < 0.35:
            return None
        return self._suggestion(claim, eid, 0.2 * name + 0.02, POSSIBLE, None, 0.0, name_m, folder_m)

    def _is_list_number(self, row: tuple) -> bool:
        """A row number (序号, 第1次) in a table column counting 1, 2, 3 …: not a quantity."""
        rid, eid, value, raw, unit, is_percent, locator, page, context = row
        if is_percent or not locator or "." in value:
            return False
        cached = self._list_cache.get(rid)
        if cached is not None:
            return cached
        around = _neighbour_cells(locator)
        result = False
        if around:
            v = int(value)
            (up, down) = around
            result = self.db.scalar(
                "SELECT count(*) FROM evidence_numbers WHERE evidence_id = ?"
                " AND ((locator = ? AND value = ?) OR (locator = ? AND value = ?))",
                (eid, up, str(v - 1), down, str(v + 1)),
            ) > 0
        self._list_cache[rid] = result
        return result

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

    def _suggestion(self, claim: _Claim, eid: int, score: float, strength: str, hit: _Hit | None, near: float,
                    name_m: set[str], folder_m: set[str]) -> Suggestion:
        reasons: list[dict[str, Any]] = []
        hit_json = None
        locator = None
        if hit is not None:
            rid, _, value, raw, unit, is_percent, loc, page, context = hit.row
            locator = loc
            shown_unit = None if unit and raw.endswith(unit) else (hit.agreement.unit or unit)
            reason: dict[str, Any] = {"code": "value_found", "locator": loc, "raw": raw, "unit": shown_unit,
                                      "how": hit.agreement.how}
            cv = claim.value
            assert cv is not None
            exact = _exact_target(cv, hit.target)
            v = Decimal(value)
            if hit.target.mode == "fraction" or hit.target.scale != cv.scale or (exact is not None and v != exact):
                reason["claim"] = claim.value_text
                reason["rounded"] = exact is not None and v != exact
            if cv.approx:
                reason["approx"] = cv.approx
            reasons.append(reason)
            if near > 0 and context:
                words = self._matched_words(claim, {bg for bg in claim.anchors if bg in context})
                if words:
                    reasons.append({"code": "near_words", "words": words})
            if hit.agreement.how == "unit_differs":
                reasons.append({"code": "unit_differs", "unit": unit, "claim_unit": claim.unit})
            hit_json = {"number_id": rid, "value": value, "raw": raw, "unit": unit, "locator": loc, "page": page,
                        "context": context}
        if name_m:
            reasons.append({"code": "name_words", "words": self._matched_words(claim, name_m)})
        if folder_m:
            reasons.append({"code": "folder_words", "words": self._matched_words(claim, folder_m)})
        return Suggestion(claim.id, eid, round(min(score, 1.0), 4), strength, locator, reasons, hit_json)

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


def _exact_target(cv: ClaimValue, target: Target) -> Decimal | None:
    """The claim's value read at the target's scale (None for an approximate claim)."""
    if cv.approx:
        return None
    if target.mode == "percent":
        return cv.value
    if target.mode == "fraction":
        assert cv.unit is not None
        return cv.value / matching.PERCENT_UNITS[cv.unit.base]
    return cv.value * cv.scale / target.scale


_CELL = re.compile(r"^(?P<sheet>.+)!(?P<col>[A-Z]+)(?P<row>[0-9]+)$")
_DOCX_CELL = re.compile(r"^(?P<table>表[0-9]+) 第(?P<row>[0-9]+)行第(?P<col>[0-9]+)列$")
_CSV_CELL = re.compile(r"^第(?P<row>[0-9]+)行第(?P<col>[0-9]+)列$")


def _neighbour_cells(locator: str) -> tuple[str, str] | None:
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


def _folders(path: str, watch: str | None) -> list[str]:
    """The folders a file sits in: below the watched folder, or else its two nearest parents."""
    if watch:
        w = watch.rstrip("/\\")
        if path.startswith(w) and len(path) > len(w) and path[len(w)] in "/\\":
            return [p for p in re.split(r"[/\\]", path[len(w) + 1 :])[:-1] if p]
    parts = [p for p in re.split(r"[/\\]", path) if p]
    return parts[-3:-1]


# --- searching numbers ---------------------------------------------------------------------------


def _range_sql(mag: int, lo: str, hi: str | None, extra: str = "", params: list | None = None
               ) -> tuple[str, list]:
    if hi is None:
        return (f"SELECT {_ROW_COLS} FROM evidence_numbers WHERE mag = ? AND sig = ?{extra}",
                [mag, lo, *(params or [])])
    return (f"SELECT {_ROW_COLS} FROM evidence_numbers WHERE mag = ? AND sig >= ? AND sig < ?{extra}",
            [mag, lo, hi, *(params or [])])


class _SqlSearch:
    """Range scans on the ``(mag, sig)`` index; optionally only rows whose context holds a term."""

    def __init__(self, db: Database, only: set[int] | None):
        self.conn = db.conn
        self.only = sorted(only) if only is not None else None

    def scan(self, target: Target, like: list[str] | None, restrict: set[int] | None = None) -> list[tuple]:
        extra, params_extra = "", []
        if restrict is not None:
            ids = sorted(restrict if self.only is None else restrict & set(self.only))
            if not ids:
                return []
            if len(ids) <= 20_000:
                extra += f" AND evidence_id IN ({','.join('?' * len(ids))})"
                params_extra += ids
        if like:  # a small or round number: only where at least two of the subject's words stand beside it
            extra += " AND (" + " + ".join("(context LIKE ?)" for _ in like) + ") >= 2"
            params_extra += [f"%{t}%" for t in like]
        if self.only is not None:
            extra += f" AND evidence_id IN ({','.join('?' * len(self.only))})"
            params_extra += self.only
        rows: list[tuple] = []
        for mag, lo, hi in target.ranges:
            rows.extend(self.conn.execute(*_range_sql(mag, lo, hi, extra, params_extra)).fetchall())
        return rows


class _MemorySearch:
    """The numbers of a few files, held sorted by (mag, sig): a new file against every claim."""

    def __init__(self, db: Database, only: set[int] | None):
        self._by_mag: dict[int, tuple[list[str], list[tuple]]] = {}
        if not only:
            return
        ids = sorted(only)
        cols = _row_cols(db)
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
                if like and not (row[8] and sum(1 for t in like if t in row[8]) >= 2):
                    continue
                out.append(row)
        return out


# --- module-level helpers ------------------------------------------------------------------------


def locate(db: Database, claim_id: int, evidence_id: int) -> dict[str, Any] | None:
    """Where in ``evidence_id`` the claim's value is stated (the best hit), for a link's locator; or None.

    Cheap (no name index): the file's numbers are scanned in memory; hits are ranked by the unit's
    agreement and the claim's subject words in their context.
    """
    row = db.query_one("SELECT value, unit, scale, approx, subject, context_before, context_after FROM claims"
                       " WHERE id = ?", (claim_id,))
    if row is None:
        return None
    cv = matching.claim_value(row["value"], row["unit"], row["scale"], row["approx"])
    if cv is None:
        return None
    words = set(bigrams(row["subject"])) | set(bigrams(_clause(row["context_before"], last=True))) \
        | set(bigrams(_clause(row["context_after"], last=False)))
    search = _MemorySearch(db, {evidence_id})
    best = None
    for target in cv.targets:
        for r in search.scan(target, None):
            agr = matching.agreement(cv, target, raw=r[3], unit=r[4], is_percent=bool(r[5]), context=r[8])
            if agr is None:
                continue
            near = sum(1 for w in words if r[8] and w in r[8])
            key = (agr.factor + 0.1 * near, -r[0])
            if best is None or key > best[0]:
                best = (key, r)
    if best is None:
        return None
    r = best[1]
    return {"number_id": r[0], "value": r[2], "raw": r[3], "unit": r[4], "locator": r[6], "page": r[7],
            "context": r[8]}


def suggest(db: Database, *, claim_ids: Iterable[int] | None = None, evidence_ids: Iterable[int] | None = None,
            limit: int | None = DEFAULT_LIMIT) -> list[Suggestion]:
    """All suggestions, grouped by claim in report order, best first within a claim."""
    engine = SuggestionEngine(db)
    res = engine.for_claims(claim_ids, evidence_ids=evidence_ids, limit=limit)
    return [s for cid in res for s in res[cid]]


def has_digit_index(db: Database) -> bool:
    """Whether migration 0006 is applied (a read-only window on an older workspace has no sig/mag)."""
    cols = {r[1] for r in db.query("PRAGMA table_xinfo(evidence_numbers)")}
    return {"sig", "mag"} <= cols and db.scalar(
        "SELECT count(*) FROM sqlite_master WHERE name = 'evidence_text_vocab'") == 1


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
    memory = None if has_digit_index(db) else _MemorySearch(db, {e for es in claim_evidence.values() for e in es})
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
                for row in conn.execute(*_range_sql(mag, lo, hi, f" AND evidence_id IN ({marks})", evidence)):
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


__all__ = ["Suggestion", "SuggestionEngine", "suggest", "claims_with_value", "locate", "STRONG", "POSSIBLE", "bigrams",
           "words_from"]
