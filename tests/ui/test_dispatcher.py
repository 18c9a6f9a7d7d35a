"""The dispatcher's lanes and its one funnel, and the session's changes: results and changes reach the GUI
thread, stale answers are dropped, and nothing is delivered after the one way down."""

from __future__ import annotations

import threading

from db.changes import Changes
from desktop.ui.dispatcher import Dispatcher
from desktop.ui.session import BatchedChanges, Session


def test_results_arrive_on_the_gui_thread(qtbot, qapp):
    d = Dispatcher()
    got = []
    d.writer.submit("one", lambda: threading.get_ident(), lambda r: got.append((r.value, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    worker, gui = got[0]
    assert gui == threading.get_ident() and worker != gui
    d.shutdown()


def test_a_writer_job_finishing_during_shutdown_is_delivered_before_it_returns(qtbot, qapp):
    """Shutting down waits for the writer's job in hand and delivers its result (an error is still shown)
    before the workspace closes; nothing is delivered after that, when the callback would read a closed
    workspace."""
    d = Dispatcher()
    gate, delivered = threading.Event(), []

    def work():
        gate.wait(5)
        raise OSError(28, "No space left on device")

    d.writer.submit("slow", work, lambda r: delivered.append(type(r.error)))
    threading.Timer(0.2, gate.set).start()
    d.shutdown()  # waits for the job in hand, then delivers it
    assert delivered == [OSError]
    qtbot.wait(300)
    assert delivered == [OSError]  # once, not again later
    d.writer.submit("after", lambda: 1, lambda r: delivered.append("after"))
    d.run_on_main(lambda: delivered.append("closure"))
    qtbot.wait(100)
    assert delivered == [OSError]


def test_the_suggest_lane_drops_superseded_answers(qtbot, qapp):
    d = Dispatcher()
    gui = threading.get_ident()
    got = []
    gate = threading.Event()

    def slow():
        gate.wait(10)  # hold the lane so the next two requests queue up behind this one
        return "first"

    d.suggest.submit("a", slow, lambda r: got.append(("first", r.value)), kind="selection")
    d.suggest.submit("b", lambda: "second", lambda r: got.append(("second", r.value)), kind="selection")
    d.suggest.submit("c", lambda: threading.get_ident(),
                     lambda r: got.append(("third", r.value != gui and threading.get_ident() == gui)),
                     kind="selection")
    d.suggest.submit("other kind", lambda: "kept", lambda r: got.append(("other", r.value)), kind="new_evidence")
    gate.set()
    qtbot.waitUntil(lambda: len(got) == 2, timeout=15000)
    d.shutdown()
    assert got == [("third", True), ("other", "kept")]  # only the newest of a kind, off and on the GUI thread


def test_a_failing_delivery_does_not_lose_the_others(qtbot, qapp):
    d = Dispatcher()
    ran = []

    def boom():
        raise RuntimeError("a bug in one callback")

    with qtbot.captureExceptions() as exceptions:
        d.run_on_main(boom)
        d.run_on_main(lambda: ran.append(1))
        qtbot.waitUntil(lambda: ran == [1], timeout=5000)
    assert [type(e[1]) for e in exceptions] == [RuntimeError]
    d.shutdown()


def test_inline_lanes_deliver_before_submit_returns(qapp):
    d = Dispatcher(inline=True)
    got = []
    d.reader.submit("r", lambda: 2, lambda r: got.append(r.value))
    d.writer.submit("w", lambda: 1 / 0, lambda r: got.append(type(r.error)))
    assert got == [2, ZeroDivisionError] and not d.writer.busy
    d.shutdown()


def test_every_write_reaches_the_window_as_changes_before_its_callback(qtbot, imported_ws):
    from desktop.review.links import mark_not_required
    from desktop.review.status import claim_rows

    session = Session(imported_ws)
    claim = claim_rows(imported_ws.db)[0]["id"]
    seen = []
    session.changed.connect(lambda ch: seen.append(("changed", ch.actions, set(ch.claim_ids))))
    done = threading.Event()
    session.write("mark", lambda: mark_not_required(imported_ws.db, claim_id=claim, reason="见评分表"),
                  lambda change: (seen.append(("done", change.claim_id)), done.set()))
    qtbot.waitUntil(done.is_set, timeout=5000)
    assert seen == [("changed", {"claim.marked_not_required"}, {claim}), ("done", claim)]

    # a write made elsewhere (another thread, not through the session) is heard too
    from desktop.review.links import unmark_not_required

    other = threading.Thread(target=lambda: (unmark_not_required(imported_ws.db, claim_id=claim),
                                             imported_ws.db.close_thread_connection()))
    other.start()
    other.join()
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=5000)
    assert seen[2] == ("changed", {"claim.unmarked_not_required"}, {claim})
    session.shutdown()


def test_heavy_panels_get_evidence_changes_in_batches_while_an_ingest_runs(qtbot, imported_ws):
    session = Session(imported_ws, inline=True)
    got = []
    batched = BatchedChanges(session, got.append, interval=0.2)
    session.ingest.busy = True  # as while the engine works through a queue
    session.changed.emit(Changes.of("evidence.added", evidence=[1]))
    session.changed.emit(Changes.of("evidence.indexed", evidence=[2]))
    assert got == []  # held
    qtbot.waitUntil(lambda: len(got) == 1, timeout=2000)
    assert got[0].evidence_ids == {1, 2}
    session.changed.emit(Changes.of("evidence.added", evidence=[3]))
    session.changed.emit(Changes.of("link.added", claim=[5], evidence=[3]))  # not evidence only: at once
    assert [set(c.evidence_ids) for c in got] == [{1, 2}, {3}] and got[1].claim_ids == {5}
    session.changed.emit(Changes.of("evidence.added", evidence=[4]))
    session.ingest.busy = False
    session.ingest.busy_changed.emit(False)  # the ingest fell idle: the rest at once
    assert got[2].evidence_ids == {4}
    session.ingest.busy_changed.emit(False)
    session.changed.emit(Changes.of("evidence.added", evidence=[6]))  # no ingest: at once
    assert got[3].evidence_ids == {6}
    batched.deleteLater()
    session.shutdown()
