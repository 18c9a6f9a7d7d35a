"""10,000 files created in a burst while the app runs: every one registered exactly once (not collected).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.perf.burst [--files 10000]

The main window runs (offscreen) on a workspace watching an empty folder, with the real watcher (inotify
on Linux). Separate processes (``--writers``, default 4) then create the files as fast as they can
(``os.open`` / ``os.write`` / ``os.close``). The script waits until the queue is idle and checks: evidence rows == files, one present
path row per file, every registration an ``added``; it prints how long the burst took, how many events
watchdog delivered, whether inotify overflowed, how long until everything was registered, and the longest
GUI-thread stall (10 ms heartbeat).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRITER = """
import os, sys, time
from multiprocessing import Process
folder, n, procs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def write(part):
    for i in range(part, n, procs):
        fd = os.open(os.path.join(folder, f"凭证{i:05d}.txt"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, f"第 {i} 号凭证 金额 {i * 3}.00 元".encode())
        os.close(fd)
if __name__ == "__main__":
    workers = [Process(target=write, args=(p,)) for p in range(procs)]
    start = time.perf_counter()
    for w in workers: w.start()
    for w in workers: w.join()
    print(time.perf_counter() - start)
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--writers", type=int, default=4, help="processes creating the files in parallel")
    ap.add_argument("--without-linking", action="store_true",
                    help="leave out the claims list's and the suggestions' refresh on new files (attributes GUI stalls)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="burst-"))
    os.environ["EVIDENCE_DESK_HOME"] = str(tmp / "home")
    try:
        from PySide6.QtCore import QEventLoop, QTimer

        from desktop.evidence.queue import PATH_TASKS
        from desktop.ui.app import make_app
        from desktop.ui.main_window import MainWindow
        from desktop.workspace import Workspace
        from tests.ui.heartbeat import Heartbeat

        folder = tmp / "佐证材料"
        folder.mkdir()
        app = make_app()
        ws = Workspace.create(tmp / "ws", watch_dir=folder, actor="bench")
        window = MainWindow(ws)
        if args.without_linking:
            window.claims.batched.detach()
            window.suggestions.batched.detach()
        window.show()
        ingest = window.session.ingest
        deadline = time.perf_counter() + 30
        while ingest.watcher is None and time.perf_counter() < deadline:  # it starts on the writer lane
            app.processEvents()
            time.sleep(0.01)
        watcher = ingest.watcher
        assert watcher is not None and watcher.wait_idle(30)
        app.processEvents()
        beat = Heartbeat(10)
        beat.start()
        t_start = time.perf_counter()
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(args.files), str(args.writers)],
                                  stdout=subprocess.PIPE, text=True)
        loop = QEventLoop()
        engine = watcher.engine
        marks: dict[str, float] = {}

        def poll() -> None:  # the GUI keeps running while the other process writes
            if "burst_end" not in marks:
                if writer.poll() is None:
                    return
                marks["burst_end"] = time.perf_counter()
            if ws.db.scalar("SELECT count(*) FROM evidence") >= args.files and engine.idle(derived=False):
                loop.quit()
            elif time.perf_counter() - marks["burst_end"] > 900:
                loop.quit()

        check = QTimer()
        check.timeout.connect(poll)
        check.start(50)
        loop.exec()
        check.stop()
        t_registered = time.perf_counter()
        registered_after = t_registered - marks["burst_end"]
        burst = float(writer.communicate()[0])
        end = time.perf_counter() + 0.5
        while time.perf_counter() < end:
            app.processEvents()
        beat.stop()
        db = ws.db
        evidence = db.scalar("SELECT count(*) FROM evidence")
        rows = db.query("SELECT path FROM evidence_paths WHERE present = 1")
        paths = [r["path"] for r in rows]
        on_disk = len(os.listdir(folder))
        exactly_once = evidence == args.files == on_disk and len(paths) == len(set(paths)) == args.files
        print(f"{args.files} files created in {burst:.2f} s by {args.writers} other processes")
        print(f"watchdog delivered {watcher.events_seen} events; inotify overflowed {watcher.overflows} times;"
              f" scans ran to catch up")
        print(f"all registered {registered_after:.1f} s after the burst ended; library shows"
              f" {window.evidence_model.rowCount()} rows")
        print(f"evidence rows {evidence}, present paths {len(paths)} (distinct {len(set(paths))}), files {on_disk}"
              f" → {'exactly once: OK' if exactly_once else 'MISMATCH'}")
        print(f"GUI thread: longest stall {beat.max_ms:.0f} ms — while the {args.writers} writers ran"
              f" {beat.max_ms_between(t_start, marks['burst_end']):.0f} ms, while registering the rest"
              f" {beat.max_ms_between(marks['burst_end'], t_registered):.0f} ms, after it (the window's own refresh of claims"
              f" and suggestions for 10,000 new files) {beat.max_ms_between(t_registered, time.perf_counter()):.0f} ms;"
              f" 99th percentile {beat.percentile_ms(0.99):.0f} ms")
        window.close()
        return 0 if exactly_once else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
