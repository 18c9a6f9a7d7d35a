"""Benchmark: the GUI-thread stall while 2,000 files are ingested, this tree against an earlier one, in one run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.perf.compare_gui_stall --before /tmp/old-checkout \
        [--files 2000] [--mb 500] [--rounds 6]

``--before`` is a checkout of the earlier commit (``git archive <commit> | tar -x -C DIR``). Each run is the
GUI run of :mod:`tests.perf.bench_ingest` (the main window, offscreen, the files dropped on it, a 10 ms
heartbeat on the GUI thread measuring how late each tick is) executed by *that tree's own*
``bench_ingest.in_gui`` in a fresh process with that tree first on ``PYTHONPATH``, on the same files. The
machine is shared, so the runs alternate, before/after then after/before, round by round, each after
``os.sync()``: whatever load there is falls on both alike. Printed: every round, then per tree the median and
the worst of the longest stall (over the whole run, while registering, while text and thumbnails follow)
and of the 99th percentile, and the ratio after ÷ before of the medians. Exit status 1 when the median
longest stall got worse by more than 20 %.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.perf.bench_ingest import all_files, make_files

REPO = Path(__file__).resolve().parents[2]
KEYS = ("max_stall_ms", "stall_registering_ms", "stall_extracting_ms", "p99_stall_ms", "registered", "all_done")
RUN = """
import json, sys
from pathlib import Path
from tests.perf.bench_ingest import in_gui
print("RESULT " + json.dumps(in_gui(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))), flush=True)
"""


def gui_run(tree: Path, folder: Path, root: Path, n: int, home: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree), QT_QPA_PLATFORM="offscreen", EVIDENCE_DESK_HOME=str(home))
    out = subprocess.run([sys.executable, "-c", RUN, str(folder), str(root), str(n)], cwd=tree, env=env,
                         capture_output=True, text=True, timeout=1800)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"the run in {tree} failed:\n{out.stderr[-3000:]}")
    return json.loads(line[len("RESULT "):])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, type=Path, help="a checkout of the earlier commit")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--mb", type=float, default=500)
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    trees = {"before": args.before.resolve(), "after": REPO}
    tmp = Path(tempfile.mkdtemp(prefix="compare-stall-"))
    try:
        folder = tmp / "佐证材料"
        total = make_files(folder, args.files, args.mb)
        n = len(all_files(folder))
        need = 1.1 * total * 2 * args.rounds
        if shutil.disk_usage(tmp).free < need:
            raise SystemExit(f"needs {need / 1e9:.1f} GB free in {tmp.parent} (every run's output is kept to the end)")
        print(f"{n} files, {total / 1e6:.0f} MB (cpus: {os.cpu_count()}); {args.rounds} rounds;"
              f" before = {trees['before']}, after = {trees['after']}", flush=True)
        results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for r in range(args.rounds):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for name in order:
                os.sync()
                res = gui_run(trees[name], folder, tmp / f"{name}{r}", n, tmp / f"home-{name}{r}")
                results[name].append(res)
                print(f"round {r + 1} {name:6}: longest stall {res['max_stall_ms']:4.0f} ms (registering"
                      f" {res['stall_registering_ms']:.0f}, text/thumbnails {res['stall_extracting_ms']:.0f}),"
                      f" p99 {res['p99_stall_ms']:.0f} ms; registered {res['registered']:.2f} s,"
                      f" all done {res['all_done']:.2f} s, {res['rows']} rows", flush=True)
        med = {name: {k: statistics.median(r[k] for r in rs) for k in KEYS} for name, rs in results.items()}
        worst = {name: {k: max(r[k] for r in rs) for k in KEYS} for name, rs in results.items()}
        for name in ("before", "after"):
            m, w = med[name], worst[name]
            print(f"{name:6} median / worst: longest stall {m['max_stall_ms']:.0f} / {w['max_stall_ms']:.0f} ms,"
                  f" registering {m['stall_registering_ms']:.0f} / {w['stall_registering_ms']:.0f} ms,"
                  f" text/thumbnails {m['stall_extracting_ms']:.0f} / {w['stall_extracting_ms']:.0f} ms,"
                  f" p99 {m['p99_stall_ms']:.0f} / {w['p99_stall_ms']:.0f} ms; registered {m['registered']:.2f} s")
        ratio = med["after"]["max_stall_ms"] / med["before"]["max_stall_ms"]
        print(f"after ÷ before (medians): longest stall {ratio:.2f}, p99"
              f" {med['after']['p99_stall_ms'] / med['before']['p99_stall_ms']:.2f}, registered"
              f" {med['after']['registered'] / med['before']['registered']:.2f}")
        return 0 if ratio <= 1.2 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
