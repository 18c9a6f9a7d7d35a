"""The ingest engine's committer thread: copied batches are recorded while the workers copy on, and
nothing the threads hold is lost or left busy when something fails or the engine stops."""

from __future__ import annotations

import os
import threading
import time

from desktop.evidence import pipeline
from desktop.evidence.pipeline import IngestEngine


def _files(folder, n, empty=()):
    folder.mkdir()
    for i in range(n):
        (folder / f"材料{i:03d}.bin").write_bytes(b"" if i in empty else os.urandom(3000) + bytes([i]))


def test_stop_commits_what_was_handed_over_even_if_the_committer_fails_between_batches(ws, tmp_path, monkeypatch):
    src = tmp_path / "src"
    _files(src, 40)
    monkeypatch.setattr(pipeline, "BATCH_FILES", 1)  # many hand-overs, a queue that fills
    engine = IngestEngine(ws, workers=2)
    real_commit, real_progress = engine._commit, engine.progress

    def slow_commit(batch):
        if threading.current_thread().name == "ingest-committer":
            time.sleep(0.05)
        return real_commit(batch)

    failed = []

    def failing_progress():  # e.g. "database is locked" while counting the queue
        if threading.current_thread().name == "ingest-committer":
            failed.append(1)
            raise RuntimeError("simulated")
        return real_progress()

    engine._commit, engine.progress = slow_commit, failing_progress
    engine.start()
    engine.submit_paths([src])
    assert engine.wait_for(lambda: len(failed) >= 2, 10)  # it failed, and the committer went on to fail again
    assert engine._committer_thread.is_alive()  # the failure did not end it
    stopper = threading.Thread(target=engine.stop, kwargs={"timeout": 10})
    stopper.start()
    stopper.join(20)
    assert not stopper.is_alive()  # stop() returned
    assert not engine._busy
    registered = ws.db.scalar("SELECT count(*) FROM evidence")
    left = engine.queue.counts().get("register", {})
    assert left.get("in_progress", 0) == 0  # every claimed file was committed or put back
    assert registered + left.get("pending", 0) == 40
    engine.start()  # and the rest goes through on the next run
    assert engine.wait_idle(timeout=30, derived=False)
    engine.stop()
    assert ws.db.scalar("SELECT count(*) FROM evidence") == 40


def test_an_error_escaping_a_task_leaves_no_file_busy(ws, tmp_path):
    src = tmp_path / "src"
    _files(src, 20, empty={3})  # the empty file goes through _failed
    engine = IngestEngine(ws, workers=2)
    real_failed = engine._failed
    calls = []

    def flaky_failed(*a, **k):  # the queue cannot be written for a moment
        calls.append(1)
        if len(calls) <= 2:
            raise RuntimeError("database is locked (simulated)")
        return real_failed(*a, **k)

    engine._failed = flaky_failed
    engine.start()
    try:
        engine.submit_paths([src])
        assert engine.wait_idle(timeout=30, derived=False)
        # Only files count here: text and thumbnails (keyed by evidence) may still be running, since the
        # wait was for registration alone. A file is let go just after its row is done: a key that leaked
        # would never go.
        assert engine.wait_for(lambda: not [key for key in engine._busy if key[0] == "p"], 5)
        assert engine.queue.counts()["register"] == {"done": 19, "failed": 1}
        assert ws.db.scalar("SELECT count(*) FROM evidence") == 19
    finally:
        engine.stop()
