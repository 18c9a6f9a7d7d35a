"""Link edits, suggestions accepted and rejected, 无需佐证, and the flags they drive (status --json)."""

from __future__ import annotations

import json

import pytest

from desktop.errors import DeskError, Forbidden
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review.links import (
    link_evidence,
    link_many,
    link_suggestion,
    mark_not_required,
    reject_suggestion,
    unlink_evidence,
    unmark_not_required,
    unreject_suggestion,
    update_link,
)
from desktop.review.status import completeness, completeness_by_section, workspace_status


def _add(ws, path):
    r = register_file(ws, path)
    index_evidence(ws, r.evidence_id)
    return r.evidence_id


def _claim(ws, value, unit):
    return ws.db.query_one("SELECT id FROM claims WHERE value = ? AND unit = ? ORDER BY id", (value, unit))["id"]


def _flags(ws, claim_id):
    return next(c for c in workspace_status(ws.db)["claims"] if c["id"] == claim_id)["flags"]


def _last_event(ws):
    row = ws.db.query_one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")
    payload = json.loads(row["payload"])
    payload.pop("_replay", None)  # the rows the change left, for verify's replay
    return row["action"], payload


@pytest.fixture
def slip(tmp_path):
    p = tmp_path / "追回待遇_银行回单.txt"
    p.write_text("金额（小写）：¥6,588,300.00\n用途：追回多发社保待遇", encoding="utf-8")
    return p


@pytest.fixture
def other(tmp_path):
    p = tmp_path / "会议纪要.txt"
    p.write_text("会议研究了 3 项议题。", encoding="utf-8")
    return p


@pytest.mark.qt  # draws its PDF (or image) with QPdfWriter / QPainter
def test_value_not_found_is_exactly_the_linked_claims_whose_files_lack_the_value(imported_ws, slip, other, tmp_path):
    ws = imported_ws
    e_slip, e_other = _add(ws, slip), _add(ws, other)
    photo = tmp_path / "照片.jpg"
    from tests.review import docgen

    docgen.image(photo, "现场", "网点")
    e_photo = _add(ws, photo)
    amount, count, points = _claim(ws, "658.83", "万元"), _claim(ws, "21099", "条"), _claim(ws, "2773", "个")
    link_evidence(ws.db, claim_id=amount, evidence_id=e_slip)  # states it in 元
    link_evidence(ws.db, claim_id=count, evidence_id=e_other)  # does not
    link_evidence(ws.db, claim_id=points, evidence_id=e_photo)  # no text: cannot be checked, not flagged
    st = workspace_status(ws.db)
    flagged = {c["id"] for c in st["claims"] if "value_not_found" in c["flags"]}
    missing = {c["id"] for c in st["claims"] if "no_evidence" in c["flags"]}
    assert flagged == {count}
    assert missing == {c["id"] for c in st["claims"]} - {amount, count, points}
    assert st["summary"]["value_not_found"] == 1
    # a second file that states it clears the flag
    link_evidence(ws.db, claim_id=count, evidence_id=_add(ws, _write(tmp_path / "台账.txt", "合计 21,099 条")))
    assert "value_not_found" not in _flags(ws, count)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_newer_version_of_a_linked_file_flags_the_claim(imported_ws, slip):
    ws = imported_ws
    e1 = _add(ws, slip)
    claim = _claim(ws, "658.83", "万元")
    link_evidence(ws.db, claim_id=claim, evidence_id=e1)
    assert _flags(ws, claim) == []
    slip.write_text("金额（小写）：¥6,588,300.00（更正）", encoding="utf-8")
    e2 = _add(ws, slip)
    assert e2 != e1
    assert _flags(ws, claim) == ["evidence_superseded"]
    ev = {e["id"]: e for e in workspace_status(ws.db)["evidence"]}
    assert "superseded" in ev[e1]["flags"] and "superseded" not in ev[e2]["flags"]
    assert workspace_status(ws.db)["summary"]["evidence_superseded"] == 1


def test_locator_is_filled_from_the_hit_and_editable(imported_ws, slip):
    ws = imported_ws
    e = _add(ws, slip)
    claim = _claim(ws, "658.83", "万元")
    change = link_evidence(ws.db, claim_id=claim, evidence_id=e)
    assert change.locator == "正文"
    assert _last_event(ws) == ("link.added", {"locator": "正文", "note": None, "origin": "manual",
                                               "locator_auto": True})
    change = update_link(ws.db, claim_id=claim, evidence_id=e, locator="回单第 1 行", note="原件在财务科")
    assert (change.locator, change.note) == ("回单第 1 行", "原件在财务科")
    action, payload = _last_event(ws)
    assert action == "link.updated" and payload["before"]["locator"] == "正文"
    assert ws.db.query_one("SELECT locator, note FROM links")[:] == ("回单第 1 行", "原件在财务科")
    with pytest.raises(DeskError) as err:
        update_link(ws.db, claim_id=claim, evidence_id=e, note="原件在财务科")
    assert err.value.code == "link.nothing_to_change"
    update_link(ws.db, claim_id=claim, evidence_id=e, note="")
    assert ws.db.scalar("SELECT note FROM links") is None


def test_accept_a_suggestion_links_with_its_locator_and_reasons(imported_ws, slip):
    ws = imported_ws
    e = _add(ws, slip)
    claim = _claim(ws, "658.83", "万元")
    change = link_suggestion(ws.db, claim_id=claim)
    assert (change.evidence_id, change.origin, change.locator) == (e, "suggestion", "正文")
    action, payload = _last_event(ws)
    assert action == "link.added" and payload["suggestion"]["strength"] == "strong"
    assert payload["suggestion"]["reasons"][0]["code"] == "value_found"
    with pytest.raises(DeskError) as err:
        link_suggestion(ws.db, claim_id=claim, evidence_id=e)
    assert err.value.code == "link.exists"


def test_rejecting_a_suggestion_sticks_and_can_be_undone(imported_ws, slip):
    ws = imported_ws
    e = _add(ws, slip)
    claim = _claim(ws, "658.83", "万元")
    reject_suggestion(ws.db, claim_id=claim, evidence_id=e)
    assert _last_event(ws)[0] == "suggestion.rejected"
    with pytest.raises(DeskError) as err:
        link_suggestion(ws.db, claim_id=claim, evidence_id=e)
    assert err.value.code == "suggestion.rejected"
    with pytest.raises(DeskError) as err:
        reject_suggestion(ws.db, claim_id=claim, evidence_id=e)
    assert err.value.code == "suggestion.already_rejected"
    unreject_suggestion(ws.db, claim_id=claim, evidence_id=e)
    assert link_suggestion(ws.db, claim_id=claim).evidence_id == e


def test_not_required_needs_a_reason_and_clears_the_gap(imported_ws):
    ws = imported_ws
    claim = _claim(ws, "99", "分")  # the self-assessed score: its evidence is the score table itself
    before = completeness(ws.db)
    with pytest.raises(DeskError) as err:
        mark_not_required(ws.db, claim_id=claim, reason="  ")
    assert err.value.code == "claim.reason_required"
    mark_not_required(ws.db, claim_id=claim, reason="自评得分见评分表，不另附佐证")
    assert _last_event(ws) == ("claim.marked_not_required", {"reason": "自评得分见评分表，不另附佐证"})
    after = completeness(ws.db)
    assert after.without_evidence == before.without_evidence - 1 and after.not_required == 1
    c = next(c for c in workspace_status(ws.db)["claims"] if c["id"] == claim)
    assert c["flags"] == [] and not c["needs_evidence"] and c["no_evidence_reason"].startswith("自评得分")
    unmark_not_required(ws.db, claim_id=claim)
    assert _flags(ws, claim) == ["no_evidence"]
    with pytest.raises(DeskError):
        unmark_not_required(ws.db, claim_id=claim)


def test_link_many_links_every_pair_once(imported_ws, slip, other):
    ws = imported_ws
    e1, e2 = _add(ws, slip), _add(ws, other)
    c1, c2 = _claim(ws, "658.83", "万元"), _claim(ws, "21099", "条")
    link_evidence(ws.db, claim_id=c1, evidence_id=e1)
    events = ws.db.scalar("SELECT count(*) FROM events")
    changes = link_many(ws.db, claim_ids=[c1, c2], evidence_ids=[e1, e2], origin="manual")
    assert sorted((c.claim_id, c.evidence_id) for c in changes) == sorted([(c1, e2), (c2, e1), (c2, e2)])
    assert ws.db.scalar("SELECT count(*) FROM events") == events + 3


def test_the_reviewer_role_changes_nothing(imported_ws, slip):
    ws = imported_ws
    e = _add(ws, slip)
    claim = _claim(ws, "658.83", "万元")
    link_evidence(ws.db, claim_id=claim, evidence_id=e)
    other = _claim(ws, "21099", "条")
    ws.set_identity(role="reviewer")
    events = ws.db.scalar("SELECT count(*) FROM events")
    for call in (
        lambda: link_evidence(ws.db, claim_id=other, evidence_id=e),
        lambda: link_suggestion(ws.db, claim_id=other),
        lambda: link_many(ws.db, claim_ids=[other], evidence_ids=[e]),
        lambda: unlink_evidence(ws.db, claim_id=claim, evidence_id=e),
        lambda: update_link(ws.db, claim_id=claim, evidence_id=e, note="x"),
        lambda: reject_suggestion(ws.db, claim_id=other, evidence_id=e),
        lambda: unreject_suggestion(ws.db, claim_id=other, evidence_id=e),
        lambda: mark_not_required(ws.db, claim_id=other, reason="x"),
        lambda: unmark_not_required(ws.db, claim_id=other),
    ):
        with pytest.raises(Forbidden):
            call()
    assert ws.db.scalar("SELECT count(*) FROM events") == events


def test_sections_add_up_to_their_report(imported_ws, slip):
    ws = imported_ws
    e = _add(ws, slip)
    link_evidence(ws.db, claim_id=_claim(ws, "658.83", "万元"), evidence_id=e)
    rows = completeness_by_section(ws.db)
    reports = [r for r in rows if r.section is None]
    assert len(reports) == 1
    sections = [r for r in rows if r.section is not None]
    for key in ("claims", "with_evidence", "value_not_found"):
        assert sum(getattr(s.counts, key) for s in sections) == getattr(reports[0].counts, key)
    st = workspace_status(ws.db)
    assert st["sections"][0]["claims"] == st["summary"]["claims"] and st["summary"]["with_evidence"] == 1


def test_every_error_code_has_chinese_words():
    """The codes this area raises all read as sentences (no bare code reaches a user)."""
    from desktop.text.messages import ERRORS, error_text

    codes = ["link.exists", "link.not_found", "link.nothing_to_change", "claim.reason_required",
             "claim.already_not_required", "claim.not_marked", "suggestion.already_rejected",
             "suggestion.not_rejected", "suggestion.not_found", "suggestion.not_suggested", "suggestion.rejected"]
    for code in codes:
        assert code in ERRORS
        text = error_text(code, {"claim_id": 3, "evidence_id": 7})
        assert "?" not in text and code not in text


def test_accepting_a_file_that_was_not_suggested_is_refused(imported_ws, slip, other):
    ws = imported_ws
    _add(ws, slip)
    e_other = _add(ws, other)
    claim = _claim(ws, "658.83", "万元")
    with pytest.raises(DeskError) as err:
        link_suggestion(ws.db, claim_id=claim, evidence_id=e_other)
    assert err.value.code == "suggestion.not_suggested"
    nothing = _claim(ws, "42", "名")
    with pytest.raises(DeskError) as err:
        link_suggestion(ws.db, claim_id=nothing)
    assert err.value.code == "suggestion.not_found"
