"""Review states, the sign-off's fingerprint, and staleness — through the real services on real files."""

from __future__ import annotations

import hashlib
import json

import pytest

from db.audit import canonical_json
from desktop.errors import DeskError
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence, unlink_evidence
from desktop.review.review import (
    fingerprint,
    current_basis,
    review_claim,
    review_history,
    review_info,
    review_progress,
)
from desktop.review.status import claim_rows, workspace_status


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    a = folder / "银行回单.txt"
    a.write_text("追回多发社保待遇 6,588,300.00 元", encoding="utf-8")
    b = folder / "疑点台账.txt"
    b.write_text("核查疑点数据 21099 条", encoding="utf-8")
    return a, b


@pytest.fixture
def rws(imported_ws, files):
    """Claims 1 and 2 linked to one file each, by the editor; then the session turns reviewer."""
    ws = imported_ws
    a, b = files
    ids = [c["id"] for c in claim_rows(ws.db)]  # active claims, in report order
    ws.c1, ws.c2, ws.c3, ws.c5 = ids[0], ids[1], ids[2], ids[4]
    ea = register_file(ws, a).evidence_id
    eb = register_file(ws, b).evidence_id
    link_evidence(ws.db, claim_id=ws.c1, evidence_id=ea, locator="第 1 页")
    link_evidence(ws.db, claim_id=ws.c2, evidence_id=eb, locator="台账!D12")
    ws.set_identity(role="reviewer", actor="王审计")
    ws.ids = {"a": ea, "b": eb}
    return ws


def as_editor(ws, fn, *args, **kwargs):
    ws.set_identity(role="editor", actor="李会计")
    try:
        return fn(*args, **kwargs)
    finally:
        ws.set_identity(role="reviewer", actor="王审计")


def _claim(ws, claim_id):
    return next(c for c in workspace_status(ws.db)["claims"] if c["id"] == claim_id)


def test_review_writes_a_row_and_one_event_with_the_basis(rws):
    events = rws.db.scalar("SELECT count(*) FROM events")
    change = review_claim(rws.db, claim_id=rws.c1, state="verified", comment="  与银行回单一致 ")
    assert (change.state, change.before, change.comment) == ("verified", "pending", "与银行回单一致")
    assert rws.db.scalar("SELECT count(*) FROM events") == events + 1
    ev = rws.db.query_one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")
    assert (ev["action"], ev["claim_id"], ev["actor"], ev["role"]) == ("review.set", rws.c1, "王审计", "reviewer")
    payload = json.loads(ev["payload"])
    assert payload["state"] == "verified" and payload["before"] == "pending"
    assert payload["fingerprint"] == change.fingerprint == fingerprint(payload["basis"])
    row = rws.db.query_one("SELECT * FROM reviews WHERE id = ?", (change.review_id,))
    assert (row["state"], row["reviewer"], row["comment"]) == ("verified", "王审计", "与银行回单一致")
    c = _claim(rws, rws.c1)
    assert c["review"] == "verified" and c["review_stale"] is False and "review_stale" not in c["flags"]


def test_fingerprint_is_the_sorted_hashes_and_locators_plus_the_value(rws, files):
    a, _ = files
    basis = current_basis(rws.db, rws.c1)
    sha = hashlib.sha256(a.read_bytes()).hexdigest()
    assert [(e["sha256"], e["locator"]) for e in basis["evidence"]] == [(sha, "第 1 页")]
    claim = rws.db.query_one("SELECT value_raw, value, value_high, unit, scale FROM claims WHERE id = ?", (rws.c1,))
    expected = hashlib.sha256(canonical_json({"value": dict(claim), "evidence": [[sha, "第 1 页"]]}).encode()).hexdigest()
    assert fingerprint(basis) == expected
    # order of the links does not matter
    shuffled = {**basis, "evidence": list(reversed(basis["evidence"] + [{"sha256": "0" * 64, "locator": None}]))}
    ordered = {**basis, "evidence": basis["evidence"] + [{"sha256": "0" * 64, "locator": None}]}
    assert fingerprint(shuffled) == fingerprint(ordered)


def test_history_keeps_every_review_newest_first(rws):
    review_claim(rws.db, claim_id=rws.c1, state="questioned", comment="回单金额看不清")
    review_claim(rws.db, claim_id=rws.c1, state="needs_more", comment="请补充清晰扫描件")
    review_claim(rws.db, claim_id=rws.c1, state="verified")
    hist = review_history(rws.db, rws.c1)
    assert [h["state"] for h in hist] == ["verified", "needs_more", "questioned"]
    assert hist[1]["comment"] == "请补充清晰扫描件"
    assert all(h["reviewer"] == "王审计" for h in hist)


def test_bad_state_and_unknown_claim_write_nothing(rws):
    before = rws.db.scalar("SELECT count(*) FROM events")
    with pytest.raises(DeskError) as err:
        review_claim(rws.db, claim_id=rws.c1, state="approved")
    assert err.value.code == "review.bad_state"
    with pytest.raises(DeskError) as err:
        review_claim(rws.db, claim_id=99_999, state="verified")
    assert err.value.code == "claim.not_found"
    with pytest.raises(DeskError) as err:
        review_claim(rws.db, claim_id=rws.c1, state="verified", comment="长" * 5000)
    assert err.value.code == "review.comment_too_long"
    assert rws.db.scalar("SELECT count(*) FROM events") == before
    assert rws.db.scalar("SELECT count(*) FROM reviews") == 0


def test_new_version_of_a_linked_file_makes_a_sign_off_stale(rws, files):
    """The file is rewritten in place and registered again: a new evidence row supersedes the old one."""
    a, _ = files
    review_claim(rws.db, claim_id=rws.c1, state="verified")
    review_claim(rws.db, claim_id=rws.c2, state="verified")
    a.write_text("追回多发社保待遇 6,588,300.01 元（更正）", encoding="utf-8")
    reg = as_editor(rws, register_file, rws, a)
    assert reg.outcome == "new_version" and reg.supersedes == rws.ids["a"]

    c1, c2 = _claim(rws, rws.c1), _claim(rws, rws.c2)
    assert c1["review"] == "verified" and c1["review_stale"] is True and "review_stale" in c1["flags"]
    assert c1["evidence_ids"] == [rws.ids["a"]]  # what was reviewed stays linked
    assert c2["review_stale"] is False  # the other claim's evidence did not change
    info = review_info(rws.db, rws.c1)
    assert info.display_state == "stale"
    assert info.reasons == [{"code": "file_superseded", "evidence_id": rws.ids["a"], "name": a.name,
                             "newer": [reg.evidence_id]}]

    # re-verifying on the evidence as it now is clears it
    again = review_claim(rws.db, claim_id=rws.c1, state="verified", comment="已核对新版本")
    assert again.before == "verified" and again.before_stale is True
    assert _claim(rws, rws.c1)["review_stale"] is False


def test_a_version_after_a_known_version_is_still_caught(rws, files):
    a, _ = files
    a.write_text("第二版", encoding="utf-8")
    as_editor(rws, register_file, rws, a)
    review_claim(rws.db, claim_id=rws.c1, state="verified")  # signed off knowing the second version existed
    assert _claim(rws, rws.c1)["review_stale"] is False
    a.write_text("第三版", encoding="utf-8")
    as_editor(rws, register_file, rws, a)
    assert _claim(rws, rws.c1)["review_stale"] is True


def test_link_added_or_removed_after_sign_off_is_stale(rws):
    review_claim(rws.db, claim_id=rws.c1, state="verified")
    as_editor(rws, link_evidence, rws.db, claim_id=rws.c1, evidence_id=rws.ids["b"], locator="台账!D12")
    info = review_info(rws.db, rws.c1)
    assert info.stale and [r["code"] for r in info.reasons] == ["link_added"]
    as_editor(rws, unlink_evidence, rws.db, claim_id=rws.c1, evidence_id=rws.ids["b"])
    assert review_info(rws.db, rws.c1).stale is False  # back to exactly what was signed off
    as_editor(rws, unlink_evidence, rws.db, claim_id=rws.c1, evidence_id=rws.ids["a"])
    info = review_info(rws.db, rws.c1)
    assert info.stale and [r["code"] for r in info.reasons] == ["link_removed"]


def test_locator_change_is_stale(rws):
    review_claim(rws.db, claim_id=rws.c1, state="verified")
    as_editor(rws, unlink_evidence, rws.db, claim_id=rws.c1, evidence_id=rws.ids["a"])
    as_editor(rws, link_evidence, rws.db, claim_id=rws.c1, evidence_id=rws.ids["a"], locator="第 2 页")
    info = review_info(rws.db, rws.c1)
    assert info.stale
    assert info.reasons == [{"code": "locator_changed", "evidence_id": rws.ids["a"], "name": "银行回单.txt",
                             "before": "第 1 页", "after": "第 2 页"}]


def _edit_value(ws, claim_id, value_raw, value):
    """An edit of the claim's value as the claims service makes it: rows and one audit event.

    (The claim-editing service belongs to the claims area; this is the same transaction it writes.)
    """
    with ws.db.write(role="editor", actor="李会计") as tx:
        before = dict(tx.execute("SELECT value_raw, value FROM claims WHERE id = ?", (claim_id,)).fetchone())
        tx.execute("UPDATE claims SET value_raw = ?, value = ?, updated_at = ? WHERE id = ?",
                   (value_raw, value, tx.now, claim_id))
        tx.event("claim.edited", {"before": before, "after": {"value_raw": value_raw, "value": value}},
                 claim_id=claim_id)


def test_value_edited_after_sign_off_is_stale(rws):
    review_claim(rws.db, claim_id=rws.c1, state="verified")
    old = rws.db.query_one("SELECT value_raw, unit FROM claims WHERE id = ?", (rws.c1,))
    _edit_value(rws, rws.c1, "43", "43")
    info = review_info(rws.db, rws.c1)
    assert info.stale
    assert info.reasons == [{"code": "value_changed", "before": f"{old['value_raw']}{old['unit']}",
                             "after": f"43{old['unit']}"}]
    assert _claim(rws, rws.c1)["review_stale"] is True


def test_only_a_sign_off_goes_stale(rws, files):
    a, _ = files
    review_claim(rws.db, claim_id=rws.c1, state="questioned", comment="金额不符")
    a.write_text("更正后的回单", encoding="utf-8")
    as_editor(rws, register_file, rws, a)
    c = _claim(rws, rws.c1)
    assert c["review"] == "questioned" and c["review_stale"] is False


def test_progress_counts_every_active_claim_once(rws, files):
    a, _ = files
    total = len(claim_rows(rws.db))
    review_claim(rws.db, claim_id=rws.c1, state="verified")
    review_claim(rws.db, claim_id=rws.c2, state="questioned")
    review_claim(rws.db, claim_id=rws.c3, state="not_required", comment="定性表述")
    a.write_text("新版本", encoding="utf-8")
    as_editor(rws, register_file, rws, a)
    p = review_progress(rws.db)
    assert p["total"] == total
    assert (p["verified"], p["stale"], p["questioned"], p["not_required"]) == (0, 1, 1, 1)
    assert p["pending"] == total - 3 and p["reviewed"] == 3
    assert workspace_status(rws.db)["review"]["stale"] == 1


def test_editor_no_evidence_mark_is_not_a_review(rws):
    """The evaluation group's 'needs no evidence' is a claim field; the inspector's 无需佐证 is a review."""
    with rws.db.write(role="editor") as tx:
        tx.execute("UPDATE claims SET needs_evidence = 0, no_evidence_reason = '定性描述' WHERE id = ?", (rws.c5,))
        tx.event("claim.needs_evidence", {"before": {"needs_evidence": 1}, "after": {"needs_evidence": 0}},
                 claim_id=rws.c5)
    c = _claim(rws, rws.c5)
    assert c["review"] == "pending" and "no_evidence" not in c["flags"]
    review_claim(rws.db, claim_id=rws.c5, state="not_required", comment="同意")
    assert _claim(rws, rws.c5)["review"] == "not_required"
