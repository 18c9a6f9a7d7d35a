"""The background task runner: results reach the GUI thread, and none after the window has closed."""

from __future__ import annotations

import threading

from desktop.ui.tasks import TaskRunner


def test_results_arrive_on_the_gui_thread(qtbot, qapp):
    runner = TaskRunner()
    got = []
    runner.submit("one", lambda: threading.get_ident(), lambda r: got.append((r.value, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    worker, gui = got[0]
    assert gui == threading.get_ident() and worker != gui
    runner.shutdown()


def test_a_task_finishing_while_the_window_closes_is_delivered_before_shutdown_returns(qtbot, qapp):
    """Closing the window waits for the task in hand and delivers its result (an error is still shown)
    before the owner closes its workspace; nothing is delivered after that, when the callback would read
    a closed workspace."""
    runner = TaskRunner()
    gate, delivered = threading.Event(), []

    def work():
        gate.wait(5)
        raise OSError(28, "No space left on device")

    runner.submit("slow", work, lambda r: delivered.append(type(r.error)))
    threading.Timer(0.2, gate.set).start()
    runner.shutdown()  # waits for the task in hand, then delivers it
    assert delivered == [OSError]
    qtbot.wait(300)
    assert delivered == [OSError]  # once, not again later
