"""Two people on one workspace: the group's program keeps ingesting while an inspector's records reviews.

Only the ingesting session holds the writer lock; the reviewer writes through SQLite's locking and the
commit lock (``db/filelock.py``). Real processes, real files; afterwards the chain is one line of events
with the head file on its last one, and ``verify`` passes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from db import audit
from desktop.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent

PREPARER = textwrap.dedent("""
    import json, sys, time, pathlib
    from desktop.workspace import Workspace
    from desktop.evidence.pipeline import IngestEngine
    from desktop.workspace import set_setting
    root, folder, n, go = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3]), pathlib.Path(sys.argv[4])
    out = {"errors": []}
    ws = Workspace.open(root, actor="李会计", role="editor")
    out["holds_lock"] = ws.holds_writer_lock
    engine = IngestEngine(ws, watch_root=str(folder))
    engine.start()
    while not go.exists():
        time.sleep(0.01)
    try:
        for i in range(n):
            p = folder / f"台账{i:03d}.txt"
            p.write_text(f"第{i}批 核查疑点数据 {21000 + i} 条", encoding="utf-8")
            engine.submit_paths([str(p)], origin="test")
            if i % 10 == 9:
                set_setting(ws.db, key="progress", value=str(i))
        engine.wait_idle(derived=False, timeout=60)
    except Exception as exc:
        out["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        engine.stop()
        (go.parent / "done").touch()
    out["problems"] = [dict(p) for p in engine.queue.problems()]
    out["evidence"] = ws.db.scalar("SELECT count(*) FROM evidence")
    ws.close()
    print(json.dumps(out, ensure_ascii=False))
""")

REVIEWER = textwrap.dedent("""
    import json, sys, time, pathlib
    from desktop.workspace import Workspace
    from desktop.review.review import review_claim
    from desktop.review.status import claim_rows
    root, n, go = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3])
    out = {"errors": [], "reviews": 0, "requests": 0}
    ws = Workspace.open(root, actor="王审计", role="reviewer")
    out["readonly"], out["holds_lock"] = ws.readonly, ws.holds_writer_lock
    claims = [c["id"] for c in claim_rows(ws.db)]
    go.touch()
    states = ["verified", "questioned", "needs_more"]
    done = go.parent / "done"
    i = 0
    while i < n or not done.exists():  # at least n reviews, and on until the preparer has finished
        i += 1
        time.sleep(0.005)
        try:
            kw = {"requests": [f"请补充第{i}项"]} if states[i % 3] == "needs_more" else {}
            review_claim(ws.db, claim_id=claims[i % len(claims)], state=states[i % 3], comment=f"第{i}次", **kw)
            out["reviews"] += 1
            out["requests"] += len(kw.get("requests", []))
        except Exception as exc:
            out["errors"].append(f"{type(exc).__name__}: {exc}")
    ws.close()
    print(json.dumps(out, ensure_ascii=False))
""")


def _start(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen) -> dict:
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "database is locked" not in stderr
    return json.loads(stdout.strip().splitlines()[-1])


def test_preparer_ingests_while_reviewer_reviews(tmp_path, sample_report):
    from desktop.claims.service import import_report
    from desktop.integrity import verify_workspace

    root, folder, go = tmp_path / "W", tmp_path / "佐证材料", tmp_path / "go"
    folder.mkdir()
    with Workspace.create(root, watch_dir=folder, actor="李会计") as ws:
        import_report(ws.db, path=sample_report)
    files, reviews = 60, 30
    started = time.monotonic()
    prep = _start(PREPARER, root, folder, files, go)
    rev = _start(REVIEWER, root, reviews, go)
    p, r = _result(prep), _result(rev)
    elapsed = time.monotonic() - started
    assert p["holds_lock"] and not r["holds_lock"] and not r["readonly"]
    assert p["errors"] == [] and r["errors"] == [], (p, r)
    assert p["problems"] == [] and p["evidence"] == files
    assert r["reviews"] >= reviews
    reviews = r["reviews"]
    with Workspace.open(root, readonly=True) as ws:
        report = verify_workspace(ws)
        assert report.ok, report.problems
        assert report.reviews == reviews
        seq, hash_ = audit.chain_head(ws.db.conn)
        assert audit.read_head(ws.root / audit.HEAD_FILE) == {"seq": seq, "hash": hash_}
        actors = [r["actor"] for r in ws.db.query("SELECT actor FROM events ORDER BY seq")]
        # the two programs' events interleave in one chain (neither waited for the other to finish)
        switches = sum(1 for a, b in zip(actors, actors[1:]) if a != b)
        assert switches >= 4, actors
        assert ws.db.scalar("SELECT count(*) FROM requests") == r["requests"] > 0
    assert elapsed < 90


HAMMER = textwrap.dedent("""
    import json, sys
    from desktop.workspace import Workspace, set_setting
    root, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ws = Workspace.open(root, actor=who, role="editor", ingest=False)
    errors = []
    for i in range(n):
        try:
            set_setting(ws.db, key=who, value=str(i))
            if ws.db.head_error is not None:  # the head file could not be moved to this commit
                errors.append(f"head: {ws.db.head_error}")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    ws.close()
    print(json.dumps({"errors": errors}))
""")


def test_two_processes_hammering_writes_keep_one_chain(tmp_path):
    from desktop.integrity import verify_workspace

    root = tmp_path / "W"
    Workspace.create(root, actor="甲").close()
    n = 80
    procs = [_start(HAMMER, root, who, n) for who in ("甲", "乙", "丙")]
    # meanwhile the head file only ever moves forward (a late head write never takes it back)
    seen = []
    while any(p.poll() is None for p in procs):
        head = audit.read_head(root / audit.HEAD_FILE)
        if head and not head.get("corrupt"):
            seen.append(head["seq"])
        time.sleep(0.0005)
    for proc in procs:
        assert _result(proc)["errors"] == []
    assert seen == sorted(seen) and len(seen) > 10
    with Workspace.open(root, readonly=True) as ws:
        report = verify_workspace(ws)
        assert report.ok, report.problems
        assert report.events == 1 + 3 * n
        seq, hash_ = audit.chain_head(ws.db.conn)
        assert audit.read_head(ws.root / audit.HEAD_FILE) == {"seq": seq, "hash": hash_}
        values = {r["key"]: r["value"] for r in ws.db.query("SELECT key, value FROM settings")}
        assert [values[w] for w in ("甲", "乙", "丙")] == [str(n - 1)] * 3


def test_head_is_never_behind_a_commit_another_program_made(tmp_path):
    """Two sessions in one process (two commit-lock descriptors, as two programs have): each commit and
    its head-file update happen together, so reading the head under the lock always names the last event."""
    from desktop.workspace import set_setting

    root = tmp_path / "W"
    a = Workspace.create(root, actor="甲")
    b = Workspace.open(root, actor="乙", role="reviewer")
    try:
        assert not b.readonly and not b.holds_writer_lock
        for i in range(20):
            set_setting(a.db, key="a", value=str(i))
            b.set_identity(role="editor")
            set_setting(b.db, key="b", value=str(i))
            with b.db.aligned_snapshot() as head:
                assert head == dict(zip(("seq", "hash"), audit.chain_head(b.db.conn)))
    finally:
        b.close()
        a.close()
