"""Kill -9 during ingest, restart, check: the harness behind the quick test and ``tests/perf/crash_kill9.py``.

Each cycle: a fresh workspace watching the same folder; ``evidence-desk ingest WS --wait`` (a real
process) is killed with SIGKILL at a random moment; then the workspace is opened again by a second
``ingest --wait`` that must finish, and the checks run:

* ``verify`` passes (audit chain, head file, every store object re-hashes to its name, no orphan);
* the store holds no temp file and no quarantined orphan (``store/tmp`` and ``store/orphaned`` empty);
* every file in the folder is registered exactly once: one present path row per file, naming evidence
  whose SHA-256 is the file's, and no present row for anything else;
* every evidence row has its text extracted (nothing left pending);
* the watched folder is unchanged (names, sizes, bytes, mtimes).

``Cycle.objects_at_kill`` / ``rows_at_kill`` say what the kill left: more objects than evidence rows means
copies no committed row named yet, which the restart had to recover.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.evidence.helpers import REPO, snapshot


def make_files(folder: Path, n: int, *, seed: int = 4, max_size: int = 256 << 10) -> dict[str, str]:
    """``n`` files of mixed sizes and types in a few sub-folders; returns path → sha256."""
    rng = random.Random(seed)
    out = {}
    for i in range(n):
        sub = folder / f"第{i % 7}批"
        sub.mkdir(parents=True, exist_ok=True)
        kind = i % 4
        if kind == 0:
            name, data = f"说明{i:04d}.txt", f"第 {i} 号 追回 {rng.randint(1, 10**6)}.{i % 100:02d} 元\n".encode() * 20
        elif kind == 1:
            name, data = f"附件{i:04d}.csv", "\n".join(f"{j},{rng.randint(1, 99999)}" for j in range(200)).encode()
        else:
            size = rng.choice([2 << 10, 40 << 10, max_size])
            name, data = f"扫描{i:04d}.bin", rng.randbytes(size)
        p = sub / name
        p.write_bytes(data)
        out[str(p)] = hashlib.sha256(data).hexdigest()
    return out


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=timeout)


@dataclass
class Cycle:
    killed_after: float
    finished_before_kill: bool
    objects_at_kill: int = 0
    rows_at_kill: int = 0
    problems: list[str] = field(default_factory=list)


def check(ws_root: Path, files: dict[str, str]) -> list[str]:
    problems = []
    res = _cli("verify", str(ws_root), "--json")
    report = json.loads(res.stdout or "{}")
    if res.returncode != 0 or not report.get("ok"):
        problems.append(f"verify failed: {report.get('problems') or res.stderr[-500:]}")
    store = ws_root / "store"
    if list((store / "tmp").iterdir()):
        problems.append(f"temp files left: {os.listdir(store / 'tmp')}")
    if (store / "orphaned").is_dir() and os.listdir(store / "orphaned"):
        problems.append(f"orphans left: {os.listdir(store / 'orphaned')}")
    import sqlite3

    conn = sqlite3.connect(f"file:{ws_root / 'workspace.db'}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT p.path, e.sha256 FROM evidence_paths p JOIN evidence e ON e.id = p.evidence_id WHERE p.present = 1"
    ).fetchall()
    pending = conn.execute("SELECT count(*) FROM evidence WHERE text_status = 'pending'").fetchone()[0]
    conn.close()
    seen: dict[str, list[str]] = {}
    for path, sha in rows:
        seen.setdefault(path, []).append(sha)
    for path, sha in files.items():
        if seen.get(path) != [sha]:
            problems.append(f"{path}: registered as {seen.get(path)}, expected [{sha[:12]}…]")
    extra = set(seen) - set(files)
    if extra:
        problems.append(f"present rows for files not in the folder: {sorted(extra)[:5]}")
    if pending:
        problems.append(f"{pending} evidence rows still waiting for text")
    return problems


STALL_TIMEOUT = 120.0  # an ingest that has not reached its kill point by then is stuck (a bug to report)


def _stored_objects(store: Path) -> int:
    """How many objects the store holds (copied, whether or not their rows are committed yet)."""
    n = 0
    try:
        fans = [e for e in os.scandir(store) if len(e.name) == 2 and e.is_dir()]
    except FileNotFoundError:
        return 0
    for fan in fans:
        try:
            n += len(os.listdir(fan.path))
        except FileNotFoundError:
            pass
    return n


def kill_cycle(ws_root: Path, folder: Path, files: dict[str, str], rng: random.Random, max_delay: float = 0.0,
               min_delay: float = 0.0, *, at_objects: int | None = None) -> Cycle:
    """One cycle. The kill comes ``min_delay``–``max_delay`` s after the start (chosen at random), or,
    with ``at_objects``, as soon as the store holds that many objects: mid-ingest whatever the machine's
    speed (a timed kill may land before the process has started work, or after it has finished)."""
    res = _cli("init", str(ws_root), "--watch", str(folder))
    assert res.returncode == 0, res.stderr
    before = snapshot(folder)
    start = time.perf_counter()
    # (its output is not read: a pipe nobody drains could block it before the kill)
    proc = subprocess.Popen([sys.executable, "-m", "desktop", "ingest", str(ws_root), "--wait"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stalled = False
    if at_objects is None:
        try:
            proc.wait(timeout=rng.uniform(min_delay, max_delay))  # may finish first on a fast machine
        except subprocess.TimeoutExpired:
            pass
    else:
        deadline = start + STALL_TIMEOUT
        while proc.poll() is None and _stored_objects(ws_root / "store") < at_objects:
            if time.perf_counter() > deadline:
                stalled = True
                break
            time.sleep(0.002)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    cycle = Cycle(time.perf_counter() - start, finished, _stored_objects(ws_root / "store"), _rows(ws_root))
    if stalled:
        cycle.problems.append(f"the ingest copied {cycle.objects_at_kill} of {at_objects} objects in"
                              f" {STALL_TIMEOUT:.0f} s: killed as stalled")
    res = _cli("ingest", str(ws_root), "--wait")  # the restart: recovers, then finishes the work
    if res.returncode != 0 or "Traceback" in res.stderr:
        cycle.problems.append(f"restart failed ({res.returncode}): {res.stderr[-800:]}")
    cycle.problems += check(ws_root, files)
    if snapshot(folder) != before:
        cycle.problems.append("the watched folder changed")
    return cycle


def _rows(ws_root: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{ws_root / 'workspace.db'}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM evidence").fetchone()[0]
    finally:
        conn.close()


def measure_startup(ws_root: Path) -> float:
    """How long a CLI process takes before it can do any work (interpreter, imports, opening)."""
    start = time.perf_counter()
    res = _cli("status", str(ws_root))
    assert res.returncode == 0, res.stderr
    return time.perf_counter() - start


def measure_full_run(ws_root: Path, folder: Path) -> float:
    _cli("init", str(ws_root), "--watch", str(folder))
    start = time.perf_counter()
    res = _cli("ingest", str(ws_root), "--wait")
    assert res.returncode == 0, res.stderr
    return time.perf_counter() - start
