"""Garbage cycles (which may hold Qt objects) are collected on the GUI thread, never in a worker."""

from __future__ import annotations

import gc
import threading


def test_cycles_made_in_a_worker_are_collected_on_the_gui_thread(qtbot, qapp):
    assert not gc.isenabled()  # make_app switched the automatic collector off
    died_on: list[int] = []

    class Node:
        def __del__(self):
            died_on.append(threading.get_ident())

    # Let what earlier tests left behind (windows closed with deleteLater) be freed first: frees lower the
    # interpreter's allocation count, and a count held under the threshold by them would, rightly, not
    # trigger a collection within the wait below.
    qtbot.wait(200)
    gc.collect()
    node = Node()
    node.me = node  # a cycle: only the cyclic collector frees it
    del node

    def worker():
        for _ in range(20_000):  # far more than the first threshold (700): the interpreter would collect here
            x: list = []
            x.append(x)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert died_on == []  # nothing was collected in the worker
    qtbot.waitUntil(lambda: bool(died_on), timeout=10000)  # the GUI thread's timer collected it
    assert died_on == [threading.get_ident()]
