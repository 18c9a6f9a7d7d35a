"""Claim mutations. Each is one transaction: its rows plus exactly one audit event, refused in the
reviewer role, returning what changed.

- :func:`import_report` / :func:`import_document` — a report and its claims;
- :func:`import_revised_report` — a new version of a report: existing claims re-anchored by quote and
  context (their ids, links and reviews kept), reporting which changed value, moved or vanished;
- :func:`add_manual_claim` — mark any stretch of the report text as a claim (标记为指标);
- :func:`edit_claim` — subject, value, unit;
- :func:`ignore_claim` / :func:`restore_claim`;
- :func:`confirm_candidate` / :func:`dismiss_candidate` — the 待确认 list of unclassified numbers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from db.changes import NO_CHANGES, Changes
from db.database import Database, Tx
from desktop.claims import extractor
from desktop.claims.document import Document
from desktop.claims.lexicon import BASE_UNITS, COUNT, MAGNITUDES, ExtractedClaim, normalise
from desktop.claims.lines import Sections, document_lines
from desktop.claims.readers import read_report_isolated
from desktop.claims.score_store import store_score_tables
from desktop.errors import DeskError
from desktop.workspace import require_role

EDITOR = ("editor",)
CLAIM_COLUMNS = ("report_id", "quote", "start", "end", "page", "section", "part", "subject", "value_raw", "value",
                 "unit", "scale", "approx", "value_high", "kind", "flags", "confidence", "origin", "state",
                 "context_before", "context_after", "created_at", "updated_at")


@dataclass
class ImportResult:
    report_id: int
    claims: int
    candidates: int
    name: str
    warnings: list[dict[str, Any]] = field(default_factory=list)
    changes: Changes = NO_CHANGES


@dataclass
class ClaimChange:
    claim_id: int
    action: str  # added / edited / ignored / restored / confirmed / dismissed
    before: dict[str, Any] | None
    after: dict[str, Any]
    changes: Changes = NO_CHANGES


@dataclass
class RevisionResult:
    report_id: int
    old_report_id: int
    name: str
    unchanged: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # {"claim_id", "old", "new"}
    vanished: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    changes: Changes = NO_CHANGES


# --- import --------------------------------------------------------------------------------------


def _claim_row(report_id: int, c: ExtractedClaim, doc_kind: str, now: str) -> dict[str, Any]:
    return {
        "report_id": report_id, "quote": c.quote, "start": c.start, "end": c.end, "page": c.page,
        "section": c.section, "part": c.part, "subject": c.subject, "value_raw": c.value_raw, "value": c.value,
        "unit": c.unit, "scale": c.scale, "approx": c.approx, "value_high": c.value_high, "kind": c.kind,
        "flags": json.dumps(c.flags, ensure_ascii=False), "confidence": c.confidence,
        "origin": c.origin if c.origin != "extracted" or doc_kind != "score_table" else "table",
        "state": "active" if c.confidence == "high" else "candidate",
        "context_before": c.context_before, "context_after": c.context_after, "created_at": now, "updated_at": now,
    }


def _insert_claims(tx: Tx, rows: list[dict[str, Any]]) -> list[int]:
    ids = []
    sql = f"INSERT INTO claims ({', '.join(CLAIM_COLUMNS)}) VALUES ({', '.join(':' + c for c in CLAIM_COLUMNS)})"
    for r in rows:
        ids.append(int(tx.execute(sql, r).lastrowid))
    return ids


def _insert_report(tx: Tx, doc: Document, sha256: str, source_path: str | None, supersedes: int | None) -> int:
    return tx.insert("reports", {
        "name": doc.source, "source_path": source_path, "sha256": sha256, "format": doc.format, "kind": doc.kind,
        "text": doc.text, "locations": json.dumps(doc.locations_json(), ensure_ascii=False),
        "supersedes": supersedes, "imported_at": tx.now,
    })


REPORT_COPIES = "reports"  # workspace folder: reports/<sha256><suffix>, the bytes of every imported report


def keep_report_copy(db: Database, data: bytes, sha256: str, suffix: str) -> Path | None:
    """Keep the imported file's bytes in the workspace, so a package can carry the report as imported
    after the original has moved. Best effort: without it the package falls back to the original path."""
    folder = db.path.parent / REPORT_COPIES
    dest = folder / f"{sha256}{suffix.lower()}"
    if dest.is_file():
        return dest
    tmp = folder / f".{sha256}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return None
    return dest


Progress = Callable[[str, dict[str, Any]], None]  # (stage, details): read / extract / write / done


def _say(progress: Progress | None, stage: str, **details: Any) -> None:
    if progress is not None:
        progress(stage, details)


def read_for_import(db: Database, path: Path, progress: Progress | None = None) -> Document:
    """The report, read in the parsing child under the workspace's ceilings (``parse.*``, ``report.*``
    settings): refused with ``report.over_limit`` naming the limit, before anything is written."""
    from desktop.parsing import limits as limitsmod

    _say(progress, "read", name=path.name, size=path.stat().st_size if path.is_file() else None)
    return read_report_isolated(path, limitsmod.load(db))


def import_report(db: Database, *, path: str | Path, progress: Progress | None = None,
                  again: bool = False) -> ImportResult:
    """Read ``path``, extract its claims and store report + claims in one transaction. Nothing is written
    until the one transaction at the end, so a refusal or an interruption (Ctrl+C) leaves the workspace
    as it was. ``progress(stage, details)`` is told each stage as it starts.

    The same bytes imported before (a report of this workspace, current or superseded, has this SHA-256)
    are refused with ``report.already_imported``, naming it, and nothing is written — a second copy would
    double every claim and its gaps. ``again=True`` imports a second copy on purpose."""
    require_role(db, "report.import", *EDITOR)
    path = Path(path)
    if not again:
        try:
            with path.open("rb") as f:  # streamed: the size ceiling is checked by the reader, not here
                sha = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError:
            sha = None  # the reader says what is wrong with the path, in its words
        row = None if sha is None else \
            db.query_one("SELECT id, name, state FROM reports WHERE sha256 = ? ORDER BY id LIMIT 1", (sha,))
        if row is not None:
            raise DeskError("report.already_imported", report_id=row["id"], name=row["name"],
                            report_state=row["state"])
    doc = read_for_import(db, path, progress)  # raises before anything is written
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    result = import_document(db, doc=doc, sha256=sha, source_path=str(path), progress=progress)
    keep_report_copy(db, data, sha, path.suffix)
    _say(progress, "done", claims=result.claims, candidates=result.candidates)
    return result


def import_document(db: Database, *, doc: Document, sha256: str, source_path: str | None,
                    progress: Progress | None = None) -> ImportResult:
    require_role(db, "report.import", *EDITOR)
    _say(progress, "extract", chars=len(doc.text))
    found, tables = extractor.extract_with_tables(doc)
    _say(progress, "write", claims=len(found))
    with db.write() as tx:
        report_id = _insert_report(tx, doc, sha256, source_path, None)
        ids = _insert_claims(tx, [_claim_row(report_id, c, doc.kind, tx.now) for c in found])
        high = sum(1 for c in found if c.confidence == "high")
        payload = {"name": doc.source, "sha256": sha256, "format": doc.format, "kind": doc.kind, "claims": high,
                   "candidates": len(found) - high, "warnings": doc.warnings}
        if tables:
            payload["score_tables"] = store_score_tables(tx, report_id, tables, ids)
        tx.event("report.imported", payload, report_id=report_id)
    return ImportResult(report_id, high, len(found) - high, doc.source, list(doc.warnings), tx.changes)


# --- helpers -------------------------------------------------------------------------------------


def _claim(tx_or_db, claim_id: int) -> dict[str, Any]:
    conn = tx_or_db.conn if hasattr(tx_or_db, "conn") else tx_or_db
    row = conn.execute("SELECT * FROM claims WHERE id = ?", (claim_id,)).fetchone()
    if row is None:
        raise DeskError("claim.not_found", claim_id=claim_id)
    return dict(row)


def _public(c: dict[str, Any]) -> dict[str, Any]:
    keys = ("subject", "value", "value_raw", "unit", "scale", "kind", "state", "confidence", "quote", "start", "end")
    return {k: c.get(k) for k in keys}


def parse_value(text: str) -> Decimal:
    """A user-typed value: ASCII or full-width digits, thousands separators, Chinese numerals."""
    s = extractor.normalise(str(text).strip())[0].replace(",", "").replace("，", "").strip()
    if not s:
        raise DeskError("claim.bad_value", value=text)
    try:
        d = Decimal(s)
    except InvalidOperation:
        n = extractor.cn_to_int(s)
        if n is None:
            raise DeskError("claim.bad_value", value=text) from None
        d = Decimal(n)
    if not d.is_finite():
        raise DeskError("claim.bad_value", value=text)
    return d


def unit_parts(unit: str) -> tuple[str, str]:
    """(scale, kind) of a unit as written: 万元 → ("10000", "amount")."""
    unit = (unit or "").strip()
    if unit in BASE_UNITS:
        return "1", BASE_UNITS[unit]
    mag = next((k for k in sorted(MAGNITUDES, key=len, reverse=True) if unit.startswith(k)), "")
    base = unit[len(mag):]
    kind = BASE_UNITS.get(base, COUNT if base or mag else "number")
    if base.startswith("元"):
        kind = "amount"
    return str(MAGNITUDES.get(mag, 1)), kind


def _set(tx: Tx, claim_id: int, values: dict[str, Any]) -> None:
    values = {**values, "updated_at": tx.now}
    cols = ", ".join(f'"{k}" = :{k}' for k in values)
    tx.execute(f"UPDATE claims SET {cols} WHERE id = :_id", {**values, "_id": claim_id})


def _active_report(tx: Tx, report_id: int) -> dict[str, Any]:
    row = tx.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
    if row is None:
        raise DeskError("report.not_in_workspace", report_id=report_id)
    if row["state"] != "active":
        raise DeskError("report.superseded", name=row["name"])
    return dict(row)


# --- single-claim mutations ----------------------------------------------------------------------


def add_manual_claim(
    db: Database, *, report_id: int, start: int, end: int, subject: str | None = None,
    value: str | None = None, unit: str | None = None,
) -> ClaimChange:
    """Mark ``text[start:end]`` of a report as a claim (标记为指标). Value and unit default to the
    number and unit found in the selection."""
    require_role(db, "claim.add", *EDITOR)
    with db.write() as tx:
        report = _active_report(tx, report_id)
        text = report["text"]
        # trim surrounding whitespace and punctuation of the selection
        while start < end and start < len(text) and (text[start].isspace() or text[start] in _TRIM):
            start += 1
        while end > start and end <= len(text) and (text[end - 1].isspace() or text[end - 1] in _TRIM):
            end -= 1
        if start < 0 or end > len(text):
            raise DeskError("claim.bad_span")
        if start >= end:
            raise DeskError("claim.empty_selection")
        quote = text[start:end]
        guess = guess_claim(quote)
        value_d = parse_value(value) if value not in (None, "") else (Decimal(guess.value) if guess and guess.value else None)
        if value_d is None:
            raise DeskError("claim.bad_value", value=quote)
        unit = unit if unit is not None else (guess.unit if guess else "")
        scale, kind = unit_parts(unit)
        if guess is not None and unit == guess.unit:
            scale, kind = guess.scale, guess.kind
        locations = json.loads(report["locations"] or "{}")
        doc = Document(report["name"], report["format"], text, [])
        page = _page_from_locations(locations, start)
        section, part = Sections(document_lines(doc, normalise(text)[0])).at(start)
        if subject is None:
            subject = (guess.subject if guess else "") or ""
        row = {
            "report_id": report_id, "quote": quote, "start": start, "end": end, "page": page, "section": section,
            "part": part, "subject": subject.strip(), "value_raw": guess.value_raw if guess and value in (None, "") else str(value_d),
            "value": format(value_d, "f"), "unit": unit, "scale": scale, "approx": guess.approx if guess else None,
            "value_high": None, "kind": kind, "flags": "[]", "confidence": "high", "origin": "manual",
            "state": "active", "context_before": text[max(0, start - 24):start], "context_after": text[end:end + 24],
            "created_at": tx.now, "updated_at": tx.now,
        }
        claim_id = _insert_claims(tx, [row])[0]
        tx.event("claim.added", {"quote": quote, "start": start, "end": end, "value": row["value"], "unit": unit,
                                 "subject": row["subject"]}, report_id=report_id, claim_id=claim_id)
    return ClaimChange(claim_id, "added", None, _public(row), tx.changes)


_TRIM = "，。；、,;：:！？!?"


def guess_claim(quote: str) -> ExtractedClaim | None:
    """The claim a selection most likely states; a masked number (a date, a list number) still counts
    when the user marks it on purpose."""
    found = extractor.extract(Document("selection", "txt", quote))
    high = [c for c in found if c.confidence == "high"]
    if high or found:
        return (high or found)[0]
    norm = extractor.normalise(quote)[0]
    m = re.search(extractor.NUM, norm)
    if m:
        raw = m.group()
        return ExtractedClaim(quote, 0, len(quote), raw, format(extractor.to_decimal(raw), "f"), "", "1", "number")
    cn = re.search(f"[{extractor.CN_NUMERAL}]+", quote)
    if cn and extractor.cn_to_int(cn.group()) is not None:
        return ExtractedClaim(quote, 0, len(quote), cn.group(), str(extractor.cn_to_int(cn.group())), "", "1", "number")
    return None


def _page_from_locations(locations: dict[str, Any], offset: int) -> int | None:
    page = None
    for s, e, p, *_ in locations.get("spans", []):
        if s > offset:
            break
        if p is not None:
            page = p
    return page


def edit_claim(
    db: Database, *, claim_id: int, subject: str | None = None, value: str | None = None, unit: str | None = None,
) -> ClaimChange:
    """Change a claim's subject, value or unit (what the user corrects after extraction)."""
    require_role(db, "claim.edit", *EDITOR)
    with db.write() as tx:
        before = _claim(tx, claim_id)
        changes: dict[str, Any] = {}
        if subject is not None and subject.strip() != (before["subject"] or ""):
            changes["subject"] = subject.strip()
        if value is not None:
            d = parse_value(value)
            if before["value"] is None or Decimal(before["value"]) != d:
                changes["value"] = format(d, "f")
                changes["value_raw"] = str(value).strip()
        if unit is not None and unit.strip() != (before["unit"] or ""):
            changes["unit"] = unit.strip()
            changes["scale"], changes["kind"] = unit_parts(unit)
        if not changes:
            raise DeskError("claim.no_change")
        flags = json.loads(before["flags"] or "[]")
        if "edited" not in flags:
            flags.append("edited")
        changes["flags"] = json.dumps(flags, ensure_ascii=False)
        _set(tx, claim_id, changes)
        after = {**before, **changes}
        tx.event("claim.edited", {"before": {k: before[k] for k in changes if k in before and k != "flags"},
                                  "after": {k: v for k, v in changes.items() if k != "flags"}},
                 report_id=before["report_id"], claim_id=claim_id)
    return ClaimChange(claim_id, "edited", _public(before), _public(after), tx.changes)


def _transition(db: Database, claim_id: int, action: str, event: str, allowed: tuple[str, ...], new_state: str,
                payload: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> ClaimChange:
    require_role(db, event, *EDITOR)
    with db.write() as tx:
        before = _claim(tx, claim_id)
        if before["state"] not in allowed:
            raise DeskError("claim.bad_state", claim_id=claim_id, state=before["state"])
        changes = {"state": new_state, **(extra or {})}
        _set(tx, claim_id, changes)
        tx.event(event, {"from": before["state"], "to": new_state, **(payload or {})},
                 report_id=before["report_id"], claim_id=claim_id)
    return ClaimChange(claim_id, action, _public(before), _public({**before, **changes}), tx.changes)


def ignore_claim(db: Database, *, claim_id: int, reason: str | None = None) -> ClaimChange:
    """Take a claim out of the list (not a claim after all); :func:`restore_claim` brings it back."""
    return _transition(db, claim_id, "ignored", "claim.ignored", ("active",), "ignored", {"reason": reason})


def restore_claim(db: Database, *, claim_id: int) -> ClaimChange:
    """Undo an ignore (→ active) or a dismissal (→ back to the 待确认 list)."""
    require_role(db, "claim.restored", *EDITOR)
    state = _claim(db.conn, claim_id)["state"]
    target = "candidate" if state == "dismissed" else "active"
    return _transition(db, claim_id, "restored", "claim.restored", ("ignored", "dismissed"), target)


def confirm_candidate(db: Database, *, claim_id: int, unit: str | None = None, subject: str | None = None) -> ClaimChange:
    """An unclassified number is a claim after all (optionally with its unit and subject)."""
    extra: dict[str, Any] = {}
    if unit is not None and unit.strip():
        extra["unit"] = unit.strip()
        extra["scale"], extra["kind"] = unit_parts(unit)
    if subject is not None and subject.strip():
        extra["subject"] = subject.strip()
    return _transition(db, claim_id, "confirmed", "claim.confirmed", ("candidate",), "active",
                       {k: v for k, v in extra.items() if k in ("unit", "subject")}, extra)


def dismiss_candidate(db: Database, *, claim_id: int) -> ClaimChange:
    """An unclassified number is not a claim (a list number, a year …)."""
    return _transition(db, claim_id, "dismissed", "claim.dismissed", ("candidate",), "dismissed")


# --- revised reports -----------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def _squash(s: str | None) -> str:
    return _WS.sub("", s or "")


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _anchor_score(old: dict[str, Any], new: ExtractedClaim) -> float:
    """How well ``new`` sits where ``old`` sat: context before / after and subject (0 … 3)."""
    cb_o, cb_n = _squash(old["context_before"])[-16:], _squash(new.context_before)[-16:]
    ca_o, ca_n = _squash(old["context_after"])[:16], _squash(new.context_after)[:16]
    score = 0.0
    if cb_o or cb_n:
        score += _common_suffix(cb_o, cb_n) / max(len(cb_o), len(cb_n), 1)
    if ca_o or ca_n:
        score += _common_prefix(ca_o, ca_n) / max(len(ca_o), len(ca_n), 1)
    if old["subject"] and _squash(old["subject"]) == _squash(new.subject):
        score += 1.0
    return score


def _same_value(old: dict[str, Any], new: ExtractedClaim) -> bool:
    try:
        return (old["value"] is not None and new.value is not None and Decimal(old["value"]) == Decimal(new.value)
                and (old["unit"] or "") == (new.unit or ""))
    except InvalidOperation:
        return False


def _manual_anchor(old: dict[str, Any], text: str) -> tuple[int, int] | None:
    """Where a manual claim's quote sits in the new text, chosen by context."""
    quote = old["quote"]
    best, best_score = None, -1.0
    i = text.find(quote)
    while i >= 0:
        fake = ExtractedClaim(quote, i, i + len(quote), "", None, "", "1", "", subject=old["subject"] or "",
                              context_before=text[max(0, i - 24):i], context_after=text[i + len(quote):i + len(quote) + 24])
        s = _anchor_score({**old, "subject": None}, fake)
        if s > best_score:
            best, best_score = (i, i + len(quote)), s
        i = text.find(quote, i + 1)
    return best


def import_revised_report(db: Database, *, report_id: int, path: str | Path,
                          progress: Progress | None = None) -> RevisionResult:
    """Import a new version of report ``report_id``: its claims keep their ids (and so their links and
    reviews), re-anchored by quote and context; the result says which changed value, moved or vanished."""
    require_role(db, "report.revise", *EDITOR)
    path = Path(path)
    doc = read_for_import(db, path, progress)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    _say(progress, "extract", chars=len(doc.text))
    found, tables = extractor.extract_with_tables(doc)
    _say(progress, "write", claims=len(found))
    with db.write() as tx:
        old_report = _active_report(tx, report_id)
        if old_report["sha256"] == sha:
            raise DeskError("report.same_content", name=old_report["name"])
        new_id = _insert_report(tx, doc, sha, str(path), report_id)
        tx.execute("UPDATE reports SET state = 'superseded' WHERE id = ?", (report_id,))
        olds = [dict(r) for r in tx.execute(
            "SELECT * FROM claims WHERE report_id = ? AND state != 'vanished' ORDER BY start, id", (report_id,))]
        result = RevisionResult(new_id, report_id, doc.source, warnings=list(doc.warnings))
        n_old, n_new = max(len(old_report["text"]), 1), max(len(doc.text), 1)

        # candidate pairs, best first; each old and each new claim used once
        pairs: list[tuple[float, int, int, str]] = []
        for oi, o in enumerate(olds):
            if o["origin"] == "manual":
                continue
            for ni, n in enumerate(found):
                same = _same_value(o, n)
                anchor = _anchor_score(o, n)
                quote_same = _squash(o["quote"]) == _squash(n.quote)
                near = 1 - abs((o["start"] or 0) / n_old - n.start / n_new)
                if same and (quote_same or anchor >= 0.3):
                    same_place = o["section"] == n.section and o["part"] == n.part
                    kind = "unchanged" if same_place and anchor >= 0.8 else "moved"
                    pairs.append((3 + anchor + 0.5 * near, oi, ni, kind))
                elif not same and anchor >= 1.2 and (o["kind"] == n.kind or not o["kind"]):
                    pairs.append((anchor + 0.5 * near, oi, ni, "changed"))
        pairs.sort(key=lambda p: -p[0])
        used_o: set[int] = set()
        used_n: set[int] = set()
        matched: list[tuple[int, int]] = []
        for _, oi, ni, kind in pairs:
            if oi in used_o or ni in used_n:
                continue
            used_o.add(oi)
            used_n.add(ni)
            matched.append((oi, ni))
            o, n = olds[oi], found[ni]
            flags = json.loads(o["flags"] or "[]")
            flags = [f for f in n.flags] + [f for f in flags if f in ("edited",)]
            changes = {"report_id": new_id, "quote": n.quote, "start": n.start, "end": n.end, "page": n.page,
                       "section": n.section, "part": n.part, "context_before": n.context_before,
                       "context_after": n.context_after}
            if kind == "changed":
                changes.update({"value": n.value, "value_raw": n.value_raw, "unit": n.unit, "scale": n.scale,
                                "approx": n.approx, "value_high": n.value_high, "kind": n.kind})
                flags.append("value_changed")
                result.changed.append({"claim_id": o["id"], "old": {"value": o["value"], "unit": o["unit"]},
                                       "new": {"value": n.value, "unit": n.unit}})
            elif kind == "moved":
                result.moved.append(o["id"])
            else:
                result.unchanged.append(o["id"])
            changes["flags"] = json.dumps(flags, ensure_ascii=False)
            _set(tx, o["id"], changes)
        # manual claims: find their quote again
        for oi, o in enumerate(olds):
            if o["origin"] != "manual" or oi in used_o:
                continue
            where = _manual_anchor(o, doc.text)
            if where is None:
                continue
            used_o.add(oi)
            s, e = where
            _set(tx, o["id"], {"report_id": new_id, "start": s, "end": e,
                               "context_before": doc.text[max(0, s - 24):s], "context_after": doc.text[e:e + 24]})
            (result.unchanged if s == o["start"] else result.moved).append(o["id"])
        for oi, o in enumerate(olds):
            if oi in used_o:
                continue
            _set(tx, o["id"], {"report_id": new_id, "state": "vanished", "start": None, "end": None, "page": None})
            if o["state"] in ("active", "ignored"):
                result.vanished.append(o["id"])
        new_index = [ni for ni in range(len(found)) if ni not in used_n]
        new_rows = [_claim_row(new_id, found[ni], doc.kind, tx.now) for ni in new_index]
        result.added = _insert_claims(tx, new_rows)
        payload = {
            "name": doc.source, "sha256": sha, "supersedes": report_id, "unchanged": len(result.unchanged),
            "moved": result.moved, "changed": result.changed, "vanished": result.vanished,
            "added": len(result.added),
        }
        if tables:
            # each extracted claim's id: the old claim it was matched to, or the new row
            claim_ids: list[int | None] = [None] * len(found)
            for ni, cid in zip(new_index, result.added):
                claim_ids[ni] = cid
            for oi, ni in matched:
                claim_ids[ni] = olds[oi]["id"]
            payload["score_tables"] = store_score_tables(tx, new_id, tables, claim_ids)
        tx.event("report.revised", payload, report_id=new_id)
    result.changes = tx.changes
    keep_report_copy(db, data, sha, path.suffix)
    return result
