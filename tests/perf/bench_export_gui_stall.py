"""Benchmark: the longest GUI-thread stall while 文件 → 导出佐证材料包… writes a package and its binder.

The real window (offscreen, real lanes and threads) on a workspace of N linked PDFs; a 10 ms heartbeat on
the GUI thread records how late each tick is. Baseline, in the same run: the same window idle for as long.
Prints the longest stall and the 99th percentile of each, and their ratio; the target is a longest stall
under 100 ms during the export.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_export_gui_stall.py [--files 120] [--kb 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--kb", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    from tests.perf.bench_export import build
    from tests.ui.heartbeat import Heartbeat

    from PySide6.QtCore import QEventLoop, QTimer

    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow
    from desktop.workspace import Workspace

    app = make_app([])
    with tempfile.TemporaryDirectory(prefix="ed-stall-") as tmp:
        tmp = Path(tmp)
        os.environ["EVIDENCE_DESK_HOME"] = str(tmp / "home")
        t = time.perf_counter()
        root = build(tmp / "bench", args.files, args.kb)
        print(f"workspace: {args.files} linked PDFs of {args.kb} KB, built in {time.perf_counter() - t:.1f} s")
        window = MainWindow(Workspace.open(root, actor="bench", role="editor"), watch=False)
        window.show()
        app.processEvents()
        try:
            for rnd in range(args.rounds):
                # the export, with its binder
                dlg = window.exchange.open_export()
                settle = QEventLoop()  # the dialog is shown (and painted) before 导出 is pressed, as a person sees it
                QTimer.singleShot(300, settle.quit)
                settle.exec()
                out = tmp / f"out{rnd}"
                out.mkdir()
                dlg.set_paths(out / "材料包.zip", out / "汇编.pdf")
                dlg.set_mode("both")
                done: list = []
                shown = [0]
                dlg.export_finished.connect(done.append)
                stages: list[tuple[float, str]] = []
                dlg.progress_shown.connect(lambda *a: shown.__setitem__(0, shown[0] + 1))
                dlg.progress_shown.connect(lambda stage, *a: stages.append((time.perf_counter(), stage)))
                beat = Heartbeat(10)
                cpu: list[float] = []  # the GUI thread's own CPU time at each tick: busy itself, or waiting?
                beat.timer.timeout.connect(lambda: cpu.append(time.thread_time()))
                beat.start()
                t = time.perf_counter()
                loop = QEventLoop()
                dlg.export_finished.connect(loop.quit)
                dlg.start()
                if not done:
                    loop.exec()
                dlg.export_finished.disconnect(loop.quit)
                export_s = time.perf_counter() - t
                beat.stop()
                dlg.export_finished.disconnect(done.append)
                assert done[0] is not None, dlg.error_text
                pages = done[0]["binder_pages"]
                # the baseline: the same window, idle, as long
                idle = Heartbeat(10)
                idle.start()
                loop = QEventLoop()
                QTimer.singleShot(int(export_s * 1000), loop.quit)
                loop.exec()
                idle.stop()
                worst = sorted(zip(beat.lateness, beat.at, range(len(beat.at))), reverse=True)[:5]
                for late, at, i in worst:
                    before = [s for t0, s in stages if t0 <= at]
                    own = 1000 * (cpu[i] - cpu[i - 1]) if 0 < i < len(cpu) else float("nan")
                    print(f"    stall {1000 * late:.0f} ms ending {at - t:.2f} s into the export "
                          f"(GUI thread's own CPU in it: {own:.0f} ms), "
                          f"last stage shown: {before[-1] if before else '(none yet)'}")
                ratio = beat.max_ms / max(idle.max_ms, 0.001)
                print(f"round {rnd + 1}: export + binder {export_s:.1f} s ({pages} pages, {shown[0]} progress updates "
                      f"shown): longest GUI stall {beat.max_ms:.0f} ms, p99 {beat.percentile_ms(0.99):.1f} ms; "
                      f"idle baseline: longest {idle.max_ms:.0f} ms, p99 {idle.percentile_ms(0.99):.1f} ms; "
                      f"ratio of longest stalls {ratio:.1f}×")
        finally:
            window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
