"""Benchmark: ``evidence-desk verify`` on 10,000 events and 2,000 store objects.

Target: exit 0 on the untouched workspace in under 30 s. The command runs as a real process; its
time is printed beside a baseline measured in the same run — hashing the same object bytes with hashlib
(1 MiB reads) plus re-hashing every event row — and as their ratio.

Then the replay (issue 20): ``verify_workspace`` in this process with the replay of the audit events into
the rows they describe, beside the same check without it (chain, head file, schema, store, reviews:
the chain-only baseline), interleaved, median of 3 each. Target with ``--events 100000 --claims 10000``:
the full check ≤ 3 s.

    .venv/bin/python tests/perf/bench_verify.py [--events 10000] [--claims 2000] [--objects 2000]
                                                [--object-kb 256] [--keep DIR]
    .venv/bin/python tests/perf/bench_verify.py --events 100000 --claims 10000 --objects 200 --object-kb 16
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from db.audit import event_hash  # noqa: E402
from tests.synth import populate  # noqa: E402


def baseline(root: Path) -> tuple[float, int]:
    t = time.perf_counter()
    total = 0
    for obj in sorted((root / "store").glob("??/*")):
        h = hashlib.sha256()
        with open(obj, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
                total += len(block)
        h.hexdigest()
    conn = sqlite3.connect(root / "workspace.db")
    conn.row_factory = sqlite3.Row
    for row in conn.execute("SELECT * FROM events ORDER BY seq"):
        event_hash(row["prev_hash"], dict(row))
    conn.close()
    return time.perf_counter() - t, total


def replay_times(root: Path) -> tuple[tuple[float, float], tuple[float, float], int]:
    """(wall, CPU) seconds of verify with and without the replay, medians of 3, interleaved."""
    from desktop.integrity import verify_workspace
    from desktop.workspace import Workspace

    full, chain, full_cpu, chain_cpu = [], [], [], []
    rows = 0
    with Workspace.open(root, readonly=True) as ws:
        for _ in range(3):
            for state, runs, cpu in ((True, full, full_cpu), (False, chain, chain_cpu)):
                t, c = time.perf_counter(), time.process_time()
                report = verify_workspace(ws, state=state)
                runs.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                assert report.ok, report.problems[:5]
                rows = max(rows, report.rows)
    return (sorted(full)[1], sorted(full_cpu)[1]), (sorted(chain)[1], sorted(chain_cpu)[1]), rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--claims", type=int, default=2_000)
    ap.add_argument("--objects", type=int, default=2_000)
    ap.add_argument("--object-kb", type=int, default=256)
    ap.add_argument("--keep", help="build (or reuse) the workspace here instead of a temp folder")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        root = Path(args.keep)
    else:
        tmp = tempfile.mkdtemp(prefix="bench-verify-")
        root = Path(tmp) / "W"
    try:
        if not (root / "workspace.db").exists():
            t = time.perf_counter()
            populate(root, events=args.events, claims=args.claims, objects=args.objects,
                     object_size=args.object_kb * 1024)
            print(f"built {args.events:,} events, {args.objects:,} objects of {args.object_kb} KB"
                  f" in {time.perf_counter() - t:.1f} s: {root}")
        base, nbytes = baseline(root)  # also warms the page cache for both
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            res = subprocess.run([sys.executable, "-m", "desktop", "verify", str(root)], cwd=REPO,
                                 capture_output=True, text=True)
            runs.append(time.perf_counter() - t)
            if res.returncode != 0:
                print(res.stdout, res.stderr)
                return 1
        best = sorted(runs)[1]  # median of three
        print()
        print(f"verify: {args.events:,} events, {args.objects:,} objects, {nbytes / 2**20:,.0f} MiB in the store")
        print(f"  `evidence-desk verify` (process, median of 3)  {best:6.2f} s   exit 0   {res.stdout.strip()}")
        print(f"  baseline: hashlib over the same bytes + event rows  {base:6.2f} s")
        print(f"  ratio {best / base:5.2f}   target < 30 s: {'met' if best < 30 else 'NOT MET'}")
        full, chain, rows = replay_times(root)
        print()
        print(f"replay: {args.events:,} events, {args.claims:,} claims, {rows:,} rows compared (in process, median of 3)")
        print(f"  verify with replay            {full[0]:6.2f} s   (CPU {full[1]:5.2f} s)")
        print(f"  chain-only baseline           {chain[0]:6.2f} s   (CPU {chain[1]:5.2f} s; the same check without the replay)")
        print(f"  ratio {full[0] / chain[0]:5.2f}   replay adds {full[0] - chain[0]:5.2f} s   target ≤ 3 s:"
              f" {'met' if full[0] <= 3 else 'NOT MET'}   load average {os.getloadavg()[0]:.1f}")
        return 0 if best < 30 else 1
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
