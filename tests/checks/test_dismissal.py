"""Dismissing a finding (with a reason, audited), restoring it, and dismissals across a revised report."""

from __future__ import annotations

import json

import pytest

from desktop.checks.queries import findings_summary, workspace_findings
from desktop.checks.service import dismiss_finding, restore_finding
from desktop.claims.service import import_revised_report
from desktop.errors import DeskError, Forbidden
from desktop.review.status import workspace_status


def _by_rule(ws, rule, **match):
    out = [f for f in workspace_findings(ws.db) if f.rule == rule]
    for k, v in match.items():
        out = [f for f in out if v in f.values or v == f.params.get(k)]
    assert len(out) == 1, [(f.rule, f.values) for f in out]
    return out[0]


def _last_event(ws):
    row = ws.db.query_one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")
    return dict(row) | {"payload": json.loads(row["payload"])}


def test_dismiss_and_restore_are_audited(imported_ws):
    ws = imported_ws
    f = _by_rule(ws, "unit_pair")
    before = findings_summary(workspace_findings(ws.db))
    row = dismiss_finding(ws.db, key=f.key, reason="人数为 12 月在册，人次为全年发放")
    ev = _last_event(ws)
    assert ev["action"] == "finding.dismissed" and ev["claim_id"] == f.claim_ids[0] and ev["report_id"] == 1
    assert ev["payload"]["after"] == row and row["id"] >= 1 and row["finding_key"] == f.key
    assert row["claim_ids"] == f.claim_ids and row["reason"] == "人数为 12 月在册，人次为全年发放"
    assert "11435" in row["message"] and row["actor"] == "测试员"
    after = findings_summary(workspace_findings(ws.db))
    assert after["total"] == before["total"] - 1 and after["dismissed"] == 1
    again = _by_rule(ws, "unit_pair")
    assert again.dismissed and again.dismissal["reason"] == row["reason"] and not again.dismissal["stale"]
    st = workspace_status(ws.db)
    assert st["summary"]["findings"] == after["total"] and st["findings"]["dismissed"] == 1

    removed = restore_finding(ws.db, key=f.key)
    ev = _last_event(ws)
    assert ev["action"] == "finding.restored" and ev["payload"]["before"]["id"] == row["id"]
    assert removed["reason"] == row["reason"]
    assert not _by_rule(ws, "unit_pair").dismissed
    assert ws.db.scalar("SELECT count(*) FROM finding_dismissals") == 0
    assert ws.db.verify_chain() == []


def test_dismissal_needs_a_reason_a_finding_and_the_editor_role(imported_ws):
    ws = imported_ws
    f = _by_rule(ws, "name_drift")
    with pytest.raises(DeskError) as e:
        dismiss_finding(ws.db, key=f.key, reason="   ")
    assert e.value.code == "finding.reason_required"
    with pytest.raises(DeskError) as e:
        dismiss_finding(ws.db, key="0000000000000000", reason="无")
    assert e.value.code == "finding.not_found"
    dismiss_finding(ws.db, key=f.key, reason="计财科为旧称")
    with pytest.raises(DeskError) as e:
        dismiss_finding(ws.db, key=f.key, reason="再次")
    assert e.value.code == "finding.already_dismissed"
    with pytest.raises(DeskError) as e:
        restore_finding(ws.db, key="0000000000000000")
    assert e.value.code == "finding.not_dismissed"
    events = ws.db.scalar("SELECT count(*) FROM events")
    ws.set_identity(role="reviewer", actor="王审计")
    with pytest.raises(Forbidden):
        restore_finding(ws.db, key=f.key)
    with pytest.raises(Forbidden):
        dismiss_finding(ws.db, key=_by_rule(ws, "unit_pair").key, reason="审核员不能忽略")
    assert ws.db.scalar("SELECT count(*) FROM events") == events
    # the inspector sees the dismissal and its reason
    assert _by_rule(ws, "name_drift").dismissal["reason"] == "计财科为旧称"


def test_dismissals_survive_a_revised_report(imported_ws, sample_report, tmp_path):
    ws = imported_ws
    drift = _by_rule(ws, "name_drift")
    pair = _by_rule(ws, "unit_pair")
    income = _by_rule(ws, "breakdown_sum", stated="34800.93")  # 34800.93 + 16.09 vs 34817.01
    budget = next(f for f in workspace_findings(ws.db) if f.rule == "breakdown_sum" and "1543.66" in f.values)
    for f, why in ((drift, "旧称"), (pair, "口径不同"), (income, "决算报表即如此"), (budget, "舍入")):
        dismiss_finding(ws.db, key=f.key, reason=why)

    text = sample_report.read_text(encoding="utf-8")
    revised = (text.replace("## 一、单位基本情况", "## 一、单位基本情况\n\n（本报告已根据审核意见修订。）", 1)
               .replace("政府性基金预算 16.09 万元", "政府性基金预算 16.08 万元", 1)  # income sums exactly now
               .replace("基本支出 1543.66 万元", "基本支出 1543.64 万元", 1))  # still off, by 0.01 the other way
    path = tmp_path / "zhanjiang-revised.txt"
    path.write_text(revised, encoding="utf-8")
    rev = import_revised_report(ws.db, report_id=1, path=path)
    assert rev.report_id == 2 and len(rev.changed) == 2

    now = {f.key: f for f in workspace_findings(ws.db)}
    # the claims re-anchored, so the findings keep their keys and their dismissals
    assert now[drift.key].dismissed and now[drift.key].dismissal["reason"] == "旧称"
    assert now[pair.key].dismissed and set(now[pair.key].claim_ids) == set(pair.claim_ids)
    assert now[pair.key].where["report_id"] == 2
    # a finding the revision fixed is gone; one whose figures changed asks again, with the old reason shown
    assert income.key not in now
    moved = now[budget.key]
    assert not moved.dismissed and moved.dismissal["stale"] and moved.dismissal["reason"] == "舍入"
    assert "1543.64" in moved.values
    # dismissing it again replaces the stale dismissal
    dismiss_finding(ws.db, key=budget.key, reason="仍为舍入")
    assert workspace_findings(ws.db) and next(f for f in workspace_findings(ws.db) if f.key == budget.key).dismissed
    assert ws.db.scalar("SELECT count(*) FROM finding_dismissals") == 4
    assert ws.db.verify_chain() == []
