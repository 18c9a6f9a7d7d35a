"""``review``, ``status --json`` (review, review_stale), ``log`` filters and export — as real processes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"


def run(*args: str, ok: int | None = 0) -> subprocess.CompletedProcess:
    res = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, cwd=REPO)
    if ok is not None:
        assert res.returncode == ok, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    return res


def first_claims(ws: Path) -> list[int]:
    """Ids of the active claims, in report order (the ids themselves depend on the extractor)."""
    return [c["id"] for c in json.loads(run("status", str(ws), "--json").stdout)["claims"]]


def claim(ws: Path, claim_id: int) -> dict:
    st = json.loads(run("status", str(ws), "--json").stdout)
    return next(c for c in st["claims"] if c["id"] == claim_id)


def test_review_then_rewrite_the_file_then_status_says_stale(tmp_path):
    ws, folder = tmp_path / "W", tmp_path / "佐证材料"
    folder.mkdir()
    slip = folder / "回单.txt"
    slip.write_text("追回多发社保待遇 6,588,300.00 元", encoding="utf-8")
    run("init", str(ws), "--watch", str(folder))
    run("import", str(ws), str(SAMPLE))
    eid = json.loads(run("ingest", str(ws), "--json").stdout)["files"][0]["evidence_id"]
    c1 = first_claims(ws)[0]
    run("link", str(ws), str(c1), str(eid), "--locator", "第 1 页")

    out = json.loads(run("review", str(ws), str(c1), "verified", "--comment", "与回单一致", "--actor", "王审计",
                         "--json").stdout)
    assert out["state"] == "verified" and out["before"] == "pending"
    c = claim(ws, c1)
    assert (c["review"], c["review_stale"]) == ("verified", False)

    slip.write_text("追回多发社保待遇 6,588,300.00 元（盖章版）", encoding="utf-8")  # rewritten in place
    res = json.loads(run("ingest", str(ws), "--json").stdout)["files"]
    assert [f["outcome"] for f in res] == ["new_version"]
    c = claim(ws, c1)
    assert (c["review"], c["review_stale"]) == ("verified", True)
    assert "review_stale" in c["flags"] and c["evidence_ids"] == [eid]

    text = run("review", str(ws), str(c1), "verified", "--actor", "王审计").stdout
    assert "已变更，需复核 → 已核实" in text
    assert claim(ws, c1)["review_stale"] is False


def test_review_usage_errors_exit_2(tmp_path):
    ws = tmp_path / "W"
    run("init", str(ws))
    run("import", str(ws), str(SAMPLE))
    c1 = str(first_claims(ws)[0])
    res = run("review", str(ws), c1, "approved", ok=2)
    assert "verified" in res.stderr
    res = run("review", str(ws), "99999", "verified", ok=2)
    assert "#99999" in res.stderr
    res = run("review", str(ws), c1, "verified", "--role", "editor", ok=2)
    assert "审核角色" in res.stderr
    res = run("link", str(ws), c1, "1", "--role", "reviewer", ok=2)
    assert "不能修改" in res.stderr
    assert json.loads(run("log", str(ws), "--json").stdout)["events"][-1]["action"] == "report.imported"


def test_log_filters_and_exports(tmp_path):
    ws = tmp_path / "W"
    run("init", str(ws), "--actor", "李会计")
    run("import", str(ws), str(SAMPLE), "--actor", "李会计")
    c1, c2 = (str(i) for i in first_claims(ws)[:2])
    run("review", str(ws), c1, "questioned", "--comment", "看不清", "--actor", "王审计")
    run("review", str(ws), c2, "needs_more", "--actor", "王审计")
    run("review", str(ws), c1, "verified", "--actor", "赵审计")

    def log(*args):
        return json.loads(run("log", str(ws), "--json", *args).stdout)["events"]

    assert [e["seq"] for e in log("--claim", c1)] == [3, 5]
    assert [e["seq"] for e in log("--claim", c1, "--newest-first")] == [5, 3]
    assert [e["seq"] for e in log("--person", "王审计")] == [3, 4]
    assert [e["action"] for e in log("--action", "review.")] == ["review.set"] * 3
    assert log("--since", "2000-01-01", "--until", "2000-12-31") == []
    assert len(log("--since", "2000-01-01")) == 5
    first = log("--claim", c1)[0]
    assert first["description"] == "审核状态：待审核 → 存疑；意见：看不清"
    run("log", str(ws), "--since", "yesterday", ok=2)

    out_csv, out_xlsx = tmp_path / "审计.csv", tmp_path / "审计.xlsx"
    run("log", str(ws), "--export", str(out_csv), "--newest-first")
    run("log", str(ws), "--export", str(out_xlsx), "--claim", c1)
    with open(out_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:5] == ["序号", "时间", "操作人", "角色", "操作"]
    assert [r[0] for r in rows[1:]] == ["5", "4", "3", "2", "1"]
    assert rows[1][2:5] == ["赵审计", "审核", "审核"] and "存疑 → 已核实" in rows[1][7]
    wb = load_workbook(out_xlsx, read_only=True)
    values = [list(r) for r in wb["审计日志"].iter_rows(values_only=True)]
    wb.close()
    assert [r[0] for r in values[1:]] == [3, 5]
    assert values[1][5].startswith(f"#{c1} ")
    run("log", str(ws), "--export", str(tmp_path / "x.pdf"), ok=2)
