"""The whole round trip through the CLI, in two separate workspaces: the group's and the inspector's.

export → receive → 3 × 需补充 with requests, 1 已核实, 1 存疑 → reply → apply → the group answers 2 requests
with new files → export --since → receive → accept 1, reopen 1 → reply → apply. Every file taken in a
second time changes nothing; ``verify`` passes on both workspaces after every step.
"""

from __future__ import annotations

from tests.inspection.cli import cli, make_group, snapshot, verify_ok

FILES = {f"台账{i}.txt": f"第{i}项 核查疑点数据 {21000 + i} 条" for i in range(1, 6)}


def _requests(ws):
    return {r["id"]: r for r in cli("status", ws, "--json").json["requests"]}


def _claims(ws):
    return {c["id"]: c for c in cli("status", ws, "--json").json["claims"]}


def _twice_changes_nothing(*args, ws):
    before = snapshot(ws)
    res = cli(*args, "--json")
    assert res.json.get("already") is True, res.out
    assert snapshot(ws) == before


def test_round_trip(tmp_path):
    group, folder, claims = make_group(tmp_path, FILES)
    c = claims[:5]
    evidence = [e["id"] for e in cli("status", group, "--json").json["evidence"]]
    for cid, eid in zip(c, evidence):
        cli("link", group, cid, eid, "--actor", "李会计")
    pkg, review = tmp_path / "材料包.zip", tmp_path / "审核工作区"
    cli("export", group, pkg, "--actor", "李会计")
    verify_ok(group)

    # the inspector receives it: a review workspace, in the 审核 role, nothing re-parsed
    got = cli("receive", pkg, review, "--actor", "王审计", "--json").json
    assert (got["kind"], got["counts"]["files"], got["counts"]["links"]) == ("package", 5, 5)
    verify_ok(review)
    assert "不能修改" in cli("link", review, claims[5], evidence[0], ok=2).err  # no claim or link changes there
    _twice_changes_nothing("receive", pkg, review, ws=review)

    # 3 × 需补充 with requests, 1 已核实, 1 存疑
    cli("review", review, c[0], "needs_more", "--comment", "缺银行回单", "--request", "请补充银行回单",
        "--due", "2025-05-31", "--actor", "王审计")
    cli("review", review, c[1], "needs_more", "--request", "请补充发放明细", "--actor", "王审计")
    cli("review", review, c[2], "needs_more", "--request", "请补充会议纪要", "--actor", "王审计")
    cli("review", review, c[3], "verified", "--comment", "与台账一致", "--actor", "王审计")
    cli("review", review, c[4], "questioned", "--comment", "数字与决算不符", "--actor", "王审计")
    verify_ok(review)
    ret1 = tmp_path / "审核意见回复1.zip"
    cli("reply", review, ret1, "--actor", "王审计")
    verify_ok(review)

    # applied at the group: three open requests, the states and comments, attributed to the inspector
    applied = cli("apply", group, ret1, "--actor", "李会计", "--json").json
    assert applied["counts"]["reviews"] == 5 and applied["counts"]["open_requests"] == 3
    verify_ok(group)
    reqs = _requests(group)
    assert sorted(r["state"] for r in reqs.values()) == ["open"] * 3
    assert all(r["history"][0]["actor"] == "王审计" for r in reqs.values())
    states = _claims(group)
    assert [states[x]["review"] for x in c] == ["needs_more"] * 3 + ["verified", "questioned"]
    log = cli("log", group, "--action", "review.set", "--json").json["events"]
    assert {(e["actor"], e["role"]) for e in log} == {("王审计", "reviewer")}
    assert "数字与决算不符" in {e["payload"]["comment"] for e in log}
    _twice_changes_nothing("apply", group, ret1, ws=group)

    # the group answers two requests with new files
    r_bank, r_detail, r_minutes = sorted(reqs, key=lambda i: reqs[i]["claim_id"])
    (folder / "银行回单.txt").write_text("追回多发社保待遇 6,588,300.00 元", encoding="utf-8")
    (folder / "发放明细.txt").write_text("发放明细 共 1,234 笔", encoding="utf-8")
    new = {f["path"].rsplit("/", 1)[-1]: f["evidence_id"]
           for f in cli("ingest", group, "--actor", "李会计", "--json").json["files"] if "evidence_id" in f}
    cli("link", group, c[0], new["银行回单.txt"], "--actor", "李会计")
    cli("link", group, c[1], new["发放明细.txt"], "--actor", "李会计")
    cli("request", group, r_bank, "answered", "--comment", "已补充回单", "--actor", "李会计")
    cli("request", group, r_detail, "answered", "--actor", "李会计")
    verify_ok(group)
    sup = tmp_path / "补充材料1.zip"
    out = cli("export", group, sup, "--since", ret1, "--actor", "李会计", "--json").json
    assert out["counts"]["files"] == 2 and out["counts"]["requests"] == 2
    verify_ok(group)
    cli("verify", sup)

    # received by the inspector: two answered, one still open, the new files and links there
    got = cli("receive", sup, review, "--actor", "王审计", "--json").json
    assert got["kind"] == "supplement" and got["counts"]["files"] == 2
    verify_ok(review)
    rreqs = _requests(review)
    assert sorted(r["state"] for r in rreqs.values()) == ["answered", "answered", "open"]
    assert rreqs[r_bank]["answers"] == [new["银行回单.txt"]]
    rclaims = _claims(review)
    assert new["银行回单.txt"] in rclaims[c[0]]["evidence_ids"]
    _twice_changes_nothing("receive", sup, review, ws=review)

    # accept one, reopen one; reply; apply
    cli("request", review, r_bank, "accepted", "--comment", "回单无误", "--actor", "王审计")
    cli("request", review, r_detail, "reopened", "--comment", "明细缺 12 月", "--actor", "王审计")
    verify_ok(review)
    ret2 = tmp_path / "审核意见回复2.zip"
    cli("reply", review, ret2, "--actor", "王审计")
    applied = cli("apply", group, ret2, "--actor", "李会计", "--json").json
    assert applied["counts"]["requests"] == 2 and applied["counts"]["reviews"] == 0
    verify_ok(group)
    verify_ok(review)
    for ws in (group, review):
        final = _requests(ws)
        assert (final[r_bank]["state"], final[r_detail]["state"], final[r_minutes]["state"]) == (
            "accepted", "reopened", "open"), ws
        assert final[r_detail]["history"][-1]["actor"] == "王审计"
    # any file a second time: nothing changes
    _twice_changes_nothing("apply", group, ret2, ws=group)
    _twice_changes_nothing("apply", group, ret1, ws=group)
    _twice_changes_nothing("receive", sup, review, ws=review)
    _twice_changes_nothing("receive", pkg, review, ws=review)
    verify_ok(group)
    verify_ok(review)
