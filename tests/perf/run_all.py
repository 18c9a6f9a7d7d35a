"""Run every benchmark in tests/perf (each bench_*.py as its own process) and print their figures.

    .venv/bin/python tests/perf/run_all.py            # all
    .venv/bin/python tests/perf/run_all.py extract    # those whose name contains "extract"

Benchmarks print their figure beside a baseline measured in the same run; docs/performance.md keeps
the figures we got.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    benches = sorted(p for p in HERE.glob("bench_*.py") if not wanted or any(w in p.stem for w in wanted))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    failed = []
    for bench in benches:
        print(f"\n=== {bench.stem} ===", flush=True)
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, str(bench)], cwd=ROOT, env=env)
        print(f"--- {bench.stem}: exit {res.returncode}, {time.perf_counter() - t0:.1f} s", flush=True)
        if res.returncode != 0:
            failed.append(bench.stem)
    if failed:
        print(f"\nfailed or over target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
