"""A file's new version: what changed between the two, and 改用新版本 for the claims linked to the old one.

When a file in the watched folder is saved again, the new bytes become a new evidence row that
supersedes the old one; links stay on the old version (what was reviewed stays linked), and the claim is
flagged 证据有新版本. The user then compares the two (:func:`compare_versions`: which figures the new
version dropped or added, and whether each linked claim's value is still there) and moves the links over
(:func:`switch_to_new_version`).

Moving a link is the two ordinary link mutations, each its own transaction with its own audit event: the
new version is linked first (``origin`` ``version``, the event naming the version it replaces), then the
old link is removed — so an interruption leaves both links, never neither.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from db.database import Database
from desktop.errors import DeskError
from desktop.review.links import LinkChange, link_evidence, unlink_evidence
from desktop.review.number_search import claims_with_value, locate
from desktop.workspace import require_role

MAX_LISTED = 20


def newest_version(db: Database, evidence_id: int) -> int:
    """The newest version of a file (itself when nothing supersedes it); refused when versions branch."""
    if db.query_one("SELECT 1 FROM evidence WHERE id = ?", (evidence_id,)) is None:
        raise DeskError("evidence.not_found", evidence_id=evidence_id)
    current, seen = evidence_id, {evidence_id}
    while True:
        newer = [r[0] for r in db.query("SELECT id FROM evidence WHERE supersedes = ? ORDER BY id", (current,))]
        if not newer:
            return current
        if len(newer) > 1:
            raise DeskError("version.several_newer", evidence_id=current)
        current = newer[0]
        if current in seen:  # a cycle cannot be written by the services; stop rather than loop
            return current
        seen.add(current)


@dataclass
class VersionComparison:
    old_id: int
    new_id: int
    removed: list[tuple[str, str | None]] = field(default_factory=list)  # (raw, locator) only in the old
    added: list[tuple[str, str | None]] = field(default_factory=list)  # only in the new
    removed_count: int = 0
    added_count: int = 0
    claims_kept: list[int] = field(default_factory=list)  # linked to the old; the new states their value
    claims_lost: list[int] = field(default_factory=list)  # linked to the old; the new does not


def _numbers(db: Database, evidence_id: int) -> list[tuple[Decimal, str, str | None]]:
    out = []
    for r in db.query("SELECT value, raw, locator FROM evidence_numbers WHERE evidence_id = ? ORDER BY id",
                      (evidence_id,)):
        try:
            out.append((Decimal(r[0]).normalize(), r[1], r[2]))
        except ArithmeticError:
            continue
    return out


def compare_versions(db: Database, old_id: int, new_id: int) -> VersionComparison:
    """Figures the new version dropped and added (by value), and the old version's linked claims whose
    value the new one still states."""
    old, new = _numbers(db, old_id), _numbers(db, new_id)
    old_count, new_count = Counter(v for v, _, _ in old), Counter(v for v, _, _ in new)
    gone, came = old_count - new_count, new_count - old_count
    cmp = VersionComparison(old_id, new_id, removed_count=sum(gone.values()), added_count=sum(came.values()))
    for values, rows, target in ((gone, old, cmp.removed), (came, new, cmp.added)):
        left = Counter(values)
        for v, raw, loc in rows:
            if left[v] > 0 and len(target) < MAX_LISTED:
                target.append((raw, loc))
                left[v] -= 1
    claims = [r[0] for r in db.query("SELECT claim_id FROM links WHERE evidence_id = ? ORDER BY claim_id", (old_id,))]
    found = claims_with_value(db, {c: [new_id] for c in claims})
    cmp.claims_kept = [c for c in claims if c in found]
    cmp.claims_lost = [c for c in claims if c not in found]
    return cmp


@dataclass
class VersionSwitch:
    claim_id: int
    old_evidence_id: int
    new_evidence_id: int
    added: LinkChange
    removed: LinkChange


def switch_to_new_version(db: Database, *, evidence_id: int, claim_ids: list[int] | None = None) -> list[VersionSwitch]:
    """改用新版本: move the links of ``evidence_id`` (or of ``claim_ids`` among them) to its newest version.

    The new link's locator is where the new version states the claim's value (else the old locator); its
    note is kept. A claim already linked to the newest version just loses the old link.
    """
    require_role(db, "link.add", "editor")
    newest = newest_version(db, evidence_id)
    if newest == evidence_id:
        raise DeskError("version.no_newer", evidence_id=evidence_id)
    rows = db.query("SELECT claim_id, locator, note FROM links WHERE evidence_id = ? ORDER BY claim_id", (evidence_id,))
    if claim_ids is not None:
        wanted = set(claim_ids)
        rows = [r for r in rows if r["claim_id"] in wanted]
    done = []
    for r in rows:
        cid = r["claim_id"]
        existing = db.query_one("SELECT id FROM links WHERE claim_id = ? AND evidence_id = ?", (cid, newest))
        if existing is None:
            hit = locate(db, cid, newest)
            added = link_evidence(db, claim_id=cid, evidence_id=newest, locator=(hit or {}).get("locator") or r["locator"],
                                  note=r["note"], origin="version", auto_locator=False,
                                  detail={"replaces": evidence_id})
        else:
            added = LinkChange(cid, newest, "kept", existing["id"])
        removed = unlink_evidence(db, claim_id=cid, evidence_id=evidence_id)
        done.append(VersionSwitch(cid, evidence_id, newest, added, removed))
    return done


__all__ = ["newest_version", "compare_versions", "VersionComparison", "switch_to_new_version", "VersionSwitch"]
