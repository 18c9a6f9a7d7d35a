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


def test_a_task_finishing_while_the_window_closes_is_kept_but_not_delivered(qtbot, qapp):
    """Closing the window waits for the task in hand (its change is saved) and then delivers nothing:
    its callback would read a workspace that is closed by then."""
    runner = TaskRunner()
    gate, done, delivered = threading.Event(), [], []

    def work():
        gate.wait(5)
        done.append(True)
        return 42

    runner.submit("slow", work, lambda r: delivered.append(r.value))
    threading.Timer(0.2, gate.set).start()
    runner.shutdown()  # waits for the task in hand
    assert done == [True]
    qtbot.wait(300)  # the queued result would be delivered now
    assert delivered == []
