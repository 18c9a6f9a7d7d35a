"""``check W`` / ``check REPORT_FILE`` and ``dismiss-finding``: one real process for the exit codes, the
rest through the same ``main`` in this process (a process per command would take seconds each)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(*args: str, ok: int | None = 0) -> Result:
    """``evidence-desk ARGS`` through :func:`desktop.cli.main`, output captured."""
    import contextlib
    import io

    from desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own usage errors
            code = int(exc.code or 0)
    res = Result(code, out.getvalue(), err.getvalue())
    if ok is not None:
        assert res.returncode == ok, res.stderr
    assert "Traceback" not in res.stderr
    return res


def test_exit_codes_of_a_real_process(tmp_path):
    res = subprocess.run([sys.executable, "-m", "desktop", "check", str(SAMPLE)], capture_output=True, text=True,
                         cwd=REPO)
    assert res.returncode == 1 and "[错误]" in res.stdout and "Traceback" not in res.stderr
    res = subprocess.run([sys.executable, "-m", "desktop", "check", str(tmp_path / "none.txt")], capture_output=True,
                         text=True, cwd=REPO)
    assert res.returncode == 2 and res.stderr.startswith("错误：")


def test_check_a_file_without_a_workspace(tmp_path):
    out = json.loads(run("check", str(SAMPLE), "--json", ok=1).stdout)
    assert out["profile"] == "caiyu-2020-10" and out["summary"]["total"] == len(out["findings"]) == 8
    f = out["findings"][0]
    assert set(f) >= {"rule", "severity", "message", "claim_ids", "cells", "values", "dismissed"}
    assert f["severity"] == "error" and f["rule"] == "magnitude" and f["dismissed"] is False
    claims = json.loads(run("claims", str(SAMPLE), "--json").stdout)["claims"]
    assert claims[f["claim_ids"][0]]["value_raw"] == "18061"  # ids index the claims list
    clean = tmp_path / "clean.txt"
    clean.write_text("2024 年年初预算数 100 万元，其中基本支出 60 万元，项目支出 40 万元。", encoding="utf-8")
    assert "没有发现问题" in run("check", str(clean), ok=0).stdout
    res = run("check", str(tmp_path / "missing.txt"), ok=2)
    assert res.stderr.startswith("错误：")
    (tmp_path / "folder").mkdir()
    assert "不是工作区" in run("check", str(tmp_path / "folder"), ok=2).stderr
    assert "没有名为" in run("check", str(SAMPLE), "--profile", "nowhere", ok=2).stderr


def test_check_a_workspace_dismiss_and_status(tmp_path):
    ws = tmp_path / "W"
    run("init", str(ws))
    run("import", str(ws), str(SAMPLE))
    out = json.loads(run("check", str(ws), "--json", ok=1).stdout)
    pair = next(f for f in out["findings"] if f["rule"] == "unit_pair")
    assert all(isinstance(i, int) for i in pair["claim_ids"]) and pair["where"]["report_id"] == 1
    res = run("dismiss-finding", str(ws), pair["key"], ok=2)
    assert "--reason" in res.stderr
    run("dismiss-finding", str(ws), pair["key"], "--reason", "口径不同")
    text = run("check", str(ws), ok=1).stdout
    assert "（已忽略）" in text and "忽略理由：口径不同" in text
    status = json.loads(run("status", str(ws), "--json").stdout)
    assert status["summary"]["findings"] == 7 and status["findings"]["dismissed"] == 1
    log = run("log", str(ws)).stdout
    assert "忽略检查结果" in log and "口径不同" in log
    run("dismiss-finding", str(ws), pair["key"], "--undo")
    assert json.loads(run("status", str(ws), "--json").stdout)["summary"]["findings"] == 8
