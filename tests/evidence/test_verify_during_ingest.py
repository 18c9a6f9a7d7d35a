"""``verify`` while another process ingests a folder that is being filled: it reads one snapshot, so work
in progress (objects copied but not yet committed, events not yet anchored) is never reported; after a
kill -9 what the run left is said as leftovers, not tampering, and the next read-write open cleans it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

from desktop.integrity import verify_workspace
from desktop.workspace import Workspace
from tests.evidence.helpers import REPO, cli


def _fill(folder, stop: threading.Event, written: list) -> None:
    """Write a new file every few milliseconds (text with numbers, some larger), and re-save some."""
    i = 0
    while not stop.is_set():
        p = folder / f"台账{i:04d}.txt"
        body = f"第 {i} 号 合计 {i * 1000 + 7},{i % 1000:03d}.50 元 核查疑点 {i * 3} 条\n" * (20 + (i % 7) * 400)
        tmp = folder / f".{p.name}.part"
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, p)
        written.append(p)
        if i % 5 == 4:  # a re-save: a new version of an earlier file
            q = written[i - 3]
            q.write_text(q.read_text(encoding="utf-8") + "补充 1 行\n", encoding="utf-8")
        i += 1
        time.sleep(0.02)


def test_fifty_verifies_during_a_live_ingest_report_nothing(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    ws_root = tmp_path / "ws"
    cli("init", str(ws_root), "--watch", str(folder))
    err = open(tmp_path / "watch.err", "w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "desktop", "watch", str(ws_root), "--json"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=err, text=True)
    stop, written = threading.Event(), []
    filler = threading.Thread(target=_fill, args=(folder, stop, written), daemon=True)
    try:
        filler.start()
        deadline = time.time() + 60
        while time.time() < deadline:  # the watcher has started and is registering
            with Workspace.open(ws_root, readonly=True) as ws:
                if ws.db.scalar("SELECT count(*) FROM events") > 3:
                    break
            time.sleep(0.2)
        seen_events = []
        runs = []
        while len(runs) < 50 and time.time() < deadline:
            with Workspace.open(ws_root, readonly=True) as ws:
                report = verify_workspace(ws)
            runs.append(report)
            seen_events.append(report.events)
            time.sleep(0.05)
            assert report.problems == [] and report.notes == [], (len(runs), report.problems, report.notes)
        # and a few as the user runs it: the command, a process of its own
        for _ in range(3):
            res = subprocess.run([sys.executable, "-m", "desktop", "verify", str(ws_root), "--json"], cwd=REPO,
                                 capture_output=True, text=True)
            data = json.loads(res.stdout)
            assert res.returncode == 0 and data["problems"] == [] and data["notes"] == [], res.stdout
    finally:
        stop.set()
        filler.join(10)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            err.seek(0)
            text = err.read()
            err.close()
    assert len(runs) == 50
    assert seen_events[-1] > seen_events[0] + 10, seen_events  # the ingest was live all along
    assert proc.returncode == 0 and "Traceback" not in text, text
    assert json.loads(cli("verify", str(ws_root), "--json").stdout)["ok"]


def test_leftovers_of_a_killed_ingest_are_not_tampering(tmp_path):
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    ws_root = tmp_path / "ws"
    cli("init", str(ws_root), "--watch", str(folder))
    # what a kill -9 between copying into the store and committing leaves: an object no row names, and a
    # temp file of a copy under way
    with Workspace.open(ws_root) as ws:
        src = tmp_path / "半途.txt"
        src.write_text("合计 100 元", encoding="utf-8")
        obj = ws.store.add_file(src)
        (ws.store.tmp / "in-999-1.part").write_bytes(b"half")
    res = subprocess.run([sys.executable, "-m", "desktop", "verify", str(ws_root), "--json"], cwd=REPO,
                         capture_output=True, text=True)
    data = json.loads(res.stdout)
    assert res.returncode == 0 and data["problems"] == [], res.stdout
    assert sorted(n["code"] for n in data["notes"]) == ["object_leftover", "temp_leftover"]
    assert all("不是篡改" in n["message"] for n in data["notes"])
    assert obj.sha256 in json.dumps(data["notes"])
    # the next read-write open (the one that ingests) moves the object aside and removes the temp file
    with Workspace.open(ws_root, ingest=True):
        pass
    data = json.loads(cli("verify", str(ws_root), "--json").stdout)
    assert data["ok"] and data["notes"] == []
    assert (ws_root / "store" / "orphaned" / obj.sha256).exists()


def test_verify_after_a_real_kill_9_during_ingest(tmp_path):
    """kill -9 of ``ingest`` in the middle of a folder: verify finds no problem (whatever the moment of the
    kill left is at most a note), and after the next read-write open not even a note."""
    folder = tmp_path / "佐证材料"
    folder.mkdir()
    for i in range(300):
        (folder / f"回单{i:03d}.txt").write_text(f"金额 {i},{i:03d}.00 元\n" * (50 + i * 20), encoding="utf-8")
    ws_root = tmp_path / "ws"
    cli("init", str(ws_root), "--watch", str(folder))
    proc = subprocess.Popen([sys.executable, "-m", "desktop", "ingest", str(ws_root), "--wait"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:  # until it has registered some files
        with Workspace.open(ws_root, readonly=True) as ws:
            if ws.db.scalar("SELECT count(*) FROM evidence") >= 20:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    res = subprocess.run([sys.executable, "-m", "desktop", "verify", str(ws_root), "--json"], cwd=REPO,
                         capture_output=True, text=True)
    data = json.loads(res.stdout)
    assert res.returncode == 0 and data["problems"] == [], res.stdout
    assert {n["code"] for n in data["notes"]} <= {"object_leftover", "temp_leftover"}
    with Workspace.open(ws_root, ingest=True):
        pass
    data = json.loads(cli("verify", str(ws_root), "--json").stdout)
    assert data["ok"] and data["notes"] == []
