"""``evidence-desk ingest`` and ``watch`` as a user runs them: real processes, JSON out, exit codes."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading

from tests.evidence.helpers import DEMO, REPO, cli


def test_ingest_the_watched_folder_then_wait_for_text(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    ledger = folder / "疑点数据核查台账2024.xlsx"
    ledger.write_bytes((DEMO / ledger.name).read_bytes())
    (folder / "~$锁定.docx").write_bytes(b"lock")
    ws = tmp_path / "ws"
    cli("init", str(ws), "--watch", str(folder))

    out = json.loads(cli("ingest", str(ws), "--json").stdout)  # returns once registered
    assert [(f["outcome"], f["path"]) for f in out["files"]] == [("added", str(ledger))]
    assert out["ignored"] == [str(folder / "~$锁定.docx")]

    ledger.write_bytes(ledger.read_bytes() + b"\0")  # re-saved: a new version
    out = json.loads(cli("ingest", str(ws), "--wait", "--json").stdout)
    (f,) = out["files"]
    assert (f["outcome"], f["supersedes"], f["text_status"], f["status"]) == ("new_version", 1, "done", "ready")

    st = json.loads(cli("status", str(ws), "--json").stdout)
    old, new = st["evidence"]
    assert old["versions"] == new["versions"] == [1, 2]
    assert old["superseded_by"] == [2] and "superseded" in old["flags"] and old["paths"] == []
    assert new["text_status"] == "done" and new["paths"] == [str(ledger)]
    # the first version was never indexed by the plain `ingest`; the second run's engine recovered it
    assert old["text_status"] == "done"


def test_ingest_reports_files_it_cannot_register_and_exits_2(tmp_path):
    empty = tmp_path / "空.pdf"
    empty.write_bytes(b"")
    good = tmp_path / "好.txt"
    good.write_text("合计 100 元", encoding="utf-8")
    ws = tmp_path / "ws"
    cli("init", str(ws))
    res = cli("ingest", str(ws), str(empty), str(good), check=2)
    assert "无法登记" in res.stderr and "文件为空" in res.stderr and str(empty) in res.stderr
    assert "已登记" in res.stdout and str(good) in res.stdout
    cli("ingest", str(ws), str(tmp_path / "不存在"), check=2)


def _lines(proc) -> tuple["queue.Queue[str]", threading.Thread]:
    """The process's output lines, read on a thread (a select() on the pipe misses lines that an earlier
    readline() already took into the stream's buffer: the test then waited for output that had come)."""
    lines: "queue.Queue[str]" = queue.Queue()

    def read():
        for line in proc.stdout:
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def test_watch_runs_headless_until_interrupted(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    ws = tmp_path / "ws"
    cli("init", str(ws), "--watch", str(folder))
    err_file = open(tmp_path / "watch.err", "w+", encoding="utf-8")  # a file: nothing to drain
    proc = subprocess.Popen([sys.executable, "-m", "desktop", "watch", str(ws), "--json"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=err_file, text=True)
    lines, reader = _lines(proc)
    try:
        events = []
        while not any(e.get("event") == "started" for e in events):
            events.append(json.loads(lines.get(timeout=20)))
        (folder / "回单.txt").write_text("金额 6,588,300.00 元", encoding="utf-8")
        while not any(e.get("event") == "registered" for e in events):
            events.append(json.loads(lines.get(timeout=20)))
        reg = next(e for e in events if e.get("event") == "registered")
        assert reg["outcome"] == "added" and reg["path"] == str(folder / "回单.txt")
        assert {"event": "state", "state": "watching", "detail": ""} in events
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:  # did not stop: do not leave it running
                proc.kill()
                proc.wait()
            reader.join(10)  # it ends with the output
            proc.stdout.close()
            err_file.seek(0)
            err = err_file.read()
            err_file.close()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert json.loads(cli("verify", str(ws), "--json").stdout)["ok"]
    assert os.listdir(folder) == ["回单.txt"]
