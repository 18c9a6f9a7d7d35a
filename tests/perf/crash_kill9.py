"""Kill -9 at random moments during a 500-file ingest, ten times (not collected by pytest).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.perf.crash_kill9 [--files 500] [--kills 10] [--seed N]

Each cycle starts a fresh workspace on the same 500-file folder and runs ``evidence-desk ingest WS --wait``
as a real process. It SIGKILLs it: every other cycle when the store holds a random number of the objects
(mid-registration), the others at a uniformly random moment between the end of the process's start-up and
90 % of a full run (both measured first). A cycle whose run ended before its kill is checked but not
counted. It restarts the ingest to completion and checks (see ``tests/evidence/crashharness.py``):
``verify`` passes, no temp or orphan files in the store, every file registered exactly once with the right
SHA-256, no text left pending, the folder unchanged. Prints one line per cycle (with the objects and rows
the kill left) and exits 1 if any check failed or fewer than ``--kills`` kills landed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from tests.evidence.crashharness import kill_cycle, make_files, measure_full_run, measure_startup


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kill9-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "佐证材料"
        files = make_files(folder, args.files, seed=args.seed)
        size = sum((Path(p).stat().st_size for p in files)) / 1e6
        full = measure_full_run(tmp / "calibration", folder)
        startup = measure_startup(tmp / "calibration")
        objects = len(set(files.values()))
        print(f"{args.files} files ({size:.0f} MB); a full `ingest --wait` takes {full:.2f} s, of which"
              f" ~{startup:.2f} s starting the process; kills fall in between; seed {args.seed}")
        failures = kills = cycles = 0
        # A run that happens to be faster than the calibration may finish before its kill: that cycle is
        # still checked, but does not count as a kill; cycles go on until ``--kills`` kills have landed.
        # Registration is over in a fraction of the run (text extraction takes the rest), so a kill at a
        # random time rarely lands in it: every other cycle kills when the store holds a random number
        # of the objects instead, which is always mid-registration.
        while kills < args.kills and cycles < 3 * args.kills:
            at = rng.randint(1, objects - 1) if cycles % 2 == 0 else None
            cycle = kill_cycle(tmp / f"ws{cycles}", folder, files, rng, max_delay=0.9 * full, min_delay=startup,
                               at_objects=at)
            cycles += 1
            kills += not cycle.finished_before_kill
            state = "finished before the kill" if cycle.finished_before_kill else "killed"
            verdict = "OK" if not cycle.problems else "FAILED: " + "; ".join(cycle.problems)[:2000]
            print(f"cycle {cycles:2d}: {state} at {cycle.killed_after:5.2f} s ({cycle.objects_at_kill} objects,"
                  f" {cycle.rows_at_kill} rows) → restart → {verdict}", flush=True)
            failures += bool(cycle.problems)
        print(f"{cycles - failures}/{cycles} cycles passed every check; {kills} of them killed mid-ingest")
    return 1 if failures or kills < args.kills else 0


if __name__ == "__main__":
    sys.exit(main())
