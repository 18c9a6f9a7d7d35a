"""The fast canonical JSON verify hashes events with gives exactly what canonical_json gives."""

from __future__ import annotations

import hashlib
import random

from db.audit import EVENT_COLUMNS, canonical_json, event_hash


def _reference(prev: str, row: dict) -> str:
    return hashlib.sha256((prev + canonical_json({k: row[k] for k in EVENT_COLUMNS})).encode("utf-8")).hexdigest()


def test_fast_event_hash_matches_canonical_json():
    rnd = random.Random(20)
    alphabet = "aZ09 \"\\/\n\t\r\x00\x1f\x7f中文佐证，。\u2028\u2029\U0001f600'{}[]:,"
    text = lambda: "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))  # noqa: E731
    ident = lambda: rnd.choice([None, 0, 1, -5, 2**40, 2**70])  # noqa: E731
    for _ in range(3000):
        row = {"seq": rnd.randint(1, 10**9), "ts": text(), "actor": text(), "role": text(), "action": text(),
               "report_id": ident(), "claim_id": ident(), "evidence_id": ident(), "payload": text()}
        assert event_hash("ab" * 32, row) == _reference("ab" * 32, row)
    # anything unusual (a float, a bool, a BLOB put in by hand) takes the general path and still agrees
    for odd in (1.5, True, "x"):
        row = {"seq": 3, "ts": "t", "actor": "a", "role": "r", "action": "x", "report_id": odd, "claim_id": None,
               "evidence_id": None, "payload": "{}"}
        assert event_hash("0" * 64, row) == _reference("0" * 64, row)
