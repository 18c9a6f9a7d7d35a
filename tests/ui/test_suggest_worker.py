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


def test_accept_waits_for_the_newly_selected_claims_suggestions(qtbot, demo_ws):
    """Selecting another claim clears the panel at once: Ctrl+Enter before its answer arrives must not link
    the previous claim's suggestion; once the answer is in, it links the new claim's."""
    from PySide6.QtCore import Qt

    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow

    make_app()
    w = MainWindow(demo_ws)  # real background threads, as in the app
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    gate = threading.Event()
    try:
        rows = {(c["value"], c["unit"]): c for c in w.claims_model.rows()}
        a, b = rows[("658.83", "万元")], rows[("18061", "万家")]
        panel, linking = w.linking.panel, w.linking

        def links(claim_id):
            return [r[0] for r in demo_ws.db.query("SELECT evidence_id FROM links WHERE claim_id = ?", (claim_id,))]

        a_before, b_before = links(a["id"]), links(b["id"])
        w.select_claim(a["id"])
        qtbot.waitUntil(lambda: panel.claim_id == a["id"] and bool(panel.suggestions()), timeout=15000)
        a_best = panel.current_evidence_id()
        assert a_best is not None and a_best not in a_before and linking.act_accept.isEnabled()

        # hold the suggestion thread so that B's answer cannot arrive while we press the keys
        linking.worker.submit("test-gate", lambda engine: gate.wait(15), lambda v, e: None)
        w.select_claim(b["id"])
        assert w.selected_claim_ids() == [b["id"]]
        assert panel.suggestions() == [] and panel.current_evidence_id() is None  # cleared at once
        assert "正在计算建议" in panel.title.text()
        assert not linking.act_accept.isEnabled() and not linking.act_reject.isEnabled()
        assert not panel.accept_button.isEnabled() and not panel.reject_button.isEnabled()
        w.claims_view.setFocus()
        qtbot.keyClick(w.claims_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not w.tasks.busy, timeout=15000)
        assert links(a["id"]) == a_before and links(b["id"]) == b_before  # nothing linked, to A or to B
        linking.accept_current()  # called anyway (the actions are disabled): still nothing
        linking.reject_current()
        qtbot.waitUntil(lambda: not w.tasks.busy, timeout=15000)
        assert links(a["id"]) == a_before and links(b["id"]) == b_before
        assert demo_ws.db.scalar("SELECT count(*) FROM suggestion_rejections") == 0

        gate.set()
        qtbot.waitUntil(lambda: panel.claim_id == b["id"] and bool(panel.suggestions()), timeout=15000)
        b_best = panel.current_evidence_id()
        assert linking.act_accept.isEnabled()
        qtbot.keyClick(w.claims_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert b_best not in b_before
        qtbot.waitUntil(lambda: sorted(links(b["id"])) == sorted(b_before + [b_best]), timeout=15000)
        assert links(a["id"]) == a_before
    finally:
        gate.set()
        w.close()
