"""补充材料 requests: raised with a 需补充 review, answered by the group, accepted or reopened by the inspector."""

from __future__ import annotations

import json

import pytest

from desktop.errors import DeskError, Forbidden
from desktop.review.requests import (accept_request, answer_request, list_requests, merge_in, reopen_request,
                                     request_counts)
from desktop.review.review import review_claim
from desktop.review.status import claim_rows, workspace_status


@pytest.fixture
def rws(imported_ws, tmp_path):
    """The sample report, two files, the first claim linked to the first file; the session is 审核 王审计."""
    from desktop.evidence.service import register_file
    from desktop.review.links import link_evidence

    ws = imported_ws
    files = []
    for name, text in (("台账.txt", "核查疑点数据 21099 条"), ("回单.txt", "追回 6,588,300.00 元")):
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        files.append(register_file(ws, f).evidence_id)
    ws.e1, ws.e2 = files
    ws.c1, ws.c2 = [c["id"] for c in claim_rows(ws.db)][:2]
    link_evidence(ws.db, claim_id=ws.c1, evidence_id=ws.e1)
    ws.set_identity(actor="王审计", role="reviewer")
    return ws


def _events(ws, prefix="request."):
    return [dict(r) | {"payload": json.loads(r["payload"])} for r in ws.db.query(
        "SELECT seq, actor, role, action, claim_id, payload FROM events WHERE action LIKE ? ORDER BY seq",
        (prefix + "%",))]


def test_needs_more_review_raises_requests_each_with_its_own_event(rws):
    change = review_claim(rws.db, claim_id=rws.c1, state="needs_more", comment="缺佐证",
                          requests=["请补充银行回单", " 请补充台账 ", ""], due="2025-05-31")
    assert len(change.request_ids) == 2
    rows = list_requests(rws.db)
    assert [(r["text"], r["state"], r["due"], r["claim_id"], r["version"]) for r in rows] == [
        ("请补充银行回单", "open", "2025-05-31", rws.c1, 1), ("请补充台账", "open", "2025-05-31", rws.c1, 1)]
    assert all(r["review_id"] == change.review_id and r["basis"] == [rws.e1] for r in rows)
    assert len({r["uid"] for r in rows}) == 2
    evs = _events(rws, "")[-3:]
    assert [e["action"] for e in evs] == ["review.set", "request.created", "request.created"]
    # the payload holds the whole row as it is now, ids included
    for e, row in zip(evs[1:], rows):
        stored = {k: v for k, v in row.items() if k != "history"}
        assert e["payload"]["request"] == stored and e["payload"]["before"] is None
        assert (e["claim_id"], e["actor"], e["role"]) == (rws.c1, "王审计", "reviewer")
    assert [h["action"] for h in rows[0]["history"]] == ["request.created"]


def test_requests_only_with_needs_more_and_due_must_be_a_date(rws):
    before = rws.db.scalar("SELECT count(*) FROM events")
    for kwargs, code in (
        ({"state": "verified", "requests": ["x"]}, "request.needs_more_only"),
        ({"state": "needs_more", "requests": ["x"], "due": "31/05/2025"}, "request.bad_due"),
        ({"state": "needs_more", "due": "2025-05-31"}, "request.due_without_request"),
        ({"state": "needs_more", "requests": ["长" * 2001]}, "request.text_too_long"),
    ):
        with pytest.raises(DeskError) as err:
            review_claim(rws.db, claim_id=rws.c1, **kwargs)
        assert err.value.code == code
    assert rws.db.scalar("SELECT count(*) FROM events") == before
    assert rws.db.scalar("SELECT count(*) FROM reviews") == 0


def test_answer_accept_reopen_round_with_roles(rws):
    from desktop.review.links import link_evidence

    (r1, r2) = review_claim(rws.db, claim_id=rws.c1, state="needs_more", requests=["回单", "台账"]).request_ids
    # the inspector cannot answer; the group cannot accept or reopen
    with pytest.raises(Forbidden):
        answer_request(rws.db, request_id=r1)
    rws.set_identity(actor="李会计", role="editor")
    for fn in (accept_request, reopen_request):
        with pytest.raises(Forbidden):
            fn(rws.db, request_id=r1)
    # nothing linked since the request, no comment: nothing to answer with
    with pytest.raises(DeskError) as err:
        answer_request(rws.db, request_id=r1)
    assert err.value.code == "request.no_answer"
    link_evidence(rws.db, claim_id=rws.c1, evidence_id=rws.e2)
    ch = answer_request(rws.db, request_id=r1, comment="已补充回单")
    assert (ch.before, ch.state) == ("open", "answered")
    answer_request(rws.db, request_id=r2, evidence_ids=[rws.e1], comment="台账即 E1")
    with pytest.raises(DeskError) as err:
        answer_request(rws.db, request_id=r2)
    assert err.value.code == "request.bad_move"
    rws.set_identity(actor="王审计", role="reviewer")
    accept_request(rws.db, request_id=r1, comment="可以")
    reopen_request(rws.db, request_id=r2, comment="台账不全")
    rows = {r["id"]: r for r in list_requests(rws.db)}
    assert (rows[r1]["state"], rows[r1]["answers"], rows[r1]["version"]) == ("accepted", [rws.e2], 3)
    assert (rows[r2]["state"], rows[r2]["answers"], rows[r2]["comment"]) == ("reopened", [rws.e1], "台账不全")
    assert [(h["actor"], h["state"]) for h in rows[r2]["history"]] == [
        ("王审计", "open"), ("李会计", "answered"), ("王审计", "reopened")]
    # a reopened request is answered again by the group
    rws.set_identity(actor="李会计", role="editor")
    answer_request(rws.db, request_id=r2, evidence_ids=[rws.e1, rws.e2])
    assert request_counts(rws.db) == {"open": 0, "answered": 1, "accepted": 1, "reopened": 0, "total": 2}
    with pytest.raises(DeskError) as err:
        answer_request(rws.db, request_id=r2, evidence_ids=[999])
    assert err.value.code in ("request.bad_move", "evidence.not_found")
    # each change's event carries the row after it and the state before
    evs = _events(rws)
    assert [(e["action"], e["payload"]["before"], e["payload"]["request"]["state"]) for e in evs] == [
        ("request.created", None, "open"), ("request.created", None, "open"),
        ("request.answered", "open", "answered"), ("request.answered", "open", "answered"),
        ("request.accepted", "answered", "accepted"), ("request.reopened", "answered", "reopened"),
        ("request.answered", "reopened", "answered")]
    assert evs[-1]["payload"]["request"]["answers"] == [rws.e1, rws.e2]


def test_status_json_lists_requests_with_history(rws):
    review_claim(rws.db, claim_id=rws.c2, state="needs_more", requests=["请补充"], due="2025-06-30")
    st = workspace_status(rws.db)
    (r,) = st["requests"]
    assert {"id", "claim_id", "text", "due", "state", "answers", "history"} <= set(r)
    assert (r["claim_id"], r["due"], r["state"], r["answers"]) == (rws.c2, "2025-06-30", "open", [])
    assert r["history"][0]["actor"] == "王审计"
    claim = next(c for c in st["claims"] if c["id"] == rws.c2)
    assert (claim["request_ids"], claim["open_requests"]) == ([r["id"]], 1)
    assert st["request_counts"]["open"] == 1


def test_merge_takes_only_newer_copies(rws):
    (rid,) = review_claim(rws.db, claim_id=rws.c1, state="needs_more", requests=["回单"]).request_ids
    mine = next(r for r in list_requests(rws.db, history=False) if r["id"] == rid)
    older = dict(mine)
    with rws.db.write() as tx:  # the same version again: nothing taken, so no event either
        tx.event("test.noop", {})
        assert merge_in(tx, older, actor="李会计", role="editor") is None
    newer = dict(mine, state="answered", version=2, answers=[rws.e2], updated_by="李会计")
    with rws.db.write() as tx:
        after = merge_in(tx, newer, actor="李会计", role="editor")
    assert (after["id"], after["state"], after["answers"]) == (rid, "answered", [rws.e2])
    ev = _events(rws)[-1]
    assert (ev["action"], ev["actor"], ev["role"], ev["payload"]["before"]) == (
        "request.answered", "李会计", "editor", "open")
    # an unknown request keeps the number it has elsewhere when that number is free here
    foreign = dict(mine, uid="f" * 32, id=77, claim_id=rws.c2)
    with rws.db.write() as tx:
        assert merge_in(tx, foreign, actor="赵处长", role="reviewer")["id"] == 77
    clash = dict(mine, uid="e" * 32, id=77, claim_id=rws.c2)
    with rws.db.write() as tx:
        assert merge_in(tx, clash, actor="赵处长", role="reviewer")["id"] != 77


def test_migrated_workspace_verifies_with_requests(rws):
    from desktop.integrity import verify_workspace

    review_claim(rws.db, claim_id=rws.c1, state="needs_more", requests=["回单"])
    assert verify_workspace(rws).ok
