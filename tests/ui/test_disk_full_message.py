"""A full disk that stops the ingest engine is said once in the window, in words (issue 20)."""

from __future__ import annotations

from desktop.evidence.ingest_tasks import IngestEvent


def test_a_halted_engine_is_shown_once_as_a_full_disk(window, qtbot):
    lane = window.session.ingest
    lane._on_event(IngestEvent("halted", error="disk_full", detail="[Errno 28] No space left on device"))
    qtbot.waitUntil(lambda: "磁盘已满" in (getattr(window, "last_error", "") or ""), timeout=5000)
    assert "No space left on device" in window.last_error
    window.last_error = ""
    lane._on_event(IngestEvent("progress", data={"phase": "idle", "done": 0, "total": 0}))
    qtbot.wait(300)
    assert window.last_error == ""  # said once, not with every later delivery
