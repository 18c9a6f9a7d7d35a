"""Claim mutations on a real workspace: one audit event each, refused to reviewers, nothing half
imported; revised reports keep claim ids and links."""

from __future__ import annotations

import json

import pytest

from desktop.claims import service
from desktop.errors import DeskError, Forbidden
from desktop.workspace import Workspace


def _events(ws):
    return [dict(r) for r in ws.db.query("SELECT seq, action, claim_id, report_id, payload FROM events ORDER BY seq")]


def _count(ws, table):
    return ws.db.scalar(f"SELECT count(*) FROM {table}")


def _report_id(ws):
    return ws.db.scalar("SELECT id FROM reports WHERE state = 'active' ORDER BY id DESC LIMIT 1")


def test_import_stores_claims_and_candidates_with_one_event(imported_ws):
    ws = imported_ws
    rows = ws.db.query("SELECT state, confidence, origin, value, unit, part FROM claims")
    active = [r for r in rows if r["state"] == "active"]
    assert len(active) == 67 and {r["confidence"] for r in active} == {"high"}
    assert any(r["state"] == "candidate" and r["confidence"] == "unclassified" for r in rows)
    ev = _events(ws)
    assert [e["action"] for e in ev] == ["workspace.created", "report.imported"]
    assert json.loads(ev[-1]["payload"])["claims"] == 67


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64])
def test_bad_input_imports_nothing(ws, tmp_path, content):
    f = tmp_path / "坏.docx"
    f.write_bytes(content)
    before = (_count(ws, "events"), _count(ws, "reports"), _count(ws, "claims"))
    with pytest.raises(DeskError):
        service.import_report(ws.db, path=f)
    assert (_count(ws, "events"), _count(ws, "reports"), _count(ws, "claims")) == before


def test_manual_claim_from_a_selection(imported_ws):
    ws = imported_ws
    rid = _report_id(ws)
    text = ws.db.scalar("SELECT text FROM reports WHERE id = ?", (rid,))
    quote = "成立自评工作小组"
    start = text.index(quote)
    with pytest.raises(DeskError) as e:
        service.add_manual_claim(ws.db, report_id=rid, start=start, end=start + len(quote))
    assert e.value.code == "claim.bad_value"  # no number in it and none given
    change = service.add_manual_claim(ws.db, report_id=rid, start=start, end=start + len(quote), value="1",
                                      unit="个", subject="自评工作小组")
    row = ws.db.query_one("SELECT * FROM claims WHERE id = ?", (change.claim_id,))
    assert (row["origin"], row["state"], row["value"], row["unit"], row["quote"]) == ("manual", "active", "1", "个", quote)
    assert row["part"] == "部门整体"
    # a selection holding a number: value and unit come from it
    q2 = "1-12 月"
    s2 = text.index(q2)
    c2 = service.add_manual_claim(ws.db, report_id=rid, start=s2 - 1, end=s2 + len(q2) + 1)
    assert c2.after["quote"] == q2
    assert _events(ws)[-1]["action"] == "claim.added" and _events(ws)[-1]["claim_id"] == c2.claim_id


def test_edit_ignore_restore_confirm_dismiss(imported_ws):
    ws = imported_ws
    cid = ws.db.scalar("SELECT id FROM claims WHERE value = '18061'")
    n = _count(ws, "events")
    ch = service.edit_claim(ws.db, claim_id=cid, value="１８０６１", unit="家", subject="稳岗返还审核企业数")
    row = ws.db.query_one("SELECT value, unit, scale, subject, flags FROM claims WHERE id = ?", (cid,))
    assert (row["value"], row["unit"], row["scale"], row["subject"]) == ("18061", "家", "1", "稳岗返还审核企业数")
    assert ch.before["unit"] == "万家" and "edited" in json.loads(row["flags"])
    with pytest.raises(DeskError) as e:
        service.edit_claim(ws.db, claim_id=cid, value="一万多")
    assert e.value.code == "claim.bad_value"
    with pytest.raises(DeskError):
        service.edit_claim(ws.db, claim_id=cid, unit="家")  # nothing to change
    service.ignore_claim(ws.db, claim_id=cid, reason="重复")
    assert ws.db.scalar("SELECT state FROM claims WHERE id = ?", (cid,)) == "ignored"
    with pytest.raises(DeskError) as e:
        service.ignore_claim(ws.db, claim_id=cid)
    assert e.value.code == "claim.bad_state"
    service.restore_claim(ws.db, claim_id=cid)
    assert ws.db.scalar("SELECT state FROM claims WHERE id = ?", (cid,)) == "active"

    f = ws.root.parent / "短报告.txt"
    f.write_text("附件 3\n全年共有 12 处网点，涉及 5 大类业务。", encoding="utf-8")
    rid2 = service.import_report(ws.db, path=f).report_id
    cand = [r["id"] for r in ws.db.query("SELECT id FROM claims WHERE report_id = ? AND state = 'candidate'"
                                         " ORDER BY start", (rid2,))]
    assert len(cand) == 2
    service.confirm_candidate(ws.db, claim_id=cand[0], unit="个", subject="附件编号")
    service.dismiss_candidate(ws.db, claim_id=cand[1])
    states = {r["id"]: (r["state"], r["unit"]) for r in ws.db.query("SELECT id, state, unit FROM claims")}
    assert states[cand[0]] == ("active", "个") and states[cand[1]][0] == "dismissed"
    service.restore_claim(ws.db, claim_id=cand[1])
    assert ws.db.scalar("SELECT state FROM claims WHERE id = ?", (cand[1],)) == "candidate"
    actions = [e["action"] for e in _events(ws)[n:]]
    assert actions == ["claim.edited", "claim.ignored", "claim.restored", "report.imported", "claim.confirmed",
                       "claim.dismissed", "claim.restored"]
    assert ws.db.verify_chain() == []


def test_reviewer_may_not_change_claims(imported_ws, sample_report):
    root = imported_ws.root
    imported_ws.close()
    with Workspace.open(root, actor="审核员", role="reviewer") as rv:
        cid = rv.db.scalar("SELECT id FROM claims WHERE state = 'active' LIMIT 1")
        cand = rv.db.scalar("SELECT id FROM claims WHERE state = 'candidate' LIMIT 1")
        rid = _report_id(rv)
        calls = [
            lambda: service.import_report(rv.db, path=sample_report),
            lambda: service.add_manual_claim(rv.db, report_id=rid, start=0, end=5, value="1"),
            lambda: service.edit_claim(rv.db, claim_id=cid, subject="x"),
            lambda: service.ignore_claim(rv.db, claim_id=cid),
            lambda: service.restore_claim(rv.db, claim_id=cid),
            lambda: service.confirm_candidate(rv.db, claim_id=cand),
            lambda: service.dismiss_candidate(rv.db, claim_id=cand),
            lambda: service.import_revised_report(rv.db, report_id=rid, path=sample_report),
        ]
        n = rv.db.scalar("SELECT count(*) FROM events")
        for call in calls:
            with pytest.raises(Forbidden):
                call()
        assert rv.db.scalar("SELECT count(*) FROM events") == n


def test_revised_report_keeps_ids_and_links(imported_ws, sample_report, tmp_path):
    from desktop.evidence.service import register_file
    from desktop.review.links import link_evidence

    ws = imported_ws
    rid = _report_id(ws)
    n_old = ws.db.scalar("SELECT count(*) FROM claims WHERE report_id = ?", (rid,))
    by_value = lambda v, u: ws.db.scalar(  # noqa: E731
        "SELECT id FROM claims WHERE value = ? AND unit = ? ORDER BY start LIMIT 1", (v, u))
    c_changed = by_value("658.83", "万元")
    c_vanish = by_value("18061", "万家")
    c_same = by_value("21099", "条")
    c_moved = by_value("3342.64", "万元")
    ev = tmp_path / "回单.txt"
    ev.write_text("追回 658.83 万元", encoding="utf-8")
    eid = register_file(ws, ev).evidence_id
    link_evidence(ws.db, claim_id=c_changed, evidence_id=eid)
    link_evidence(ws.db, claim_id=c_same, evidence_id=eid)

    text = sample_report.read_text(encoding="utf-8")
    moved_sentence = "发放稳岗返还资金 3342.64 万元。"
    revised = (text.replace("658.83 万元", "658.38 万元")
                   .replace("用最短的时间、最高的效率审核企业 18061 万家，", "")
                   .replace("发放稳岗返还资金 3342.64 万元。", "")
                   .replace("## 二、绩效自评工作开展情况", moved_sentence + "\n\n## 二、绩效自评工作开展情况")
                   .replace("附件 6", "附件 6\n\n（修订稿）新增一句：全年新增参保 1200 人。"))
    f = tmp_path / "修订稿.txt"
    f.write_text(revised, encoding="utf-8")
    n_events = _count(ws, "events")
    rev = service.import_revised_report(ws.db, report_id=rid, path=f)
    assert _count(ws, "events") == n_events + 1
    assert [c["claim_id"] for c in rev.changed] == [c_changed]
    assert rev.changed[0]["old"]["value"] == "658.83" and rev.changed[0]["new"]["value"] == "658.38"
    assert rev.vanished == [c_vanish]
    assert c_moved in rev.moved
    assert c_same in rev.unchanged
    assert len(rev.added) >= 1
    assert ws.db.scalar("SELECT count(*) FROM claims WHERE report_id = ? AND value = '1200'", (rev.report_id,)) == 1
    # the links stayed with their claims, which now belong to the new report
    links = {r["claim_id"] for r in ws.db.query("SELECT claim_id FROM links")}
    assert links == {c_changed, c_same}
    assert {r["report_id"] for r in ws.db.query("SELECT report_id FROM claims WHERE id IN (?, ?)",
                                                   (c_changed, c_same))} == {rev.report_id}
    assert ws.db.scalar("SELECT state FROM reports WHERE id = ?", (rid,)) == "superseded"
    new_text = ws.db.scalar("SELECT text FROM reports WHERE id = ?", (rev.report_id,))
    for r in ws.db.query("SELECT quote, start, \"end\" FROM claims WHERE report_id = ? AND state != 'vanished'",
                         (rev.report_id,)):
        assert new_text[r["start"]:r["end"]] == r["quote"]
    # the number of claims that kept their ids: all but the vanished one
    kept = len(rev.unchanged) + len(rev.moved) + len(rev.changed)
    assert kept == n_old - 1
    from desktop.review.status import claim_rows

    assert c_vanish not in {c["id"] for c in claim_rows(ws.db)}
    with pytest.raises(DeskError) as e:
        service.import_revised_report(ws.db, report_id=rev.report_id, path=f)
    assert e.value.code == "report.same_content"
