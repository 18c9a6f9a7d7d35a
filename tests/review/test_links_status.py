"""Links and the flags they drive, through the service layer on a real workspace."""

from __future__ import annotations

import pytest

from desktop.errors import DeskError, Forbidden
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence, unlink_evidence
from desktop.review.status import completeness, workspace_status


@pytest.fixture
def evidence_file(tmp_path):
    p = tmp_path / "回单.txt"
    p.write_text("金额 6,588,300.00 元", encoding="utf-8")
    return p


def test_link_clears_no_evidence_and_writes_one_event(imported_ws, evidence_file):
    ws = imported_ws
    eid = register_file(ws, evidence_file).evidence_id
    claim = workspace_status(ws.db)["claims"][0]
    events = ws.db.scalar("SELECT count(*) FROM events")
    change = link_evidence(ws.db, claim_id=claim["id"], evidence_id=eid, locator="第 1 页")
    assert change.action == "linked"
    assert ws.db.scalar("SELECT count(*) FROM events") == events + 1
    ev = ws.db.query_one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")
    assert (ev["action"], ev["claim_id"], ev["evidence_id"]) == ("link.added", claim["id"], eid)
    st = workspace_status(ws.db)
    c = next(c for c in st["claims"] if c["id"] == claim["id"])
    assert c["flags"] == [] and c["evidence_ids"] == [eid]
    assert completeness(ws.db).with_evidence == 1


def test_duplicate_link_and_missing_link_are_errors(imported_ws, evidence_file):
    ws = imported_ws
    eid = register_file(ws, evidence_file).evidence_id
    link_evidence(ws.db, claim_id=1, evidence_id=eid)
    with pytest.raises(DeskError) as err:
        link_evidence(ws.db, claim_id=1, evidence_id=eid)
    assert err.value.code == "link.exists"
    unlink_evidence(ws.db, claim_id=1, evidence_id=eid)
    with pytest.raises(DeskError) as err:
        unlink_evidence(ws.db, claim_id=1, evidence_id=eid)
    assert err.value.code == "link.not_found"
    with pytest.raises(DeskError) as err:
        link_evidence(ws.db, claim_id=10_000, evidence_id=eid)
    assert err.value.code == "claim.not_found"


def test_reviewer_cannot_link(imported_ws, evidence_file):
    ws = imported_ws
    eid = register_file(ws, evidence_file).evidence_id
    ws.set_identity(role="reviewer")
    with pytest.raises(Forbidden):
        link_evidence(ws.db, claim_id=1, evidence_id=eid)
    assert ws.db.scalar("SELECT count(*) FROM links") == 0


def test_same_bytes_twice_is_one_evidence_with_two_paths(ws, tmp_path, evidence_file):
    copy = tmp_path / "sub" / "副本.txt"
    copy.parent.mkdir()
    copy.write_bytes(evidence_file.read_bytes())
    a = register_file(ws, evidence_file)
    b = register_file(ws, copy)
    assert a.evidence_id == b.evidence_id and b.outcome == "duplicate"
    st = workspace_status(ws.db)
    assert len(st["evidence"]) == 1
    assert sorted(st["evidence"][0]["paths"]) == sorted([str(evidence_file), str(copy)])
    assert len(list(ws.store.iter_objects())) == 1


def test_changed_bytes_at_same_path_is_a_new_version(ws, evidence_file):
    a = register_file(ws, evidence_file)
    evidence_file.write_text("金额 6,588,300.01 元", encoding="utf-8")
    b = register_file(ws, evidence_file)
    assert b.outcome == "new_version" and b.supersedes == a.evidence_id
    assert ws.store.has(a.sha256) and ws.store.has(b.sha256)  # the old bytes stay
