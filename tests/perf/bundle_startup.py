"""Start-up of the PyInstaller bundle against the venv, to the main window, measured in one run.

    .venv/bin/python tests/perf/bundle_startup.py [--bundle dist/EvidenceDesk] [--rounds 7] [--drop-caches]

Build the bundle first (``./dev.sh package``). Both start the GUI offscreen on the demo workspace with
``--smoke``, in the same bare environment (``env -i`` style: PATH, HOME, QT_QPA_PLATFORM), each with its
own user data folder whose demo workspace an untimed first run has built. The clock runs from starting
the process to the line it prints once the main window is shown. Runs alternate venv / bundle so load
from elsewhere on the machine falls on both alike.

* **first start**: the first timed run of each (the files it reads may already be in the page cache: the
  build, the untimed run);
* **cold start** (``--drop-caches``, root only): the page cache is dropped before every run;
* otherwise **warm start**: the median of the rounds.

Prints the bundle's size (target < 200 MB unpacked) and the ratio bundle / venv (target <= 1.5);
exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SIZE_TARGET_MB = 200
RATIO_TARGET = 1.5
SHOWN = "smoke: main window shown: True"


def tree_mb(path: Path) -> float:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            p = Path(dirpath) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total / (1024 * 1024)


def drop_caches() -> None:
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def time_to_window(exe: Path, home: Path, cold: bool) -> float:
    """Seconds from starting ``exe --demo --smoke`` to its "main window shown" line."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    if cold:
        drop_caches()
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), "--demo", "--smoke", "--actor", "计时", "--role", "editor"], env=env,
                            cwd=home, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    shown = None
    for line in proc.stdout:
        if SHOWN in line:
            shown = time.perf_counter() - t0
    code = proc.wait(timeout=300)
    if shown is None or code != 0:
        raise SystemExit(f"{exe}: exit {code}, main window {'shown' if shown else 'never shown'}")
    return shown


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "EvidenceDesk")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--drop-caches", action="store_true", help="drop the page cache before each run (root)")
    args = parser.parse_args(argv[1:])
    bundle_exe = args.bundle / "evidence-desk"
    venv_exe = args.venv / "bin" / "evidence-desk"
    for exe in (bundle_exe, venv_exe):
        if not exe.exists():
            print(f"bundle_startup: not run: {exe} is missing (./dev.sh package builds the bundle)")
            return 2
    if args.drop_caches:
        try:
            drop_caches()
        except OSError as exc:
            print(f"bundle_startup: cannot drop the page cache here ({exc}); run without --drop-caches")
            return 2

    size = tree_mb(args.bundle)
    print(f"bundle size: {size:.0f} MB unpacked (target < {SIZE_TARGET_MB} MB)")
    with tempfile.TemporaryDirectory(prefix="ed-startup-") as tmp:
        homes = {"venv": Path(tmp) / "venv-home", "bundle": Path(tmp) / "bundle-home"}
        exes = {"venv": venv_exe, "bundle": bundle_exe}
        for name, home in homes.items():  # builds the demo workspace: not timed
            home.mkdir()
            time_to_window(exes[name], home, cold=False)
        times: dict[str, list[float]] = {"venv": [], "bundle": []}
        for i in range(args.rounds):
            order = ("venv", "bundle") if i % 2 == 0 else ("bundle", "venv")
            for name in order:
                times[name].append(time_to_window(exes[name], homes[name], args.drop_caches))
            print(f"round {i + 1}: venv {times['venv'][-1]:.2f} s, bundle {times['bundle'][-1]:.2f} s", flush=True)
    kind = "cold" if args.drop_caches else "warm"
    med = {name: statistics.median(ts) for name, ts in times.items()}
    first_ratio = times["bundle"][0] / times["venv"][0]
    ratio = med["bundle"] / med["venv"]
    print(f"first start to the main window: venv {times['venv'][0]:.2f} s, bundle {times['bundle'][0]:.2f} s, "
          f"ratio {first_ratio:.2f}")
    print(f"{kind} start to the main window (median of {args.rounds}): venv {med['venv']:.2f} s, "
          f"bundle {med['bundle']:.2f} s, ratio {ratio:.2f} (target <= {RATIO_TARGET})")
    return 0 if size < SIZE_TARGET_MB and ratio <= RATIO_TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
