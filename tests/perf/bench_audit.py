"""Benchmark: the audit trail viewer on 100,000 events.

Targets: the viewer opens a workspace of 100,000 events in under 1 s; filtering by claim takes
under 200 ms. Each figure is also printed as a ratio to a bare SQLite read of the same rows measured in the
same run, so the numbers mean something on another machine.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_audit.py [--events 100000] [--keep DIR]

"Open" is measured from nothing to a painted first screen: open the workspace, build the window (the
person and action lists, the newest-first list of sequence numbers), show it, and paint the visible rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.review.audit_log import EventFilter  # noqa: E402
from tests.synth import populate  # noqa: E402

RUNS = 5


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def median_time(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--keep", help="build (or reuse) the workspace here instead of a temp folder")
    args = ap.parse_args()

    tmp = None
    if args.keep:
        root = Path(args.keep)
    else:
        tmp = tempfile.mkdtemp(prefix="bench-audit-")
        root = Path(tmp) / "W"
    try:
        if not (root / "workspace.db").exists():
            t = time.perf_counter()
            populate(root, events=args.events, claims=2000, objects=200)
            print(f"built a workspace of {args.events:,} events in {time.perf_counter() - t:.1f} s: {root}")

        from PySide6.QtWidgets import QApplication

        from desktop.ui.app import make_app
        from desktop.ui.panels.audit_log import AuditLogWindow
        from desktop.ui.session import Session
        from desktop.workspace import Workspace

        app = make_app()
        conn = sqlite3.connect(root / "workspace.db")
        n = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        busiest = conn.execute(
            "SELECT claim_id, count(*) FROM events WHERE claim_id IS NOT NULL GROUP BY claim_id"
            " ORDER BY count(*) DESC LIMIT 1").fetchone()
        typical = conn.execute("SELECT claim_id FROM events WHERE claim_id IS NOT NULL LIMIT 1 OFFSET ?",
                               (n // 2,)).fetchone()[0]

        # baselines: bare reads of the same rows, no model, no words, no widgets
        def bare_all():
            c = sqlite3.connect(root / "workspace.db")
            c.execute("SELECT seq, ts, actor, role, action, claim_id, evidence_id, payload FROM events"
                      " ORDER BY seq DESC").fetchall()
            c.close()

        def bare_claim(cid):
            return lambda: conn.execute("SELECT seq, ts, actor, role, action, claim_id, evidence_id, payload"
                                        " FROM events WHERE claim_id = ? ORDER BY seq DESC", (cid,)).fetchall()

        base_all = median_time(bare_all)
        base_busiest = median_time(bare_claim(busiest[0]), 21)
        base_typical = median_time(bare_claim(typical), 21)

        # open: workspace → window → first paint
        windows = []

        def open_viewer():
            ws = Session(Workspace.open(root, readonly=True))
            w = AuditLogWindow(ws)
            w.resize(1200, 760)
            w.show()
            w.view.viewport().repaint()
            app.processEvents()
            windows.append((w, ws))

        open_times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            open_viewer()
            open_times.append(time.perf_counter() - t)
            w, ws = windows.pop()
            assert w.model.rowCount() == n
            pages = w.model.pages_loaded
            w.close()
            ws.shutdown()
        t_open = statistics.median(open_times)

        ws = Session(Workspace.open(root, readonly=True))
        w = AuditLogWindow(ws)
        w.resize(1200, 760)
        w.show()
        app.processEvents()

        def filt(flt):
            def run():
                w.set_filter(flt)
                w.view.viewport().repaint()
                w.set_filter(EventFilter())  # back, so each run filters from the full list
            return run

        def filter_only(flt):
            times = []
            for _ in range(11):
                t = time.perf_counter()
                w.set_filter(flt)
                w.view.viewport().repaint()
                times.append(time.perf_counter() - t)
                w.set_filter(EventFilter())
            return statistics.median(times)

        t_busiest = filter_only(EventFilter(claim_id=busiest[0]))
        t_typical = filter_only(EventFilter(claim_id=typical))
        t_actor = filter_only(EventFilter(actor="王审计"))
        t_action = filter_only(EventFilter(action="link."))
        t_clear = filter_only(EventFilter())

        def jump():
            for row in (n // 2, n - 1, n // 3, 0):
                w.view.scrollTo(w.model.index(row, 0))
                w.view.viewport().repaint()

        t_jump = median_time(jump) / 4
        w.close()
        ws.shutdown()
        conn.close()

        print()
        print(f"audit viewer, {n:,} events ({RUNS}-run medians; baseline = bare sqlite3 SELECT of the same rows)")
        print(f"  open + first paint        {ms(t_open)}   baseline SELECT all rows {ms(base_all)}"
              f"   ratio {t_open / base_all:5.2f}   (rows read for the first screen: {pages} page(s))")
        print(f"  filter: busiest claim     {ms(t_busiest)}   ({busiest[1]} events)   baseline {ms(base_busiest)}"
              f"   ratio {t_busiest / base_busiest:6.1f}")
        print(f"  filter: a typical claim   {ms(t_typical)}   baseline {ms(base_typical)}"
              f"   ratio {t_typical / base_typical:6.1f}")
        print(f"  filter: one person        {ms(t_actor)}")
        print(f"  filter: action family     {ms(t_action)}")
        print(f"  clear filter (all rows)   {ms(t_clear)}")
        print(f"  jump to a far row + paint {ms(t_jump)}")
        ok_open, ok_filter = t_open < 1.0, max(t_busiest, t_typical) < 0.2
        print(f"  target open < 1 s: {'met' if ok_open else 'NOT MET'};"
              f" filter by claim < 200 ms: {'met' if ok_filter else 'NOT MET'}")
        QApplication.processEvents()
        return 0 if ok_open and ok_filter else 1
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
