"""The named reads the window and the command line use (Qt-free): reports, claims, evidence, links."""

from __future__ import annotations

import pytest

from desktop.claims import queries as claim_queries
from desktop.evidence import queries as evidence_queries
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review import queries as link_queries
from desktop.review.links import link_evidence, link_suggestion
from desktop.review.status import claim_rows


@pytest.fixture
def linked(imported_ws, tmp_path):
    """A workspace with the sample report, two files (one a later version of the other) and a link."""
    ws = imported_ws
    slip = tmp_path / "佐证" / "追回待遇_银行回单.txt"
    slip.parent.mkdir()
    slip.write_text("追回多发社保待遇 合计 6,588,300.00 元", encoding="utf-8")
    first = register_file(ws, slip)
    index_evidence(ws, first.evidence_id)
    claim = next(c for c in claim_rows(ws.db) if (c["value"], c["unit"]) == ("658.83", "万元"))
    link_evidence(ws.db, claim_id=claim["id"], evidence_id=first.evidence_id)
    slip.write_text("追回多发社保待遇 合计 6,588,300.00 元（盖章）", encoding="utf-8")
    second = register_file(ws, slip)
    index_evidence(ws, second.evidence_id)
    return ws, claim, first.evidence_id, second.evidence_id, slip


def test_reports_and_claims(linked):
    ws, claim, *_ = linked
    reports = claim_queries.active_reports(ws.db)
    assert [r["id"] for r in reports] == [claim["report_id"]]
    assert claim_queries.report_names(ws.db) == {claim["report_id"]: reports[0]["name"]}
    text = claim_queries.report_text(ws.db, claim["report_id"])
    assert claim["quote"] in text
    in_text = claim_queries.report_claims(ws.db, claim["report_id"])
    starts = [c["start"] for c in in_text if c["start"] is not None]
    assert starts == sorted(starts) and any(c["id"] == claim["id"] for c in in_text)
    assert claim_queries.claim_exists(ws.db, claim["id"]) and not claim_queries.claim_exists(ws.db, 10**6)
    assert claim_queries.claim_report_id(ws.db, claim["id"]) == claim["report_id"]
    before, after = claim_queries.claim_context(ws.db, claim["id"])
    assert text[claim["start"] - len(before):claim["start"]] == before and after
    assert claim_queries.claim_context(ws.db, 10**6) == ("", "")


def test_evidence_filters_search_paths_and_text(linked):
    ws, claim, old, new, slip = linked
    assert evidence_queries.evidence_ids(ws.db) == [old, new]
    assert evidence_queries.evidence_ids(ws.db, "unlinked") == [new]
    assert evidence_queries.evidence_ids(ws.db, "superseded") == [old]
    assert evidence_queries.evidence_ids(ws.db, "error") == []
    assert evidence_queries.evidence_ids(ws.db, "all", among=[new, 999]) == [new]
    assert evidence_queries.evidence_counts(ws.db) == {"all": 2, "unlinked": 1, "error": 0, "superseded": 1}
    assert evidence_queries.evidence_count(ws.db, "unlinked") == 1
    assert evidence_queries.search_evidence(ws.db, "回单") == {old, new}  # two characters: LIKE on names
    assert evidence_queries.search_evidence(ws.db, "盖章") == {new}  # in the text only
    assert evidence_queries.search_evidence(ws.db, "追回多发") == {old, new}  # FTS5 trigram
    assert evidence_queries.search_evidence(ws.db, "  ") == set()
    assert evidence_queries.present_paths(ws.db, new) == [str(slip)]
    assert evidence_queries.present_paths(ws.db, old) == []  # its path now holds the newer version
    (locator, text), = evidence_queries.text_units(ws.db, new)
    assert "6,588,300.00" in text
    assert evidence_queries.evidence_exists(ws.db, new) and not evidence_queries.evidence_exists(ws.db, 999)
    assert evidence_queries.evidence_name(ws.db, new) == slip.name
    assert evidence_queries.evidence_names(ws.db) == {old: slip.name, new: slip.name}
    states = evidence_queries.ingest_states(ws.db, [new])
    assert states == {new: {"status": "ready", "text_status": "done", "error": None, "error_detail": None,
                          "pages": None}}  # a text file


def test_links_and_the_claims_a_file_can_affect(linked, tmp_path):
    ws, claim, old, new, _ = linked
    assert link_queries.link_detail(ws.db, claim["id"], old) == {"locator": "正文", "note": None}
    assert link_queries.link_detail(ws.db, claim["id"], new) is None
    (row,) = link_queries.linked_evidence(ws.db, claim["id"])
    assert (row["evidence_id"], row["superseded"]) == (old, 1)
    # the newer version affects the claim linked to the version it supersedes
    assert link_queries.claims_linked_to(ws.db, [new]) == [claim["id"]]
    assert link_queries.claims_linked_to(ws.db, []) == []
    assert link_queries.accepted_suggestion_reasons(ws.db, claim["id"], old) == []  # linked by hand
    other = next(c for c in claim_rows(ws.db) if c["id"] != claim["id"] and c["value"] == "21099")
    ledger = tmp_path / "疑点核查台账.txt"
    ledger.write_text("全年共核查疑点数据 21099 条", encoding="utf-8")
    reg = register_file(ws, ledger)
    index_evidence(ws, reg.evidence_id)
    link_suggestion(ws.db, claim_id=other["id"], evidence_id=reg.evidence_id)
    reasons = link_queries.accepted_suggestion_reasons(ws.db, other["id"], reg.evidence_id)
    assert reasons and all("code" in r for r in reasons)
