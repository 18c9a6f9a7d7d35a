"""Suggestions are computed on their own thread and reach the GUI thread through a queued signal."""

from __future__ import annotations

import threading

from desktop.ui.suggest_worker import SuggestionWorker


def test_results_arrive_on_the_gui_thread_and_stale_ones_are_dropped(qtbot, demo_ws):
    worker = SuggestionWorker(demo_ws.db)
    gui = threading.get_ident()
    got = []
    gate = threading.Event()

    def slow(engine):
        gate.wait(10)  # hold the worker so the next two requests queue up behind this one
        return "first"

    worker.submit("selection", slow, lambda v, e: got.append(("first", v)))
    worker.submit("selection", lambda engine: "second", lambda v, e: got.append(("second", v)))
    claims = []
    worker.submit("selection", lambda engine: engine.claim_ids(),
                  lambda v, e: (claims.extend(v), got.append(("third", threading.get_ident() == gui))))
    gate.set()
    qtbot.waitUntil(lambda: any(name == "third" for name, _ in got), timeout=15000)
    worker.shutdown()
    assert got == [("third", True)]  # only the newest answer is painted, on the GUI thread
    assert len(claims) > 60


def test_window_shows_suggestions_computed_in_the_background(qtbot, demo_ws):
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow

    make_app()
    w = MainWindow(demo_ws)  # real background threads, as in the app
    qtbot.addWidget(w)
    try:
        target = next(c for c in w.claims_model.rows() if c["value"] == "34817.01")
        w.select_claim(target["id"])
        qtbot.waitUntil(lambda: w.linking.panel.claim_id == target["id"] and bool(w.linking.panel.suggestions()),
                        timeout=15000)
        assert w.linking.panel.suggestions()[0].strength in ("strong", "possible")
    finally:
        w.close()
