"""Benchmark: hostile files against the parsing ceilings (issue 20), measured as a user meets them.

    .venv/bin/python -m tests.perf.bench_bombs [--skip-50mb]

Every figure is wall time and the peak resident memory of the *whole process tree* (the CLI process and
its parsing child), sampled every 20 ms from /proc (the sum of VmRSS over the process and all its
descendants; Linux only). Runs, each a fresh ``python -m desktop`` process:

1. a watched folder holding the docx bomb and the xlsx bomb (~2 MB each, ~600 MB of XML inflated) and one
   ordinary text file: ``ingest --wait`` (target ≤ 60 s, peak ≤ 1.2 GB, each bomb in its own error);
2. the same two files given to ``import`` (target: exit 2 in ≤ 30 s);
3. the merged-range (A1:XFD1048576) and far-cell (XFD1048576) xlsx reports and a 1,000,000-cell xlsx to
   ``import`` (target: refused in ≤ 10 s, peak ≤ 1.2 GB);
4. a 50 MB text report to ``import``: with the default limit (refused at once), and with
   ``report.max_text_mb`` raised to 64 (imports in ≤ 60 s?);
5. the cost of the checks before opening on ordinary files (the demo evidence): checks alone against a
   whole extraction of the same file, in this process (the baseline measured in the same run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests import hostile_files as H  # noqa: E402

GB = 1 << 30


def _tree_rss(root: int) -> int:
    """Sum of VmRSS (bytes) of ``root`` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                ppid = kb = 0
                for line in fh:
                    if line.startswith("PPid:"):
                        ppid = int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kb * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def run(*args: str, timeout: float = 600) -> tuple[int, float, int, str]:
    """(exit code, seconds, peak RSS of the tree in bytes, stderr)."""
    t = time.monotonic()
    with subprocess.Popen([sys.executable, "-m", "desktop", *args], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            if time.monotonic() - t > timeout:
                proc.kill()
            time.sleep(0.02)
        out, err = proc.communicate()
    return proc.returncode, time.monotonic() - t, peak, err


def _line(label: str, rc: int, sec: float, peak: int, err: str = "") -> None:
    last = [ln for ln in err.strip().splitlines() if ln.strip()]
    print(f"  {label:<38} exit {rc}  {sec:6.2f} s  peak RSS (tree) {peak / (1 << 20):7.1f} MB"
          + (f"\n      {last[-1][:150]}" if last and rc else ""))


def _settings(ws: Path, **values) -> None:
    from desktop.workspace import Workspace, set_setting

    w = Workspace.open(ws)
    try:
        for k, v in values.items():
            set_setting(w.db, key=k.replace("__", "."), value=str(v))
    finally:
        w.close()


def main() -> int:
    ok = True
    tmp = Path(tempfile.mkdtemp(prefix="bench-bombs-"))
    folder = tmp / "佐证材料"
    folder.mkdir()
    docx = H.docx_bomb(folder / "情况说明.docx")
    xlsx = H.xlsx_bomb(folder / "核查台账.xlsx")
    (folder / "说明.txt").write_text("追回资金 658.83 万元", encoding="utf-8")
    print(f"bombs: {docx.name} {docx.stat().st_size / (1 << 20):.2f} MB, {xlsx.name} "
          f"{xlsx.stat().st_size / (1 << 20):.2f} MB (each ~600 MB of XML inflated)")

    print("1. the bombs in a watched folder: ingest --wait")
    ws = tmp / "ws"
    run("init", str(ws), "--watch", str(folder))
    rc, sec, peak, err = run("ingest", str(ws), "--wait")
    _line("ingest --wait", rc, sec, peak)
    from desktop.text.messages import ingest_error_text
    from desktop.workspace import Workspace

    w = Workspace.open(ws)
    try:
        rows = w.db.query("SELECT name, status, error, error_detail FROM evidence ORDER BY id")
        numbers = w.db.scalar("SELECT count(*) FROM evidence_numbers")
    finally:
        w.close()
    for r in rows:
        print(f"      {r['name']}: {r['status']}"
              + (f" — {ingest_error_text(r['error'], r['error_detail'])}" if r["error"] else ""))
    bombs_errored = sum(1 for r in rows if r["name"] in (docx.name, xlsx.name) and r["status"] == "error")
    print(f"      numbers stored: {numbers}")
    good = sec <= 60 and peak <= 1.2 * GB and bombs_errored == 2
    print("    target (≤ 60 s, ≤ 1.2 GB, both in an error naming the limit):", "met" if good else "NOT met")
    ok &= good

    print("2. the same files to import")
    ws2 = tmp / "ws2"
    run("init", str(ws2))
    for f in (docx, xlsx):
        rc, sec, peak, err = run("import", str(ws2), str(f))
        _line(f"import {f.name}", rc, sec, peak, err)
        good = rc == 2 and sec <= 30 and peak <= 1.2 * GB
        ok &= good
    print("    target (exit 2 in ≤ 30 s):", "met" if ok else "NOT met")

    print("3. hostile workbooks to import")
    for make, name in ((H.xlsx_merged_everything, "merged A1:XFD1048576.xlsx"), (H.xlsx_far_cell, "cell XFD1048576.xlsx"),
                       (H.xlsx_cells, "1,000,000 cells.xlsx")):
        path = make(tmp / name)
        rc, sec, peak, err = run("import", str(ws2), str(path))
        _line(f"import {name} ({path.stat().st_size / 1024:.1f} KB)", rc, sec, peak, err)
        good = rc == 2 and sec <= 10 and peak <= 1.2 * GB
        ok &= good
        print("    target (refused in ≤ 10 s, ≤ 1.2 GB):", "met" if good else "NOT met")

    if "--skip-50mb" not in sys.argv:
        print("4. a 50 MB text report")
        big = H.text_report(tmp / "50MB 报告.txt", 50)
        rc, sec, peak, err = run("import", str(ws2), str(big))
        _line("import (default limit 20 MB)", rc, sec, peak, err)
        ok &= rc == 2 and sec <= 5
        ws3 = tmp / "ws3"
        run("init", str(ws3))
        _settings(ws3, report__max_text_mb=64)
        rc, sec, peak, err = run("import", str(ws3), str(big))
        _line("import (report.max_text_mb = 64)", rc, sec, peak, err)
        print("    imports in ≤ 60 s with the limit raised:", "yes" if rc == 0 and sec <= 60 else "NO")

    print("5. the checks before opening, on ordinary files (demo evidence), in this process")
    from desktop.evidence import text as textmod
    from desktop.parsing import precheck

    demo = REPO / "resources" / "samples" / "evidence"
    for path in sorted(demo.iterdir()):
        ext = path.suffix.lstrip(".").lower()
        reps = 5
        t = time.perf_counter()
        for _ in range(reps):
            precheck.check_file(path, ext)
        checks = (time.perf_counter() - t) / reps
        t = time.perf_counter()
        for _ in range(reps):
            textmod.extract(path, ext)
        whole = (time.perf_counter() - t) / reps
        print(f"  {path.name[:28]:<28} checks {checks * 1000:6.2f} ms  of extract {whole * 1000:7.1f} ms"
              f"  = {checks / whole * 100:4.1f} %")
    print("all targets met" if ok else "SOME TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
