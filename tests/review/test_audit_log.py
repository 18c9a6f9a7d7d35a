"""Reading the audit trail: sequence lists, filters, and every event said in words with before → after."""

from __future__ import annotations

import sqlite3
from array import array

from desktop.review.audit_log import EventFilter, event_seqs, events_by_seq, local_day_end, local_day_start
from desktop.text.audit import describe


def _events(ws, n):
    for i in range(n):
        with ws.db.write() as tx:
            tx.event("settings.changed", {"key": "name", "before": str(i), "after": str(i + 1)})


def test_untouched_trail_is_a_range_and_a_gap_is_read(ws):
    _events(ws, 5)
    seqs = event_seqs(ws.db)
    assert isinstance(seqs, range) and list(seqs) == [6, 5, 4, 3, 2, 1]
    assert list(event_seqs(ws.db, newest_first=False)) == [1, 2, 3, 4, 5, 6]
    conn = sqlite3.connect(ws.db.path, isolation_level=None)
    conn.execute("DROP TRIGGER events_append_only_delete")
    conn.execute("DELETE FROM events WHERE seq = 3")
    conn.close()
    seqs = event_seqs(ws.db)
    assert isinstance(seqs, array) and list(seqs) == [6, 5, 4, 2, 1]
    assert sorted(events_by_seq(ws.db, [6, 2, 1])) == [1, 2, 6]


def test_filters_combine(ws):
    _events(ws, 3)
    ws.set_identity(actor="乙")
    _events(ws, 2)
    assert list(event_seqs(ws.db, EventFilter(actor="乙"))) == [6, 5]
    assert list(event_seqs(ws.db, EventFilter(action="settings."))) == [6, 5, 4, 3, 2]
    assert list(event_seqs(ws.db, EventFilter(action="settings.", actor="测试员"))) == [4, 3, 2]
    assert list(event_seqs(ws.db, EventFilter(action="setting"))) == []  # an exact action, not a prefix
    assert list(event_seqs(ws.db, EventFilter(until=local_day_start("2000-01-01")))) == []
    assert local_day_end("2025-03-01") > local_day_start("2025-03-01")


def ev(action, payload, **ids):
    return {"action": action, "payload": payload, "claim_id": ids.get("claim_id"),
            "evidence_id": ids.get("evidence_id")}


def test_changes_are_said_as_before_and_after():
    assert describe(ev("claim.edited", {"before": {"value": "658.83", "value_raw": "658.83"},
                                        "after": {"value": "658.84", "value_raw": "658.84"}})) == (
        "数值：658.83 → 658.84")
    assert describe(ev("link.updated", {"before": {"locator": "第 1 页", "note": None},
                                        "after": {"locator": "第 2 页", "note": None}}),
                    evidence={3: "回单.pdf"}) == "位置：第 1 页 → 第 2 页"
    assert describe(ev("claim.ignored", {"from": "active", "to": "ignored", "reason": "重复"})) == (
        "状态：有效 → 已忽略；理由：重复")
    assert describe(ev("review.set", {"state": "verified", "before": "questioned", "comment": "已补充",
                                      "basis": {"evidence": [{}, {}]}})) == (
        "审核状态：存疑 → 已核实；意见：已补充（依据 2 份佐证）")
    assert describe(ev("review.set", {"state": "verified", "before": "verified", "before_stale": True})) == (
        "审核状态：已变更，需复核 → 已核实")
    assert describe(ev("link.added", {"locator": "台账!D12"}, evidence_id=4), evidence={4: "台账.xlsx"}) == (
        "关联佐证 E4《台账.xlsx》，位置：台账!D12")
    # an action no one has taught this module yet still says what it carries
    assert describe(ev("thing.frobbed", {"count": 3, "label": "x"})) == "count：3；label：x"
