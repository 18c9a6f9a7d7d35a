"""Suggestion quality on generated evidence sets (see tests/review/evidence_sets.py for what they hold).

Done when: the top suggestion is correct for >= 90 % of the claims that have a matching file, and no claim
without one gets a ``strong`` suggestion. Set A backs the sample report; set B is another agency written
in other layouts, to check the matcher is not fitted to set A.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.review.links import link_evidence
from desktop.review.status import workspace_status
from tests.review import evidence_sets, scoring


@pytest.fixture(scope="module")
def set_a(tmp_path_factory):
    return evidence_sets.build_set_a(tmp_path_factory.mktemp("set_a"))


@pytest.fixture(scope="module")
def set_b(tmp_path_factory):
    return evidence_sets.build_set_b(tmp_path_factory.mktemp("set_b"))


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
@pytest.mark.parametrize("which", ["set_a", "set_b"])
def test_top_suggestion_is_right_and_no_false_strong(which, request, tmp_path):
    es = request.getfixturevalue(which)
    ws = scoring.ingest_set(tmp_path / "ws", es)
    try:
        score = scoring.score(ws, es)
    finally:
        ws.close()
    print(f"\n{which}: {score.summary()}")
    assert len(score.with_gold) >= 20
    assert len(score.results) - len(score.with_gold) >= 3  # claims with no matching file are part of the test
    wrong = [(r.claim_id, r.text) for r in score.with_gold if not r.correct]
    assert score.top1 >= 0.9, wrong
    assert score.strong_without_gold == []


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_status_flags_exactly_the_gaps_and_the_missing_values(set_a, tmp_path):
    """Link every claim that has a matching file to one that states its value, a few to files that do not."""
    ws = scoring.ingest_set(tmp_path / "ws", set_a)
    try:
        path_to_id = {r["path"]: r["evidence_id"] for r in ws.db.query("SELECT path, evidence_id FROM evidence_paths")}
        by_name = {p.rsplit("/", 1)[-1]: e for p, e in path_to_id.items()}
        score = scoring.score(ws, set_a)
        text_files = {r["id"] for r in ws.db.query("SELECT id FROM evidence WHERE text_status = 'done'")}
        wrong_file = by_name["机构编制情况说明.docx"]  # 42 名, 9 名, 27 名, 6 名, 8 个 — and nothing else
        expected_missing_value = set()
        linked = set()
        values = {r["id"]: Decimal(r["value"]) for r in ws.db.query("SELECT id, value FROM claims")}
        for i, r in enumerate(score.with_gold):
            stating = sorted(r.gold & text_files)
            if not stating:
                continue
            if i % 7 == 3 and wrong_file not in r.gold and values[r.claim_id] >= 100:
                link_evidence(ws.db, claim_id=r.claim_id, evidence_id=wrong_file)
                expected_missing_value.add(r.claim_id)
            else:
                link_evidence(ws.db, claim_id=r.claim_id, evidence_id=stating[0])
            linked.add(r.claim_id)
        st = workspace_status(ws.db)
        all_ids = {c["id"] for c in st["claims"]}
        assert {c["id"] for c in st["claims"] if "no_evidence" in c["flags"]} == all_ids - linked
        assert {c["id"] for c in st["claims"] if "value_not_found" in c["flags"]} == expected_missing_value
        assert expected_missing_value and st["summary"]["value_not_found"] == len(expected_missing_value)
        assert st["summary"]["without_evidence"] == len(all_ids - linked)
    finally:
        ws.close()
