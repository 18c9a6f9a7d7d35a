"""A file's new version: compare it with the old one, and move the old one's links over (改用新版本)."""

from __future__ import annotations

import json

import pytest

from desktop.errors import DeskError, Forbidden
from desktop.evidence.indexing import index_evidence
from desktop.evidence.service import register_file
from desktop.review.links import link_evidence
from desktop.review.status import workspace_status
from desktop.review.versions import compare_versions, newest_version, switch_to_new_version
from desktop.text.audit import describe
from desktop.text.versions import comparison_text
from tests.review import docgen


def _ledger(path, total: int, recovered: float):
    return docgen.xlsx(path, {"台账": [["疑点数据核查台账"], ["项目", "核查条数", "已追回（元）"],
                                       ["合计", total, recovered]]}, formats={"台账": {"C": "#,##0.00"}})


def _claim(ws, value, unit):
    return ws.db.query_one("SELECT id FROM claims WHERE value = ? AND unit = ? ORDER BY id", (value, unit))["id"]


def _register(ws, path) -> int:
    eid = register_file(ws, path).evidence_id
    index_evidence(ws, eid)
    return eid


def test_compare_then_switch_to_the_new_version(imported_ws, tmp_path):
    ws = imported_ws
    path = _ledger(tmp_path / "台账.xlsx", 21099, 6588300.00)
    old = _register(ws, path)
    count, amount = _claim(ws, "21099", "条"), _claim(ws, "658.83", "万元")
    link_evidence(ws.db, claim_id=count, evidence_id=old, note="原件在财务科")
    link_evidence(ws.db, claim_id=amount, evidence_id=old)
    _ledger(path, 21099, 6583800.00)  # saved again: the amount typed wrong
    new = _register(ws, path)
    assert new != old and newest_version(ws.db, old) == new and newest_version(ws.db, new) == new
    flagged = {c["id"]: c["flags"] for c in workspace_status(ws.db)["claims"]}
    assert "evidence_superseded" in flagged[count]

    cmp = compare_versions(ws.db, old, new)
    assert (cmp.removed_count, cmp.added_count) == (1, 1)
    assert cmp.removed == [("6,588,300.00", "台账!C3")] and cmp.added == [("6,583,800.00", "台账!C3")]
    assert (cmp.claims_kept, cmp.claims_lost) == ([count], [amount])
    text = comparison_text(cmp)
    assert f"新版本 E{new} 与 E{old} 相比" in text and "少了 1 个数字：6,588,300.00（台账!C3）" in text
    assert "1 个找不到了" in text

    moved = switch_to_new_version(ws.db, evidence_id=old)
    assert [(m.claim_id, m.new_evidence_id) for m in moved] == [(count, new), (amount, new)]
    links = {(r[0], r[1]): (r[2], r[3]) for r in ws.db.query("SELECT claim_id, evidence_id, locator, note FROM links")}
    assert links[(count, new)] == ("台账!B3", "原件在财务科") and (count, old) not in links
    events = ws.db.query("SELECT action, evidence_id, payload FROM events ORDER BY seq DESC LIMIT 4")
    assert [e["action"] for e in events] == ["link.removed", "link.added", "link.removed", "link.added"]
    added = json.loads(events[3]["payload"])
    assert added["replaces"] == old and added["origin"] == "version"
    assert "改用新版本" in describe({"action": "link.added", "evidence_id": new, "payload": added})
    flagged = {c["id"]: c["flags"] for c in workspace_status(ws.db)["claims"]}
    assert "evidence_superseded" not in flagged[count] and "value_not_found" in flagged[amount]


def test_refusals(imported_ws, tmp_path):
    ws = imported_ws
    eid = _register(ws, _ledger(tmp_path / "台账.xlsx", 21099, 6588300.00))
    with pytest.raises(DeskError) as err:
        switch_to_new_version(ws.db, evidence_id=eid)
    assert err.value.code == "version.no_newer"
    ws.set_identity(role="reviewer")
    with pytest.raises(Forbidden):
        switch_to_new_version(ws.db, evidence_id=eid)
