"""Suggestions are computed on the session's suggest lane and painted on the GUI thread: the newest answer
for the claim selected now, never an older claim's."""

from __future__ import annotations

import threading


def test_window_shows_suggestions_computed_in_the_background(qtbot, demo_ws):
    from desktop.ui.app import make_app
    from desktop.ui.main_window import MainWindow

    make_app()
    w = MainWindow(demo_ws)  # real background threads, as in the app
    qtbot.addWidget(w)
    try:
        target = next(c for c in w.claims_model.rows() if c["value"] == "34817.01")
        w.select_claim(target["id"])
        qtbot.waitUntil(lambda: w.suggestions.claim_id == target["id"] and bool(w.suggestions.suggestions()),
                        timeout=15000)
        assert w.suggestions.suggestions()[0].strength in ("strong", "possible")
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
        panel = w.suggestions

        def links(claim_id):
            return [r[0] for r in demo_ws.db.query("SELECT evidence_id FROM links WHERE claim_id = ?", (claim_id,))]

        a_before, b_before = links(a["id"]), links(b["id"])
        w.select_claim(a["id"])
        qtbot.waitUntil(lambda: panel.claim_id == a["id"] and bool(panel.suggestions()), timeout=15000)
        a_best = panel.current_evidence_id()
        assert a_best is not None and a_best not in a_before and panel.act_accept.isEnabled()

        # hold the suggestion thread so that B's answer cannot arrive while we press the keys
        w.session.suggest("test-gate", lambda engine: gate.wait(15), lambda v, e: None)
        w.select_claim(b["id"])
        assert w.selected_claim_ids() == [b["id"]]
        assert panel.suggestions() == [] and panel.current_evidence_id() is None  # cleared at once
        assert "正在计算建议" in panel.title.text()
        assert not panel.act_accept.isEnabled() and not panel.act_reject.isEnabled()
        assert not panel.accept_button.isEnabled() and not panel.reject_button.isEnabled()
        w.claims_view.setFocus()
        qtbot.keyClick(w.claims_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not w.session.dispatcher.writer.busy, timeout=15000)
        assert links(a["id"]) == a_before and links(b["id"]) == b_before  # nothing linked, to A or to B
        panel.accept_current()  # called anyway (the actions are disabled): still nothing
        panel.reject_current()
        qtbot.waitUntil(lambda: not w.session.dispatcher.writer.busy, timeout=15000)
        assert links(a["id"]) == a_before and links(b["id"]) == b_before
        assert demo_ws.db.scalar("SELECT count(*) FROM suggestion_rejections") == 0

        gate.set()
        qtbot.waitUntil(lambda: panel.claim_id == b["id"] and bool(panel.suggestions()), timeout=15000)
        b_best = panel.current_evidence_id()
        assert panel.act_accept.isEnabled()
        qtbot.keyClick(w.claims_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert b_best not in b_before
        qtbot.waitUntil(lambda: sorted(links(b["id"])) == sorted(b_before + [b_best]), timeout=15000)
        assert links(a["id"]) == a_before
    finally:
        gate.set()
        w.close()
