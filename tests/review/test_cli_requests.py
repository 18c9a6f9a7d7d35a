"""``review … needs_more --request``, ``request W ID answered|accepted|reopened``, ``requests`` — as processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"


def run(*args: str, ok: int | None = 0) -> subprocess.CompletedProcess:
    res = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, cwd=REPO)
    if ok is not None:
        assert res.returncode == ok, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    return res


def test_request_cycle_through_the_cli(tmp_path):
    ws, slip = tmp_path / "W", tmp_path / "回单.txt"
    slip.write_text("追回多发社保待遇 6,588,300.00 元", encoding="utf-8")
    run("init", str(ws))
    run("import", str(ws), str(SAMPLE))
    c1 = json.loads(run("status", str(ws), "--json").stdout)["claims"][0]["id"]
    out = json.loads(run("review", str(ws), str(c1), "needs_more", "--comment", "缺回单", "--request", "请补充银行回单",
                         "--request", "请补充发放明细", "--due", "2025-05-31", "--actor", "王审计", "--json").stdout)
    r1, r2 = out["request_ids"]
    st = json.loads(run("status", str(ws), "--json").stdout)
    assert [(r["id"], r["state"], r["due"], r["claim_id"]) for r in st["requests"]] == [
        (r1, "open", "2025-05-31", c1), (r2, "open", "2025-05-31", c1)]

    # usage errors: exit 2, in words, nothing written
    n_events = len(json.loads(run("log", str(ws), "--json").stdout)["events"])
    assert "needs_more" in run("review", str(ws), str(c1), "verified", "--request", "x", ok=2).stderr
    assert "YYYY-MM-DD" in run("review", str(ws), str(c1), "needs_more", "--request", "x", "--due", "5月31日",
                               ok=2).stderr
    assert "还没有答复内容" in run("request", str(ws), str(r1), "answered", ok=2).stderr
    assert "编制" in run("request", str(ws), str(r1), "answered", "--role", "reviewer", ok=2).stderr
    assert "审核角色" in run("request", str(ws), str(r1), "accepted", "--role", "editor", ok=2).stderr
    assert "不能接受" in run("request", str(ws), str(r1), "accepted", ok=2).stderr
    assert "#999" in run("request", str(ws), "999", "accepted", ok=2).stderr
    assert len(json.loads(run("log", str(ws), "--json").stdout)["events"]) == n_events

    eid = json.loads(run("ingest", str(ws), str(slip), "--json").stdout)["files"][0]["evidence_id"]
    run("link", str(ws), str(c1), str(eid))
    text = run("request", str(ws), str(r1), "answered", "--actor", "李会计").stdout
    assert "待补充 → 已答复" in text and f"E{eid}" in text
    run("request", str(ws), str(r2), "answered", "--comment", "发放明细见回单附页", "--actor", "李会计")
    run("request", str(ws), str(r1), "accepted", "--actor", "王审计")
    run("request", str(ws), str(r2), "reopened", "--comment", "附页不清楚", "--actor", "王审计")
    rows = json.loads(run("requests", str(ws), "--json").stdout)["requests"]
    assert [(r["state"], r["answers"]) for r in rows] == [("accepted", [eid]), ("reopened", [eid])]
    assert [h["actor"] for h in rows[1]["history"]] == ["王审计", "李会计", "王审计"]
    listed = run("requests", str(ws), "--state", "reopened").stdout
    assert "已退回" in listed and "已接受" not in listed
    actions = [e["action"] for e in json.loads(run("log", str(ws), "--action", "request.", "--json").stdout)["events"]]
    assert actions == ["request.created", "request.created", "request.answered", "request.answered",
                       "request.accepted", "request.reopened"]
    assert "退回补充材料答复" in run("log", str(ws)).stdout
    run("verify", str(ws))
