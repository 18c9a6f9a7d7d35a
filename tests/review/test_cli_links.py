"""The links-and-suggestions commands, run as a user would: a real process, JSON out, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"
EVIDENCE = REPO / "resources" / "samples" / "evidence"


def run(*args: str, ok: int | None = 0):
    res = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, cwd=REPO)
    if ok is not None:
        assert res.returncode == ok, res.stderr
    assert "Traceback" not in res.stderr
    return res


def js(*args: str):
    return json.loads(run(*args, "--json").stdout)


def test_suggest_link_from_suggestion_reject_and_not_required(tmp_path):
    ws = str(tmp_path / "W")
    run("init", ws)
    run("import", ws, str(SAMPLE))
    run("ingest", ws, str(EVIDENCE), "--wait")  # --wait: text and numbers too (suggestions need them)

    out = js("suggest", ws)["suggestions"]
    assert out and set(out[0]) >= {"claim_id", "evidence_id", "score", "strength", "reason", "locator"}
    assert {s["strength"] for s in out} <= {"strong", "possible"}
    by_claim: dict[int, list[dict]] = {}
    for s in out:
        by_claim.setdefault(s["claim_id"], []).append(s)
    for found in by_claim.values():  # best first per claim
        assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)
    claims = {c["id"]: c for c in js("status", ws)["claims"]}
    recovered = next(cid for cid, c in claims.items() if c["value"] == "658.83")
    best = by_claim[recovered][0]
    assert best["strength"] == "strong" and "6,588,300.00 元" in best["reason"] and best["locator"] == "第 1 页"

    linked = js("link", ws, str(recovered), "--from-suggestion")
    assert (linked["evidence_id"], linked["locator"], linked["origin"]) == (best["evidence_id"], "第 1 页", "suggestion")
    after = js("status", ws)
    assert next(c for c in after["claims"] if c["id"] == recovered)["flags"] == []
    # the linked file is no longer suggested for it (other files stating the value still may be)
    rest = js("suggest", ws, "--claim", str(recovered), "--limit", "0")["suggestions"]
    assert best["evidence_id"] not in [s["evidence_id"] for s in rest]

    # reject the top suggestion of another claim: it is gone, and stays gone
    other_claim, found = next((cid, f) for cid, f in by_claim.items() if cid != recovered)
    run("reject", ws, str(other_claim), str(found[0]["evidence_id"]))
    again = js("suggest", ws, "--claim", str(other_claim), "--limit", "0")["suggestions"]
    assert found[0]["evidence_id"] not in [s["evidence_id"] for s in again]
    res = run("link", ws, str(other_claim), str(found[0]["evidence_id"]), "--from-suggestion", ok=2)
    assert "已被拒绝" in res.stderr

    # edit the link's locator and note
    edited = js("link-edit", ws, str(recovered), str(best["evidence_id"]), "--locator", "第 1 页 金额（小写）",
                "--note", "原件在财务科")
    assert (edited["locator"], edited["note"]) == ("第 1 页 金额（小写）", "原件在财务科")

    # 无需佐证 needs a reason
    score = next(cid for cid, c in claims.items() if c["value"] == "99" and c["unit"] == "分")
    assert "--reason" in run("not-required", ws, str(score), ok=2).stderr
    run("not-required", ws, str(score), "--reason", "自评得分见评分表")
    c = next(c for c in js("status", ws)["claims"] if c["id"] == score)
    assert c["flags"] == [] and c["needs_evidence"] is False and c["no_evidence_reason"] == "自评得分见评分表"
    run("not-required", ws, str(score), "--undo")

    actions = [e["action"] for e in js("log", ws)["events"]]
    assert actions[-5:] == ["link.added", "suggestion.rejected", "link.updated", "claim.marked_not_required",
                            "claim.unmarked_not_required"]
    run("verify", ws)

    # a reviewer may look, not change
    res = run("reject", ws, str(other_claim), str(found[-1]["evidence_id"]), "--role", "reviewer", ok=2)
    assert "审核" in res.stderr and "不能修改" in res.stderr
    assert js("suggest", ws, "--role", "reviewer", "--strong")["suggestions"]
